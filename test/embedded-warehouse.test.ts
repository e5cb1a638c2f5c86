import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { removeEmbeddedWarehouse } from '../src/warehouse/embedded.js';
import { withWarehouse } from '../src/warehouse/connection.js';
import { CLI_BIN, PROJECT_ROOT, runCli, startCli } from './helpers/cli.js';
import { freePort } from './helpers/database.js';
import { silentLogger } from './helpers/logger.js';
import { waitFor } from './helpers/warehouse-queries.js';

const SMALL = ['--transactions-per-account', '20', '--seed', '5', '--as-of', '2026-10-31'];
const IS_ROOT = process.getuid?.() === 0;
/** As root, the normal-user path is tried as `nobody`, which must be able to read the checkout. */
const NOBODY_CAN_READ_CHECKOUT = (() => {
  for (let dir = PROJECT_ROOT; ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o005) !== 0o005) return false;
    if (path.dirname(dir) === dir) return true;
  }
})();

/** Each test gets its own WAREHOUSE_DIR and port; all are removed at the end (data outside it too, as root). */
const dirs: string[] = [];
async function freshWarehouse(): Promise<{ dir: string; port: number; env: Record<string, string | undefined> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hb-embedded-'));
  dirs.push(dir);
  const port = await freePort();
  return { dir, port, env: { DATABASE_URL: undefined, WAREHOUSE_DIR: dir, WAREHOUSE_PORT: String(port) } };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The server stops within seconds of its last user's end (the supervisor polls every 200 ms). */
const stopsSoon = (port: number) => waitFor(() => portIsFree(port), 15_000, `port ${port} to be free (the embedded server to stop)`);

/**
 * The CLI as another user reaches it: the checkout's own when every directory above it lets others
 * in; else (a checkout in a 0700 directory, as CI's) the installed files hard-linked (copied across
 * file systems) into `base`, which a normal user's checkout is like.
 */
function installNobodyCanRun(base: string): string {
  if (NOBODY_CAN_READ_CHECKOUT) return CLI_BIN;
  const install = path.join(base, 'install');
  mkdirSync(install, { mode: 0o755 });
  for (const entry of ['package.json', 'dist', 'migrations', 'data', 'profiles', 'node_modules']) {
    const from = path.join(PROJECT_ROOT, entry);
    try {
      execFileSync('cp', ['-al', from, install], { stdio: 'ignore' });
    } catch {
      execFileSync('cp', ['-a', from, install]);
    }
  }
  return path.join(install, path.relative(PROJECT_ROOT, CLI_BIN));
}

function dataDirOf(dir: string): string {
  const location = path.join(dir, 'DATA_LOCATION');
  return existsSync(location) ? readFileSync(location, 'utf8').trim() : path.join(dir, 'pgdata');
}

describe('the embedded warehouse (no DATABASE_URL)', () => {
  after(async () => {
    for (const dir of dirs.reverse()) await removeEmbeddedWarehouse(dir);
  });

  it('is created on demand with a random password in a 0600 file, migrated twice without change, and stopped when the command ends', async () => {
    const { dir, port, env } = await freshWarehouse();
    const first = await runCli(['migrate'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /applied migration 0001_raw_schema\.sql/);
    await stopsSoon(port);
    const second = await runCli(['migrate'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /schema is up to date/);
    await stopsSoon(port);

    const passwordFile = path.join(dir, 'password');
    assert.equal(statSync(passwordFile).mode & 0o777, 0o600);
    const password = readFileSync(passwordFile, 'utf8').trim();
    assert.ok(password.length >= 32, 'a long random password');
    assert.doesNotMatch(readFileSync(new URL('../src/warehouse/embedded.ts', import.meta.url), 'utf8'), new RegExp(password));

    const tables = await withWarehouse({ url: undefined, dir, port }, silentLogger(), async (w) => {
      assert.match(w.url, new RegExp(`postgres://postgres:${password}@127\\.0\\.0\\.1:${port}/hybridbank`));
      // loads into a table of their own write no WAL for it: nothing replicates this server
      assert.equal((await w.pool.query('SHOW wal_level')).rows[0].wal_level, 'minimal');
      // the raw contract's tables; raw.transactions' partition is an implementation detail
      const { rows } = await w.pool.query(
        `SELECT relname FROM pg_class WHERE relnamespace = 'raw'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY 1`,
      );
      return rows.map((r) => r.relname);
    });
    assert.deepEqual(tables, ['account_profiles', 'accounts', 'banks', 'load_runs', 'transactions']);
    // a wrong password is refused: the server does not trust local connections
    const intruder = new pg.Client({ connectionString: `postgres://postgres:wrong@127.0.0.1:${port}/hybridbank` });
    await withWarehouse({ url: undefined, dir, port }, silentLogger(), async () => {
      await assert.rejects(intruder.connect(), /password authentication failed/);
    });
    await stopsSoon(port);
  });

  it('says clearly when its port is taken, without hanging', async () => {
    const { env } = await freshWarehouse();
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const result = await runCli(['migrate'], { env: { ...env, WAREHOUSE_PORT: String(port) }, timeoutMs: 60_000 });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`Port ${port} for the embedded warehouse is already in use`));
      assert.match(result.stderr, /WAREHOUSE_PORT=/);
    } finally {
      blocker.close();
    }
  });

  it('removes a lock file naming a live process that is not its server (here: this test) and starts', async () => {
    const { dir, port, env } = await freshWarehouse();
    assert.equal((await runCli(['migrate'], { env })).code, 0);
    await stopsSoon(port);
    writeFileSync(path.join(dataDirOf(dir), 'postmaster.pid'), `${process.pid}\n${dataDirOf(dir)}\n0\n${port}\n`);
    const result = await runCli(['migrate'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /stale lock file/);
    await stopsSoon(port);
  });

  it('a bad WAREHOUSE_DIR fails in seconds with exit 1, naming it', async () => {
    const started = Date.now();
    const result = await runCli(['load', ...SMALL], { env: { DATABASE_URL: undefined, WAREHOUSE_DIR: '/proc/nope/warehouse' }, timeoutMs: 30_000 });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /WAREHOUSE_DIR \/proc\/nope\/warehouse cannot be written/);
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  });

  it('is shared by two loads at once: both succeed, neither stops it under the other, it stops after both', async () => {
    const { port, env } = await freshWarehouse();
    const [a, b] = await Promise.all([runCli(['load', ...SMALL], { env }), runCli(['load', ...SMALL, '--seed', '6'], { env })]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal([a, b].filter((r) => /embedded warehouse started/.test(r.stderr)).length, 1, 'one of them started it, the other used it');
    await stopsSoon(port);
  });

  it('does not outlive a loader killed with SIGKILL', async () => {
    const { port, env } = await freshWarehouse();
    const { child, done } = startCli(['load', '--transactions-per-account', '200000', '--seed', '5'], { env });
    await waitFor(async () => !(await portIsFree(port)), 60_000, 'the embedded server to start');
    child.kill('SIGKILL');
    assert.equal((await done).signal, 'SIGKILL');
    await stopsSoon(port);
  });

  it('warehouse --detach keeps it running after the command; --status reports it; --stop stops it', async () => {
    const { dir, port, env } = await freshWarehouse();
    const detached = await runCli(['warehouse', '--detach'], { env });
    assert.equal(detached.code, 0, detached.stderr);
    assert.match(detached.stdout, /Running in the background until `hybridbank warehouse --stop`/);
    await new Promise((r) => setTimeout(r, 1_000)); // longer than the supervisor's poll: it would have stopped by now
    assert.equal(await portIsFree(port), false, 'still running');

    const load = await runCli(['load', ...SMALL], { env });
    assert.equal(load.code, 0, load.stderr);
    assert.match(load.stderr, /already running/);

    const status = await runCli(['warehouse', '--status'], { env });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`running on port ${port}.*detached`));
    assert.match(status.stdout, new RegExp(`DATABASE_URL=postgres://postgres:[^@]+@127\\.0\\.0\\.1:${port}/hybridbank`));

    const stop = await runCli(['warehouse', '--stop'], { env });
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /stopped/);
    assert.equal(await portIsFree(port), true);
    const after = await runCli(['warehouse', '--status'], { env });
    assert.match(after.stdout, new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not running`));
  });

  it('continues histories with --append (a newcomer cron line): new days only, and the same append again adds nothing and says so', async () => {
    const { dir, port, env } = await freshWarehouse();
    const base = ['--transactions-per-account', '20', '--seed', '5'];
    const full = await runCli(['load', ...base, '--as-of', '2026-10-31'], { env });
    assert.equal(full.code, 0, full.stderr);
    await stopsSoon(port);
    const append = await runCli(['load', ...base, '--append', '--as-of', '2026-11-03'], { env });
    assert.equal(append.code, 0, append.stderr);
    assert.match(append.stdout, /Mode {12}append: 14 account\(s\) continued to the as-of day \(earlier rows untouched\), 0 new/);
    const added = Number(/Transactions {4}([\d,]+) \(/.exec(append.stdout)?.[1]?.replace(/,/g, ''));
    assert.ok(added > 0, append.stdout);
    await stopsSoon(port);
    const again = await runCli(['load', ...base, '--append', '--as-of', '2026-11-03'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Transactions {4}0: every account's history already reaches the as-of day \(2026-11-03\), nothing new to append/);
    await stopsSoon(port);
    const counts = await withWarehouse({ url: undefined, dir, port }, silentLogger(), async (w) =>
      (await w.pool.query<{ mode: string; rows: number }>(`SELECT r.load_mode AS mode, count(t.*)::int AS rows FROM raw.load_runs r LEFT JOIN raw.transactions t USING (load_id) GROUP BY r.load_id, r.load_mode, r.started_at ORDER BY r.started_at`)).rows,
    );
    assert.deepEqual(counts, [{ mode: 'full', rows: 280 }, { mode: 'append', rows: added }, { mode: 'append', rows: 0 }]);
    await stopsSoon(port);
    // a profile it cannot continue from (pending refunds of another shape): loud, and nothing written
    const query = (sql: string) => withWarehouse({ url: undefined, dir, port }, silentLogger(), async (w) => (await w.pool.query(sql)).rows);
    const count = `SELECT count(*)::int AS n FROM raw.transactions`;
    const rowsBefore = await query(count);
    await query(`UPDATE raw.account_profiles SET pending_refunds = '[{"at": 1}]' WHERE account_id = (SELECT min(account_id) FROM raw.account_profiles)`);
    await stopsSoon(port);
    const broken = await runCli(['load', ...base, '--append', '--as-of', '2026-11-04'], { env });
    assert.equal(broken.code, 1, broken.stderr);
    assert.match(broken.stderr, /raw\.account_profiles\.pending_refunds of account .+ is not what this version writes/);
    assert.match(broken.stderr, /Run one full load \(without --append\)/);
    await stopsSoon(port);
    assert.deepEqual(await query(count), rowsBefore);
    await stopsSoon(port);
  });

  it(
    IS_ROOT
      ? 'as a normal user (nobody, via runuser): data and password in WAREHOUSE_DIR, owned by that user'
      : 'as a normal user via runuser — SKIPPED: needs root to become another user (as a normal user, every other test here is this case)',
    { skip: !IS_ROOT && 'needs root' },
    async () => {
      const { dir: base, port } = await freshWarehouse();
      chmodSync(base, 0o755);
      const dir = path.join(base, 'nobody');
      mkdirSync(dir);
      chownSync(dir, 65534, 65534);
      const cli = installNobodyCanRun(base);
      const env = ['env', '-u', 'DATABASE_URL', `WAREHOUSE_DIR=${dir}/wh`, `WAREHOUSE_PORT=${port}`, `HOME=${dir}`];
      const { stdout } = await promisify(execFile)('runuser', ['-u', 'nobody', '--', ...env, process.execPath, cli, 'load', ...SMALL], { cwd: dir });
      assert.match(stdout, /Transactions\s+280/);
      assert.equal(statSync(path.join(dir, 'wh', 'pgdata', 'PG_VERSION')).uid, 65534);
      assert.equal(statSync(path.join(dir, 'wh', 'password')).mode & 0o777, 0o600);
      assert.equal(existsSync(path.join(dir, 'wh', 'DATA_LOCATION')), false);
      await stopsSoon(port);
    },
  );

  it(
    IS_ROOT
      ? 'as root, in a 0700 directory, loads (PostgreSQL runs as the hybridbank account, data outside the private directory)'
      : 'as root in a 0700 directory — SKIPPED: this test runs only as root',
    { skip: !IS_ROOT && 'needs root' },
    async () => {
      const { dir: base, port } = await freshWarehouse();
      const home = path.join(base, 'private');
      mkdirSync(home);
      chmodSync(base, 0o700);
      chmodSync(home, 0o700);
      const dir = path.join(home, '.warehouse');
      dirs.push(dir);
      const result = await runCli(['load', ...SMALL], { cwd: home, env: { DATABASE_URL: undefined, WAREHOUSE_DIR: dir, WAREHOUSE_PORT: String(port) } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Transactions\s+280/);
      assert.match(readFileSync(path.join(dir, 'DATA_LOCATION'), 'utf8'), /hybridbank\/warehouses\//);
      await stopsSoon(port);
    },
  );
});
