// The pipeline as columns of stages holding deal cards. Cards move by drag
// and drop, or by the stage picker on each card (touch screens have no
// HTML5 drag). Every move sends the version the card was drawn from, so a
// deal someone else changed meanwhile is refused with CONFLICT, said, and
// reloaded. The board follows `pipelineEvents` from the cursor read just
// before it was loaded, so no change between loading and subscribing, or
// while reconnecting, is lost.
import { gql, follow, ApiError } from './api.js';
import { h, money, toast } from './dom.js';

const CARD = 'id name amount currency version status owner { name } company { name } stage { id }';

const BOARD = `query Board($id: ID!) {
  eventCursor
  pipelines(first: 1, filter: { id: { eq: $id } }) { nodes { id name
    stages(first: 50) { nodes { id name kind position
      deals(first: 40, orderBy: [{ field: UPDATED_AT, direction: DESC }]) { totalCount nodes { ${CARD} } } } } } }
}`;

const EVENTS = `subscription Follow($pipelineId: ID!, $after: String) {
  pipelineEvents(pipelineId: $pipelineId, after: $after) { cursor kind deal { ${CARD} } }
}`;

const MOVE = `mutation Move($id: ID!, $stageId: ID!, $expectedVersion: Int) {
  moveDeal(id: $id, stageId: $stageId, expectedVersion: $expectedVersion) { deal { ${CARD} } }
}`;

/** Draws the board of `pipelineId` into `root`; `onChange()` is called after each deal event. Returns a stop function. */
export async function pipelineBoard(root, pipelineId, onChange) {
  let stages = [];
  const deals = new Map();
  let stopFollowing = () => {};

  async function load() {
    const data = await gql(BOARD, { id: pipelineId });
    const pipeline = data.pipelines.nodes[0];
    stages = [...pipeline.stages.nodes].sort((a, b) => a.position - b.position);
    deals.clear();
    for (const stage of stages) for (const deal of stage.deals.nodes) deals.set(deal.id, deal);
    draw();
    return data.eventCursor;
  }

  function draw() {
    const columns = stages.map((stage) => {
      const cards = [...deals.values()].filter((deal) => deal.stage?.id === stage.id).map(card);
      const total = [...deals.values()].filter((deal) => deal.stage?.id === stage.id)
        .reduce((sum, deal) => sum + Number(deal.amount ?? 0), 0);
      return h('section', {
        class: `column ${stage.kind.toLowerCase()}`, 'data-stage-id': stage.id, 'data-stage-name': stage.name,
        ondragover: (event) => { event.preventDefault(); event.currentTarget.classList.add('over'); },
        ondragleave: (event) => event.currentTarget.classList.remove('over'),
        ondrop: (event) => {
          event.preventDefault();
          event.currentTarget.classList.remove('over');
          move(event.dataTransfer.getData('text/plain'), stage.id);
        },
      },
      h('header', {}, h('h3', {}, stage.name), h('span', { class: 'count' }, `${cards.length} · ${money(total)}`)),
      h('div', { class: 'cards' }, cards));
    });
    root.replaceChildren(h('div', { class: 'columns' }, columns));
  }

  function card(deal) {
    const picker = h('select', {
      class: 'move', 'aria-label': `Move ${deal.name} to stage`,
      onchange: (event) => move(deal.id, event.target.value),
    }, stages.map((stage) => h('option', { value: stage.id, selected: stage.id === deal.stage?.id }, stage.name)));
    return h('article', {
      class: 'card', draggable: 'true', 'data-deal-id': deal.id, 'data-deal-name': deal.name,
      ondragstart: (event) => { event.dataTransfer.setData('text/plain', deal.id); event.dataTransfer.effectAllowed = 'move'; },
    },
    h('strong', {}, deal.name),
    h('span', { class: 'amount' }, deal.amount ? money(deal.amount, deal.currency) : '—'),
    h('span', { class: 'meta' }, [deal.company?.name, deal.owner?.name].filter(Boolean).join(' · ')),
    picker);
  }

  async function move(dealId, stageId) {
    const deal = deals.get(dealId);
    if (!deal || deal.stage?.id === stageId) return;
    try {
      const data = await gql(MOVE, { id: dealId, stageId, expectedVersion: deal.version });
      deals.set(dealId, data.moveDeal.deal);
      draw();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONFLICT') {
        toast(`“${deal.name}” was changed by someone else meanwhile; the board is reloaded.`, 'warning');
        await load();
      } else {
        toast(`Could not move “${deal.name}”: ${error.message}`, 'error');
        draw();
      }
    }
  }

  const cursor = await load();
  stopFollowing = follow(EVENTS, { pipelineId, after: cursor }, (data) => data.pipelineEvents.cursor, (data) => {
    const { kind, deal } = data.pipelineEvents;
    if (kind === 'DELETED') deals.delete(deal.id);
    else {
      const known = deals.get(deal.id);
      // A replayed event older than what the board shows changes nothing.
      if (!known || known.version <= deal.version) deals.set(deal.id, deal);
    }
    draw();
    onChange?.(kind);
  });
  return () => stopFollowing();
}

/** The pipelines the member can see, for the picker. */
export async function pipelines() {
  const data = await gql('{ pipelines(first: 20) { nodes { id name } } }');
  return data.pipelines.nodes;
}
