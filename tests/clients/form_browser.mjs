// Opens a page that embeds a Rapport web form (served from another origin
// than the server), fills it in headless Chromium, submits it, and prints
// the URL the browser ends on (the form's redirect).
// Usage: node form_browser.mjs CHROMIUM PAGE_URL EMAIL
import { chromium } from 'playwright-core';

const [executablePath, pageUrl, email] = process.argv.slice(2);
// --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  await page.goto(pageUrl);
  await page.fill('form[data-rapport-form] input[name="email"]', email);
  await page.fill('form[data-rapport-form] input[name="first_name"]', 'Browser');
  await page.check('form[data-rapport-form] input[name="consent"]');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/thanks'),
    page.click('form[data-rapport-form] button[type="submit"]'),
  ]);
  console.log(`landed on ${page.url()}`);
} finally {
  await browser.close();
}
