import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumLaunch } from './helpers/browser.js';

/** The report test needs a browser on any machine npm can install to; this is where it comes from. */
describe('the browser for tests that look at pages', () => {
  it('is the one from npm (@sparticuz/chromium) when the system has none, and it draws on a canvas', async () => {
    const launch = await chromiumLaunch(''); // an empty PATH: no system browser to find
    assert.equal(launch.source, 'npm');
    const browser = await chromium.launch({ executablePath: launch.executablePath, args: launch.args });
    try {
      const page = await browser.newPage();
      await page.setContent('<canvas id="c" width="10" height="10"></canvas>');
      const drawn = await page.evaluate(() => {
        const context = (document.getElementById('c') as HTMLCanvasElement).getContext('2d')!;
        context.fillStyle = '#ff0000';
        context.fillRect(0, 0, 10, 10);
        return Array.from(context.getImageData(5, 5, 1, 1).data);
      });
      assert.deepEqual(drawn, [255, 0, 0, 255]);
    } finally {
      await browser.close();
    }
  });

  it('is the system one when PATH has one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hbtest-path-'));
    try {
      symlinkSync(process.execPath, path.join(dir, 'chromium'));
      const launch = await chromiumLaunch(dir);
      assert.deepEqual([launch.source, launch.executablePath], ['system', path.join(dir, 'chromium')]);
      assert.ok(launch.args.includes('--no-sandbox'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
