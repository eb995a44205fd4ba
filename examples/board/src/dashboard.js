// The dashboard: pictures of the figures the API computes, for the current
// calendar year (UTC). It is drawn from one query, drawn again when the
// board reports a deal event (debounced by the caller) and when
// `leaderboardUpdates` sends a new leaderboard.
import { gql, watch } from './api.js';
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
  open: dealGroups(filter: { pipelineId: { eq: $pipeline }, status: { eq: OPEN } }, groupBy: [{ field: STAGE }]) { key count amounts { currency sum } }
  won: dealGroups(filter: { status: { eq: WON }, closedAt: { gte: $from, lt: $to } }, groupBy: [{ field: CLOSED_AT, bucket: MONTH }]) { key count amounts { currency sum } }
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

/** The sum in the most used currency of a list of amount statistics. */
function mainAmount(stats, currency) {
  return Number(stats.find((s) => s.currency === currency)?.sum ?? 0);
}

function panel(title, subtitle, chart, name) {
  return h('figure', { class: 'panel', 'data-chart': name }, h('figcaption', {}, h('h3', {}, title), h('span', { class: 'meta' }, subtitle)), chart);
}

/** Draws the dashboard of `pipelineId` into `root`; returns { refresh, stop }. */
export function dashboard(root, pipelineId) {
  const { year, whole, quarters } = periods();
  let leaders = [];
  let last = null;

  function leaderboardChart() {
    const currency = leaders.find((l) => l.wonAmount.length)?.wonAmount[0].currency ?? '';
    const points = leaders.slice(0, 8).map((entry) => ({
      label: entry.member.name, value: Number(entry.wonAmount.find((a) => a.currency === currency)?.amount ?? 0),
    }));
    return panel('Leaderboard', `won ${currency} in ${year}`, rows(points, 'Leaderboard', (v) => money(v)), 'leaderboard');
  }

  function draw() {
    if (!last) return;
    const data = last;
    const currency = data.open.concat(data.won).flatMap((g) => g.amounts)[0]?.currency ?? 'EUR';
    const stages = [...data.pipelines.nodes[0].stages.nodes].filter((s) => s.kind === 'OPEN').sort((a, b) => a.position - b.position);
    const byStage = new Map(data.open.map((g) => [g.key[0], mainAmount(g.amounts, currency)]));
    const value = stages.map((s) => ({ label: s.name.slice(0, 10), value: byStage.get(s.id) ?? 0, title: `${s.name}: ${money(byStage.get(s.id) ?? 0, currency)}` }));
    const byMonth = new Map(data.won.map((g) => [new Date(g.key[0]).getUTCMonth(), mainAmount(g.amounts, currency)]));
    const months = MONTHS.map((label, i) => ({ label, value: byMonth.get(i) ?? 0, title: `${label}: ${money(byMonth.get(i) ?? 0, currency)}` }));
    const outcomes = data.analytics.dealOutcomes;
    const cycle = data.analytics.averageSalesCycleDays;
    const nps = ['q1', 'q2', 'q3', 'q4'].map((q, i) => ({ label: `Q${i + 1}`, value: data[q].nps.score === null ? null : Math.round(data[q].nps.score) }));
    root.replaceChildren(h('div', { class: 'panels' },
      panel('Pipeline value by stage', `open deals, ${currency}`, bars(value, 'Pipeline value by stage'), 'pipeline-value'),
      panel('Won revenue per month', `${currency}, ${year}`, bars(months, 'Won revenue per month'), 'won-revenue'),
      panel('Win rate', `${outcomes.won} won · ${outcomes.lost} lost · cycle ${cycle === null ? '—' : `${Math.round(cycle)} days`}`,
        h('div', { class: 'pair' },
          ring(outcomes.winRate, outcomes.winRate === null ? '—' : `${Math.round(outcomes.winRate * 100)}%`, 'Win rate'),
          h('div', { class: 'stat' }, h('span', { class: 'big' }, cycle === null ? '—' : Math.round(cycle)), h('span', {}, 'days to close'))), 'win-rate'),
      panel('NPS trend', `per quarter, ${year}`, line(nps, 'NPS trend', { min: -100, max: 100 }), 'nps'),
      leaderboardChart()));
  }

  async function refresh() {
    try {
      last = await gql(DASHBOARD, {
        p: whole, pipeline: pipelineId, from: whole.from, to: whole.to,
        q1: quarters[0], q2: quarters[1], q3: quarters[2], q4: quarters[3],
      });
      leaders = last.leaderboard;
      draw();
    } catch (error) {
      root.replaceChildren(h('p', { class: 'error' }, `The dashboard could not load: ${error.message}`));
    }
  }

  refresh();
  const stop = watch(LEADERBOARD, { p: whole, pipeline: pipelineId }, (data) => {
    leaders = data.leaderboardUpdates;
    draw();
  });
  return { refresh, stop };
}
