// The public API and nothing else: queries and mutations over HTTP POST to
// /graphql, subscriptions over a graphql-transport-ws websocket at the same
// path, the token sent as `authorization` in `connection_init`.
import { createClient } from 'graphql-ws';

const TOKEN_KEY = 'rapport.board.token';

export const session = {
  get token() { return localStorage.getItem(TOKEN_KEY); },
  set token(value) {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  },
};

/** An error the API answered, with its `extensions.code` (e.g. CONFLICT). */
export class ApiError extends Error {
  constructor(error) {
    super(error.message);
    this.code = error.extensions?.code ?? 'UNKNOWN';
  }
}

/** One query or mutation; resolves to `data`, rejects with an ApiError. */
export async function gql(query, variables = {}) {
  const body = await post(query, variables);
  if (body.errors?.length) throw new ApiError(body.errors[0]);
  return body.data;
}

/**
 * One query whose fields may fail on their own (e.g. FORBIDDEN to the
 * role): resolves to { data, errors }, `errors` by the top-level field's
 * alias; rejects only when there is no data at all.
 */
export async function gqlPartial(query, variables = {}) {
  const body = await post(query, variables);
  if (!body.data) throw new ApiError(body.errors?.[0] ?? { message: 'no answer' });
  const errors = {};
  for (const error of body.errors ?? []) errors[error.path?.[0] ?? ''] ??= new ApiError(error);
  return { data: body.data, errors };
}

async function post(query, variables) {
  const headers = { 'content-type': 'application/json' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return response.json();
}

// Errors that say the subscription itself is refused: starting it again
// would be refused again, so it is not retried.
const REFUSALS = new Set(['FORBIDDEN', 'UNAUTHENTICATED', 'NOT_FOUND', 'BAD_USER_INPUT']);

function refusal(errors) {
  const error = Array.isArray(errors) ? errors.find((e) => REFUSALS.has(e.extensions?.code)) : null;
  return error ? new ApiError(error) : null;
}

let client = null;
const stateListeners = new Set();

/** Calls `listener(state)` with 'connecting', 'live' or 'reconnecting'. */
export function onConnectionState(listener) {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

function announce(state) {
  for (const listener of stateListeners) listener(state);
}

function websocket() {
  if (client) return client;
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
  let everConnected = false;
  client = createClient({
    url,
    connectionParams: () => ({ authorization: `Bearer ${session.token}` }),
    // A board stays open for hours: keep retrying through restarts and
    // network loss, at most every 2 s so a restart is caught up quickly.
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((done) => setTimeout(done, Math.min(250 * 2 ** retries, 2000))),
    keepAlive: 10_000,
    on: {
      connecting: () => announce(everConnected ? 'reconnecting' : 'connecting'),
      connected: () => { everConnected = true; announce('live'); },
      closed: () => announce(everConnected ? 'reconnecting' : 'connecting'),
    },
  });
  return client;
}

/** Closes the websocket (signing out). */
export function disconnect() {
  client?.dispose();
  client = null;
}

/**
 * Follows a subscription that takes an `after` cursor, so that nothing is
 * missed across reconnects: every event's `cursor` is written into the
 * payload's variables, and graphql-ws re-sends that same payload object
 * when it resubscribes after a reconnect, so the server replays exactly
 * the events after the last one seen. A subscription the server completes
 * or fails (e.g. while shutting down) is started again the same way,
 * unless the server refused it (e.g. FORBIDDEN to the role): then
 * `onRefused(error)` is called once and it stays stopped.
 * `cursorOf(data)` picks the event's cursor. Returns a stop function.
 */
export function follow(query, variables, cursorOf, onData, onRefused) {
  const payload = { query, variables: { ...variables } };
  let stopped = false;
  let dispose = () => {};
  const start = () => {
    if (stopped) return;
    let refused = null;
    const again = () => {
      if (refused) { stopped = true; onRefused?.(refused); } else setTimeout(start, 1000);
    };
    dispose = websocket().subscribe(payload, {
      next: (message) => {
        // Errors without data: the subscription itself failed.
        if (message.errors?.length && !message.data) refused ??= refusal(message.errors);
        if (!message.data) return;
        const cursor = cursorOf(message.data);
        if (cursor) payload.variables.after = cursor;
        onData(message.data);
      },
      error: (error) => { refused ??= refusal(error); again(); },
      complete: again,
    });
  };
  start();
  return () => { stopped = true; dispose(); };
}

/** Follows a subscription without a cursor (it sends its whole state). */
export function watch(query, variables, onData, onRefused) {
  return follow(query, variables, () => null, onData, onRefused);
}
