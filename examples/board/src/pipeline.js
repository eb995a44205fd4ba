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
  // Per stage, how many of its deals the board did not load.
  const unloaded = new Map();
  // Events that arrive while the board is reloaded: applied again on top of
  // what the reload read, so one committed meanwhile is not lost.
  let during = null;
  let stopFollowing = () => {};

  async function load() {
    const arrived = [];
    during = arrived;
    let data;
    try {
      data = await gql(BOARD, { id: pipelineId });
    } finally {
      during = null;
    }
    const pipeline = data.pipelines.nodes[0];
    stages = [...pipeline.stages.nodes].sort((a, b) => a.position - b.position);
    deals.clear();
    unloaded.clear();
    for (const stage of stages) {
      for (const deal of stage.deals.nodes) deals.set(deal.id, deal);
      unloaded.set(stage.id, stage.deals.totalCount - stage.deals.nodes.length);
    }
    for (const event of arrived) apply(event);
    draw();
    return data.eventCursor;
  }

  /** Applies one pipeline event; a replayed one older than what the board shows changes nothing. */
  function apply({ kind, deal }) {
    const known = deals.get(deal.id);
    // HIDDEN: given to an owner this member's role does not read.
    if (kind === 'DELETED' || kind === 'HIDDEN') {
      if (known) deals.delete(deal.id);
    } else if (!known || known.version <= deal.version) deals.set(deal.id, deal);
  }

  function draw() {
    const columns = stages.map((stage) => {
      const here = [...deals.values()].filter((deal) => deal.stage?.id === stage.id);
      const cards = here.map(card);
      const more = unloaded.get(stage.id) ?? 0;
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
      h('header', {}, h('h3', {}, stage.name), h('span', { class: 'count' }, `${cards.length + more} · ${totals(here)}`)),
      h('div', { class: 'cards' }, cards,
        more > 0 ? h('p', { class: 'more', 'data-more': more }, `${more} less recently updated ${more === 1 ? 'deal' : 'deals'} not shown (nor counted in the amount)`) : null));
    });
    root.replaceChildren(h('div', { class: 'columns' }, columns));
  }

  function card(deal) {
    const picker = h('select', {
      class: 'move', 'aria-label': `Move ${deal.name} to stage`,
      onchange: (event) => move(deal.id, event.target.value),
    }, stages.map((stage) => h('option', { value: stage.id, selected: stage.id === deal.stage?.id }, stage.name)));
    return h('article', {
      class: 'card', draggable: 'true', 'data-deal-id': deal.id, 'data-deal-name': deal.name, 'data-version': deal.version,
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
      apply({ kind: 'MOVED', deal: data.moveDeal.deal });
      draw();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONFLICT') {
        toast(`“${deal.name}” was changed by someone else meanwhile; the board is reloaded.`, 'warning');
        await load().catch((failure) => toast(`Could not reload the board: ${failure.message}`, 'error'));
      } else {
        toast(`Could not move “${deal.name}”: ${error.message}`, 'error');
        draw();
      }
    }
  }

  const cursor = await load();
  stopFollowing = follow(EVENTS, { pipelineId, after: cursor }, (data) => data.pipelineEvents.cursor, (data) => {
    during?.push(data.pipelineEvents);
    apply(data.pipelineEvents);
    draw();
    onChange?.(data.pipelineEvents.kind);
  });
  return () => stopFollowing();
}

/** The amounts of `deals` per currency ("12k EUR + 3k GBP"): different currencies are not added up. */
function totals(deals) {
  const sums = new Map();
  for (const deal of deals) if (deal.amount != null) sums.set(deal.currency, (sums.get(deal.currency) ?? 0) + Number(deal.amount));
  return sums.size ? [...sums].map(([currency, sum]) => money(sum, currency)).join(' + ') : money(0);
}

/** The pipelines the member can see, for the picker. */
export async function pipelines() {
  const data = await gql('{ pipelines(first: 20) { nodes { id name } } }');
  return data.pipelines.nodes;
}
