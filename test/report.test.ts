import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHART_IDS } from '../src/report/render.js';
import { chromiumLaunch } from './helpers/browser.js';
import { PROJECT_ROOT, runCli } from './helpers/cli.js';
import type { TestDatabase } from './helpers/database.js';
import { createTransformedWarehouse } from './helpers/transformed-warehouse.js';

/**
 * The report as a person sees it: written by the real CLI from a loaded and transformed warehouse,
 * opened from disk in a headless Chromium (the system's, else one from npm) with every network request refused, and looked at.
 */
const SCREENSHOT = path.join(PROJECT_ROOT, 'test-artifacts', 'report.png');

describe('npm run report', () => {
  let db: TestDatabase;
  let dir: string;
  let reportPath: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    db = await createTransformedWarehouse();
    dir = mkdtempSync(path.join(tmpdir(), 'hbtest-report-'));
    reportPath = path.join(dir, 'report.html');
    const result = await runCli(['report', '--out', reportPath], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Report written to .*report\.html/);

    const launch = await chromiumLaunch();
    browser = await chromium.launch({ executablePath: launch.executablePath, args: launch.args });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(reportPath).href);
    await page.waitForSelector(`body[data-charts-drawn="${CHART_IDS.length}"]`, { timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('is one file that needs no network', () => {
    const html = readFileSync(reportPath, 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\/[^"'\s]*\.(js|css)\b/i, 'no external script or style');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.deepEqual(requests, [], 'the page asked for nothing outside the file');
    assert.deepEqual(pageErrors, [], 'the page ran without errors');
  });

  it('draws every chart', async () => {
    for (const id of CHART_IDS) {
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
  });

  it('charts the data of the marts', async () => {
    const counts = await page.evaluate(() => {
      const charts = (window as unknown as { Chart: { instances: Record<string, { canvas: HTMLCanvasElement; data: { datasets: { data: unknown[] }[] } }> } }).Chart.instances;
      return Object.values(charts).map((c) => ({ id: c.canvas.id, datasets: c.data.datasets.length, points: c.data.datasets.reduce((n, d) => n + d.data.length, 0) }));
    });
    assert.deepEqual(counts.map((c) => c.id).sort(), [...CHART_IDS].sort());
    for (const c of counts) assert.ok(c.datasets >= 1 && c.points >= 1, `${c.id} has data: ${JSON.stringify(c)}`);
    const balances = counts.find((c) => c.id === 'balances')!;
    assert.ok(balances.datasets >= 2 && balances.datasets <= 5, `a few accounts' balances (${balances.datasets})`);
    const lineage = await page.evaluate(() =>
      (window as unknown as { Chart: { getChart(id: string): { data: { datasets: { label: string }[] } } } }).Chart.getChart('lineage')!.data.datasets.map((d) => d.label).sort(),
    );
    assert.ok(lineage.includes('SYNTHETIC'), `lineage shows the synthetic transactions: ${lineage}`);
    assert.ok(lineage.some((l) => l === 'OBP_SNAPSHOT' || l === 'REAL_API'), `and the OBP banks and accounts: ${lineage}`);
  });

  it('lists the last load runs', async () => {
    const statuses = await page.locator('#load-runs tbody tr td:nth-child(2)').allTextContents();
    assert.ok(statuses.length >= 1);
    assert.equal(statuses[0], 'succeeded', 'the load that filled this warehouse');
  });

  it('saves a screenshot to test-artifacts/report.png for a person to look at', async () => {
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    const png = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(png.length > 20_000, 'a screenshot with content');
  });
});
