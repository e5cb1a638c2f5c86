import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { runCli, startCli } from './helpers/cli.js';
import { loadConfig } from '../src/config/config.js';
import { runLoad } from '../src/load/pipeline.js';
import { createLogger } from '../src/log/logger.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { assertSucceeded, copyInProgress, detachedTables, loadRuns, transactionsDigest, waitFor } from './helpers/warehouse-queries.js';

const BIG = ['--transactions-per-account', '60000', '--seed', '12', '--as-of', '2026-10-31'];
const SMALL = ['--transactions-per-account', '30', '--seed', '12', '--as-of', '2026-10-31'];

describe('a load interrupted from outside', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
    assertSucceeded(await runCli(['load', ...SMALL], { env: { DATABASE_URL: db.url } }));
  });
  after(() => db.drop());

  /** A big load whose session `terminate` (a query) ends mid-COPY: it must fail as expected, change nothing, leave nothing. */
  async function loseConnectionMidCopy(terminate: string, says: RegExp): Promise<void> {
    const before = await transactionsDigest(db.warehouse.pool);
    const { done } = startCli(['load', ...BIG], { env: { DATABASE_URL: db.url } });
    await waitFor(() => copyInProgress(db.warehouse.pool), 60_000, 'the COPY to start');
    const { rows } = await db.warehouse.pool.query(terminate);
    assert.deepEqual(rows, [{ ended: true }]);
    const result = await done;
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, says);
    assert.doesNotMatch(result.stderr, /Unexpected error/);
    assert.equal(await transactionsDigest(db.warehouse.pool), before);
    assert.deepEqual(await detachedTables(db.warehouse.pool), []);
    const runs = await loadRuns(db.warehouse.pool);
    assert.equal(runs.at(-1)!.status, 'failed');
    assert.match(runs.at(-1)!.error ?? '', /terminat/);
  }

  it('a lost connection (pg_terminate_backend) is an expected failure: exit 1, recorded failed, nothing changed', () =>
    loseConnectionMidCopy(
      `SELECT pg_terminate_backend(backend_pid) AS ended FROM raw.load_runs WHERE status = 'running'`,
      /Error: The connection to the warehouse was lost during the load .*recorded as failed/,
    ));

  it('a lost streaming connection (the second one, copying partitions in) fails the run the same way and leaves nothing behind', () =>
    loseConnectionMidCopy(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY raw\\_loads.transactions%' AND state = 'active'`,
      /Error: .*terminat/,
    ));

  it('SIGINT while the switch waits for a reader stops within 2 s: the lock wait is cancelled, nothing changed', async () => {
    const before = await transactionsDigest(db.warehouse.pool);
    const idle = new pg.Client({ connectionString: db.url, application_name: 'hbtest-holder' });
    await idle.connect();
    try {
      await idle.query('BEGIN');
      await idle.query('SELECT count(*) FROM raw.transactions');
      const { child, done } = startCli(['load', ...SMALL, '--seed', '13', '--lock-timeout-ms', '20000'], { env: { DATABASE_URL: db.url } });
      await waitFor(
        async () =>
          (
            await db.warehouse.pool.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE raw.transactions DETACH%'`,
            )
          ).rows[0].n > 0,
        60_000,
        'the switch to wait for its lock',
      );
      const signalled = Date.now();
      child.kill('SIGINT');
      const result = await done;
      assert.ok(Date.now() - signalled < 2_000, `stopped ${Date.now() - signalled} ms after the signal`);
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stderr, /Interrupted: nothing of the interrupted work was committed/);
    } finally {
      await idle.end();
    }
    assert.equal(await transactionsDigest(db.warehouse.pool), before);
    const runs = await loadRuns(db.warehouse.pool);
    assert.equal(runs.at(-1)!.status, 'failed');
    assert.match(runs.at(-1)!.error ?? '', /interrupted by SIGINT/);
  });
});

describe('a signal after COMMIT', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('is no failure: the load reports success and its run stays succeeded', async () => {
    const controller = new AbortController();
    // Aborted from inside the log line the loader writes right after COMMIT.
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        if (/load [0-9a-f-]{36} succeeded/.test(String(chunk))) controller.abort(new Error('interrupted by SIGTERM'));
        callback();
      },
    });
    const config = loadConfig({ env: {}, flags: { databaseUrl: db.url, transactionsPerAccount: 30, seed: '12', asOf: '2026-10-31' } });
    const summary = await runLoad({ config, log: createLogger({ level: 'info', format: 'json', destination }), signal: controller.signal, progressBar: false });
    assert.ok(controller.signal.aborted, 'the signal came');
    assert.equal(summary.status, 'succeeded');
    assert.deepEqual((await loadRuns(db.warehouse.pool)).map((r) => r.status), ['succeeded']);
  });
});
