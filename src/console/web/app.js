// The ticklake console's page: polls /api/live every second for the pipeline view, browses the
// catalog through /api/catalog and /api/table, and runs SQL through /api/query. Plain JavaScript
// and uPlot (bundled into the binary); nothing is fetched from the internet.
'use strict';

const $ = (selector) => document.querySelector(selector);
const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777',
  '#65a30d', '#ea580c', '#4f46e5', '#0d9488', '#9333ea', '#ca8a04', '#475569', '#be123c'];

function text(value) { return value === null || value === undefined ? '' : String(value); }
function escapeHtml(value) {
  return text(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
function fmtInt(n) { return n === null || n === undefined || Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-US'); }
function fmtBytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
function fmtTime(ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }

async function api(path, options) {
  const response = await fetch(path, options);
  let body;
  try { body = await response.json(); } catch { body = { error: `HTTP ${response.status} from ${path}` }; }
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status} from ${path}`);
  return body;
}

// ---- tabs -------------------------------------------------------------------------------------
for (const tab of document.querySelectorAll('.tab')) {
  tab.addEventListener('click', () => showTab(tab.dataset.tab));
}
function showTab(name) {
  for (const t of document.querySelectorAll('.tab')) t.classList.toggle('active', t.dataset.tab === name);
  for (const p of document.querySelectorAll('.panel')) p.classList.toggle('active', p.id === name);
  if (name === 'catalog') loadCatalog();
  if (name === 'sql') loadHistory();
  window.dispatchEvent(new Event('resize'));
}

// ---- charts -----------------------------------------------------------------------------------
// A uPlot chart that is rebuilt when its series change and resized with its box.
class Chart {
  constructor(element, options) { this.element = element; this.options = options; this.plot = null; this.key = ''; }
  update(labels, data, extra = {}) {
    const key = JSON.stringify([labels, extra.bars || false, extra.xLabels ? 1 : 0, this.options.time]);
    const width = Math.max(300, this.element.clientWidth || 600);
    this.xLabels = extra.xLabels || [];
    if (this.plot && key !== this.key) { this.plot.destroy(); this.plot = null; }
    if (!this.plot) {
      this.element.innerHTML = '';
      const series = [{}].concat(labels.map((label, i) => ({
        label, stroke: PALETTE[i % PALETTE.length], width: 1.5,
        fill: extra.bars ? PALETTE[i % PALETTE.length] + '99' : undefined,
        paths: extra.bars ? uPlot.paths.bars({ size: [0.7 / Math.max(1, labels.length), 60] }) : undefined,
        points: { show: extra.bars ? false : undefined },
        spanGaps: extra.spanGaps || false,
      })));
      const axes = [{}, { size: 70 }];
      const x = { time: !extra.xLabels && this.options.time !== false };
      if (extra.xLabels) {
        axes[0] = { values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? text(this.xLabels[v]) : '')) };
        x.range = (u, min, max) => [min - 0.5, max + 0.5];  // room for the first and last bar
      }
      this.plot = new uPlot({ width, height: 260, series, axes, scales: { x },
        ...this.options.uplot }, data, this.element);
      this.key = key;
    } else {
      this.plot.setData(data);
    }
    this.element.dataset.points = String(data[0].length);
    this.element.dataset.series = String(labels.length);
  }
  resize() { if (this.plot) this.plot.setSize({ width: Math.max(300, this.element.clientWidth), height: 260 }); }
}
const priceChart = new Chart($('#price-chart'), {});
const rateChart = new Chart($('#rate-chart'), {});
// Results show times as DuckDB prints them (UTC), so their chart's time axis is UTC too.
const resultChart = new Chart($('#result-chart'), { time: false, uplot: { tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC') } });
window.addEventListener('resize', () => { priceChart.resize(); rateChart.resize(); resultChart.resize(); });

// ---- live pipeline ----------------------------------------------------------------------------
function renderLive(d) {
  const status = $('#status');
  status.textContent = `live · ${d.bootstrap || ''} · ${fmtTime(d.time_ms)}`;
  status.classList.remove('bad');
  for (const e of document.querySelectorAll('.topic-name')) e.textContent = d.topic || '';
  const kafkaError = $('#kafka-error');
  kafkaError.textContent = [d.kafka_error, d.offsets_error, d.prices_error].filter(Boolean).join('\n');
  kafkaError.classList.toggle('hidden', !d.kafka_error && !d.offsets_error && !d.prices_error);

  const topics = d.topics || [];
  const groups = d.groups || [];
  const main = topics.find((t) => t.name === d.topic);
  $('#brokers-count').textContent = fmtInt((d.brokers || []).length);
  $('#brokers-list').textContent = (d.brokers || []).map((b) => `broker ${b.id} ${b.host}:${b.port}`).join(' · ');
  $('#end-offsets').textContent = main ? fmtInt(main.end_total) : '–';
  $('#produce-rate').textContent = main ? fmtInt(main.rate) : '–';
  // The sink: the group that has committed the most on the main topic.
  let sink = null;
  for (const g of groups) {
    const onTopic = (g.partitions || []).filter((p) => p.topic === d.topic);
    if (onTopic.length && (!sink || g.committed_total > sink.committed_total)) sink = g;
  }
  $('#sink-rate').textContent = sink ? fmtInt(sink.rate) : '–';
  $('#sink-lag').textContent = sink ? fmtInt(sink.lag) : '–';
  const lake = d.lake;
  $('#lake-files').textContent = lake && !lake.error ? fmtInt(lake.files) : '–';
  $('#lake-bytes').textContent = lake && !lake.error ? fmtBytes(lake.bytes) : '–';
  $('#lake-errors').textContent = lake && !lake.error ? `${fmtInt(lake.error_records)} in ${fmtInt(lake.error_files)} files` : '–';

  // Prices: % change since the first value in the window, so indices of any level share a scale.
  const prices = d.prices || { t: [], series: {}, latest: [] };
  const names = Object.keys(prices.series);
  const priceData = [prices.t.map((t) => t / 1000)];
  for (const name of names) {
    const values = prices.series[name];
    const base = values.find((v) => v !== null && v !== 0);
    priceData.push(values.map((v) => (v === null || !base ? null : (v / base - 1) * 100)));
  }
  priceChart.update(names, priceData);
  $('#prices-table tbody').innerHTML = prices.latest.map((p) => `<tr><td>${escapeHtml(p.index)}</td>
    <td class="num">${p.close === null ? '' : p.close.toFixed(2)}</td><td class="num">${p.close_usd === null ? '' : p.close_usd.toFixed(2)}</td>
    <td>${escapeHtml(p.ts)}</td><td class="num">${fmtInt(p.ticks)}</td></tr>`).join('');

  const rates = d.rates || { t: [], series: {} };
  const rateNames = Object.keys(rates.series);
  rateChart.update(rateNames, [rates.t.map((t) => t / 1000)].concat(rateNames.map((n) => rates.series[n])));

  $('#groups').innerHTML = groups.length ? groups.map((g) => `
    <h3>${escapeHtml(g.name)} ${g.state ? `<span class="pill">${escapeHtml(g.state)}</span>` : ''} <small>${g.members >= 0 ? g.members + ' member(s) · ' : ''}lag ${fmtInt(g.lag)}
    · committed ${fmtInt(g.committed_total)}${g.error ? ' · ' + escapeHtml(g.error) : ''}</small></h3>
    <table><thead><tr><th>Topic</th><th class="num">Partition</th><th class="num">Committed</th><th class="num">End</th><th class="num">Lag</th></tr></thead>
    <tbody>${(g.partitions || []).map((p) => `<tr><td>${escapeHtml(p.topic)}</td><td class="num">${p.partition}</td>
      <td class="num">${fmtInt(p.committed)}</td><td class="num">${fmtInt(p.end)}</td><td class="num">${fmtInt(p.lag)}</td></tr>`).join('')}</tbody></table>`).join('')
    : '<p class="note">No consumer groups.</p>';
  if (d.groups_note) $('#groups').insertAdjacentHTML('beforeend', `<p class="note">${escapeHtml(d.groups_note)}</p>`);
  $('#topics').innerHTML = topics.map((t) => `
    <h3>${escapeHtml(t.name)} <small>${t.partitions.length} partition(s) · ${fmtInt(t.messages)} messages kept · end ${fmtInt(t.end_total)}</small></h3>
    <table><thead><tr><th class="num">Partition</th><th class="num">Leader</th><th class="num">Start offset</th><th class="num">End offset</th></tr></thead>
    <tbody>${t.partitions.map((p) => `<tr><td class="num">${p.id}</td><td class="num">${p.leader}</td>
      <td class="num">${fmtInt(p.start)}</td><td class="num">${fmtInt(p.end)}</td></tr>`).join('')}</tbody></table>`).join('');
}

async function pollLive() {
  try {
    const d = await api('/api/live');
    if (d.time_ms) renderLive(d);
  } catch (e) {
    $('#status').textContent = `disconnected: ${e.message}`;
    $('#status').classList.add('bad');
  }
  setTimeout(pollLive, 1000);
}

// ---- catalog ----------------------------------------------------------------------------------
let selectedTable = null;
async function loadCatalog() {
  let c;
  try { c = await api('/api/catalog'); } catch (e) { $('#table-list').innerHTML = `<li class="error">${escapeHtml(e.message)}</li>`; return; }
  const items = [];
  for (const db of c.databases) {
    for (const t of db.tables) {
      const active = selectedTable && selectedTable.database === db.name && selectedTable.name === t.name;
      items.push(`<li data-database="${escapeHtml(db.name)}" data-name="${escapeHtml(t.name)}" class="${active ? 'active' : ''}">
        ${escapeHtml(t.name)} <span class="db">${escapeHtml(db.name)} · ${fmtInt(t.records)} rows${t.state !== 'active' ? ' · ' + escapeHtml(t.state) : ''}</span></li>`);
    }
  }
  $('#table-list').innerHTML = items.join('') || '<li class="note">No tables yet: run the crawler.</li>';
  for (const li of document.querySelectorAll('#table-list li[data-name]')) {
    li.addEventListener('click', () => loadTable(li.dataset.database, li.dataset.name));
  }
  const crawls = c.databases.flatMap((db) => db.crawls.map((r) => ({ ...r, database: db.name })))
    .sort((a, b) => b.started_ms - a.started_ms).slice(0, 20);
  // A sink session (sink --catalog) is one row: its updates after each commit are counted in it.
  const by = (r) => (r.source === 'crawler' ? 'crawler' : `${r.source} · ${fmtInt(r.updates)} update${r.updates === 1 ? '' : 's'}`);
  $('#crawls').innerHTML = crawls.length ? `<table><thead><tr><th class="num">Id</th><th>By</th><th>Database</th><th>Started</th><th>Last</th><th>State</th>
    <th class="num">Tables +/~/−</th><th class="num">Partitions +</th><th class="num">Files read</th><th class="num">Unchanged</th><th>Errors</th></tr></thead><tbody>
    ${crawls.map((r) => `<tr class="crawl-run"><td class="num">${r.id}</td><td class="crawl-by">${escapeHtml(by(r))}</td><td>${escapeHtml(r.database)}</td><td>${fmtTime(r.started_ms)}</td><td>${fmtTime(r.ended_ms)}</td><td>${escapeHtml(r.state)}</td>
    <td class="num">${r.tables_created}/${r.tables_updated}/${r.tables_deleted}</td><td class="num">${r.partitions_added}</td>
    <td class="num">${fmtInt(r.files_read)}</td><td class="num">${fmtInt(r.files_unchanged)}</td><td>${escapeHtml(r.errors.map((e) => `${e.path}: ${e.message}`).join('; '))}</td></tr>`).join('')}</tbody></table>`
    : '<p class="note">No crawls yet.</p>';
  if (!selectedTable && c.databases.length && c.databases[0].tables.length) {
    const db = c.databases.find((x) => x.tables.some((t) => t.name === 'stock_market')) || c.databases[0];
    const t = db.tables.find((x) => x.name === 'stock_market') || db.tables[0];
    loadTable(db.name, t.name);
  }
}

async function loadTable(database, name) {
  selectedTable = { database, name };
  for (const li of document.querySelectorAll('#table-list li[data-name]')) {
    li.classList.toggle('active', li.dataset.database === database && li.dataset.name === name);
  }
  const box = $('#table-detail');
  let d;
  try { d = await api(`/api/table?database=${encodeURIComponent(database)}&name=${encodeURIComponent(name)}`); } catch (e) {
    box.innerHTML = `<div class="error">${escapeHtml(e.message)}</div>`; return;
  }
  const t = d.table;
  if (t.classification === 'ICEBERG') { renderIcebergTable(box, t); return; }
  const columns = (list, kind) => list.map((c) => `<tr><td>${escapeHtml(c.name)}</td><td><code>${escapeHtml(c.type)}</code></td><td>${kind}</td></tr>`).join('');
  box.innerHTML = `<h2 id="table-title">${escapeHtml(t.database)}.${escapeHtml(t.name)} <span class="pill">v${t.version}</span> <span class="pill">${escapeHtml(t.classification)}</span></h2>
    <p class="note">${escapeHtml(t.lake)}/${escapeHtml(t.location)} · ${fmtInt(t.records)} rows · ${fmtInt(t.files)} files · ${fmtBytes(t.bytes)} ·
      <span id="average-file-size">${fmtBytes(t.average_file_bytes)} per file</span> · compression ${escapeHtml(t.compression)} · updated ${fmtTime(t.updated_ms)}</p>
    ${t.small_files ? `<p id="small-files" class="warning">Small files: ${escapeHtml(t.small_files)}</p>` : ''}
    <h3>Columns</h3>
    <table id="columns-table"><thead><tr><th>Name</th><th>Type</th><th></th></tr></thead><tbody>${columns(t.columns, '')}${columns(t.partition_keys, 'partition key')}</tbody></table>
    <h3>Partitions <small>${fmtInt(d.partition_count)}${d.partition_count > d.partitions.length ? `, first ${d.partitions.length} shown` : ''}</small></h3>
    <table><thead><tr>${t.partition_keys.map((k) => `<th>${escapeHtml(k.name)}</th>`).join('')}<th class="num">Files</th><th class="num">Bytes</th><th>Modified</th></tr></thead>
    <tbody>${d.partitions.map((p) => `<tr>${p.values.map((v) => `<td>${v === null ? '<span class="note">NULL</span>' : escapeHtml(v)}</td>`).join('')}
      <td class="num">${fmtInt(p.files)}</td><td class="num">${fmtBytes(p.bytes)}</td><td>${fmtTime(p.modified_ms)}</td></tr>`).join('')}</tbody></table>
    <h3>Versions</h3>
    <table><thead><tr><th class="num">Version</th><th>Created</th><th class="num">Crawl</th><th>Change</th></tr></thead>
    <tbody>${d.versions.map((v) => `<tr><td class="num">${v.version}</td><td>${fmtTime(v.created_ms)}</td><td class="num">${v.crawl_id}</td><td>${escapeHtml(v.change)}</td></tr>`).join('')}</tbody></table>`;
}

// An Iceberg table: schema with field ids, partition spec, sort order and snapshots (newest first).
function renderIcebergTable(box, t) {
  const snapshots = [...t.snapshot_list].sort((a, b) => b.timestamp_ms - a.timestamp_ms);
  box.innerHTML = `<h2 id="table-title">${escapeHtml(t.database)}.${escapeHtml(t.name)} <span class="pill">ICEBERG v${t.format_version}</span> <span class="pill">schema ${t.version}</span></h2>
    <p class="note">${escapeHtml(t.lake)} · ${fmtInt(t.records)} rows · ${fmtInt(t.files)} files · ${fmtBytes(t.bytes)} ·
      updated ${fmtTime(t.updated_ms)} · metadata <code>${escapeHtml(t.metadata_location)}</code></p>
    <h3>Columns</h3>
    <table id="columns-table"><thead><tr><th class="num">Field id</th><th>Name</th><th>Type</th><th></th></tr></thead><tbody>
    ${t.columns.map((c) => `<tr><td class="num">${c.id}</td><td>${escapeHtml(c.name)}</td><td><code>${escapeHtml(c.type)}</code></td><td>${c.required ? 'required' : ''}</td></tr>`).join('')}</tbody></table>
    <h3>Partition spec</h3>
    ${t.partition_spec.length ? `<table id="partition-spec"><thead><tr><th class="num">Field id</th><th>Name</th><th>Transform</th></tr></thead><tbody>
    ${t.partition_spec.map((p) => `<tr><td class="num">${p.field_id}</td><td>${escapeHtml(p.name)}</td><td><code>${escapeHtml(p.transform)}(${escapeHtml(p.source)})</code></td></tr>`).join('')}</tbody></table>`
      : '<p class="note">unpartitioned</p>'}
    <p class="note">sort order: ${t.sort_order.length ? t.sort_order.map((o) => `${escapeHtml(o.transform === 'identity' ? o.source : `${o.transform}(${o.source})`)} ${o.ascending ? 'asc' : 'desc'}`).join(', ') : 'unsorted'}</p>
    <h3>Snapshots <small>${fmtInt(snapshots.length)} · time travel: <code>FOR VERSION AS OF id</code></small></h3>
    <table id="snapshots-table"><thead><tr><th>Snapshot id</th><th>Committed</th><th>Operation</th><th class="num">+Records</th><th class="num">Records</th><th class="num">Files</th><th>Kafka offsets</th></tr></thead>
    <tbody>${snapshots.map((s) => `<tr${s.snapshot_id === t.current_snapshot_id ? ' class="active"' : ''}><td><code>${escapeHtml(s.snapshot_id)}</code></td><td>${fmtTime(s.timestamp_ms)}</td>
      <td>${escapeHtml(s.operation)}</td><td class="num">${fmtInt(s.added_records)}</td><td class="num">${fmtInt(s.total_records)}</td><td class="num">${fmtInt(s.total_files)}</td>
      <td><code>${escapeHtml(s.kafka_offsets || '')}</code></td></tr>`).join('')}</tbody></table>`;
}

$('#crawl-button').addEventListener('click', async () => {
  const button = $('#crawl-button');
  button.disabled = true;
  $('#crawl-result').textContent = 'crawling…';
  try {
    const s = await api('/api/crawl', { method: 'POST' });
    $('#crawl-result').textContent = `crawl ${s.crawl_id}: ${s.tables_created} table(s) created, ${s.tables_updated} updated, ` +
      `${s.partitions_added} partition(s) added, ${s.files_read} file(s) read, ${s.files_unchanged} unchanged, ${s.errors} error(s) in ${s.seconds.toFixed(2)} s`;
  } catch (e) {
    $('#crawl-result').textContent = `crawl failed: ${e.message}`;
  }
  button.disabled = false;
  loadCatalog();
});

// ---- SQL --------------------------------------------------------------------------------------
const PAGE = 100;
let result = null;
let page = 0;
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;
const TEMPORAL = /^(DATE|TIMESTAMP.*)$/;

async function runQuery() {
  const sql = $('#sql-text').value;
  const button = $('#run-button');
  button.disabled = true;
  $('#query-info').textContent = 'running…';
  $('#query-error').classList.add('hidden');
  try {
    result = await api('/api/query', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sql }) });
    page = 0;
    $('#query-info').textContent = `${fmtInt(result.total_rows)} row(s) in ${result.seconds.toFixed(3)} s · ${fmtBytes(result.bytes_scanned)} in scope` +
      (result.files_scanned || result.files_pruned ? ` · Iceberg files ${fmtInt(result.files_scanned)} scanned, ${fmtInt(result.files_pruned)} pruned` : '') +
      ` · query ${result.query_id}` +
      (result.total_rows > result.rows.length ? ` · first ${fmtInt(result.rows.length)} rows shown, all in the CSV` : '');
    const csv = $('#csv-link');
    csv.classList.toggle('hidden', !result.csv);
    if (result.csv) csv.href = result.csv;
    $('#result-box').classList.remove('hidden');
    renderResult();
  } catch (e) {
    $('#query-info').textContent = '';
    $('#query-error').textContent = e.message;
    $('#query-error').classList.remove('hidden');
  }
  button.disabled = false;
  loadHistory();
}

function renderResult() {
  if (!result) return;
  const pages = Math.max(1, Math.ceil(result.rows.length / PAGE));
  page = Math.min(Math.max(0, page), pages - 1);
  $('#result-table thead').innerHTML = `<tr>${result.columns.map((c) => `<th class="${NUMERIC.test(c.type) ? 'num' : ''}" title="${escapeHtml(c.type)}">${escapeHtml(c.name)}</th>`).join('')}</tr>`;
  $('#result-table tbody').innerHTML = result.rows.slice(page * PAGE, (page + 1) * PAGE).map((row) => `<tr>${row.map((v, i) =>
    v === null ? '<td class="null">NULL</td>' : `<td class="${NUMERIC.test(result.columns[i].type) ? 'num' : ''}">${escapeHtml(v)}</td>`).join('')}</tr>`).join('');
  $('#page-info').textContent = ` page ${page + 1} of ${pages} `;
  $('#prev-page').disabled = page === 0;
  $('#next-page').disabled = page >= pages - 1;
  renderResultChart();
}

// The result's chart. Columns are times (DATE, TIMESTAMP), numbers or categories (anything else).
// A result with an ordered x (a time, or a number), a category column and numbers is pivoted as
// BI tools do: one line per category over x. A bar chart totals the value per category. The x
// axis, the series (category) column and the value are choosable; a new result's columns reset
// them to the defaults below.
const MAX_SERIES = 20;  // more categories than this: the ones with most points are drawn
const MAX_BARS = 100;   // more bars than this: the largest totals are drawn
let chartChoice = null;  // {signature, x, series, y}: column indexes; series -1 = none, y -1 = all

function columnKind(c) { return TEMPORAL.test(c.type) ? 'time' : NUMERIC.test(c.type) ? 'number' : 'category'; }

// Seconds since the epoch for DuckDB's DATE / TIMESTAMP[ WITH TIME ZONE] text; NaN otherwise.
function parseTime(v) {
  if (v === null) return NaN;
  let s = v.replace(' ', 'T');
  if (s.length > 10) s = /([+-]\d\d)$/.test(s) ? s + ':00' : /([+-]\d\d:\d\d|Z)$/.test(s) ? s : s + 'Z';
  return Date.parse(s) / 1000;
}

function defaultChart(cols) {
  const kinds = cols.map(columnKind);
  const time = kinds.indexOf('time');
  const category = kinds.indexOf('category');
  const numbers = kinds.map((k, i) => (k === 'number' ? i : -1)).filter((i) => i >= 0);
  if (time >= 0) return { x: time, series: category, y: category >= 0 ? (numbers[0] ?? -1) : -1 };
  if (category >= 0) return { x: category, series: -1, y: numbers[0] ?? -1 };
  return { x: 0, series: -1, y: numbers.length > 1 ? -1 : (numbers[0] ?? -1) };
}

function fillSelect(select, options, value) {
  select.innerHTML = options.map(([v, label]) => `<option value="${v}">${escapeHtml(label)}</option>`).join('');
  select.value = String(value);
}

function renderResultChart() {
  const box = $('#result-chart');
  const cols = result.columns;
  const rows = result.rows;
  const signature = cols.map((c) => `${c.name}:${c.type}`).join(',');
  if (!chartChoice || chartChoice.signature !== signature) {
    chartChoice = { signature, ...defaultChart(cols) };
    const named = cols.map((c, i) => [i, c.name]);
    fillSelect($('#chart-x'), named, chartChoice.x);
    fillSelect($('#chart-series'), [[-1, '(none)']].concat(named.filter(([i]) => columnKind(cols[i]) === 'category')), chartChoice.series);
    fillSelect($('#chart-y'), [[-1, '(all numbers)']].concat(named.filter(([i]) => columnKind(cols[i]) === 'number')), chartChoice.y);
  }
  const { x, series } = chartChoice;
  const xKind = columnKind(cols[x]);
  let kind = $('#chart-kind').value;
  if (kind === 'auto') kind = xKind === 'category' ? 'bar' : 'line';
  // One value per series: with a series column, "all numbers" means the first number.
  let ys = chartChoice.y >= 0 ? [chartChoice.y] : cols.map((c, i) => i).filter((i) => i !== x && columnKind(cols[i]) === 'number');
  if (series >= 0 || kind === 'bar') ys = ys.slice(0, 1);
  const hide = kind === 'none' || !ys.length || !rows.length;
  $('#chart-controls').classList.toggle('hidden', !cols.some((c) => columnKind(c) === 'number'));
  box.classList.toggle('hidden', hide);
  box.dataset.kind = hide ? 'none' : kind;
  box.dataset.pivot = series >= 0 && !hide ? cols[series].name : '';
  if (hide) {
    box.dataset.series = '0';
    $('#chart-note').textContent = '';
    return;
  }
  const value = (r, i) => (r[i] === null ? null : Number(r[i]));
  let note = '';
  if (kind === 'bar') {
    // Totals per category: the series column's values, else the x column's.
    const by = series >= 0 ? series : x;
    const totals = new Map();
    for (const r of rows) {
      const key = r[by] === null ? 'NULL' : text(r[by]);
      totals.set(key, (totals.get(key) || 0) + (value(r, ys[0]) || 0));
    }
    let keys = [...totals.keys()];
    if (keys.length > MAX_BARS) {
      keys = keys.sort((a, b) => totals.get(b) - totals.get(a)).slice(0, MAX_BARS);
      note = `the ${MAX_BARS} largest of ${fmtInt(totals.size)} totals`;
    }
    if (by === series || xKind === 'category') keys.sort();
    resultChart.options.time = false;
    resultChart.update([`sum(${cols[ys[0]].name}) by ${cols[by].name}`], [keys.map((k, i) => i), keys.map((k) => totals.get(k))],
      { bars: true, xLabels: keys });
  } else {
    const xOf = xKind === 'time' ? (r) => parseTime(r[x]) : xKind === 'number' ? (r) => Number(r[x]) : null;
    // A category x has no order of its own: its rows are drawn in result order.
    const xs = new Set();
    const lines = new Map();  // label -> Map(x -> y); a repeated x keeps its last value
    rows.forEach((r, n) => {
      const xv = xOf ? xOf(r) : n;
      if (r[x] === null || Number.isNaN(xv)) return;
      xs.add(xv);
      for (const i of ys) {
        const label = series >= 0 ? (r[series] === null ? 'NULL' : text(r[series])) : cols[i].name;
        if (!lines.has(label)) lines.set(label, new Map());
        lines.get(label).set(xv, value(r, i));
      }
    });
    let labels = [...lines.keys()];
    if (labels.length > MAX_SERIES) {
      labels = labels.sort((a, b) => lines.get(b).size - lines.get(a).size).slice(0, MAX_SERIES);
      note = `${MAX_SERIES} of ${fmtInt(lines.size)} series (those with most points)`;
    }
    if (series >= 0) labels.sort();
    const xsSorted = [...xs].sort((a, b) => a - b);
    const data = [xsSorted].concat(labels.map((l) => xsSorted.map((v) => (lines.get(l).has(v) ? lines.get(l).get(v) : null))));
    resultChart.options.time = xKind === 'time';
    resultChart.update(labels, data, { spanGaps: true, xLabels: xOf ? null : rows.map((r) => text(r[x])) });
  }
  $('#chart-note').textContent = note;
}

for (const id of ['#chart-x', '#chart-series', '#chart-y']) {
  $(id).addEventListener('change', () => {
    if (!result || !chartChoice) return;
    chartChoice.x = Number($('#chart-x').value);
    chartChoice.series = Number($('#chart-series').value);
    chartChoice.y = Number($('#chart-y').value);
    renderResultChart();
  });
}

async function loadHistory() {
  let h;
  try { h = await api('/api/history'); } catch (e) { $('#history').innerHTML = `<div class="error">${escapeHtml(e.message)}</div>`; return; }
  $('#history').innerHTML = h.queries.map((q, i) => `<div class="history-item" data-i="${i}">
    <span class="${escapeHtml(q.state)}">${escapeHtml(q.state)}</span> · ${fmtTime(q.started_ms)} · ${q.duration_ms} ms · ${fmtInt(q.rows)} row(s)
    ${q.csv ? `· <a href="${escapeHtml(q.csv)}" download>CSV</a>` : ''}<br><code>${escapeHtml(q.sql)}</code>
    ${q.error ? `<div class="FAILED">${escapeHtml(q.error.split('\n')[0])}</div>` : ''}</div>`).join('') || '<p class="note">No queries yet.</p>';
  for (const item of document.querySelectorAll('.history-item')) {
    item.addEventListener('click', (e) => {
      if (e.target.tagName === 'A') return;
      $('#sql-text').value = h.queries[Number(item.dataset.i)].sql;
    });
  }
}

$('#run-button').addEventListener('click', runQuery);
$('#sql-text').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runQuery(); } });
$('#prev-page').addEventListener('click', () => { page--; renderResult(); });
$('#next-page').addEventListener('click', () => { page++; renderResult(); });
$('#chart-kind').addEventListener('change', () => { if (result) renderResultChart(); });

pollLive();
