import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { mergeIn, type ForeignKeyPath } from '../src/load/merge-in.js';
import { createTestDatabase, sessions, type TestDatabase } from './helpers/database.js';
import type { SyntheticTransaction } from '../src/synth/types.js';
import { cardPayments, newRun, noSink, seedAccounts } from './helpers/staged-rows.js';
import { detachedTables } from './helpers/warehouse-queries.js';

// The merge-in path of appends and shards: a run COPYs only its own accounts' rows into
// raw.transactions with row locks, so readers and runs on other accounts never wait for it.

const BANK = 'bank-m';
const ACCOUNTS = ['acc-1', 'acc-2', 'acc-3'];
// Roles are cluster-wide: a name unique to this process, dropped at the end. A loader without
// superuser, granted what a loader needs and no more.
const LOADER = `hbtest_loader_${process.pid}`;

const rows = (accountId: string, count: number, tag: string) => cardPayments({ bankId: BANK, accountId }, count, tag);

/** One run in its own transaction, left open: merge the rows of `accountIds` in. */
async function mergeRun(client: pg.ClientBase, accountIds: string[], tag: string, replace: boolean) {
  await client.query('BEGIN');
  const loadId = await newRun(client);
  const accounts = accountIds.map((accountId) => ({ bankId: BANK, accountId }));
  const merged = await mergeIn(client, accountIds.flatMap((a) => rows(a, 3, tag)), { loadId, generatedAt: new Date() }, { replaceAccounts: replace ? accounts : [] }, noSink);
  return { loadId, merged };
}

async function addAccount(client: pg.ClientBase, accountId: string): Promise<void> {
  const loadId = await newRun(client);
  await client.query(
    `INSERT INTO raw.accounts (bank_id, account_id, currency, payload, data_source, extracted_at, load_id) VALUES ($1, $2, 'EUR', '{}', 'OBP_SNAPSHOT', now(), $3)`,
    [BANK, accountId, loadId],
  );
}

