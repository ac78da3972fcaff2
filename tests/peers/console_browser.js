// Drives the web console in Debian's Chromium (headless) with playwright-core, on a running
// pipeline, and checks what a user would look at:
//   1. the topic's end offsets and the price chart advance without reloading;
//   2. the catalog lists stock_market with its columns;
//   2b. the table's average file size and the small-file warning; the sink's catalog updates
//      are one crawler-history row per sink session;
//   3. a SQL query returns rows and draws a chart; a time x category x number result is pivoted
//      into one line per category (axis, series and value choosable; bars total per category;
//      10,000 points drawn); bad SQL shows DuckDB's message in the page and the console keeps
//      working.
// Screenshots go to ARTIFACT_DIR. Prints one line per check; exits 1 on the first failure.
// Usage: node console_browser.js URL ARTIFACT_DIR
const path = require('path');
const fs = require('fs');
const { chromium } = require(path.join(__dirname, '..', '..', '.deps', 'peers', 'node_modules', 'playwright-core'));

const [url, artifacts] = process.argv.slice(2);
const WAIT = { timeout: 60000 };

async function numberIn(page, selector) {
  const text = await page.textContent(selector);
  return Number(text.replace(/[^0-9.]/g, ''));
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);

    // 1. Live: offsets and prices advance without a reload.
    await page.waitForFunction(() => /\d/.test(document.querySelector('#end-offsets').textContent), null, WAIT);
    const offsets = await numberIn(page, '#end-offsets');
    await page.waitForFunction((before) => Number(document.querySelector('#end-offsets').textContent.replace(/[^0-9]/g, '')) > before, offsets, WAIT);
    const offsetsLater = await numberIn(page, '#end-offsets');
    console.log(`ok: end offsets advance (${offsets} -> ${offsetsLater})`);
    await page.waitForFunction(() => Number(document.querySelector('#price-chart').dataset.series) >= 1 &&
      document.querySelector('#price-chart canvas') !== null, null, WAIT);
    const points = Number(await page.getAttribute('#price-chart', 'data-points'));
    const close = await page.textContent('#prices-table tbody');
    await page.waitForFunction((before) => Number(document.querySelector('#price-chart').dataset.points) > before, points, WAIT);
    await page.waitForFunction((before) => document.querySelector('#prices-table tbody').textContent !== before, close, WAIT);
    const series = await page.getAttribute('#price-chart', 'data-series');
    console.log(`ok: price chart advances (${points} -> ${await page.getAttribute('#price-chart', 'data-points')} points, ${series} indices) and the price table changes`);
    await page.waitForFunction(() => /\d/.test(document.querySelector('#lake-files').textContent) &&
      Number(document.querySelector('#lake-files').textContent.replace(/[^0-9]/g, '')) > 0, null, WAIT);
    await page.waitForFunction(() => document.querySelector('#groups').textContent.includes('ticklake-sink'), null, WAIT);
    console.log(`ok: files landed ${await page.textContent('#lake-files')}, group ticklake-sink shown with lag ${await page.textContent('#sink-lag')}`);
    await page.screenshot({ path: path.join(artifacts, 'console-pipeline.png'), fullPage: true });

    // 2. Catalog: stock_market with its columns.
    await page.click('button[data-tab="catalog"]');
    await page.waitForSelector('#table-list li[data-name="stock_market"]', WAIT);
    await page.click('#table-list li[data-name="stock_market"]');
    await page.waitForFunction(() => {
      const t = document.querySelector('#columns-table');
      return t && /close\s*double/.test(t.textContent) && /index\s*string\s*partition key/.test(t.textContent);
    }, null, WAIT);
    console.log('ok: catalog lists stock_market with its columns (close double, index partition key)');
    await page.click('#crawl-button');
    await page.waitForFunction(() => /^crawl \d+:/.test(document.querySelector('#crawl-result').textContent), null, WAIT);
    console.log(`ok: crawl button: ${await page.textContent('#crawl-result')}`);
    // The sink (--catalog, 1 s flushes) has landed many small files by now: the table page says so.
    await page.waitForFunction(() => {
      if (document.querySelector('#small-files')) return true;
      document.querySelector('#table-list li[data-name="stock_market"]').click();  // reload it
      return false;
    }, null, { ...WAIT, polling: 1000 });
    console.log(`ok: ${await page.textContent('#average-file-size')}; ${(await page.textContent('#small-files')).slice(0, 60)}…`);
    await page.waitForFunction(() => [...document.querySelectorAll('#crawls .crawl-by')]
      .some((td) => /^sink stock_market · \d+ updates$/.test(td.textContent)), null, WAIT);
    const sinkRows = await page.$$eval('#crawls .crawl-by', (tds) => tds.filter((td) => td.textContent.startsWith('sink ')).map((td) => td.textContent));
    if (sinkRows.length !== 1) throw new Error(`expected one crawler-history row for the sink session, got ${sinkRows.join(' | ')}`);
    console.log(`ok: crawler history shows the sink session as one run: ${sinkRows[0]}`);
    await page.screenshot({ path: path.join(artifacts, 'console-catalog.png'), fullPage: true });

    // 3. SQL: rows and a chart; then bad SQL shows DuckDB's message and the console keeps working.
    await page.click('button[data-tab="sql"]');
    await page.fill('#sql-text', 'SELECT "index", count(*) AS ticks, round(avg(close), 2) AS avg_close FROM stock_market GROUP BY 1 ORDER BY 1');
    await page.click('#run-button');
    await page.waitForFunction(() => document.querySelectorAll('#result-table tbody tr').length >= 1 &&
      Number(document.querySelector('#result-chart').dataset.series) >= 1 && document.querySelector('#result-chart canvas'), null, WAIT);
    const rows = await page.$$eval('#result-table tbody tr', (trs) => trs.length);
    console.log(`ok: query returned ${rows} rows and drew a chart of ${await page.getAttribute('#result-chart', 'data-series')} series`);
    if (!(await page.getAttribute('#csv-link', 'href')).startsWith('/api/results/')) throw new Error('no CSV link');
    await page.screenshot({ path: path.join(artifacts, 'console-sql.png'), fullPage: true });

    // The pivot: one line per index over time, with the axis, series and value chosen for it.
    const pivotSql = 'SELECT "index", date_trunc(\'second\', ts) AS s, avg(close) AS close FROM stock_market GROUP BY 1, 2';
    await page.fill('#sql-text', pivotSql);
    await page.click('#run-button');
    await page.waitForFunction(() => document.querySelector('#result-chart').dataset.pivot === 'index', null, WAIT);
    const expected = await page.evaluate(() => ({
      series: new Set(result.rows.map((r) => r[0])).size, points: new Set(result.rows.map((r) => r[1])).size, rows: result.rows.length }));
    const pivot = await page.$eval('#result-chart', (e) => ({ kind: e.dataset.kind, series: Number(e.dataset.series), points: Number(e.dataset.points) }));
    const choice = await page.evaluate(() => [$('#chart-x'), $('#chart-series'), $('#chart-y')].map((s) => s.selectedOptions[0].textContent));
    if (pivot.kind !== 'line' || pivot.series !== expected.series || pivot.points !== expected.points || expected.series < 2 ||
        choice.join() !== 's,index,close') {
      throw new Error(`pivot: chart ${JSON.stringify(pivot)} with x/series/value ${choice}, expected ${JSON.stringify(expected)}`);
    }
    console.log(`ok: ${expected.rows} rows pivoted into ${pivot.series} lines (one per index) of ${pivot.points} seconds`);
    await page.screenshot({ path: path.join(artifacts, 'console-pivot.png'), fullPage: true });
    await page.selectOption('#chart-kind', 'bar');
    await page.waitForFunction((n) => document.querySelector('#result-chart').dataset.kind === 'bar' &&
      Number(document.querySelector('#result-chart').dataset.points) === n, expected.series, WAIT);
    console.log(`ok: bar chart totals ${expected.series} categories`);
    await page.selectOption('#chart-kind', 'auto');
    await page.selectOption('#chart-series', '-1');
    await page.waitForFunction(() => document.querySelector('#result-chart').dataset.pivot === '' &&
      document.querySelector('#result-chart').dataset.series === '1', null, WAIT);
    console.log('ok: choosing no series draws one line');
    // Readable up to 10k points: 10 categories x 1,000 seconds.
    await page.fill('#sql-text', "SELECT 'c' || (i % 10) AS cat, TIMESTAMP '2026-01-01' + to_seconds(i // 10) AS t, i * 1.5 AS v FROM range(10000) r(i)");
    const started = Date.now();
    await page.click('#run-button');
    await page.waitForFunction(() => document.querySelector('#result-chart').dataset.points === '1000' &&
      document.querySelector('#result-chart').dataset.series === '10', null, WAIT);
    console.log(`ok: 10,000 points as 10 lines of 1,000 in ${Date.now() - started} ms (query included)`);
    await page.screenshot({ path: path.join(artifacts, 'console-10k.png'), fullPage: true });

    await page.fill('#sql-text', 'SELEC * FROM stock_market');
    await page.click('#run-button');
    await page.waitForSelector('#query-error:not(.hidden)', WAIT);
    const message = await page.textContent('#query-error');
    if (!/syntax error at or near "SELEC"/.test(message)) throw new Error(`unexpected error text: ${message}`);
    console.log(`ok: bad SQL shows DuckDB's message: ${message.split('\n')[0]}`);
    await page.fill('#sql-text', 'SELECT count(*) AS n FROM stock_market');
    await page.click('#run-button');
    await page.waitForFunction(() => document.querySelector('#query-error').classList.contains('hidden') &&
      document.querySelectorAll('#result-table tbody tr').length === 1, null, WAIT);
    await page.waitForFunction(() => document.querySelector('#history').textContent.includes('FAILED'), null, WAIT);
    console.log(`ok: the console keeps working after bad SQL (count = ${await page.textContent('#result-table tbody td')}); history lists the failure`);
    if (pageErrors.length) throw new Error(`JavaScript errors in the page: ${pageErrors.join('; ')}`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.log(`FAILED: ${e.message}`);
  process.exit(1);
});
