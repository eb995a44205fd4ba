// Drives the live board (/board) in two headless Chromium pages against a
// real server, talking to the Rust test over stdin/stdout:
//   prints "stopping" when ready for the restart, waits for "stopped",
//   prints "saw-reconnecting" once page B shows it, waits for "restarted",
//   moves a deal through the API as soon as the server answers, checks both
//   pages catch up with it, and prints "done".
// Page A (desktop, 1280×800) signs in with the form; page B (phone,
// 390×844) with a pasted token. Screenshots go to ARTEFACT_DIR.
// Usage: node board_browser.mjs CHROMIUM BASE_URL EMAIL PASSWORD ARTEFACT_DIR
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';

const [executablePath, base, email, password, artefacts] = process.argv.slice(2);
const WAIT = { timeout: 30_000 };
const reader = createInterface({ input: process.stdin });
const lines = reader[Symbol.asyncIterator]();

// Bounded, so a test that stopped talking ends the script instead of hanging.
async function expectLine(expected) {
  // unref: a pending bound must not keep the finished script alive.
  const timeout = new Promise((_, fail) => setTimeout(() => fail(new Error(`no "${expected}" from the test`)), 120_000).unref());
  const { value } = await Promise.race([lines.next(), timeout]);
  if (value?.trim() !== expected) throw new Error(`expected "${expected}" from the test, got "${value}"`);
}

async function api(token, query, variables = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function shoot(page, name) {
  await page.screenshot({ path: `${artefacts}/${name}.png`, fullPage: false });
}

async function view(page, name) {
  await page.click(`nav a[data-view="${name}"]`);
  await page.locator(`#view-${name}`).waitFor({ state: 'visible', ...WAIT });
}

// --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
try {
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const a = await desktop.newPage();
  const b = await phone.newPage();
  for (const [name, page] of [['a', a], ['b', b]]) {
    page.on('pageerror', (error) => console.error(`page ${name} error: ${error.message}`));
  }

  // A signs in with the form.
  await a.goto(`${base}/board`);
  await shoot(a, 'desktop-signin');
  await a.fill('#signin input[name="email"]', email);
  await a.fill('#signin input[name="password"]', password);
  await a.click('#signin button[type="submit"]');
  await a.locator('.column .card').first().waitFor(WAIT);
  await a.locator('.connection[data-state="live"]').waitFor(WAIT);

  // B pastes a token of its own.
  const { login } = await api(null, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: email, p: password });
  await b.goto(`${base}/board`);
  await shoot(b, 'phone-signin');
  await b.fill('#token textarea[name="token"]', login.token);
  await b.click('#token button[type="submit"]');
  await b.locator('.column .card').first().waitFor(WAIT);
  await b.locator('.connection[data-state="live"]').waitFor(WAIT);

  // A drags the first card of the first column onto the second column.
  const columns = a.locator('.column');
  const first = await columns.nth(0).getAttribute('data-stage-id');
  const second = await columns.nth(1).getAttribute('data-stage-id');
  const third = await columns.nth(2).getAttribute('data-stage-id');
  const dragged = await a.locator(`.column[data-stage-id="${first}"] .card`).first().getAttribute('data-deal-id');
  await a.locator(`[data-deal-id="${dragged}"]`).dragTo(a.locator(`.column[data-stage-id="${second}"] .cards`));
  await a.locator(`.column[data-stage-id="${second}"] [data-deal-id="${dragged}"]`).waitFor(WAIT);
  await b.locator(`.column[data-stage-id="${second}"] [data-deal-id="${dragged}"]`).waitFor(WAIT);
  console.log(`page B shows the drag of ${dragged}`);
  await shoot(a, 'desktop-board');
  await shoot(b, 'phone-board');

  // A ticket created through the API appears in B's queue.
  await view(b, 'tickets');
  await b.locator('.ticket').first().waitFor(WAIT);
  const subject = `Board test ticket ${Date.now()}`;
  const created = await api(login.token, 'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ticket { id } } }', { i: { subject, priority: 'HIGH' } });
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
  await view(a, 'board');
  await view(b, 'board');

  // The restart: another card of the first column moves to the third
  // column through the API, most likely before B has reconnected (it
  // retries at most every 2 s); either way it must show it.
  const moved = await a.locator(`.column[data-stage-id="${first}"] .card`).first().getAttribute('data-deal-id');
  console.log('stopping');
  await expectLine('stopped');
  await b.locator('.connection[data-state="reconnecting"]').waitFor(WAIT);
  await shoot(b, 'phone-reconnecting');
  console.log('saw-reconnecting');
  await expectLine('restarted');
  await api(login.token, 'mutation($id: ID!, $stage: ID!) { moveDeal(id: $id, stageId: $stage) { deal { id } } }', { id: moved, stage: third });
  await b.locator(`.column[data-stage-id="${third}"] [data-deal-id="${moved}"]`).waitFor({ timeout: 60_000 });
  await b.locator('.connection[data-state="live"]').waitFor(WAIT);
  await a.locator(`.column[data-stage-id="${third}"] [data-deal-id="${moved}"]`).waitFor({ timeout: 60_000 });
  console.log(`page B shows ${moved} moved while the server restarted`);
  await shoot(b, 'phone-board-after-restart');
  await shoot(a, 'desktop-board-after-restart');
  console.log('done');
} finally {
  await browser.close();
  reader.close();
}
