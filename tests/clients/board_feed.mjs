// Helpers of board_browser.mjs: the API over HTTP, and a page's websocket
// routed through the script so that it can be held back (to give the page a
// stale view on purpose) and every pipeline event it delivers recorded.

/** One GraphQL request to `base`; resolves to `data`, throws on errors. */
export async function api(base, token, query, variables = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export const MOVE = `mutation($id: ID!, $stage: ID!) {
  moveDeal(id: $id, stageId: $stage) { deal { id version closedAt stage { id } } }
}`;

export const DEAL = `query($id: ID!) {
  node(id: $id) { ... on Deal { id name version amount currency owner { name } pipeline { id } stage { id } } }
}`;

/**
 * Routes the websockets of `page` through this script. `hold()` keeps what
 * the server sends from reaching the page until `release()`; `events`
 * lists every pipelineEvents event delivered to the page, in order.
 */
export async function feed(page) {
  const state = { held: null, events: [] };
  const deliver = (ws, message) => {
    try {
      const parsed = JSON.parse(message);
      const event = parsed.type === 'next' ? parsed.payload?.data?.pipelineEvents : null;
      if (event) state.events.push({ cursor: event.cursor, kind: event.kind, deal: event.deal.id, version: event.deal.version });
    } catch {
      // Not JSON: passed on as it is.
    }
    ws.send(message);
  };
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (state.held) state.held.push([ws, message]);
      else deliver(ws, message);
    });
  });
  return {
    events: state.events,
    hold() { state.held = []; },
    release() {
      const held = state.held ?? [];
      state.held = null;
      for (const [ws, message] of held) {
        try {
          deliver(ws, message);
        } catch {
          // That socket closed meanwhile: the page resumes from its cursor.
        }
      }
    },
  };
}

/** Throws unless no event was delivered twice (by cursor). */
export function noRepeats(events, who) {
  const seen = new Set();
  for (const event of events) {
    if (seen.has(event.cursor)) throw new Error(`${who} was sent the event ${event.cursor} twice: ${JSON.stringify(events)}`);
    seen.add(event.cursor);
  }
}
