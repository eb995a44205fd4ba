// The ticket queue: the newest tickets, kept current by `ticketEvents`
// from the cursor read with the list (so nothing between the two is lost).
import { gql, follow } from './api.js';
import { h } from './dom.js';

const TICKET = 'id number subject status priority category assignee { name } contact { firstName lastName } updatedAt';

const QUEUE = `{ eventCursor tickets(first: 40, orderBy: [{ field: NUMBER, direction: DESC }]) { totalCount nodes { ${TICKET} } } }`;

const EVENTS = `subscription Queue($after: String) { ticketEvents(after: $after) { cursor kind ticket { ${TICKET} } } }`;

/** Draws the queue into `root`. Returns a stop function. */
export async function ticketQueue(root) {
  const data = await gql(QUEUE);
  const tickets = new Map(data.tickets.nodes.map((ticket) => [ticket.id, ticket]));
  let fresh = null;

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
    })));
  }

  draw();
  return follow(EVENTS, { after: data.eventCursor }, (event) => event.ticketEvents.cursor, (event) => {
    const { kind, ticket } = event.ticketEvents;
    if (kind === 'DELETED') tickets.delete(ticket.id);
    else tickets.set(ticket.id, ticket);
    fresh = ticket.id;
    draw();
  });
}
