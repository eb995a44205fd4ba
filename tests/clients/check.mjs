// Real GraphQL websocket clients against a running rapport server.
//
//   node check.mjs <base http url> <bearer token>
//
// e.g. node check.mjs http://127.0.0.1:46655/ eyJhbGciOi...
//
// Checks, in order:
//   graphql-ws (graphql-transport-ws protocol):
//     - the connection is acknowledged with the token in connectionParams;
//     - subscribed to ticketEvents after the current eventCursor, a ticket
//       created over HTTP arrives as an OPENED event with its subject;
//     - an invalid subscription reaches the `error` sink as an array of
//       GraphQL errors, and is not completed (neither by the client's
//       `complete` sink nor by a `complete` message from the server);
//   subscriptions-transport-ws (legacy graphql-ws protocol):
//     - the connection is acknowledged;
//     - the same OPENED event check.
//
// Every wait fails after 15 s. On success prints `OK <n> checks` and exits 0
// once the clients are disposed; on failure prints the reason to stderr and
// exits 1. CHECK_VERBOSE=1 also prints each passed check.

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import legacyTransport from 'subscriptions-transport-ws';

const { SubscriptionClient } = legacyTransport;

const TIMEOUT_MS = 15_000;
/** How long to watch for a (wrong) completion after an operation's error. */
const AFTER_ERROR_GRACE_MS = 500;
const verbose = process.env.CHECK_VERBOSE === '1';

const TICKET_EVENTS = `subscription($after: String) {
  ticketEvents(after: $after) { cursor kind ticket { subject } }
}`;
const CREATE_TICKET = `mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id } }
}`;

function fail(message) {
  process.stderr.write(`FAIL ${message}\n`);
  process.exit(1);
}

process.on('uncaughtException', (err) => fail(`uncaught exception: ${err?.stack ?? err}`));
process.on('unhandledRejection', (err) => fail(`unhandled rejection: ${err?.stack ?? err}`));

const [baseArg, token] = process.argv.slice(2);
if (!baseArg || !token) {
  process.stderr.write('usage: node check.mjs <base http url> <bearer token>\n');
  process.exit(1);
}

let httpUrl;
try {
  httpUrl = new URL(baseArg);
} catch {
  fail(`not a URL: ${baseArg}`);
}
if (!httpUrl.pathname.endsWith('/graphql')) httpUrl = new URL('/graphql', httpUrl);
const wsUrl = new URL(httpUrl);
wsUrl.protocol = httpUrl.protocol === 'https:' ? 'wss:' : 'ws:';

let passed = 0;
function pass(what) {
  passed += 1;
  if (verbose) process.stdout.write(`ok ${passed} - ${what}\n`);
}

