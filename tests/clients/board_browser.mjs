// Drives the live board (/board) in two headless Chromium pages against a
// real server, talking to the Rust test over stdin/stdout:
//   prints "stopping" when ready for the restart, waits for "stopped";
//   prints "saw-reconnecting" once both pages show it, waits for
//   "other BASE_URL" (a second server on the same database, elsewhere),
//   moves a deal through it, prints "moved", waits for "restarted" (the
//   first server back on its own port), checks both pages catch up with
//   the move exactly once, and prints "done".
// Page A (desktop, 1280×800) signs in with the form; its websocket goes
// through this script (board_feed.mjs), which can hold it back and records
// the events it delivers. Page B (phone, 390×844, touch) pastes a token.
// Screenshots go to ARTEFACT_DIR.
// Usage: node board_browser.mjs CHROMIUM BASE_URL EMAIL PASSWORD ARTEFACT_DIR
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';
import { api, feed, noRepeats, MOVE, DEAL } from './board_feed.mjs';
import * as figures from './board_figures.mjs';

const [executablePath, base, email, password, artefacts] = process.argv.slice(2);
const WAIT = { timeout: 30_000 };
const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';
const reader = createInterface({ input: process.stdin });
const lines = reader[Symbol.asyncIterator]();

// Bounded, so a test that stopped talking ends the script instead of hanging.
async function nextLine(expected) {
  // unref: a pending bound must not keep the finished script alive.
  const timeout = new Promise((_, fail) => setTimeout(() => fail(new Error(`no "${expected}" from the test`)), 120_000).unref());
  const { value } = await Promise.race([lines.next(), timeout]);
  if (!value?.trim().startsWith(expected)) throw new Error(`expected "${expected}" from the test, got "${value}"`);
  return value.trim().slice(expected.length).trim();
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function shoot(page, name) {
  await page.screenshot({ path: `${artefacts}/${name}.png`, fullPage: false });
}

async function view(page, name) {
  await page.click(`nav a[data-view="${name}"]`);
  await page.locator(`#view-${name}`).waitFor({ state: 'visible', ...WAIT });
}

/** The card of `deal` in the column of `stage`, on `page`. */
const cardIn = (page, stage, deal) => page.locator(`.column[data-stage-id="${stage}"] .card[data-deal-id="${deal}"]`);

/** Waits until `page` shows `deal` in `stage`, and checks it shows it once. */
async function shows(page, stage, deal, options = WAIT) {
  await cardIn(page, stage, deal).waitFor(options);
  const count = await page.locator(`.card[data-deal-id="${deal}"]`).count();
  check(count === 1, `the deal ${deal} is drawn ${count} times`);
}

// --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
try {
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const a = await desktop.newPage();
  const b = await phone.newPage();
  const pageErrors = [];
  const watchErrors = (name, page) => page.on('pageerror', (error) => {
    console.error(`page ${name} error: ${error.message}`);
    pageErrors.push(`${name}: ${error.message}`);
  });
  watchErrors('a', a);
  watchErrors('b', b);
  const feedA = await feed(a);

  // A signs in with the form.
  await a.goto(`${base}/board`);
  await shoot(a, 'desktop-signin');
  await a.fill('#signin input[name="email"]', email);
  await a.fill('#signin input[name="password"]', password);
  await a.click('#signin button[type="submit"]');
  await a.locator('.column .card').first().waitFor(WAIT);
  await a.locator('.connection[data-state="live"]').waitFor(WAIT);

  // B pastes a token of its own.
  const signIn = async (who) => (await api(base, null, LOGIN, { e: who, p: password })).login.token;
  const token = await signIn(email);
  await b.goto(`${base}/board`);
  await shoot(b, 'phone-signin');
  await b.fill('#token textarea[name="token"]', token);
  await b.click('#token button[type="submit"]');
  await b.locator('.column .card').first().waitFor(WAIT);
  await b.locator('.connection[data-state="live"]').waitFor(WAIT);

  const stageIds = await a.locator('.column.open').evaluateAll((columns) => columns.map((c) => c.dataset.stageId));
  check(stageIds.length >= 3, `the demo pipeline has ${stageIds.length} open stages`);
  const [first, second, third] = stageIds;
  const won = await a.locator('.column.won').first().getAttribute('data-stage-id');
  const cardsOf = (stage) => a.locator(`.column[data-stage-id="${stage}"] .card`)
    .evaluateAll((cards) => cards.map((card) => card.dataset.dealId));

  // 1. A drags the first card of the first column onto the second column.
  const [dragged, stale, restarted] = await cardsOf(first);
  check(restarted, 'the first column has three cards');
  await a.locator(`[data-deal-id="${dragged}"]`).dragTo(a.locator(`.column[data-stage-id="${second}"] .cards`));
  await shows(a, second, dragged);
  await shows(b, second, dragged);
  console.log(`page B shows the drag of ${dragged}`);
  await shoot(a, 'desktop-board');
  await shoot(b, 'phone-board');

  // 2. A conflict: A's feed is held back, the deal `stale` moves to the
  // third column through the API, so A still draws it in the first with
  // its old version; A drags it onto the second column. The server refuses
  // the move (CONFLICT), A says so and reloads: the card is where the API
  // put it, with its new version, before A's feed is let through again.
  const oldVersion = await cardIn(a, first, stale).getAttribute('data-version');
  feedA.hold();
  const elsewhere = (await api(base, token, MOVE, { id: stale, stage: third })).moveDeal.deal;
  check(String(elsewhere.version) !== oldVersion, 'the move through the API changed the version');
  check(await cardIn(a, first, stale).count() === 1, 'page A saw the move before its feed was let through');
  await a.locator(`[data-deal-id="${stale}"]`).dragTo(a.locator(`.column[data-stage-id="${second}"] .cards`));
  const warning = a.locator('.toast.warning', { hasText: 'changed by someone else' });
  await warning.waitFor(WAIT);
  await shows(a, third, stale);
  check(await cardIn(a, third, stale).getAttribute('data-version') === String(elsewhere.version), 'page A reloaded the new version');
  await shoot(a, 'desktop-conflict');
  const after = (await api(base, token, DEAL, { id: stale })).node;
  check(after.stage.id === third && after.version === elsewhere.version, `the refused drag wrote nothing: ${JSON.stringify(after)}`);
  feedA.release();
  await shows(b, third, stale);
  await a.locator(`.card[data-deal-id="${stale}"][data-version="${elsewhere.version}"]`).waitFor(WAIT);
  await shows(a, third, stale);
  console.log(`page A shows the conflict on ${stale} and reloads it`);

  // 3. The stage picker (the phone's way to move a card): B moves the
  // dragged deal back to the first column; A shows it live.
  await b.locator(`[data-deal-id="${dragged}"] select.move`).selectOption(first);
  await shows(b, first, dragged);
  await shows(a, first, dragged);
  check((await api(base, token, DEAL, { id: dragged })).node.stage.id === first, 'the picker moved the deal');
  console.log(`page A shows the pick of ${dragged} on page B`);

  // A ticket created through the API appears in both queues.
  await view(b, 'tickets');
  await b.locator('.ticket').first().waitFor(WAIT);
  const subject = `Board test ticket ${Date.now()}`;
  const created = await api(base, token, 'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ticket { id } } }', { i: { subject, priority: 'HIGH' } });
  await b.locator(`[data-ticket-id="${created.createTicket.ticket.id}"]`).waitFor(WAIT);
  console.log('page B shows the new ticket');
  await shoot(b, 'phone-tickets');
  await view(a, 'tickets');
  await a.locator(`[data-ticket-id="${created.createTicket.ticket.id}"]`).waitFor(WAIT);
  await shoot(a, 'desktop-tickets');

  // The dashboard draws every chart, with data.
  for (const [name, page] of [['desktop', a], ['phone', b]]) {
    await view(page, 'dashboard');
    for (const chart of ['pipeline-value', 'won-revenue', 'leaderboard']) {
      await page.locator(`[data-chart="${chart}"] svg rect.bar:not([data-value="0"])`).first().waitFor(WAIT);
    }
    await page.locator('[data-chart="win-rate"] svg circle.fill').waitFor(WAIT);
    await page.locator('[data-chart="nps"] svg circle.dot').first().waitFor(WAIT);
    await shoot(page, `${name}-dashboard`);
    await page.screenshot({ path: `${artefacts}/${name}-dashboard-full.png`, fullPage: true });
  }
  console.log('the dashboard draws its charts');

  // 4. The charts redraw live: the deal `winner` is won through the API;
  // A's won revenue of its month and its owner's leaderboard row go from
  // the API's figures before to the API's figures after.
  const candidates = await Promise.all((await cardsOf(first)).filter((id) => id !== restarted)
    .map(async (id) => (await api(base, token, DEAL, { id })).node));
  const winner = candidates.find((deal) => deal.amount !== null && Number(deal.amount) > 0 && deal.owner);
  check(winner, 'the first column has a deal with an amount and an owner to win');
  if (await a.locator('.currency-picker select').count()) await a.locator('.currency-picker select').selectOption(winner.currency);
  await a.locator(`.panels[data-currency="${winner.currency}"]`).waitFor(WAIT);
  const before = await figures.read(base, token, winner);
  await figures.drawn(a, before, WAIT);
  const closed = (await api(base, token, MOVE, { id: winner.id, stage: won })).moveDeal.deal;
  const later = await figures.read(base, token, winner, new Date(closed.closedAt).getUTCMonth());
  figures.grew(before, later, Number(winner.amount));
  await figures.drawn(a, later, WAIT);
  console.log(`page A redraws the charts after ${winner.id} is won`);
  await shoot(a, 'desktop-dashboard-live');

  // A role that sees no deal amounts (SUPPORT) is refused the leaderboard,
  // its query and its subscription: page C's dashboard says so in the
  // panels that show amounts and draws the others.
  const supportContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const c = await supportContext.newPage();
  watchErrors('c', c);
  await c.goto(`${base}/board`);
  await c.fill('#token textarea[name="token"]', await signIn(`support@${email.split('@')[1]}`));
  await c.click('#token button[type="submit"]');
  await c.locator('.column .card').first().waitFor(WAIT);
  await view(c, 'dashboard');
  for (const chart of ['leaderboard', 'pipeline-value', 'won-revenue']) {
    await c.locator(`[data-chart="${chart}"].unavailable[data-error="FORBIDDEN"]`).waitFor(WAIT);
  }
  await c.locator('[data-chart="win-rate"] svg circle.fill').waitFor(WAIT);
  await c.locator('[data-chart="nps"] svg circle.dot').first().waitFor(WAIT);
  await shoot(c, 'support-dashboard');
  await supportContext.close();
  console.log('a SUPPORT member sees the dashboard without amounts');
  await view(a, 'board');
  await view(b, 'board');

  // 5. The restart: both servers down, a deal moves through a second
  // server on the same database, elsewhere; the pages cannot have seen it,
  // and must show it once the first server is back (they resume after
  // their last cursor), once.
  console.log('stopping');
  await nextLine('stopped');
  await a.locator('.connection[data-state="reconnecting"]').waitFor(WAIT);
  await b.locator('.connection[data-state="reconnecting"]').waitFor(WAIT);
  await shoot(b, 'phone-reconnecting');
  console.log('saw-reconnecting');
  const other = await nextLine('other');
  const seenBefore = feedA.events.length;
  const moved = (await api(other, token, MOVE, { id: restarted, stage: third })).moveDeal.deal;
  check(moved.stage.id === third, 'the second server moved the deal');
  for (const page of [a, b]) check(await cardIn(page, first, restarted).count() === 1, 'a page saw the move while no server it knows ran');
  console.log('moved');
  await nextLine('restarted');
  await shows(b, third, restarted, { timeout: 60_000 });
  await shows(a, third, restarted, { timeout: 60_000 });
  await a.locator('.connection[data-state="live"]').waitFor(WAIT);
  await b.locator('.connection[data-state="live"]').waitFor(WAIT);
  noRepeats(feedA.events, 'page A');
  const replayed = feedA.events.slice(seenBefore).filter((event) => event.deal === restarted);
  check(replayed.length === 1 && replayed[0].version === moved.version, `page A was sent the move once: ${JSON.stringify(replayed)}`);
  console.log(`both pages show ${restarted} moved while the server was down`);
  await shoot(b, 'phone-board-after-restart');
  await shoot(a, 'desktop-board-after-restart');
  check(pageErrors.length === 0, `the pages threw: ${pageErrors.join('; ')}`);
  console.log('done');
} finally {
  await browser.close();
  reader.close();
}
