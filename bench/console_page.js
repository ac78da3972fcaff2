// Page responsiveness of the web console, for bench/console_bench.sh: loads the page in headless
// Chromium, then watches it for SECONDS: how long until the first live numbers show, how many
// times the live view updated, the largest gap between updates, and how long a tab switch to
// the catalog takes to show the stock_market table. Prints one JSON line.
// Usage: node bench/console_page.js URL SECONDS
const path = require('path');
const { chromium } = require(path.join(__dirname, '..', '.deps', 'peers', 'node_modules', 'playwright-core'));

(async () => {
  const [url, seconds] = [process.argv[2], Number(process.argv[3] || 10)];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => /\d/.test(document.querySelector('#end-offsets').textContent), null, { timeout: 60000 });
  const firstRender = Date.now() - t0;
  // Count the live view's updates (the status line carries the sample's time).
  await page.evaluate(() => {
    window.__updates = [];
    new MutationObserver(() => window.__updates.push(performance.now()))
      .observe(document.querySelector('#status'), { childList: true, characterData: true, subtree: true });
  });
  await page.waitForTimeout(seconds * 1000);
  const updates = await page.evaluate(() => window.__updates);
  let maxGap = 0;
  for (let i = 1; i < updates.length; i++) maxGap = Math.max(maxGap, updates[i] - updates[i - 1]);
  const t1 = Date.now();
  await page.click('button[data-tab="catalog"]');
  await page.waitForFunction(() => /close\s*double/.test((document.querySelector('#columns-table') || {}).textContent || ''), null, { timeout: 60000 });
  const catalogMs = Date.now() - t1;
  console.log(JSON.stringify({ first_render_ms: firstRender, updates: updates.length, seconds, max_gap_ms: Math.round(maxGap), catalog_tab_ms: catalogMs }));
  await browser.close();
})().catch((e) => { console.error(e.message); process.exit(1); });
