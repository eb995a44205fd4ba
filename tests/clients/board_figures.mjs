// The figures of board_browser.mjs's live-chart check: what the API says
// the dashboard's "won revenue per month" bar and a member's leaderboard
// row are (this calendar year, UTC, as the dashboard draws them), and a
// wait for page to draw exactly those.
import { api } from './board_feed.mjs';

const FIGURES = `query($from: DateTime!, $to: DateTime!, $pipeline: ID!) {
  won: dealGroups(filter: { status: { eq: WON }, closedAt: { gte: $from, lt: $to } }, groupBy: [{ field: CLOSED_AT, bucket: MONTH }]) { key amounts { currency sum } }
  leaderboard(period: { from: $from, to: $to }, pipelineId: $pipeline) { member { name } wonAmount { currency amount } }
}`;

/** The won revenue of `month` and the leaderboard figure of the owner of `deal`, in its currency. */
export async function read(base, token, deal, month = new Date().getUTCMonth()) {
  const year = new Date().getUTCFullYear();
  const from = new Date(Date.UTC(year, 0, 1)).toISOString();
  const to = new Date(Date.UTC(year + 1, 0, 1)).toISOString();
  const data = await api(base, token, FIGURES, { from, to, pipeline: deal.pipeline.id });
  const group = data.won.find((g) => new Date(g.key[0]).getUTCMonth() === month);
  const entry = data.leaderboard.find((e) => e.member.name === deal.owner.name);
  return {
    month,
    monthValue: Number(group?.amounts.find((a) => a.currency === deal.currency)?.sum ?? 0),
    owner: deal.owner.name,
    ownerValue: Number(entry?.wonAmount.find((a) => a.currency === deal.currency)?.amount ?? 0),
  };
}

/** Throws unless both figures grew by `amount`. */
export function grew(before, after, amount) {
  const close = (x, y) => Math.abs(x - y) < 0.005;
  if (!close(after.monthValue, before.monthValue + amount) || !close(after.ownerValue, before.ownerValue + amount)) {
    throw new Error(`winning ${amount} changed the figures from ${JSON.stringify(before)} to ${JSON.stringify(after)}`);
  }
}

/** Waits until `page`'s dashboard draws `figures` (polled by Playwright, no reload). */
export async function drawn(page, figures, options) {
  await page.waitForFunction(({ month, monthValue, owner, ownerValue }) => {
    const close = (x, y) => Math.abs(x - y) < 0.005;
    const bar = document.querySelectorAll('[data-chart="won-revenue"] rect.bar')[month];
    const row = [...document.querySelectorAll('[data-chart="leaderboard"] rect.bar')].find((r) => r.dataset.label === owner);
    return bar && close(Number(bar.dataset.value), monthValue) && close(Number(row?.dataset.value ?? 0), ownerValue);
  }, figures, options);
}
