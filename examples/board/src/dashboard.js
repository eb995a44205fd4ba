// The dashboard: pictures of the figures the API computes, for the current
// calendar year (UTC). It is drawn from one query, drawn again when the
// board reports a deal event (debounced by the caller) and when
// `leaderboardUpdates` sends a new leaderboard. Amounts are drawn in one
// currency at a time (the most used first, a picker for the others), never
// added up across currencies. A figure the server refuses to the member's
// role is said in its panel, and the others are drawn.
import { gqlPartial, watch } from './api.js';
import { h, money } from './dom.js';
import { bars, rows, line, ring } from './charts.js';

const MONTHS = ['J', 'F', 'M', 'A', 'M', 'J', 'J', 'A', 'S', 'O', 'N', 'D'];

function periods() {
  const year = new Date().getUTCFullYear();
  const at = (y, month) => new Date(Date.UTC(y, month, 1)).toISOString();
  const quarter = (q) => ({ from: at(year, q * 3), to: at(year, q * 3 + 3) });
  return { year, whole: { from: at(year, 0), to: at(year + 1, 0) }, quarters: [0, 1, 2, 3].map(quarter) };
}

const DASHBOARD = `query Dashboard($p: PeriodInput!, $pipeline: ID!, $from: DateTime!, $to: DateTime!,
  $q1: PeriodInput!, $q2: PeriodInput!, $q3: PeriodInput!, $q4: PeriodInput!) {
  pipelines(first: 1, filter: { id: { eq: $pipeline } }) { nodes { stages(first: 50) { nodes { id name position kind } } } }
  open: dealGroups(filter: { pipelineId: { eq: $pipeline }, status: { eq: OPEN } }, groupBy: [{ field: STAGE }]) { key count amounts { currency count sum } }
  won: dealGroups(filter: { status: { eq: WON }, closedAt: { gte: $from, lt: $to } }, groupBy: [{ field: CLOSED_AT, bucket: MONTH }]) { key count amounts { currency count sum } }
  analytics(period: $p, pipelineId: $pipeline) { dealOutcomes { won lost winRate } averageSalesCycleDays }
  q1: analytics(period: $q1) { nps { score responses } }
  q2: analytics(period: $q2) { nps { score responses } }
  q3: analytics(period: $q3) { nps { score responses } }
  q4: analytics(period: $q4) { nps { score responses } }
  leaderboard(period: $p, pipelineId: $pipeline) { member { name } wonCount wonAmount { currency amount } }
}`;

const LEADERBOARD = `subscription Leaders($p: PeriodInput!, $pipeline: ID) {
  leaderboardUpdates(period: $p, pipelineId: $pipeline) { member { name } wonCount wonAmount { currency amount } }
}`;

/** The sum in `currency` of a list of amount statistics (other currencies are not added in). */
function sumIn(stats, currency) {
  return Number(stats.find((s) => s.currency === currency)?.sum ?? 0);
}

/** The currencies the figures use, the most used first. */
function currenciesOf(data, leaders) {
  const uses = new Map();
  const count = (currency, n) => uses.set(currency, (uses.get(currency) ?? 0) + n);
  for (const group of [...(data.open ?? []), ...(data.won ?? [])]) for (const a of group.amounts) count(a.currency, a.count);
  for (const entry of leaders ?? []) for (const a of entry.wonAmount) count(a.currency, 0);
  return [...uses].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([currency]) => currency);
}

function panel(title, subtitle, chart, name) {
  return h('figure', { class: 'panel', 'data-chart': name }, h('figcaption', {}, h('h3', {}, title), h('span', { class: 'meta' }, subtitle)), chart);
}

/** A panel whose figures the server refused or could not give (e.g. to this role). */
function unavailable(title, name, error) {
  const why = error.code === 'FORBIDDEN' ? 'Not available to your role.' : `Not available: ${error.message}`;
  return h('figure', { class: 'panel unavailable', 'data-chart': name, 'data-error': error.code },
    h('figcaption', {}, h('h3', {}, title)), h('p', { class: 'meta' }, why));
}