/** `promise`, or a rejection naming `what` after 15 s. */
function within(what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${TIMEOUT_MS / 1000} s waiting for ${what}`)),
      TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

const show = (value) => {
  if (value instanceof Error) return value.stack ?? String(value);
  // A CloseEvent or ws event: its code and reason say the most.
  if (value && typeof value === 'object' && 'code' in value && 'reason' in value) {
    return `close ${value.code} ${JSON.stringify(String(value.reason))}`;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
};

/** A GraphQL request over HTTP POST; its `data`, or a thrown error. */
async function http(query, variables) {
  const response = await fetch(httpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}, not JSON: ${text.slice(0, 500)}`);
  }
  if (!response.ok || body.errors?.length || !body.data) {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 1000)}`);
  }
  return body.data;
}

async function eventCursor() {
  const data = await within('eventCursor over HTTP', http('{ eventCursor }'));
  if (typeof data.eventCursor !== 'string' || !data.eventCursor) {
    throw new Error(`eventCursor is not a non-empty string: ${show(data)}`);
  }
  return data.eventCursor;
}

async function createTicket(subject) {
  const data = await within(
    'createTicket over HTTP',
    http(CREATE_TICKET, { input: { subject } }),
  );
  const id = data.createTicket?.ticket?.id;
  if (!id) throw new Error(`createTicket returned no ticket id: ${show(data)}`);
  return id;
}

/**
 * Sink for ticketEvents: resolves `opened` with the OPENED event of the
 * ticket with `subject`; any error, errors in a result, a wrong kind for
 * that ticket, or a completion before it fails.
 */
function ticketEventsSink(client, subject) {
  const opened = deferred();
  let finished = false;
  const sink = {
    next(result) {
      if (finished) return;
      if (result?.errors?.length) {
        finished = true;
        opened.reject(new Error(`${client}: ticketEvents result has errors: ${show(result)}`));
        return;
      }
      const event = result?.data?.ticketEvents;
      if (!event) {
        finished = true;
        opened.reject(new Error(`${client}: ticketEvents result has no event: ${show(result)}`));
        return;
      }
      if (event.ticket?.subject !== subject) return; // someone else's ticket
      finished = true;
      if (event.kind !== 'OPENED' || typeof event.cursor !== 'string' || !event.cursor) {
        opened.reject(new Error(`${client}: expected an OPENED event with a cursor, got ${show(event)}`));
      } else {
        opened.resolve(event);
      }
    },
    error(err) {
      if (finished) return;
      finished = true;
      opened.reject(new Error(`${client}: ticketEvents failed: ${show(err)}`));
    },
    complete() {
      if (finished) return;
      finished = true;
      opened.reject(new Error(`${client}: ticketEvents completed before the OPENED event`));
    },
  };
  // Our own unsubscribe completes the operation: not a failure.
  const stop = () => {
    finished = true;
  };
  return { sink, opened: opened.promise, stop };
}

async function checkGraphqlWs() {
  const name = 'graphql-ws';
  const messages = [];
  const connected = deferred();
  const client = createClient({
    url: wsUrl.href,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    on: {
      connected: () => connected.resolve(),
      message: (message) => messages.push(message),
      closed: (event) => {
        connected.reject(new Error(`${name}: socket closed before connection_ack: ${show(event)}`));
      },
      error: (err) => connected.reject(new Error(`${name}: socket error: ${show(err)}`)),
    },
  });
  try {
    // a. The cursor, then the subscription after it.
    const cursor = await eventCursor();
    const subject = 'From graphql-ws';
    const events = ticketEventsSink(name, subject);
    const unsubscribe = client.subscribe(
      { query: TICKET_EVENTS, variables: { after: cursor } },
      events.sink,
    );
    await within(`${name} connection_ack`, connected.promise);
    pass(`${name}: connection acknowledged (graphql-transport-ws)`);

    // b. A ticket created over HTTP arrives as OPENED.
    await createTicket(subject);
    await within(`${name} OPENED event for "${subject}"`, events.opened);
    pass(`${name}: ticketEvents delivered OPENED "${subject}"`);

    // c. A validation error reaches the error sink as GraphQL errors, and
    //    the operation is not completed.
    const errored = deferred();
    let completed = false;
    client.subscribe(
      { query: 'subscription { noSuchField }' },
      {
        next: (result) =>
          errored.reject(new Error(`${name}: invalid subscription got a result: ${show(result)}`)),
        error: (err) => errored.resolve(err),
        complete: () => {
          completed = true;
          errored.reject(new Error(`${name}: invalid subscription completed instead of erroring`));
        },
      },
    );
    const errors = await within(`${name} error for subscription { noSuchField }`, errored.promise);
    if (
      !Array.isArray(errors) ||
      errors.length === 0 ||
      !errors.every((e) => e && typeof e.message === 'string' && e.message)
    ) {
      throw new Error(`${name}: error sink expected an array of GraphQL errors, got ${show(errors)}`);
    }
    if (!errors.some((e) => e.message.includes('noSuchField'))) {
      throw new Error(`${name}: the errors do not name noSuchField: ${show(errors)}`);
    }
    pass(`${name}: validation error delivered as GraphQL errors (${show(errors[0].message)})`);

    await sleep(AFTER_ERROR_GRACE_MS);
    const errorMessage = messages.find((m) => m.type === 'error');
    const id = errorMessage?.id;
    const sentComplete = messages.some((m) => m.type === 'complete' && m.id === id);
    if (completed || sentComplete) {
      throw new Error(
        `${name}: the errored operation was completed too (complete sink: ${completed}, ` +
          `server complete message: ${sentComplete}); messages: ${show(messages)}`,
      );
    }
    pass(`${name}: errored operation not completed`);

    events.stop();
    unsubscribe();
  } finally {
    await client.dispose();
  }
}

async function checkSubscriptionsTransportWs() {
  const name = 'subscriptions-transport-ws';
  const connected = deferred();
  const client = new SubscriptionClient(
    wsUrl.href,
    {
      reconnect: false,
      lazy: true,
      connectionParams: { authorization: `Bearer ${token}` },
      connectionCallback: (error) => {
        if (error) {
          connected.reject(new Error(`${name}: connection_error: ${show(error)}`));
        }
      },
    },
    WebSocket,
    'graphql-ws',
  );
  client.onConnected(() => connected.resolve());
  client.onError((err) =>
    connected.reject(new Error(`${name}: socket error: ${show(err?.message ?? err)}`)),
  );
  let closing = false;
  const disconnected = deferred();
  client.onDisconnected(() => {
    if (!closing) {
      const err = new Error(`${name}: disconnected unexpectedly`);
      connected.reject(err);
      disconnected.reject(err);
    }
  });
  disconnected.promise.catch(() => {}); // raced below
  let subscription;
  try {
    // a. The cursor, then the subscription after it.
    const cursor = await eventCursor();
    const subject = 'From subscriptions-transport-ws';
    const events = ticketEventsSink(name, subject);
    subscription = client
      .request({ query: TICKET_EVENTS, variables: { after: cursor } })
      .subscribe(events.sink);
    await within(`${name} connection_ack`, connected.promise);
    pass(`${name}: connection acknowledged (graphql-ws legacy protocol)`);

    // b. A ticket created over HTTP arrives as OPENED.
    await createTicket(subject);
    await within(
      `${name} OPENED event for "${subject}"`,
      Promise.race([events.opened, disconnected.promise]),
    );
    pass(`${name}: ticketEvents delivered OPENED "${subject}"`);
    events.stop();
  } finally {
    closing = true;
    subscription?.unsubscribe();
    client.close();
  }
}

try {
  await checkGraphqlWs();
  await checkSubscriptionsTransportWs();
} catch (err) {
  const cause = err?.cause ? ` (cause: ${err.cause?.message ?? show(err.cause)})` : '';
  fail(`${err?.message ?? show(err)}${cause}`);
}

process.stdout.write(`OK ${passed} checks\n`);
process.exitCode = 0;
// The clients are disposed: nothing should keep the process alive. If
// something does, say so rather than hang whoever runs this.
setTimeout(() => {
  process.stderr.write('FAIL handles still open 5 s after the clients were disposed\n');
  process.exit(1);
}, 5_000).unref();
