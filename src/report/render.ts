import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { LoadRunRow, ReportData } from './data.js';

/**
 * The report is one HTML file that opens anywhere, offline: Chart.js's UMD build is inlined
 * (read from node_modules when the report is built), the data is inlined as JSON, and a Content
 * Security Policy forbids the page any request at all, so nothing can quietly depend on the net.
 * The bank filter works in the page, on the inlined data.
 */
export interface RenderOptions {
  generatedAt: Date;
  /** the chart library's source, see chartLibrarySource() */
  chartJs: string;
}

/** Chart.js's browser build. Its package exports only the module builds, so it is found beside them. */
export function chartLibrarySource(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  const source = readFileSync(path.join(path.dirname(main), 'chart.umd.min.js'), 'utf8');
  // the map is not shipped in the page; the comment would only send devtools looking for it
  return source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

/** The charts about all currencies at once: counts and rates, never amounts. */
export const CHART_IDS = ['daily-volume', 'weekly-fraud', 'type-mix', 'fraud-by-pattern', 'lineage'] as const;
/** The charts of each currency's section: amounts only ever meet amounts of their own currency. */
export const CURRENCY_CHARTS = ['amount', 'balances', 'spend'] as const;

/** The canvas id of a currency's chart, e.g. balances-EUR. */
export function currencyChartId(chart: (typeof CURRENCY_CHARTS)[number], currency: string): string {
  return `${chart}-${currency.replace(/[^A-Za-z0-9]/g, '_')}`;
}

export function renderReport(data: ReportData, options: RenderOptions): string {
  const card = (id: string, title: string, note: string, empty: string, wide = false) => `
    <section class="card${wide ? ' wide' : ''}">
      <h2>${escapeHtml(title)}</h2>
      <p class="note">${escapeHtml(note)}</p>
      <div class="chart"><canvas id="${escapeHtml(id)}" role="img" aria-label="${escapeHtml(title)}"></canvas></div>
      <p class="empty" id="${escapeHtml(id)}-empty" hidden>${escapeHtml(empty)}</p>
    </section>`;
  const currencySections = data.currencies.map(
    (currency) => `
  <h2 class="section" id="currency-${escapeHtml(currency)}">${escapeHtml(currency)}</h2>
  ${card(currencyChartId('amount', currency), `Daily inflow and outflow, ${currency}`, `Credits and debits per UTC day, in ${currency} only.`, `No ${currency} transactions for this bank.`, true)}
  ${card(currencyChartId('balances', currency), `Balance trajectories, ${currency}`, `Closing balance per day of the busiest ${currency} accounts.`, `No ${currency} accounts for this bank.`, true)}
  ${card(currencyChartId('spend', currency), `Spend by merchant category, ${currency}`, 'Debits at merchants; cash withdrawals are not spend and are left out.', `No ${currency} card spend for this bank.`, true)}`,
  );
  const bankOptions = data.banks.map((b) => `<option value="${escapeHtml(b.bankId)}">${escapeHtml(b.bankName)}</option>`).join('');
  const { asOf } = data;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>hybridbank report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>hybridbank report</h1>
  <p id="as-of">Data as of <strong>${escapeHtml(asOf.dataAsOfDate ?? 'no data')}</strong>${
    asOf.builtAt ? ` (marts built ${escapeHtml(asOf.builtAt.replace('T', ' ').replace('Z', ' UTC'))})` : ''
  }; report generated ${escapeHtml(options.generatedAt.toISOString().replace('T', ' ').slice(0, 19))} UTC.
  Transactions are synthetic (labelled fraud included); banks and accounts come from the Open Bank Project.</p>
  ${asOf.staleness ? `<p class="stale" id="staleness" role="alert">${escapeHtml(asOf.staleness)}</p>` : ''}
  <label class="filter">Bank <select id="bank-filter"><option value="">All banks</option>${bankOptions}</select></label>
  <dl class="headline" id="headline"></dl>
</header>
<main>
  ${card('daily-volume', 'Daily volume', 'Transactions per UTC day.', 'No transactions for this bank.', true)}
  ${card('weekly-fraud', 'Fraud over time', 'Labelled fraud as a share of the week’s transactions (ISO weeks).', 'No labelled fraud for this bank.', true)}
  ${card('type-mix', 'Transaction type mix', 'Share of transactions by type (counts, not amounts).', 'No transactions for this bank.')}
  ${card('fraud-by-pattern', 'Fraud by pattern', 'Labelled fraud as a share of all transactions, by pattern.', 'No labelled fraud for this bank.')}
  ${currencySections.join('')}
  ${card('lineage', 'Lineage', 'Rows in the marts per data_source: REAL_API (live OBP), OBP_SNAPSHOT (recorded OBP), SYNTHETIC (generated). Log scale, all banks.', 'The marts are empty.')}
  <section class="card">
    <h2>Last load runs</h2>
    <p class="note">From marts.load_runs, newest first.</p>
    ${loadRunsTable(data.loadRuns)}
  </section>
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${scriptSafe(options.chartJs)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function loadRunsTable(runs: LoadRunRow[]): string {
  if (runs.length === 0) return '<p class="empty">No load has run yet.</p>';
  const cell = (value: string | number | null) => `<td>${value === null ? '–' : escapeHtml(String(value))}</td>`;
  const rows = runs.map(
    (r) => `<tr class="status-${escapeHtml(r.status)}">${cell(r.startedAt)}${cell(r.status)}${cell(r.obpSource)}${cell(r.seconds)}${cell(r.banks)}${cell(r.accounts)}${cell(
      r.transactions === null ? null : r.transactions.toLocaleString('en-US'),
    )}${cell(r.error === null ? null : r.error.split('\n')[0]!.slice(0, 160))}</tr>`,
  );
  return `<div class="scroll"><table id="load-runs">
      <thead><tr><th>Started</th><th>Status</th><th>OBP</th><th>Seconds</th><th>Banks</th><th>Accounts</th><th>Transactions</th><th>Error</th></tr></thead>
      <tbody>${rows.join('')}</tbody>
    </table></div>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot end its <script> element early, whatever strings the data holds. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function scriptSafe(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script');
}

const STYLE = `
  :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933; background: #f4f6f8; }
  * { box-sizing: border-box; }
  body { margin: 0; overflow-wrap: anywhere; }
  header { background: #102a43; color: #f0f4f8; padding: 20px 28px; }
  header h1 { margin: 0 0 6px; font-size: 24px; }
  header p { margin: 0; color: #bcccdc; font-size: 14px; }
  header strong { color: #f0f4f8; }
  .stale { margin-top: 10px; padding: 8px 10px; border-radius: 6px; background: #f0b429; color: #102a43; font-weight: 600; }
  .filter { display: inline-block; margin-top: 12px; font-size: 14px; }
  .filter select { margin-left: 6px; font-size: 14px; max-width: 100%; }
  .headline { display: flex; flex-wrap: wrap; gap: 12px 28px; margin: 16px 0 0; }
  .headline dt { font-size: 12px; text-transform: uppercase; color: #9fb3c8; }
  .headline dd { margin: 2px 0 0; font-size: 22px; font-weight: 600; }
  main { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; padding: 16px 28px 28px; }
  h2.section { grid-column: 1 / -1; margin: 12px 0 0; font-size: 18px; color: #334e68; border-bottom: 2px solid #bcccdc; }
  .card { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(16, 42, 67, .12); padding: 14px 18px; min-width: 0; }
  .card.wide { grid-column: 1 / -1; }
  .card h2 { margin: 0; font-size: 16px; }
  .note { margin: 4px 0 8px; font-size: 12px; color: #627d98; }
  .chart { position: relative; height: 260px; }
  .empty { margin: 8px 0; padding: 24px 12px; text-align: center; color: #627d98; background: #f0f4f8; border-radius: 6px; }
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e4e7eb; white-space: nowrap; overflow-wrap: normal; }
  .status-failed td { color: #ab091e; }
  .status-running td { color: #8d6e00; }
  @media (max-width: 900px) { main { grid-template-columns: minmax(0, 1fr); } }
  @media (max-width: 480px) {
    header { padding: 14px 12px; }
    header h1 { font-size: 20px; }
    main { padding: 10px 8px 16px; gap: 10px; }
    .card { padding: 10px; }
    .headline dd { font-size: 18px; }
    .chart { height: 220px; }
  }
`;

/**
 * Runs in the page: fills the headline and draws the charts for the selected bank from the
 * inlined data (every series carries its bankId); a chart without data gives way to its empty
 * state. Marks the body with the number of charts drawn.
 */
const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#2680c2', '#e12d39', '#3ebd93', '#f0b429', '#8662c7', '#f35627', '#0e7c86', '#9446ed', '#486581', '#c65d21'];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 11;
  var charts = [];
  function groupBy(rows, key) {
    var out = {};
    rows.forEach(function (r) { (out[r[key]] = out[r[key]] || []).push(r); });
    return out;
  }
  function sumBy(rows, key, value) {
    var out = {};
    rows.forEach(function (r) { out[r[key]] = (out[r[key]] || 0) + r[value]; });
    return out;
  }
  function sortedKeys(object) { return Object.keys(object).sort(); }
  function lines(grouped, x, y) {
    return Object.keys(grouped).map(function (name, i) {
      return { label: name, data: grouped[name].map(function (r) { return { x: r[x], y: r[y] }; }),
               borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], pointRadius: 0, borderWidth: 1.5 };
    });
  }
  function fmt(n) { return n.toLocaleString('en-US'); }
  function draw(id, hasData, config) {
    var canvas = document.getElementById(id);
    canvas.parentNode.hidden = !hasData;
    document.getElementById(id + '-empty').hidden = hasData;
    if (hasData) charts.push(new Chart(canvas, config));
  }
  function render(bank) {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    var mine = function (rows) { return bank ? rows.filter(function (r) { return r.bankId === bank; }) : rows; };
    var banks = mine(data.banks);
    var transactions = banks.reduce(function (n, b) { return n + b.transactions; }, 0);
    var fraud = banks.reduce(function (n, b) { return n + b.fraud; }, 0);
    var first = banks.map(function (b) { return b.firstDay; }).filter(Boolean).sort()[0];
    var last = banks.map(function (b) { return b.lastDay; }).filter(Boolean).sort().pop();
    var stats = [['Banks', fmt(banks.length)], ['Accounts', fmt(banks.reduce(function (n, b) { return n + b.accounts; }, 0))],
                 ['Transactions', fmt(transactions)], ['Fraud rate', transactions ? (fraud / transactions * 100).toFixed(2) + ' %' : '–'],
                 ['Days', first && last ? first + ' – ' + last : 'none']];
    var headline = document.getElementById('headline');
    headline.textContent = '';
    stats.forEach(function (s) {
      var div = document.createElement('div'), dt = document.createElement('dt'), dd = document.createElement('dd');
      dt.textContent = s[0]; dd.textContent = s[1];
      div.appendChild(dt); div.appendChild(dd); headline.appendChild(div);
    });

    var daily = sumBy(mine(data.daily), 'day', 'transactions');
    var days = sortedKeys(daily);
    draw('daily-volume', days.length > 0, { type: 'bar', data: { labels: days, datasets: [{ label: 'transactions', data: days.map(function (d) { return daily[d]; }), backgroundColor: palette[0] }] },
      options: { plugins: { legend: { display: false } } } });

    var weeks = mine(data.weeklyFraud), weekFraud = sumBy(weeks, 'week', 'fraud'), weekAll = sumBy(weeks, 'week', 'transactions');
    var weekKeys = sortedKeys(weekAll);
    draw('weekly-fraud', fraud > 0, { type: 'line', data: { labels: weekKeys, datasets: [{ label: '% fraud', data: weekKeys.map(function (w) { return (weekFraud[w] || 0) / weekAll[w] * 100; }),
      borderColor: palette[1], backgroundColor: palette[1], pointRadius: 2, borderWidth: 1.5 }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, title: { display: true, text: '% of the week’s transactions' } } } } });

    var mix = sumBy(mine(data.typeMix).map(function (r) { return { key: r.type + ' (' + r.direction + ')', n: r.transactions }; }), 'key', 'n');
    var mixKeys = Object.keys(mix).sort(function (a, b) { return mix[b] - mix[a]; });
    draw('type-mix', mixKeys.length > 0, { type: 'doughnut', data: { labels: mixKeys, datasets: [{ data: mixKeys.map(function (k) { return mix[k]; }), backgroundColor: palette }] },
      options: { plugins: { legend: { position: window.innerWidth < 600 ? 'bottom' : 'right' } } } });

    var patterns = sumBy(mine(data.fraudByPattern), 'pattern', 'transactions');
    var patternKeys = Object.keys(patterns).sort(function (a, b) { return patterns[b] - patterns[a]; });
    draw('fraud-by-pattern', patternKeys.length > 0, { type: 'bar', data: { labels: patternKeys,
      datasets: [{ label: '% of all transactions', data: patternKeys.map(function (p) { return patterns[p] / transactions * 100; }), backgroundColor: palette[1] }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: '% of all transactions' } } } } });

    data.currencies.forEach(function (currency) {
      var suffix = '-' + currency.replace(/[^A-Za-z0-9]/g, '_');
      var ofCurrency = function (rows) { return mine(rows).filter(function (r) { return r.currency === currency; }); };
      var amounts = ofCurrency(data.dailyAmount), inflow = sumBy(amounts, 'day', 'inflow'), outflow = sumBy(amounts, 'day', 'outflow');
      var amountDays = sortedKeys(inflow);
      draw('amount' + suffix, amountDays.length > 0, { type: 'line', data: { labels: amountDays, datasets: [
        { label: 'inflow (' + currency + ')', data: amountDays.map(function (d) { return inflow[d]; }), borderColor: palette[2], backgroundColor: palette[2], pointRadius: 0, borderWidth: 1.5 },
        { label: 'outflow (' + currency + ')', data: amountDays.map(function (d) { return outflow[d]; }), borderColor: palette[1], backgroundColor: palette[1], pointRadius: 0, borderWidth: 1.5 }] } });
      var balances = ofCurrency(data.balances);
      draw('balances' + suffix, balances.length > 0, { type: 'line', data: { datasets: lines(groupBy(balances, 'account'), 'day', 'balance') },
        options: { plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } }, scales: { x: { type: 'category', labels: Array.from(new Set(balances.map(function (r) { return r.day; }))).sort() }, y: { title: { display: true, text: currency } } } } });
      var spend = sumBy(ofCurrency(data.spendByCategory), 'category', 'spend');
      var categories = Object.keys(spend).sort(function (a, b) { return spend[b] - spend[a]; });
      draw('spend' + suffix, categories.length > 0, { type: 'bar', data: { labels: categories,
        datasets: [{ label: currency, data: categories.map(function (c) { return spend[c]; }), backgroundColor: palette[4] }] },
        options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: currency } } } } });
    });

    var lineage = groupBy(data.lineage, 'dataSource');
    draw('lineage', data.lineage.length > 0, { type: 'bar', data: { labels: Array.from(new Set(data.lineage.map(function (r) { return r.entity; }))),
      datasets: Object.keys(lineage).map(function (source, i) {
        return { label: source, backgroundColor: palette[(i + 2) % palette.length], data: lineage[source].map(function (r) { return { x: r.entity, y: r.rows }; }) };
      }) },
      // one data_source per entity is the rule: keep its bar centred, not beside an empty slot
      options: { skipNull: true, scales: { y: { type: 'logarithmic' } } } });

    document.body.setAttribute('data-bank', bank);
    document.body.setAttribute('data-charts-drawn', String(charts.length));
  }
  document.getElementById('bank-filter').addEventListener('change', function (event) { render(event.target.value); });
  render('');
})();
`;