/** Draws the dashboard of `pipelineId` into `root`; returns { refresh, stop }. */
export function dashboard(root, pipelineId) {
  const { year, whole, quarters } = periods();
  let leaders = null;
  let leadersRefused = null;
  let last = null;
  let errors = {};
  let chosen = null;

  function leaderboardChart(currency) {
    const refused = leadersRefused ?? errors.leaderboard;
    if (refused) return unavailable('Leaderboard', 'leaderboard', refused);
    const points = (leaders ?? []).map((entry) => ({
      label: entry.member.name, value: Number(entry.wonAmount.find((a) => a.currency === currency)?.amount ?? 0),
    })).sort((x, y) => y.value - x.value).slice(0, 8);
    return panel('Leaderboard', `won ${currency} in ${year}`, rows(points, 'Leaderboard', (v) => money(v)), 'leaderboard');
  }

  function currencyPicker(currencies, currency) {
    if (currencies.length < 2) return null;
    return h('label', { class: 'currency-picker' }, 'Amounts in ',
      h('select', { 'aria-label': 'Currency', onchange: (event) => { chosen = event.target.value; draw(); } },
        currencies.map((c) => h('option', { value: c, selected: c === currency }, c))),
      h('span', { class: 'meta' }, ' (amounts in different currencies are never added up)'));
  }

  function draw() {
    if (!last) return;
    const data = last;
    const currencies = currenciesOf(data, leaders);
    const currency = currencies.includes(chosen) ? chosen : currencies[0] ?? 'EUR';
    const panels = [];
    // The leaderboard is refused (FORBIDDEN) exactly to the roles that see
    // no deal amounts: their sums would read as zeros, so they are not drawn.
    const refused = leadersRefused ?? errors.leaderboard;
    const noAmounts = refused?.code === 'FORBIDDEN' ? refused : null;
    const valueError = noAmounts ?? errors.open ?? errors.pipelines;
    if (valueError) panels.push(unavailable('Pipeline value by stage', 'pipeline-value', valueError));
    else {
      const stages = [...data.pipelines.nodes[0].stages.nodes].filter((s) => s.kind === 'OPEN').sort((a, b) => a.position - b.position);
      const byStage = new Map(data.open.map((g) => [g.key[0], sumIn(g.amounts, currency)]));
      const value = stages.map((s) => ({ label: s.name, value: byStage.get(s.id) ?? 0, title: `${s.name}: ${money(byStage.get(s.id) ?? 0, currency)}` }));
      panels.push(panel('Pipeline value by stage', `open deals, ${currency}`, bars(value, 'Pipeline value by stage'), 'pipeline-value'));
    }
    if (noAmounts ?? errors.won) panels.push(unavailable('Won revenue per month', 'won-revenue', noAmounts ?? errors.won));
    else {
      const byMonth = new Map(data.won.map((g) => [new Date(g.key[0]).getUTCMonth(), sumIn(g.amounts, currency)]));
      const months = MONTHS.map((label, i) => ({ label, value: byMonth.get(i) ?? 0, title: `${label}: ${money(byMonth.get(i) ?? 0, currency)}` }));
      panels.push(panel('Won revenue per month', `${currency}, ${year}, all pipelines`, bars(months, 'Won revenue per month'), 'won-revenue'));
    }
    if (errors.analytics) panels.push(unavailable('Win rate', 'win-rate', errors.analytics));
    else {
      const outcomes = data.analytics.dealOutcomes;
      const cycle = data.analytics.averageSalesCycleDays;
      panels.push(panel('Win rate', `${outcomes.won} won · ${outcomes.lost} lost · cycle ${cycle === null ? '—' : `${Math.round(cycle)} days`}`,
        h('div', { class: 'pair' },
          ring(outcomes.winRate, outcomes.winRate === null ? '—' : `${Math.round(outcomes.winRate * 100)}%`, 'Win rate'),
          h('div', { class: 'stat' }, h('span', { class: 'big' }, cycle === null ? '—' : Math.round(cycle)), h('span', {}, 'days to close'))), 'win-rate'));
    }
    const npsError = errors.q1 ?? errors.q2 ?? errors.q3 ?? errors.q4;
    if (npsError) panels.push(unavailable('NPS trend', 'nps', npsError));
    else {
      const nps = ['q1', 'q2', 'q3', 'q4'].map((q, i) => ({ label: `Q${i + 1}`, value: data[q].nps.score === null ? null : Math.round(data[q].nps.score) }));
      panels.push(panel('NPS trend', `per quarter, ${year}`, line(nps, 'NPS trend', { min: -100, max: 100 }), 'nps'));
    }
    panels.push(leaderboardChart(currency));
    root.replaceChildren(currencyPicker(currencies, currency) ?? '', h('div', { class: 'panels', 'data-currency': currency }, panels));
  }

  async function refresh() {
    try {
      ({ data: last, errors } = await gqlPartial(DASHBOARD, {
        p: whole, pipeline: pipelineId, from: whole.from, to: whole.to,
        q1: quarters[0], q2: quarters[1], q3: quarters[2], q4: quarters[3],
      }));
      if (last.leaderboard) leaders = last.leaderboard;
      draw();
    } catch (error) {
      root.replaceChildren(h('p', { class: 'error' }, `The dashboard could not load: ${error.message}`));
    }
  }

  refresh();
  const stop = watch(LEADERBOARD, { p: whole, pipeline: pipelineId }, (data) => {
    leaders = data.leaderboardUpdates;
    draw();
  }, (error) => {
    leadersRefused = error;
    draw();
  });
  return { refresh, stop };
}
