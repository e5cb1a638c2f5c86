import { systemChromium } from '../../src/core/browser.js';

/**
 * A headless Chromium for tests that look at a page: the system's when one is installed, else the
 * one the `@sparticuz/chromium` dev dependency ships (unpacked to the temp directory on first use,
 * ~10 s), so `npm test` needs nothing beyond npm on a fresh machine.
 */
export interface BrowserLaunch {
  executablePath: string;
  args: string[];
  /** where the browser came from, for test output */
  source: 'system' | 'npm';
}

/** Root in a container has no user namespace for Chromium's sandbox; the tests load only local files. */
const SYSTEM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function chromiumLaunch(pathVariable = process.env.PATH ?? ''): Promise<BrowserLaunch> {
  const system = systemChromium(pathVariable);
  if (system) return { executablePath: system, args: SYSTEM_ARGS, source: 'system' };
  const { default: Chromium } = await import('@sparticuz/chromium');
  // its args are made for AWS Lambda: --single-process takes the whole browser down when a page
  // closes, and the tests open and close pages
  const args = Chromium.args.filter((arg) => arg !== '--single-process');
  return { executablePath: await Chromium.executablePath(), args, source: 'npm' };
}
