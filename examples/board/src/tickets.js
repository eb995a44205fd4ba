// The ticket queue: the newest tickets, kept current by `ticketEvents`
// from the cursor read with the list (so nothing between the two is lost).
// Older tickets are paged in 40 at a time with "Show older"; the queue
// says how many it does not show.
import { gql, follow } from './api.js';
import { h } from './dom.js';

const TICKET = 'id number subject status priority category assignee { name } contact { firstName lastName } updatedAt';

const PAGE = `tickets(first: 40, after: $after, orderBy: [{ field: NUMBER, direction: DESC }]) {
  totalCount pageInfo { hasNextPage endCursor } nodes { ${TICKET} } }`;

const QUEUE = `query Queue($after: String) { eventCursor ${PAGE} }`;

const OLDER = `query Older($after: String) { ${PAGE} }`;

const EVENTS = `subscription Queue($after: String) { ticketEvents(after: $after) { cursor kind ticket { ${TICKET} } } }`;

/** Draws the queue into `root`. Returns a stop function. */
export async function ticketQueue(root) {
  const data = await gql(QUEUE);
  const tickets = new Map(data.tickets.nodes.map((ticket) => [ticket.id, ticket]));
  // The page read last, and how many older tickets are not shown.
  let page = data.tickets.pageInfo;
  let rest = data.tickets.totalCount - data.tickets.nodes.length;
  let fresh = null;

  async function older() {
    const next = (await gql(OLDER, { after: page.endCursor })).tickets;
    for (const ticket of next.nodes) {
      if (!tickets.has(ticket.id)) rest -= 1;
      tickets.set(ticket.id, ticket);
    }
    page = next.pageInfo;
    if (!page.hasNextPage) rest = 0;
    draw();
  }

  function draw() {
    const ordered = [...tickets.values()].sort((a, b) => b.number - a.number);
    root.replaceChildren(h('ol', { class: 'queue' }, ordered.map((ticket) => {
      const who = ticket.contact ? `${ticket.contact.firstName ?? ''} ${ticket.contact.lastName ?? ''}`.trim() : '';
      return h('li', { class: `ticket ${ticket.status.toLowerCase()} ${ticket.id === fresh ? 'fresh' : ''}`, 'data-ticket-id': ticket.id },
        h('span', { class: 'number' }, `#${ticket.number}`),
        h('span', { class: 'subject' }, ticket.subject),
        h('span', { class: `pill priority-${ticket.priority.toLowerCase()}` }, ticket.priority.toLowerCase()),
        h('span', { class: `pill status-${ticket.status.toLowerCase()}` }, ticket.status.toLowerCase()),
        h('span', { class: 'meta' }, [who, ticket.assignee?.name].filter(Boolean).join(' → ')));
    })),
    page.hasNextPage ? h('p', { class: 'more', 'data-more': Math.max(rest, 0) }, `${Math.max(rest, 0)} older not shown `,
      h('button', { class: 'quiet', onclick: () => older().catch((error) => root.append(h('p', { class: 'error' }, error.message))) }, 'Show older')) : '');
  }

  draw();
  return follow(EVENTS, { after: data.eventCursor }, (event) => event.ticketEvents.cursor, (event) => {
    const { kind, ticket } = event.ticketEvents;
    // An older ticket not shown yet that changes is shown from now on.
    if (!tickets.has(ticket.id) && kind !== 'OPENED') rest -= 1;
    if (kind === 'DELETED') tickets.delete(ticket.id);
    else tickets.set(ticket.id, ticket);
    fresh = ticket.id;
    draw();
  });
}
