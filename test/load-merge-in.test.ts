import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { mergeIn, stageTransactions } from '../src/load/stage-transactions.js';
import { createTestDatabase, sessions, type TestDatabase } from './helpers/database.js';
import { cardPayments, newRun, noSink, seedAccounts } from './helpers/staged-rows.js';

// The merge-in path of appends and shards: a run stages only its own accounts' rows and merges them
// into raw.transactions with row locks, so readers and runs on other accounts never wait for it.

const BANK = 'bank-m';
const ACCOUNTS = ['acc-1', 'acc-2', 'acc-3'];

const rows = (accountId: string, count: number, tag: string) => cardPayments({ bankId: BANK, accountId }, count, tag);

/** One run in its own transaction, left open: stage the rows of `accountIds` and merge them in. */
async function mergeRun(client: pg.ClientBase, accountIds: string[], tag: string, replace: boolean) {
  await client.query('BEGIN');
  const loadId = await newRun(client);
  const accounts = accountIds.map((accountId) => ({ bankId: BANK, accountId }));
  const staged = await stageTransactions(client, accountIds.flatMap((a) => rows(a, 3, tag)), { loadId, generatedAt: new Date() }, noSink);
  const merged = await mergeIn(client, staged, { replaceAccounts: replace ? accounts : [] });
  return { loadId, staged, merged };
}

describe('merging a run\'s rows into raw.transactions', () => {
  let db: TestDatabase;
  const { connect, endAll } = sessions(() => db.url);

  before(async () => {
    db = await createTestDatabase();
    await seedAccounts(await connect(), BANK, ACCOUNTS);
  });
  after(async () => {
    await endAll();
    await db.drop();
  });

  it('stages only the run\'s own rows, then adds them next to the others, keeping earlier rows as they were', async () => {
    const client = await connect();
    const first = await mergeRun(client, ['acc-1', 'acc-2'], 'a', false);
    assert.equal(first.staged.rows, 6);
    await client.query('COMMIT');

    const second = await mergeRun(client, ['acc-1'], 'b', false);
    await client.query('COMMIT');
    const { rows: byRun } = await client.query<{ load_id: string; n: number }>(
      `SELECT load_id::text, count(*)::int AS n FROM raw.transactions GROUP BY load_id ORDER BY n DESC`,
    );
    assert.deepEqual(byRun, [
      { load_id: first.loadId, n: 6 },
      { load_id: second.loadId, n: 3 },
    ]);
    const { rows: left } = await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'raw_loads' AND tablename = $1`, [second.staged.table.split('.')[1]]);
    assert.equal(left.length, 0, 'the staged table is dropped');
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

  it('fails the run when a merged transaction_id is already in the table', async () => {
    const client = await connect();
    await client.query('BEGIN');
    const loadId = await newRun(client);
    const staged = await stageTransactions(client, rows('acc-1', 1, 'c'), { loadId, generatedAt: new Date() }, noSink);
    await assert.rejects(mergeIn(client, staged, { replaceAccounts: [] }), /duplicate key value violates unique constraint/);
    await client.query('ROLLBACK');
  });
});
