import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ReportData } from '../src/report/data.js';
import { chartLibrarySource, CHART_IDS, CURRENCY_CHARTS, currencyChartId, renderReport } from '../src/report/render.js';
import { chromiumLaunch } from './helpers/browser.js';
import { PROJECT_ROOT, runCli } from './helpers/cli.js';
import type { TestDatabase } from './helpers/database.js';
import { createTestReader } from './helpers/reader.js';
import { createTransformedWarehouse } from './helpers/transformed-warehouse.js';

/**
 * The report as a person sees it: written by the real CLI with a reader's credentials from a
 * loaded and transformed warehouse, opened from disk in a headless Chromium (the system's, else one from npm) with every
 * network request refused, and looked at — on a desktop and on a 420 px phone.
 */
const SCREENSHOT = path.join(PROJECT_ROOT, 'test-artifacts', 'report.png');
const PHONE_SCREENSHOT = path.join(PROJECT_ROOT, 'test-artifacts', 'report-420px.png');

/** The one place the browser is started. */
async function launchBrowser(): Promise<Browser> {
  const launch = await chromiumLaunch();
  return chromium.launch({ executablePath: launch.executablePath, args: launch.args });
}

type ChartSummary = { id: string; labels: string[]; datasets: { label: string; points: number }[] };

