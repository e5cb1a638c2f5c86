import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { reportFailure } from '../src/cli/run.js';
import pg from 'pg';
import { embeddedUrl, removeEmbeddedWarehouse } from '../src/warehouse/embedded.js';
import { PROJECT_ROOT, runCli, startCli } from './helpers/cli.js';
import { createTestDatabase, freePort, type TestDatabase } from './helpers/database.js';
import { CONSUMER_KEY, OWNER, startObpServer, type SandboxServer } from './helpers/obp-server.js';
import { loadRuns, rawCounts, waitFor } from './helpers/warehouse-queries.js';

const SMALL = ['--transactions-per-account', '20', '--seed', '9', '--as-of', '2026-10-31'];

/**
 * The CLI as users meet it, on both paths: the embedded warehouse (DATABASE_URL unset) and a
 * PostgreSQL in DATABASE_URL. Each path is a set of environment variables for the child.
 */
interface Path {
  name: string;
  env: Record<string, string | undefined>;
}

describe('the hybridbank CLI', () => {
  let db: TestDatabase;
  let obp: SandboxServer;
  const warehouseDir = mkdtempSync(path.join(tmpdir(), 'hbtest-cli-'));
  const paths: Path[] = [];

  before(async () => {
    db = await createTestDatabase({ migrate: false });
    obp = await startObpServer();
    paths.push(
      { name: 'embedded', env: { DATABASE_URL: undefined, WAREHOUSE_DIR: warehouseDir, WAREHOUSE_PORT: String(await freePort()) } },
      { name: 'DATABASE_URL', env: { DATABASE_URL: db.url } },
    );
  });
  after(async () => {
    await obp.close();
    await db.drop();
    await removeEmbeddedWarehouse(warehouseDir);
  });

  const liveObp = (extra: Record<string, string> = {}) => ({
    OBP_BASE_URL: obp.url, OBP_USERNAME: OWNER.email, OBP_PASSWORD: OWNER.password, OBP_CONSUMER_KEY: CONSUMER_KEY, OBP_RETRIES: '0', ...extra,
  });

  it('npx hybridbank load --json prints exactly one JSON document on stdout, on both paths', async () => {
    for (const p of paths) {
      const { stdout, stderr } = await promisify(execFile)('npx', ['--no-install', 'hybridbank', 'load', '--json', ...SMALL], {
        cwd: PROJECT_ROOT,
        env: envOf(p.env),
        maxBuffer: 10_000_000,
      });
      const summary = JSON.parse(stdout) as { status: string; transactions: { rows: number } };
      assert.equal(summary.status, 'succeeded', `${p.name}: ${stderr}`);
      assert.equal(summary.transactions.rows, 280, p.name);
    }
  });

  it('logs one readable line per event by default (no TTY here), JSON lines with --log-format json', async () => {
    for (const p of paths) {
      const text = await runCli(['load', ...SMALL], { env: p.env });
      assert.equal(text.code, 0, text.stderr);
      const lines = text.stderr.trim().split('\n');
      assert.ok(lines.length >= 3, `${p.name}: ${text.stderr}`);
      for (const line of lines) assert.match(line, /^\[\d\d:\d\d:\d\d\] (INFO|WARN|DEBUG): \S/, `${p.name}: ${line}`);

      const json = await runCli(['load', ...SMALL, '--log-format', 'json'], { env: p.env });
      assert.equal(json.code, 0, json.stderr);
      for (const line of json.stderr.trim().split('\n')) assert.equal(typeof (JSON.parse(line) as { msg: string }).msg, 'string', `${p.name}: ${line}`);
    }
  });

  it('after a load, says what to run next', async () => {
    for (const p of paths) {
      const result = await runCli(['load', ...SMALL], { env: p.env });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Next:\n {2}npm run transform .*\n {2}npm run report /);
      assert.match(result.stdout, p.name === 'embedded' ? /npm run warehouse -- --detach/ : /psql "\$DATABASE_URL"/);
    }
  });

  it('an unreachable OBP is an expected failure: exit 1 with the input named, on both paths', async () => {
    for (const p of paths) {
      const result = await runCli(['load', ...SMALL], { env: { ...p.env, ...liveObp({ OBP_BASE_URL: 'http://127.0.0.1:9' }) }, timeoutMs: 60_000 });
      assert.equal(result.code, 1, `${p.name}: ${result.stderr}`);
      assert.match(result.stderr, /^Error: Cannot reach OBP at http:\/\/127\.0\.0\.1:9/m, p.name);
      assert.doesNotMatch(result.stderr, /\n\s+at /, `${p.name}: no stack`);
    }
  });

  it('SIGTERM while extracting from OBP stops within 2 s with exit 143, no stack, and the next load works, on both paths', async () => {
    for (const p of paths) {
      obp.faults.slow = { times: Infinity, ms: 60_000 };
      const { child, done } = startCli(['load', ...SMALL], { env: { ...p.env, ...liveObp() } });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      await waitFor(async () => /OBP source: live/.test(stderr), 60_000, 'extraction to start');
      const signalled = Date.now();
      child.kill('SIGTERM');
      const result = await done;
      const took = Date.now() - signalled;
      obp.faults.slow = { times: 0, ms: 0 };
      assert.equal(result.code, 143, `${p.name}: ${result.stderr}`);
      assert.ok(took < 2_000, `${p.name}: stopped ${took} ms after SIGTERM`);
      assert.match(result.stderr, /Interrupted: nothing of the interrupted work was committed \(SIGTERM\)/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, `${p.name}: no stack`);
      const next = await runCli(['load', ...SMALL], { env: p.env });
      assert.equal(next.code, 0, `${p.name}: ${next.stderr}`);
    }
  });

  it('SIGINT during the COPY of an embedded load rolls back, records the run as interrupted, exits 130; the server keeps serving until then', async () => {
    const p = paths[0]!;
    const before = await countsOn(p);
    const { child, done } = startCli(['load', '--transactions-per-account', '100000', '--seed', '9'], { env: p.env });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await waitFor(async () => /load \S+ started/.test(stderr), 60_000, 'the load to start');
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    const result = await done;
    assert.equal(result.code, 130, result.stderr);
    assert.doesNotMatch(result.stderr, /ECONNRESET|Unhandled|\n\s+at /, 'the server was not stopped under the load');
    const after = await countsOn(p);
    assert.deepEqual(after.counts, before.counts);
    assert.equal(after.runs.at(-1)!.status, 'failed');
    assert.match(after.runs.at(-1)!.error ?? '', /interrupted/);
  });

  it('a connection killed mid-load (pg_terminate_backend) is an expected failure: exit 1, no unhandled error event, no stack', async () => {
    const { child, done } = startCli(['load', '--transactions-per-account', '100000', '--seed', '9'], { env: paths[1]!.env });
    const database = new URL(db.url).pathname.slice(1);
    let pid: number | undefined;
    await waitFor(async () => {
      const { rows } = await db.warehouse.pool.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'COPY raw\\_loads.transactions%' AND state = 'active'`,
        [database],
      );
      pid = rows[0]?.pid;
      return pid !== undefined;
    }, 60_000, 'the COPY to start');
    await db.warehouse.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    const result = await done;
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^Error: .*(connection|terminat)/im);
    assert.doesNotMatch(result.stderr, /Unhandled 'error' event|Unexpected error|\n\s+at /);
  });

  it('SIGTERM while a load waits for another load\'s lock ends the process within seconds with 143', async () => {
    const holder = await db.warehouse.pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(72690002)');
      const { child, done } = startCli(['load', ...SMALL], { env: paths[1]!.env });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      await waitFor(async () => /another load is running on this warehouse; waiting/.test(stderr), 60_000, 'the load to wait on the lock');
      const signalled = Date.now();
      child.kill('SIGTERM');
      const result = await done;
      assert.equal(result.code, 143, result.stderr);
      assert.ok(Date.now() - signalled < 8_000, `stopped ${Date.now() - signalled} ms after SIGTERM`);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    } finally {
      await holder.query('SELECT pg_advisory_unlock(72690002)');
      holder.release();
    }
  });

  it('--help shows each setting with its environment variable and default', async () => {
    const result = await runCli(['load', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout.replace(/\s+/g, ' '), /--transactions-per-account <n> synthetic transactions per account, or auto: .* \[env HYBRIDBANK_TRANSACTIONS_PER_ACCOUNT, default 100\]/);
    assert.match(result.stdout.replace(/\s+/g, ' '), /--log-format <format> .*\[env LOG_FORMAT, default text\]/);
  });

  it('an unknown option is one short error and exit 1, not the whole help', async () => {
    const result = await runCli(['load', '--dry-runn']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /unknown option '--dry-runn'/);
    assert.ok(result.stderr.trim().split('\n').length <= 3, result.stderr);
  });

  it('maps a bug (anything not an expected error) to exit 2 with its stack, a lost connection to exit 1', () => {
    const write = process.stderr.write;
    process.stderr.write = () => true;
    try {
      assert.equal(reportFailure(new TypeError('x is undefined')), 2);
      assert.equal(reportFailure(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })), 1);
      assert.equal(reportFailure(new Error('whatever'), 'SIGINT'), 130);
      assert.equal(reportFailure(new Error('whatever'), 'SIGTERM'), 143);
    } finally {
      process.stderr.write = write;
    }
  });

  /** Row counts and runs of the embedded warehouse, read with the password from its 0600 file. */
  async function countsOn(p: Path): Promise<{ counts: unknown; runs: { status: string; error: string | null }[] }> {
    const password = readFileSync(path.join(p.env.WAREHOUSE_DIR!, 'password'), 'utf8').trim();
    const pool = new pg.Pool({ connectionString: embeddedUrl(password, Number(p.env.WAREHOUSE_PORT)) });
    // the server runs only while a command uses it: keep one running for the read, and read only
    // once it has joined (the server of a command that just ended may still be shutting down)
    const holder = startCli(['warehouse'], { env: p.env });
    let joined = '';
    holder.child.stdout!.on('data', (d) => (joined += d));
    try {
      await waitFor(async () => joined.includes('DATABASE_URL='), 60_000, 'the embedded warehouse');
      return { counts: await rawCounts(pool), runs: await loadRuns(pool) };
    } finally {
      await pool.end();
      holder.child.kill('SIGINT');
      await holder.done;
    }
  }
});

function envOf(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
  for (const key of ['OBP_USERNAME', 'OBP_PASSWORD', 'OBP_CONSUMER_KEY', 'OBP_BASE_URL', 'OBP_SOURCE', 'OBP_SNAPSHOT']) delete env[key];
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}
