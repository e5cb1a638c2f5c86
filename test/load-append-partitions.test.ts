import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { LoadSummary } from '../src/load/summary.js';
import { NO_FAULTS } from '../src/obp/sandbox/server.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { liveObpEnv, manyBanks, startObpServer, type SandboxServer } from './helpers/obp-server.js';
import { assertSucceeded } from './helpers/warehouse-queries.js';

/**
 * Appended days land in partitions of raw.transactions of their own, a month each (issue 15: an
 * append as fast per row as a full load), on a warehouse a full load laid out and on one laid out
 * before this version alike; a full load keeps the appended days of accounts it does not load.
 */
const ARGS = ['--obp-source', 'live', '--transactions-per-account', '40', '--days', '30', '--seed', '15', '--json'];

async function loaded(db: TestDatabase, server: SandboxServer, extra: string[]): Promise<LoadSummary> {
  const result = await runCli(['load', ...ARGS, ...extra], { env: { DATABASE_URL: db.url, ...liveObpEnv(server) } });
  assertSucceeded(result);
  return JSON.parse(result.stdout) as LoadSummary;
}

/** raw.transactions' partitions in id order: bound, and the rows of a run in each. */
async function partitions(db: TestDatabase, loadId = ''): Promise<{ bound: string; rows: number }[]> {
  const { rows } = await db.warehouse.pool.query<{ bound: string; rows: number }>(
    `SELECT pg_get_expr(c.relpartbound, c.oid) AS bound,
            (SELECT count(*)::int FROM raw.transactions t WHERE t.tableoid = c.oid AND t.load_id::text = $1) AS rows
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'raw.transactions'::regclass
     ORDER BY (SELECT min(transaction_id) FROM raw.transactions t WHERE t.tableoid = c.oid) NULLS LAST, 1`,
    [loadId],
  );
  return rows;
}

const month = (from: string, to: string) => `FOR VALUES FROM ('synth~${from}') TO ('synth~${to}')`;

