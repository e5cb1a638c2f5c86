import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { runCli, startCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { assertSucceeded, copyInProgress, loadRuns, rawCounts, transactionsDigest, waitFor } from './helpers/warehouse-queries.js';

const BIG = ['--transactions-per-account', '40000', '--seed', '5', '--as-of', '2026-10-31'];
const SMALL = ['--transactions-per-account', '40', '--seed', '5', '--as-of', '2026-10-31'];

async function connect(url: string, application: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: application });
  await client.connect();
  return client;
}

/** Runs `sql` and says how long it took, in ms. */
async function timed(client: pg.Client, sql: string): Promise<{ ms: number; rows: Record<string, unknown>[] }> {
  const started = Date.now();
  const { rows } = await client.query(sql);
  return { ms: Date.now() - started, rows };
}


describe('readers during a load', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
    assertSucceeded(await runCli(['load', ...SMALL], { env: { DATABASE_URL: db.url } }));
  });
  after(() => db.drop());

  it('read the previous committed data without waiting, see the run as running, and a long reader never holds the loader for long', async () => {
    const before = await transactionsDigest(db.warehouse.pool);
    const reader = await connect(db.url, 'hbtest-reader');
    // A REPEATABLE READ reader that started before the load and keeps reading through it
    const longReader = await connect(db.url, 'hbtest-long-reader');
    try {
      await longReader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await longReader.query('SELECT count(*) FROM raw.transactions');
      const { done } = startCli(['load', ...BIG, '--lock-timeout-ms', '300'], { env: { DATABASE_URL: db.url } });
      await waitFor(() => copyInProgress(db.warehouse.pool), 60_000, 'the COPY to start');

      const running = await timed(reader, `SELECT status FROM raw.load_runs ORDER BY started_at`);
      assert.deepEqual(running.rows.map((r) => r.status), ['succeeded', 'running'], 'the run shows as running');
      assert.ok(running.ms < 1_000, `raw.load_runs answered in ${running.ms} ms`);
      const counted = await timed(reader, 'SELECT count(*)::int AS n FROM raw.transactions');
      assert.equal(counted.rows[0]!.n, 14 * 40, 'the previous committed rows');
      assert.ok(counted.ms < 1_000, `raw.transactions answered in ${counted.ms} ms`);
      const joined = await timed(reader, 'SELECT count(*)::int AS n FROM raw.accounts a JOIN raw.banks b USING (bank_id)');
      assert.equal(joined.rows[0]!.n, 14);

      // The long reader keeps its snapshot; it holds the switch only until it ends.
      const again = await longReader.query('SELECT count(*)::int AS n FROM raw.transactions');
      assert.equal(again.rows[0].n, 14 * 40);
      await waitFor(async () => (await loadRuns(db.warehouse.pool)).length === 2 && (await blockedByReader(db.warehouse.pool)), 120_000, 'the switch to wait on the reader');
      // While the loader waits for its short lock, a new reader waits at most about one lock_timeout.
      const queued = await timed(reader, 'SELECT count(*)::int AS n FROM raw.transactions');
      assert.ok(queued.ms < 1_500, `a reader arriving during the switch waited ${queued.ms} ms`);
      await longReader.query('COMMIT');

      const result = await done;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /blocked by session pid \d+ \(user \w+, application \\?"hbtest-long-reader/);
      assert.deepEqual(await rawCounts(db.warehouse.pool), { banks: 2, accounts: 14, transactions: 14 * 40_000 });
      assert.notEqual(await transactionsDigest(db.warehouse.pool), before);
    } finally {
      await reader.end();
      await longReader.end().catch(() => undefined);
    }
  });

  it('an idle-in-transaction reader makes the load fail after its retries, naming the session and what to do; nothing changes', async () => {
    const before = await transactionsDigest(db.warehouse.pool);
    const idle = await connect(db.url, 'hbtest-idle-reader');
    try {
      await idle.query('BEGIN');
      await idle.query('SELECT count(*) FROM raw.transactions');
      const started = Date.now();
      const result = await runCli(['load', ...SMALL, '--seed', '6', '--lock-timeout-ms', '200', '--lock-retries', '2'], { env: { DATABASE_URL: db.url } });
      assert.equal(result.code, 1);
      assert.ok(Date.now() - started < 60_000);
      assert.match(result.stderr, /could not switch the new transactions in: 3 waits of 200 ms for a lock all timed out/);
      assert.match(result.stderr, /application "hbtest-idle-reader", idle in transaction for \d+ s/);
      assert.match(result.stderr, /Hint: End that session's transaction .*pg_terminate_backend\(\d+\)/);
      assert.equal(await transactionsDigest(db.warehouse.pool), before, 'the warehouse is unchanged');
      const runs = await loadRuns(db.warehouse.pool);
      assert.equal(runs.at(-1)!.status, 'failed');
      assert.match(runs.at(-1)!.error ?? '', /LOAD_LOCKED/);
    } finally {
      await idle.end();
    }
    const retried = await runCli(['load', ...SMALL, '--seed', '6'], { env: { DATABASE_URL: db.url } });
    assert.equal(retried.code, 0, retried.stderr);
  });

  it('keeps every constraint on the switched-in table', async () => {
    const { rows } = await db.warehouse.pool.query<{ constraints: string[]; partitions: number }>(`
      SELECT array_agg(conname::text ORDER BY conname) FILTER (WHERE conparentid <> 0 OR contype = 'c') AS constraints,
             (SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'raw.transactions'::regclass) AS partitions
      FROM pg_constraint
      WHERE conrelid = (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'raw.transactions'::regclass)`);
    assert.equal(rows[0]!.partitions, 1);
    for (const name of ['transactions_account_fkey', 'transactions_load_fkey', 'transactions_data_source_check', 'transactions_fraud_label_check']) {
      assert.ok(rows[0]!.constraints.includes(name), `${name} in ${rows[0]!.constraints.join(', ')}`);
    }
    await assert.rejects(
      db.warehouse.pool.query(`INSERT INTO raw.transactions SELECT * FROM raw.transactions LIMIT 1`),
      /duplicate key value violates unique constraint/,
    );
  });
});

async function blockedByReader(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query(`
    SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE raw.transactions DETACH%'`);
  return rows[0].n > 0;
}
