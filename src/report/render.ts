import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { LoadRunRow, ReportData } from './data.js';

/**
 * The report is one HTML file that opens anywhere, offline: Chart.js's UMD build is inlined
 * (read from node_modules when the report is built), the data is inlined as JSON, and a Content
 * Security Policy forbids the page any request at all, so nothing can quietly depend on the net.
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

/** The id of each chart's canvas; the page script draws exactly these. */
export const CHART_IDS = ['daily-volume', 'daily-amount', 'type-mix', 'balances', 'fraud-by-pattern', 'lineage'] as const;

export function renderReport(data: ReportData, options: RenderOptions): string {
  const { headline } = data;
  const card = (id: (typeof CHART_IDS)[number], title: string, note: string, wide = false) => `
    <section class="card${wide ? ' wide' : ''}">
      <h2>${escapeHtml(title)}</h2>
      <p class="note">${escapeHtml(note)}</p>
      <div class="chart"><canvas id="${id}" role="img" aria-label="${escapeHtml(title)}"></canvas></div>
    </section>`;
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
  <p>Generated ${escapeHtml(options.generatedAt.toISOString().replace('T', ' ').slice(0, 19))} UTC from the marts.
  Transactions are synthetic (labelled fraud included); banks and accounts come from the Open Bank Project.</p>
  <dl class="headline">
    ${stat('Banks', fmtInt(headline.banks))}
    ${stat('Accounts', fmtInt(headline.accounts))}
    ${stat('Transactions', fmtInt(headline.transactions))}
    ${stat('Fraud rate', `${(headline.fraudRate * 100).toFixed(2)} %`)}
    ${stat('Days', headline.firstDay && headline.lastDay ? `${headline.firstDay} – ${headline.lastDay}` : 'none')}
  </dl>
</header>
<main>
  ${card('daily-volume', 'Daily volume', 'Transactions per UTC day.', true)}
  ${card('daily-amount', 'Daily amount', 'Money moved per day (credits plus debits), one line per currency: currencies are never added.', true)}
  ${card('type-mix', 'Transaction type mix', 'Share of all transactions by type (queries/transaction_type_mix.sql).')}
  ${card('fraud-by-pattern', 'Fraud by pattern', 'Labelled fraud as a share of all transactions (queries/fraud_rate_by_pattern.sql).')}
  ${card('balances', 'Balance trajectories', 'Closing balance per day of the busiest accounts, in their own currency.', true)}
  ${card('lineage', 'Lineage', 'Rows in the marts per data_source: REAL_API (live OBP), OBP_SNAPSHOT (recorded OBP), SYNTHETIC (generated). Log scale.')}
  <section class="card">
    <h2>Last load runs</h2>
    <p class="note">From raw.load_runs, newest first.</p>
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

function stat(label: string, value: string): string {
  return `<div><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd></div>`;
}

function loadRunsTable(runs: LoadRunRow[]): string {
  if (runs.length === 0) return '<p>No load has run yet.</p>';
  const cell = (value: string | number | null) => `<td>${value === null ? '–' : escapeHtml(String(value))}</td>`;
  const rows = runs.map(
    (r) => `<tr class="status-${escapeHtml(r.status)}">${cell(r.startedAt)}${cell(r.status)}${cell(r.obpSource)}${cell(r.seconds)}${cell(r.banks)}${cell(r.accounts)}${cell(
      r.transactions === null ? null : fmtInt(r.transactions),
    )}${cell(r.error === null ? null : r.error.split('\n')[0]!.slice(0, 160))}</tr>`,
  );
  return `<table id="load-runs">
      <thead><tr><th>Started</th><th>Status</th><th>OBP</th><th>Seconds</th><th>Banks</th><th>Accounts</th><th>Transactions</th><th>Error</th></tr></thead>
      <tbody>${rows.join('')}</tbody>
    </table>`;
}

const fmtInt = (n: number) => n.toLocaleString('en-US');

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
  body { margin: 0; }
  header { background: #102a43; color: #f0f4f8; padding: 20px 28px; }
  header h1 { margin: 0 0 6px; font-size: 24px; }
  header p { margin: 0; color: #bcccdc; font-size: 14px; }
  .headline { display: flex; flex-wrap: wrap; gap: 28px; margin: 16px 0 0; }
  .headline dt { font-size: 12px; text-transform: uppercase; color: #9fb3c8; }
  .headline dd { margin: 2px 0 0; font-size: 22px; font-weight: 600; }
  main { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; padding: 16px 28px 28px; }
  .card { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(16, 42, 67, .12); padding: 14px 18px; }
  .card.wide { grid-column: 1 / -1; }
  .card h2 { margin: 0; font-size: 16px; }
  .note { margin: 4px 0 8px; font-size: 12px; color: #627d98; }
  .chart { position: relative; height: 260px; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e4e7eb; }
  .status-failed td { color: #ab091e; }
  .status-running td { color: #8d6e00; }
  @media (max-width: 900px) { main { grid-template-columns: 1fr; } }
`;

/** Runs in the page: draws the charts from the inlined data, then marks the body as done. */
const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#2680c2', '#e12d39', '#3ebd93', '#f0b429', '#8662c7', '#f35627', '#0e7c86', '#9446ed', '#486581', '#c65d21'];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 11;
  function groupBy(rows, key) {
    var out = {};
    rows.forEach(function (r) { (out[r[key]] = out[r[key]] || []).push(r); });
    return out;
  }
  function lines(grouped, x, y) {
    return Object.keys(grouped).map(function (name, i) {
      return { label: name, data: grouped[name].map(function (r) { return { x: r[x], y: r[y] }; }),
               borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], pointRadius: 0, borderWidth: 1.5 };
    });
  }
  var days = data.daily.map(function (r) { return r.day; });
  var charts = [
    ['daily-volume', { type: 'bar', data: { labels: days, datasets: [{ label: 'transactions', data: data.daily.map(function (r) { return r.transactions; }), backgroundColor: palette[0] }] },
                       options: { plugins: { legend: { display: false } } } }],
    ['daily-amount', { type: 'line', data: { labels: days, datasets: lines(groupBy(data.dailyAmount, 'currency'), 'day', 'amount') },
                       options: { scales: { x: { type: 'category' } } } }],
    ['type-mix', { type: 'doughnut', data: { labels: data.typeMix.map(function (r) { return r.type + ' (' + r.direction + ')'; }),
                   datasets: [{ data: data.typeMix.map(function (r) { return r.transactions; }), backgroundColor: palette }] },
                   options: { plugins: { legend: { position: 'right' } } } }],
    ['fraud-by-pattern', { type: 'bar', data: { labels: data.fraudByPattern.map(function (r) { return r.pattern; }),
                           datasets: [{ label: '% of all transactions', data: data.fraudByPattern.map(function (r) { return r.rate * 100; }), backgroundColor: palette[1] }] },
                           options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: '% of all transactions' } } } } }],
    ['balances', { type: 'line', data: { datasets: lines(groupBy(data.balances, 'account'), 'day', 'balance') },
                   options: { scales: { x: { type: 'category', labels: Array.from(new Set(data.balances.map(function (r) { return r.day; }))).sort() } } } }],
    ['lineage', { type: 'bar', data: { labels: Array.from(new Set(data.lineage.map(function (r) { return r.entity; }))),
                  datasets: Object.keys(groupBy(data.lineage, 'dataSource')).map(function (source, i) {
                    var rows = groupBy(data.lineage, 'dataSource')[source];
                    return { label: source, backgroundColor: palette[(i + 2) % palette.length],
                             data: rows.map(function (r) { return { x: r.entity, y: r.rows }; }) };
                  }) },
                  // one data_source per entity is the rule: keep its bar centred, not beside an empty slot
                  options: { skipNull: true, scales: { y: { type: 'logarithmic' } } } }]
  ];
  charts.forEach(function (c) { new Chart(document.getElementById(c[0]), c[1]); });
  document.body.setAttribute('data-charts-drawn', String(charts.length));
})();
`;