const rowsOf = async (client: pg.ClientBase, accountId: string) =>
  (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM raw.transactions WHERE account_id = $1`, [accountId])).rows[0]!.n;

/** Resolves once `pid` waits for a lock (a row another transaction holds). */
async function waitingForLock(observer: pg.ClientBase, pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await observer.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid]);
    if (rows.length) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`backend ${pid} never waited for a lock`);
}

/** Merges `merged` in a run of its own (or as run `loadId`, not recorded), expects it to fail with `error`, rolls back. */
async function refusedMerge(client: pg.ClientBase, merged: SyntheticTransaction[], error: RegExp, path: ForeignKeyPath, loadId?: string): Promise<void> {
  await client.query('BEGIN');
  const run = { loadId: loadId ?? (await newRun(client)), generatedAt: new Date() };
  await assert.rejects(mergeIn(client, merged, run, { replaceAccounts: [] }, noSink), error, path);
  await client.query('ROLLBACK');
}

const pidOf = (client: pg.Client) => (client as pg.Client & { processID: number }).processID;

describe('merging a run\'s rows into raw.transactions', () => {
  let db: TestDatabase;
  // a lock a failed test left held fails the next test instead of hanging the file
  const { connect, endAll } = sessions(() => {
    const url = new URL(db.url);
    url.searchParams.set('options', '-c lock_timeout=10s');
    return url.toString();
  });

  before(async () => {
    db = await createTestDatabase();
    await seedAccounts(await connect(), BANK, ACCOUNTS);
  });
  after(async () => {
    await endAll();
    await db.warehouse.pool.query(`DROP OWNED BY ${LOADER}`).catch(() => undefined);
    await db.warehouse.pool.query(`DROP ROLE IF EXISTS ${LOADER}`);
    await db.drop();
  });

  /** A connection acting as the loader role without superuser (SET ROLE: no login, no password). */
  const connectAsLoader = async () => {
    const admin = db.warehouse.pool;
    if (!(await admin.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [LOADER])).rows.length) {
      await admin.query(`CREATE ROLE ${LOADER} NOLOGIN`);
      await admin.query(`GRANT USAGE ON SCHEMA raw TO ${LOADER}`);
      await admin.query(`GRANT USAGE, CREATE ON SCHEMA raw_loads TO ${LOADER}`);
      await admin.query(`GRANT SELECT, INSERT, DELETE ON raw.transactions TO ${LOADER}`);
      await admin.query(`GRANT SELECT, INSERT, UPDATE ON raw.load_runs, raw.accounts TO ${LOADER}`);
    }
    const client = await connect();
    await client.query(`SET ROLE ${LOADER}`);
    return client;
  };

  /** A connection on each path: the bulk one (this superuser) and the triggers' (a role that may not turn them off). */
  const paths: [ForeignKeyPath, () => Promise<pg.Client>][] = [
    ['bulk', connect],
    ['triggers', connectAsLoader],
  ];

  it('adds only the run\'s own rows next to the others, with the run\'s lineage, keeping earlier rows as they were', async () => {
    const client = await connect();
    const first = await mergeRun(client, ['acc-1', 'acc-2'], 'a', false);
    assert.equal(first.merged.rows, 6);
    assert.deepEqual(first.merged.ledger.map((l) => [l.accountId, l.rows]), [['acc-1', 3], ['acc-2', 3]]);
    await client.query('COMMIT');

    const generatedAt = new Date('2026-10-01T12:34:56.789Z');
    await client.query('BEGIN');
    const second = await newRun(client);
    await mergeIn(client, rows('acc-1', 3, 'b'), { loadId: second, generatedAt }, { replaceAccounts: [] }, noSink);
    await client.query('COMMIT');
    const { rows: byRun } = await client.query<{ load_id: string; n: number; sources: string[]; generated: Date[] }>(
      `SELECT load_id::text, count(*)::int AS n, array_agg(DISTINCT data_source) AS sources, array_agg(DISTINCT generated_at) AS generated
       FROM raw.transactions GROUP BY load_id ORDER BY n DESC`,
    );
    assert.deepEqual(byRun.map((r) => [r.load_id, r.n, r.sources]), [
      [first.loadId, 6, ['SYNTHETIC']],
      [second, 3, ['SYNTHETIC']],
    ]);
    assert.deepEqual(byRun[1]!.generated, [generatedAt], 'each row carries the run\'s generated_at');
    assert.deepEqual(await detachedTables(client), [], 'nothing is left in raw_loads');
  });

  it('replaces the listed accounts\' rows and counts them', async () => {
    const client = await connect();
    const run = await mergeRun(client, ['acc-1'], 'c', true);
    assert.equal(run.merged.replacedRows, 6);
    await client.query('COMMIT');
    const { rows } = await client.query<{ account_id: string; n: number }>(
      `SELECT account_id, count(*)::int AS n FROM raw.transactions GROUP BY account_id ORDER BY account_id`,
    );
    assert.deepEqual(rows, [
      { account_id: 'acc-1', n: 3 },
      { account_id: 'acc-2', n: 3 },
    ]);
  });

  it('blocks neither readers nor a run on other accounts while its transaction is open', async () => {
    const [runA, runB, reader] = [await connect(), await connect(), await connect()];
    for (const c of [runB, reader]) await c.query(`SET lock_timeout = '2s'`);
    const before = (await reader.query<{ n: number }>('SELECT count(*)::int AS n FROM raw.transactions')).rows[0]!.n;
    await mergeRun(runA, ['acc-2'], 'd', true);
    // runA holds its transaction open; another run merges a different account meanwhile
    await mergeRun(runB, ['acc-3'], 'd', true);
    const during = (await reader.query<{ n: number }>('SELECT count(*)::int AS n FROM raw.transactions')).rows[0]!.n;
    assert.equal(during, before, 'the reader sees the last committed state, without waiting');
    await runB.query('COMMIT');
    await runA.query('COMMIT');
    const { rows } = await reader.query<{ account_id: string; n: number }>(
      `SELECT account_id, count(*)::int AS n FROM raw.transactions GROUP BY account_id ORDER BY account_id`,
    );
    assert.deepEqual(rows.map((r) => [r.account_id, r.n]), [['acc-1', 3], ['acc-2', 3], ['acc-3', 3]]);
  });

  it('fails the run when a merged transaction_id is already in the table, on either path', async () => {
    for (const [path, open] of paths) {
      await refusedMerge(await open(), rows('acc-1', 1, 'c'), /duplicate key value violates unique constraint/, path);
    }
  });

  it('checks the foreign keys in bulk when the session may turn the triggers off, and with the triggers when it may not', async () => {
    for (const [path, open] of paths) {
      const client = await open();
      const accountId = `acc-path-${path}`;
      await addAccount(client, accountId);
      const run = await mergeRun(client, [accountId], 'p', false);
      assert.equal(run.merged.foreignKeys, path);
      const { rows: role } = await client.query<{ role: string }>(`SELECT current_setting('session_replication_role') AS role`);
      assert.equal(role[0]!.role, 'origin', 'the triggers are on again after the insert');
      await client.query('COMMIT');
      assert.equal(await rowsOf(client, accountId), 3);
    }
  });

  it('refuses a staged row whose account is missing, on either path, with the foreign key error', async () => {
    for (const [path, open] of paths) {
      await refusedMerge(await open(), rows('acc-none', 2, path), /violates foreign key constraint "transactions_account_fkey"/, path);
    }
  });

  it('refuses a staged row whose run is not in raw.load_runs, on either path', async () => {
    for (const [path, open] of paths) {
      await refusedMerge(await open(), rows('acc-1', 2, `r${path}`), /violates foreign key constraint "transactions_load_fkey"/, path, randomUUID());
    }
  });

  it('keeps a referenced account from being deleted until it commits, on either path', async () => {
    for (const [path, open] of paths) {
      const [run, other] = [await open(), await connect()];
      const accountId = `acc-kept-${path}`;
      await addAccount(other, accountId);
      await mergeRun(run, [accountId], 'k', false);
      await other.query(`SET lock_timeout = '300ms'`);
      await assert.rejects(other.query(`DELETE FROM raw.accounts WHERE bank_id = $1 AND account_id = $2`, [BANK, accountId]), /lock timeout/, path);
      await run.query('COMMIT');
      await assert.rejects(other.query(`DELETE FROM raw.accounts WHERE bank_id = $1 AND account_id = $2`, [BANK, accountId]), /violates foreign key constraint "transactions_account_fkey"/, path);
      assert.equal(await rowsOf(other, accountId), 3);
    }
  });

  it('waits for a concurrent DELETE of a referenced account, then fails when it commits, on either path', async () => {
    for (const [path, open] of paths) {
      const [run, other] = [await open(), await connect()];
      const accountId = `acc-gone-${path}`;
      await addAccount(other, accountId);
      await other.query('BEGIN');
      await other.query(`DELETE FROM raw.accounts WHERE bank_id = $1 AND account_id = $2`, [BANK, accountId]);
      const merging = mergeRun(run, [accountId], 'g', false);
      merging.catch(() => undefined);
      await waitingForLock(other, pidOf(run));
      await other.query('COMMIT');
      await assert.rejects(merging, /violates foreign key constraint "transactions_account_fkey"/, path);
      await run.query('ROLLBACK');
    }
  });

  it('takes the bulk path for a role granted SET on session_replication_role', async () => {
    const client = await connectAsLoader();
    await db.warehouse.pool.query(`GRANT SET ON PARAMETER session_replication_role TO ${LOADER}`);
    try {
      await addAccount(client, 'acc-granted');
      const run = await mergeRun(client, ['acc-granted'], 's', false);
      assert.equal(run.merged.foreignKeys, 'bulk');
      await client.query('COMMIT');
      assert.equal(await rowsOf(client, 'acc-granted'), 3);
    } finally {
      await db.warehouse.pool.query(`REVOKE SET ON PARAMETER session_replication_role FROM ${LOADER}`);
    }
  });

  it('keeps the triggers on for a foreign key on a column whose values the bulk check does not know, which then checks every row', async () => {
    const client = await connect();
    await client.query(`CREATE TABLE public.currencies (code char(3) PRIMARY KEY); INSERT INTO public.currencies VALUES ('EUR')`);
    await client.query(`ALTER TABLE raw.transactions ADD CONSTRAINT transactions_currency_fkey FOREIGN KEY (currency) REFERENCES public.currencies (code)`);
    try {
      await addAccount(client, 'acc-currency');
      const run = await mergeRun(client, ['acc-currency'], 'x', false);
      assert.equal(run.merged.foreignKeys, 'triggers');
      await client.query('COMMIT');
      const unknown = rows('acc-currency', 1, 'y').map((r) => ({ ...r, currency: 'XXX' }));
      await refusedMerge(client, unknown, /violates foreign key constraint "transactions_currency_fkey"/, 'triggers');
    } finally {
      await client.query(`ALTER TABLE raw.transactions DROP CONSTRAINT IF EXISTS transactions_currency_fkey; DROP TABLE IF EXISTS public.currencies`);
    }
  });

  it('keeps the triggers on when raw.transactions has a trigger of its own, which then fires for every row', async () => {
    const client = await connect();
    await client.query(`CREATE TABLE public.merged_rows (transaction_id text)`);
    await client.query(`CREATE FUNCTION public.note_merged() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.merged_rows VALUES (NEW.transaction_id); RETURN NULL; END $$`);
    await client.query(`CREATE TRIGGER note_merged AFTER INSERT ON raw.transactions FOR EACH ROW EXECUTE FUNCTION public.note_merged()`);
    try {
      await addAccount(client, 'acc-noted');
      const run = await mergeRun(client, ['acc-noted'], 'n', false);
      assert.equal(run.merged.foreignKeys, 'triggers');
      await client.query('COMMIT');
      assert.equal((await client.query(`SELECT count(*)::int AS n FROM public.merged_rows`)).rows[0].n, 3);

      // one that fires under the replica role too is not silenced: the bulk path, and it still fires
      await client.query(`ALTER TABLE raw.transactions ENABLE ALWAYS TRIGGER note_merged`);
      await addAccount(client, 'acc-noted-always');
      const always = await mergeRun(client, ['acc-noted-always'], 'n', false);
      assert.equal(always.merged.foreignKeys, 'bulk');
      await client.query('COMMIT');
      assert.equal((await client.query(`SELECT count(*)::int AS n FROM public.merged_rows`)).rows[0].n, 6);
    } finally {
      await client.query(`DROP TRIGGER IF EXISTS note_merged ON raw.transactions`);
      await client.query(`DROP FUNCTION IF EXISTS public.note_merged(); DROP TABLE IF EXISTS public.merged_rows`);
    }
  });
});