async function digest(db: TestDatabase, where: string): Promise<{ digest: string; rows: number }> {
  const { rows } = await db.warehouse.pool.query(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY transaction_id)) AS digest, count(*)::int AS rows FROM raw.transactions t WHERE ${where}`);
  return rows[0];
}

describe('appended days go into partitions of their own', () => {
  let db: TestDatabase;
  let server: SandboxServer;
  before(async () => {
    db = await createTestDatabase();
    server = await startObpServer({ data: manyBanks(2, 2) });
  });
  after(async () => {
    await server.close();
    await db.drop();
  });

  it("a full load leaves room for them; an append puts its days in a partition per month, none in the initial histories'", async () => {
    await loaded(db, server, ['--as-of', '2026-10-30']);
    const initial = await partitions(db);
    assert.equal(initial.length, 1);
    assert.equal(initial[0]!.bound, "FOR VALUES FROM (MINVALUE) TO ('synth~')");

    const append = await loaded(db, server, ['--append', '--as-of', '2026-11-02']);
    assert.ok(append.transactions.rows > 0);
    const after = await partitions(db, append.loadId);
    assert.deepEqual(
      after.map((p) => p.bound),
      ["FOR VALUES FROM (MINVALUE) TO ('synth~')", month('2026-10', '2026-11'), month('2026-11', '2026-12')],
    );
    assert.equal(after[0]!.rows, 0, "no appended row among the initial histories' keys");
    assert.equal(after[1]!.rows + after[2]!.rows, append.transactions.rows);
    assert.ok(after[1]!.rows > 0 && after[2]!.rows > 0, 'October 30-31 and November 1');
    const { rows } = await db.warehouse.pool.query(`SELECT transaction_id FROM raw.transactions WHERE load_id = $1`, [append.loadId]);
    for (const r of rows) assert.match(r.transaction_id, /^synth~2026-1[01]-[0-9]{2}_bank-0[12]_acc-[12]-[12]_[0-9]{4}$/);

    // the next append of November adds to its partition
    const next = await loaded(db, server, ['--append', '--as-of', '2026-11-03']);
    assert.deepEqual((await partitions(db, next.loadId)).map((p) => p.rows), [0, 0, next.transactions.rows]);
  });

  it('a full load keeps the appended days of an account OBP no longer lists, in their months', async () => {
    const kept = await digest(db, `account_id = 'acc-1-2'`);
    server.faults = { ...structuredClone(NO_FAULTS), unlistedAccounts: ['acc-1-2'] };
    const full = await loaded(db, server, ['--as-of', '2026-11-03']);
    assert.deepEqual(await digest(db, `account_id = 'acc-1-2'`), kept, 'its rows, byte for byte');
    assert.deepEqual(await digest(db, `account_id <> 'acc-1-2' AND load_id <> '${full.loadId}'`), { digest: null, rows: 0 }, 'the others reloaded');
    const parts = await partitions(db);
    assert.deepEqual(parts.map((p) => p.bound), ["FOR VALUES FROM (MINVALUE) TO ('synth~')", month('2026-10', '2026-11'), month('2026-11', '2026-12')]);
    const { rows } = await db.warehouse.pool.query(`SELECT count(*)::int AS n FROM raw.transactions WHERE transaction_id >= 'synth~' AND account_id <> 'acc-1-2'`);
    assert.equal(rows[0].n, 0);
  });

  it('a full load of every account keeps no month of appended days', async () => {
    server.faults = structuredClone(NO_FAULTS);
    await loaded(db, server, ['--as-of', '2026-11-03']);
    assert.deepEqual((await partitions(db)).map((p) => p.bound), ["FOR VALUES FROM (MINVALUE) TO ('synth~')"]);
  });
});

describe('an append on a warehouse laid out before appended days had partitions', () => {
  let db: TestDatabase;
  let server: SandboxServer;
  before(async () => {
    db = await createTestDatabase();
    server = await startObpServer({ data: manyBanks(1, 2) });
  });
  after(async () => {
    await server.close();
    await db.drop();
  });

  it('cuts its last partition where appended ids begin, finishing what a killed run began, and puts the days in their month', async () => {
    // an append on an empty warehouse: every history new, in the one partition migration 0003 made
    await loaded(db, server, ['--append', '--as-of', '2026-10-01']);
    assert.deepEqual((await partitions(db)).map((p) => p.bound), ['FOR VALUES FROM (MINVALUE) TO (MAXVALUE)']);
    const initial = await digest(db, 'true');
    // a run killed after the first step of the cut left its CHECK behind
    await db.warehouse.pool.query(`ALTER TABLE raw_loads.transactions_0001 ADD CONSTRAINT transactions_below_appended CHECK (transaction_id < 'synth~') NOT VALID`);

    // a reader idle in its transaction holds the partition: the cut waits its lock timeouts, then the
    // append fails naming the reader, with nothing of it written
    const reader = new pg.Client({ connectionString: db.url, application_name: 'hbtest-cut-reader' });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM raw.transactions');
      const blocked = await runCli(['load', ...ARGS, '--append', '--as-of', '2026-10-03', '--lock-timeout-ms', '200', '--lock-retries', '1'], { env: { DATABASE_URL: db.url, ...liveObpEnv(server) } });
      assert.equal(blocked.code, 1);
      assert.match(blocked.stderr, /could not prepare raw\.transactions for appended days: 2 waits of 200 ms for a lock all timed out/);
      assert.match(blocked.stderr, /application "hbtest-cut-reader", idle in transaction/);
      assert.deepEqual(await digest(db, 'true'), initial, 'nothing of the append');
    } finally {
      await reader.end();
    }

    const append = await loaded(db, server, ['--append', '--as-of', '2026-10-03']);
    const parts = await partitions(db, append.loadId);
    assert.deepEqual(parts.map((p) => p.bound), ["FOR VALUES FROM (MINVALUE) TO ('synth~')", month('2026-10', '2026-11')]);
    assert.deepEqual(parts.map((p) => p.rows), [0, append.transactions.rows]);
    assert.deepEqual(await digest(db, `load_id <> '${append.loadId}'`), initial, 'the initial histories, byte for byte');
    const { rows } = await db.warehouse.pool.query(`SELECT conname FROM pg_constraint WHERE conname = 'transactions_below_appended'`);
    assert.deepEqual(rows, [], 'the CHECK went with the cut');
  });
});
