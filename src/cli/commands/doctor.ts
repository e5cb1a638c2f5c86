import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import type { Config } from '../../config/config.js';
import { systemChromium } from '../../core/browser.js';
import { messageOf } from '../../core/errors.js';
import { redactText } from '../../log/redact.js';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['databaseUrl', 'warehousePort', 'obpSource', 'snapshot', 'obpBaseUrl', 'obpTimeoutMs'] as const;

/** ok: fine; warn: works, but worth knowing; fail: something a command will trip on. */
export type Verdict = 'ok' | 'warn' | 'fail';
export interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
  /** what to do about it */
  fix?: string;
}

const MARK: Record<Verdict, string> = { ok: '✓', warn: '!', fail: '✗' };

export function registerDoctor(program: Command): void {
  addSettingOptions(
    program.command('doctor').description('check Node, Python and the dbt venv, the browser for tests, the warehouse and its port, and the OBP settings; say what to fix'),
    KEYS,
  ).action(
    action(KEYS, async ({ config }) => {
      const checks = await Promise.all([node(), python(), dbtVenv(config), browser(), warehouse(config), obp(config)]);
      process.stdout.write(renderChecks(checks.flat()));
      return checks.flat().some((c) => c.verdict === 'fail') ? 1 : 0;
    }),
  );
}

export function renderChecks(checks: readonly Check[]): string {
  const lines = checks.map((c) => `${MARK[c.verdict]} ${c.name}: ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ''}`);
  const failed = checks.filter((c) => c.verdict === 'fail').length;
  lines.push('', failed ? `${failed} problem(s) to fix.` : 'All set: `npm run load`, then `npm run transform`.');
  return `${lines.join('\n')}\n`;
}

function node(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? { name: 'Node', verdict: 'ok', detail: `v${process.versions.node}` }
    : { name: 'Node', verdict: 'fail', detail: `v${process.versions.node} is too old`, fix: 'install Node 20 or later' };
}

async function python(): Promise<Check> {
  try {
    const { stdout } = await promisify(execFile)('python3', ['-c', 'import sys, venv, ensurepip; print(sys.version.split()[0])'], { timeout: 10_000 });
    const [major, minor] = stdout.trim().split('.').map(Number);
    if (major === 3 && (minor ?? 0) >= 9) return { name: 'Python for dbt', verdict: 'ok', detail: `python3 ${stdout.trim()} with venv` };
    return { name: 'Python for dbt', verdict: 'fail', detail: `python3 ${stdout.trim()} is too old for dbt`, fix: 'install Python 3.9 or later' };
  } catch (error) {
    return {
      name: 'Python for dbt',
      verdict: 'fail',
      detail: `python3 with venv and ensurepip not usable (${oneLine(messageOf(error))})`,
      fix: 'install Python 3 with venv (Debian/Ubuntu: apt install python3 python3-venv); needed by `npm run transform` only',
    };
  }
}

async function dbtVenv(config: Config): Promise<Check> {
  const { dbtVenvOf } = await import('../../transform/venv.js');
  const venv = dbtVenvOf(config.projectRoot);
  return existsSync(venv.dbt)
    ? { name: 'dbt', verdict: 'ok', detail: `installed in ${venv.dir}` }
    : { name: 'dbt', verdict: 'warn', detail: `not installed yet; the first \`npm run transform\` installs it into ${venv.dir} from PyPI (about a minute)` };
}

function browser(): Check {
  const system = systemChromium();
  if (system) return { name: 'Browser for the report test', verdict: 'ok', detail: `system Chromium ${system}` };
  try {
    createRequire(import.meta.url).resolve('@sparticuz/chromium');
    return { name: 'Browser for the report test', verdict: 'ok', detail: 'Chromium from npm (@sparticuz/chromium), unpacked on first use' };
  } catch {
    return {
      name: 'Browser for the report test',
      verdict: 'warn',
      detail: 'none (only `npm test` needs one; reports open in any browser)',
      fix: 'npm install (dev dependencies include one)',
    };
  }
}

