import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { runCli, startCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { copyInProgress, detachedTables, loadRuns, rawCounts, waitFor } from './helpers/warehouse-queries.js';

const BIG = ['--transactions-per-account', '60000', '--seed', '3', '--as-of', '2026-10-31'];
const SMALL = ['--transactions-per-account', '50', '--seed', '3', '--as-of', '2026-10-31'];
const LOAD_LOCK_KEY = 72_690_002;


describe('a load is atomic', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('killed with SIGKILL mid-COPY leaves no row of the run visible and the run not succeeded', async () => {
    const { child, done } = startCli(['load', ...BIG], { env: { DATABASE_URL: db.url } });
    // after its first partition committed (detached), into the next
    await waitFor(async () => (await detachedTables(db.warehouse.pool)).length > 0 && (await copyInProgress(db.warehouse.pool)), 60_000, 'the second partition\'s COPY to start');
    child.kill('SIGKILL');
    const result = await done;
    assert.equal(result.signal, 'SIGKILL');
    await waitFor(async () => !(await copyInProgress(db.warehouse.pool)), 10_000, 'the server to drop the session');
    assert.deepEqual(await rawCounts(db.warehouse.pool), { banks: 0, accounts: 0, transactions: 0 });
    assert.ok((await detachedTables(db.warehouse.pool)).length > 0, 'a partition the run committed, never attached');
    const runs = await loadRuns(db.warehouse.pool);
    assert.equal(runs.length, 1);
    assert.notEqual(runs[0]!.status, 'succeeded');
  });

  it('the next load closes the abandoned run as failed and succeeds', async () => {
    const result = await runCli(['load', ...SMALL], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /dropped \d+ partition\(s\) of raw.transactions left detached by a load that was killed/);
    const runs = await loadRuns(db.warehouse.pool);
    assert.deepEqual(runs.map((r) => r.status), ['failed', 'succeeded']);
    assert.match(runs[0]!.error ?? '', /abandoned/);
    // partitions the killed run had committed, still detached, are gone with it
    assert.deepEqual(await detachedTables(db.warehouse.pool), []);
  });

  it('interrupted with SIGINT rolls back, says so and exits non-zero; earlier data stays', async () => {
    const before = await rawCounts(db.warehouse.pool);
    const { child, done } = startCli(['load', ...BIG], { env: { DATABASE_URL: db.url } });
    await waitFor(() => copyInProgress(db.warehouse.pool), 60_000, 'the COPY to start');
    child.kill('SIGINT');
    const result = await done;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /SIGINT received/);
    assert.match(result.stderr, /Interrupted: nothing of the interrupted work was committed/);
    assert.deepEqual(await rawCounts(db.warehouse.pool), before);
    assert.deepEqual(await detachedTables(db.warehouse.pool), []);
    const runs = await loadRuns(db.warehouse.pool);
    assert.equal(runs.at(-1)!.status, 'failed');
    assert.match(runs.at(-1)!.error ?? '', /interrupted/);
  });
});

describe('two loads at once', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('the second waits on the advisory lock, then runs', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [LOAD_LOCK_KEY]);
    const { done } = startCli(['load', ...SMALL], { env: { DATABASE_URL: db.url } });
    await waitFor(
      async () => (await db.warehouse.pool.query(`SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).rows[0].n > 0,
      60_000,
      'the load to wait on the lock',
    );
    assert.deepEqual(await rawCounts(db.warehouse.pool), { banks: 0, accounts: 0, transactions: 0 });
    await holder.query('SELECT pg_advisory_unlock($1)', [LOAD_LOCK_KEY]);
    await holder.end();
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /another load is running on this warehouse; waiting/);
    assert.equal((await rawCounts(db.warehouse.pool)).transactions, 14 * 50);
  });
});

describe('a lineage failure', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('fails the run and rolls all of it back', async () => {
    const first = await runCli(['load', ...SMALL], { env: { DATABASE_URL: db.url } });
    assert.equal(first.code, 0, first.stderr);
    const before = await db.warehouse.pool.query(`SELECT md5(string_agg(transaction_id || balance_after, ',' ORDER BY transaction_id)) AS d FROM raw.transactions`);
    // Tamper with the real balances on the way in: the generated ledgers no longer end on them.
    await db.warehouse.pool.query(`
      CREATE FUNCTION public.tamper() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.balance := NEW.balance + 1;
        RETURN NEW;
      END $$;
      CREATE TRIGGER tamper BEFORE INSERT OR UPDATE ON raw.accounts FOR EACH ROW EXECUTE FUNCTION public.tamper();`);
    const result = await runCli(['load', ...SMALL, '--seed', '4'], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Lineage validation failed, the run was rolled back: each account's last balance_after equals its ledger sum: 14 account/);
    const after = await db.warehouse.pool.query(`SELECT md5(string_agg(transaction_id || balance_after, ',' ORDER BY transaction_id)) AS d FROM raw.transactions`);
    assert.equal(after.rows[0].d, before.rows[0].d, 'the previous run is intact');
    const runs = await loadRuns(db.warehouse.pool);
    assert.deepEqual(runs.map((r) => r.status), ['succeeded', 'failed']);
    const { rows } = await db.warehouse.pool.query(`SELECT DISTINCT load_id FROM raw.banks`);
    assert.deepEqual(rows.map((r) => r.load_id), [runs[0]!.load_id], 'banks keep the lineage of the last good run');
  });
});