describe('npm run report', () => {
  let db: TestDatabase;
  let readerUrl: string;
  let dropReader: (() => Promise<void>) | undefined;
  let dir: string;
  let browser: Browser;
  let page: Page;
  let data: ReportData;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  /** Opens a report file in a new page that may request nothing but the file itself. */
  async function open(file: string, width = 1280): Promise<Page> {
    const opened = await browser.newPage({ viewport: { width, height: 900 } });
    opened.on('pageerror', (error) => pageErrors.push(error.message));
    await opened.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await opened.goto(pathToFileURL(file).href);
    await opened.waitForSelector('body[data-charts-drawn]', { timeout: 15_000 });
    return opened;
  }

  async function report(out: string): Promise<string> {
    const result = await runCli(['report', '--out', out], { env: { DATABASE_URL: readerUrl } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Report written to .*\.html/);
    return readFileSync(out, 'utf8');
  }

  const charts = (p: Page) =>
    p.evaluate(() => {
      const instances = (window as unknown as { Chart: { instances: Record<string, { canvas: HTMLCanvasElement; data: { labels?: unknown[]; datasets: { label?: string; data: unknown[] }[] } }> } }).Chart.instances;
      return Object.values(instances).map((c) => ({
        id: c.canvas.id,
        labels: (c.data.labels ?? []).map(String),
        datasets: c.data.datasets.map((d) => ({ label: String(d.label ?? ''), points: d.data.length })),
      }));
    }) as Promise<ChartSummary[]>;

  before(async () => {
    db = await createTransformedWarehouse();
    const reader = await createTestReader(db, 'hbtest_report');
    readerUrl = reader.url;
    dropReader = reader.drop;
    dir = mkdtempSync(path.join(tmpdir(), 'hbtest-report-'));
    const html = await report(path.join(dir, 'report.html'));
    data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!) as ReportData;
    browser = await launchBrowser();
    page = await open(path.join(dir, 'report.html'));
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await dropReader?.();
    await db?.drop();
  });

  it('is one file that needs no network', () => {
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\/[^"'\s]*\.(js|css)\b/i, 'no external script or style');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.deepEqual(requests, [], 'the page asked for nothing outside the file');
    assert.deepEqual(pageErrors, [], 'the page ran without errors');
  });

  it('says what day the data is as of, and nothing about staleness when the marts are fresh', async () => {
    const asOf = await page.locator('#as-of').textContent();
    const { rows } = await db.warehouse.pool.query(`SELECT max(transaction_date AT TIME ZONE 'UTC')::date::text AS day FROM raw.transactions`);
    assert.match(asOf!, new RegExp(`Data as of ${rows[0].day}`));
    assert.equal(await page.locator('#staleness').count(), 0);
  });

  it('draws every chart, with one section per currency', async () => {
    assert.ok(data.currencies.length >= 1, `currencies: ${data.currencies}`);
    const ids = [...CHART_IDS, ...data.currencies.flatMap((c) => CURRENCY_CHARTS.map((chart) => currencyChartId(chart, c)))];
    for (const id of ids) {
      const inked = await page.evaluate((canvasId) => {
        const canvas = document.getElementById(canvasId) as HTMLCanvasElement | null;
        if (!canvas || canvas.width === 0 || canvas.height === 0) return -1;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
        return painted / (canvas.width * canvas.height);
      }, id);
      // axes and labels alone ink about 1-2 %; bars, lines and slices bring more
      assert.ok(inked > 0.03, `chart ${id} has marks (${(inked * 100).toFixed(1)} % of its pixels painted)`);
    }
    assert.equal(await page.getAttribute('body', 'data-charts-drawn'), String(ids.length));
  });

  it('never puts two currencies on one axis', async () => {
    const accountCurrency = new Map(data.balances.map((b) => [b.account, b.currency]));
    for (const chart of await charts(page)) {
      const currency = data.currencies.find((c) => CURRENCY_CHARTS.some((kind) => chart.id === currencyChartId(kind, c)));
      if (chart.id.startsWith('balances-')) {
        for (const d of chart.datasets) assert.equal(accountCurrency.get(d.label), currency, `${d.label} drawn in the ${currency} chart`);
      }
      if (chart.id.startsWith('amount-')) for (const d of chart.datasets) assert.match(d.label, new RegExp(`\\(${currency}\\)$`));
    }
    const spend = data.spendByCategory.map((s) => s.category);
    assert.ok(spend.length > 0 && !spend.some((c) => /cash/i.test(c)), `spend leaves cash withdrawals out: ${[...new Set(spend)]}`);
  });

  it('filters by bank in the page, without asking the network', async () => {
    assert.ok(data.banks.length >= 2, 'the snapshot has several banks');
    const all = await page.locator('#headline').textContent();
    const bank = data.banks.find((b) => b.transactions > 0)!;
    await page.selectOption('#bank-filter', bank.bankId);
    await page.waitForSelector(`body[data-bank="${bank.bankId}"]`);
    const filtered = await page.locator('#headline').textContent();
    assert.notEqual(filtered, all);
    assert.match(filtered!, new RegExp(`Transactions${bank.transactions.toLocaleString('en-US')}`));
    const volume = (await charts(page)).find((c) => c.id === 'daily-volume')!;
    const expected = data.daily.filter((r) => r.bankId === bank.bankId).length;
    assert.equal(volume.datasets[0]!.points, expected, 'daily volume shows only that bank');
    await page.selectOption('#bank-filter', '');
    await page.waitForSelector('body[data-bank=""]');
    assert.equal(await page.locator('#headline').textContent(), all);
    assert.deepEqual(requests, []);
    assert.deepEqual(pageErrors, []);
  });

  it('charts fraud over time and by pattern, or says there is none', async () => {
    const fraud = (await charts(page)).find((c) => c.id === 'weekly-fraud')!;
    assert.ok(fraud.datasets[0]!.points >= 2, 'a fraud rate per week');
    const noFraud: ReportData = {
      ...data,
      banks: data.banks.map((b) => ({ ...b, fraud: 0 })),
      weeklyFraud: data.weeklyFraud.map((w) => ({ ...w, fraud: 0 })),
      fraudByPattern: [],
    };
    const file = path.join(dir, 'no-fraud.html');
    writeFileSync(file, renderReport(noFraud, { generatedAt: new Date(), chartJs: chartLibrarySource() }));
    const empty = await open(file);
    for (const id of ['weekly-fraud', 'fraud-by-pattern']) {
      assert.equal(await empty.locator(`#${id}-empty`).isVisible(), true, `${id} says there is no fraud`);
      assert.equal(await empty.locator(`#${id}`).isVisible(), false, `${id} draws no empty chart`);
    }
    await empty.close();
  });

  it('lists the last load runs', async () => {
    const statuses = await page.locator('#load-runs tbody tr td:nth-child(2)').allTextContents();
    assert.ok(statuses.length >= 1);
    assert.equal(statuses[0], 'succeeded', 'the load that filled this warehouse');
  });

  it('saves screenshots to test-artifacts/ for a person to look at', async () => {
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    const png = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(png.length > 20_000, 'a screenshot with content');
  });

  it('fits a 420 px phone screen', async () => {
    const phone = await open(path.join(dir, 'report.html'), 420);
    const widths = await phone.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    assert.ok(widths.page <= widths.viewport, `no sideways scrolling (${widths.page} px of ${widths.viewport})`);
    await phone.screenshot({ path: PHONE_SCREENSHOT, fullPage: true });
    await phone.close();
  });

  it('warns when a load succeeded after the marts were built', async () => {
    const loaded = await runCli(['load', '--transactions-per-account', '20', '--seed', '8'], { env: { DATABASE_URL: db.url, LOG_LEVEL: 'warn' } });
    assert.equal(loaded.code, 0, loaded.stderr);
    await report(path.join(dir, 'stale.html'));
    const stale = await open(path.join(dir, 'stale.html'));
    assert.match((await stale.locator('#staleness').textContent())!, /older than the last successful load.*npm run transform/);
    await stale.close();
  });
});