async function warehouse(config: Config): Promise<Check[]> {
  if (config.warehouse.url) {
    const url = redactText(config.warehouse.url);
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: config.warehouse.url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ version: string; loaded: boolean }>(
        `SELECT current_setting('server_version') AS version, to_regclass('raw.load_runs') IS NOT NULL AS loaded`,
      );
      return [
        {
          name: 'Warehouse (DATABASE_URL)',
          verdict: 'ok',
          detail: `${url}: PostgreSQL ${rows[0]?.version}, ${rows[0]?.loaded ? 'schema raw present' : 'empty (the first load creates the schema)'}`,
        },
      ];
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '3D000') return [{ name: 'Warehouse (DATABASE_URL)', verdict: 'ok', detail: `${url}: server up, database not created yet (the first load creates it)` }];
      return [{ name: 'Warehouse (DATABASE_URL)', verdict: 'fail', detail: `${url}: ${oneLine(redactText(messageOf(error) || String(code)))}`, fix: 'start PostgreSQL or fix DATABASE_URL; or unset it to use the embedded warehouse' }];
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const { embeddedStatus, isPortFree } = await import('../../warehouse/embedded.js');
  const status = embeddedStatus(config.warehouse.dir);
  if (status.running && status.state) {
    return [{ name: 'Embedded warehouse', verdict: 'ok', detail: `running on port ${status.state.port} (${config.warehouse.dir})${status.state.detached ? ', detached' : ''}` }];
  }
  const free = await isPortFree(config.warehouse.port);
  return [
    {
      name: 'Embedded warehouse',
      verdict: 'ok',
      detail: `not running; starts on demand in ${config.warehouse.dir}${process.getuid?.() === 0 ? ' (as root: runs as the account hybridbank, data under /var/lib/hybridbank)' : ''}`,
    },
    free
      ? { name: 'Warehouse port', verdict: 'ok', detail: `${config.warehouse.port} is free` }
      : {
          name: 'Warehouse port',
          verdict: 'fail',
          detail: `${config.warehouse.port} is used by another program`,
          fix: `choose another port, e.g. WAREHOUSE_PORT=${config.warehouse.port + 1}, or set DATABASE_URL`,
        },
  ];
}

async function obp(config: Config): Promise<Check> {
  const live = config.obp.source === 'live' || (config.obp.source === 'auto' && config.obp.credentials !== undefined);
  if (!live) {
    const { BUNDLED_SNAPSHOT, readSnapshot } = await import('../../obp/snapshot.js');
    const file = config.obp.snapshotPath ?? BUNDLED_SNAPSHOT;
    try {
      readSnapshot(file);
      return { name: 'OBP source', verdict: 'ok', detail: `snapshot ${file} (replayed offline${config.obp.source === 'auto' ? '; no OBP credentials set' : ''})` };
    } catch (error) {
      return { name: 'OBP source', verdict: 'fail', detail: `snapshot ${file}: ${oneLine(messageOf(error))}`, fix: 'point OBP_SNAPSHOT at a snapshot written by `hybridbank obp-record`, or unset it' };
    }
  }
  const root = `${config.obp.baseUrl}/obp/${config.obp.apiVersion}/root`;
  try {
    const response = await fetch(root, { signal: AbortSignal.timeout(Math.min(config.obp.timeoutMs, 10_000)) });
    return response.ok
      ? { name: 'OBP source', verdict: 'ok', detail: `live API ${config.obp.baseUrl} answers (${config.obp.apiVersion}); credentials are checked at login` }
      : { name: 'OBP source', verdict: 'fail', detail: `${root} answered HTTP ${response.status}`, fix: 'check OBP_BASE_URL and OBP_API_VERSION' };
  } catch (error) {
    return {
      name: 'OBP source',
      verdict: 'fail',
      detail: `cannot reach ${config.obp.baseUrl} (${oneLine(messageOf((error as Error).cause ?? error))})`,
      fix: 'check OBP_BASE_URL and the network, or use --obp-source snapshot to work offline',
    };
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').slice(0, 200);
