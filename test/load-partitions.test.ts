import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { silentLogger } from './helpers/logger.js';
import { createTestDatabase, sessions, type TestDatabase } from './helpers/database.js';
import { cardPayments, newRun, noSink, seedAccounts } from './helpers/staged-rows.js';
import { MAX_PARTS, monthPart, monthsBetween, planParts, ROWS_PER_PART, type PartPlan } from '../src/load/partition-plan.js';
import { overlaps, parseRangeBound } from '../src/load/append-partitions.js';
import { dropAbandonedParts, dropParts, otherAccountsExist, stagePartitions, switchIn } from '../src/load/stage-partitions.js';
import type { LockContext } from '../src/warehouse/locks.js';
import { mergeIn } from '../src/load/merge-in.js';
import { APPENDED_ID_START, appendedIdPrefix, compareAccounts, transactionIdPrefix } from '../src/synth/generator.js';
import type { SyntheticTransaction } from '../src/synth/types.js';

// A run of every account builds the next raw.transactions as range partitions, streamed in on a
// second connection while the run's own transaction keys and checks the ones before.

type Account = { bankId: string; accountId: string };
const accountsOf = (bankId: string, ids: string[]): Account[] => ids.map((accountId) => ({ bankId, accountId })).sort(compareAccounts);

/** Each account's ids, first and last of a full history and an appended one, fall in its partition's range. */
function assertRangesHold(accounts: readonly Account[], plan: readonly PartPlan[]): void {
  const bytes = (s: string) => Buffer.from(s);
  for (const [k, part] of plan.entries()) {
    const end = plan[k + 1]?.first ?? accounts.length;
    for (const account of accounts.slice(part.first, end)) {
      for (const suffix of ['0001', '000001', '999999', '2026-12-01_0001', '2099-12-31_99999']) {
        const id = bytes(transactionIdPrefix(account) + suffix);
        if (part.lower !== null) assert.ok(Buffer.compare(id, bytes(part.lower)) >= 0, `${id} below part ${k + 1}'s ${part.lower}`);
        if (part.upper !== null) assert.ok(Buffer.compare(id, bytes(part.upper)) < 0, `${id} not below part ${k + 1}'s ${part.upper}`);
      }
    }
  }
  for (let k = 1; k < plan.length; k++) {
    assert.ok(plan[k]!.first > plan[k - 1]!.first, 'parts in generation order');
    assert.equal(plan[k]!.lower, plan[k - 1]!.upper, 'ranges meet');
  }
  assert.equal(plan[0]!.lower, null);
  assert.equal(plan.at(-1)!.upper, APPENDED_ID_START, 'the accounts end where appended days begin');
  for (const account of accounts) {
    const appended = bytes(appendedIdPrefix(account, '2026-12-01') + '0001');
    assert.ok(Buffer.compare(appended, bytes(APPENDED_ID_START)) >= 0, `${appended} among the appended days`);
  }
}

describe('planning the partitions of a full load', () => {
  it('keeps a load of up to about ROWS_PER_PART rows in one partition holding every id', () => {
    const accounts = accountsOf('bank', ['a', 'b', 'c']);
    assert.deepEqual(planParts(accounts, ROWS_PER_PART), [{ first: 0, lower: null, upper: APPENDED_ID_START }]);
    assert.deepEqual(planParts(accounts.slice(0, 1), 100 * ROWS_PER_PART), [{ first: 0, lower: null, upper: APPENDED_ID_START }]);
  });

  it('adds a partition for each month of appended days it carries, after the accounts\' and taking none of their rows', () => {
    const accounts = accountsOf('bank', ['a', 'b', 'c']);
    assert.deepEqual(planParts(accounts, ROWS_PER_PART, ['2026-11', '2026-12']), [
      { first: 0, lower: null, upper: 'synth~' },
      { first: 3, lower: 'synth~2026-11', upper: 'synth~2026-12' },
      { first: 3, lower: 'synth~2026-12', upper: 'synth~2027-01' },
    ]);
    const { lower, upper } = monthPart('2026-12');
    for (const account of accounts) {
      for (const day of ['2026-12-01', '2026-12-31']) {
        const id = appendedIdPrefix(account, day) + '9999';
        assert.ok(id >= lower && id < upper, `${id} in December's partition`);
      }
      assert.ok(appendedIdPrefix(account, '2026-11-30') + '9999' < lower, 'November before it');
    }
  });

  it('names the months of appended days across a year\'s end', () => {
    assert.deepEqual(monthsBetween('2026-11-30', '2027-02-01'), ['2026-11', '2026-12', '2027-01', '2027-02']);
    assert.deepEqual(monthsBetween('2026-12-07', '2026-12-07'), ['2026-12']);
  });

  it('reads partition bounds as the server writes them, and which ranges meet', () => {
    assert.deepEqual(parseRangeBound('FOR VALUES FROM (MINVALUE) TO (MAXVALUE)'), { lower: null, upper: null });
    assert.deepEqual(parseRangeBound("FOR VALUES FROM ('synth_b''s_a_') TO ('synth~')"), { lower: "synth_b's_a_", upper: 'synth~' });
    assert.throws(() => parseRangeBound('DEFAULT'), /partition bound this version does not know: DEFAULT/);
    const december = monthPart('2026-12');
    assert.equal(overlaps({ lower: 'synth_x', upper: null }, december), true, 'a partition to MAXVALUE holds every month');
    assert.equal(overlaps({ lower: null, upper: 'synth~' }, december), false);
    assert.equal(overlaps(monthPart('2026-11'), december), false, 'months meet without sharing an id');
    assert.equal(overlaps({ lower: 'synth~2026-12-15', upper: 'synth~2027' }, december), true);
  });

  it('splits a big load into at most MAX_PARTS runs of accounts, each range holding its accounts\' ids', () => {
    const accounts = accountsOf('obp-bank-x-gh', Array.from({ length: 14 }, () => randomUUID()));
    const plan = planParts(accounts, 2_000_000);
    assert.equal(plan.length, MAX_PARTS);
    assertRangesHold(accounts, plan);
    const many = accountsOf('b', Array.from({ length: 5_000 }, (_, i) => `acc-${i}`));
    const four = planParts(many, 4 * ROWS_PER_PART);
    assert.equal(four.length, 4);
    assertRangesHold(many, four);
  });

  it('puts no boundary where an account\'s ids reach past the next one\'s prefix (synth_b_a_ and synth_b_a_1_)', () => {
    // the ids of account `a` (synth_b_a_999999) sort after those of `a_1` (synth_b_a_1_...): the
    // accounts a, a_1 ... a_7 can share no boundary but stay apart from z1 ... z7
    const accounts = accountsOf('b', ['a', ...Array.from({ length: 7 }, (_, i) => `a_${i + 1}`), ...Array.from({ length: 8 }, (_, i) => `z${i}`)]);
    const plan = planParts(accounts, 8 * ROWS_PER_PART);
    assertRangesHold(accounts, plan);
    assert.ok(plan.every((p) => p.first === 0 || p.first >= 8), `no boundary inside a..a_7: ${plan.map((p) => p.first)}`);
    assert.ok(plan.length > 1);
  });

  it('follows the generator\'s order where it differs from the ids\' byte order (banks a and a-b)', () => {
    // the generator writes bank `a` before `a-b`; their ids sort the other way round (`-` < `_`)
    const accounts = [...accountsOf('a', ['1', '2', '3', '4']), ...accountsOf('a-b', ['1', '2', '3', '4']), ...accountsOf('c', ['1', '2', '3', '4'])].sort(compareAccounts);
    assert.equal(accounts[0]!.bankId, 'a');
    const plan = planParts(accounts, 6 * ROWS_PER_PART);
    assertRangesHold(accounts, plan);
    assert.ok(plan.length > 1);
  });
});

const BANK = 'bank-p';
const ACCOUNTS = accountsOf(BANK, ['acc-1', 'acc-2', 'acc-3', 'acc-4', 'acc-5', 'acc-6']);

const rows = (accounts: readonly Account[], perAccount: number, tag: string) => accounts.flatMap((a) => cardPayments(a, perAccount, tag));

/** Three runs of two accounts each, bounded at the prefixes of acc-3 and acc-5. */
function threeParts(accounts: readonly Account[]): PartPlan[] {
  const at = (i: number) => transactionIdPrefix(accounts[i]!);
  return [
    { first: 0, lower: null, upper: at(2) },
    { first: 2, lower: at(2), upper: at(4) },
    { first: 4, lower: at(4), upper: null },
  ];
}

describe('staging a full load as partitions', () => {
  let db: TestDatabase;
  const { connect, endAll } = sessions(() => db.url);
  let main: pg.Client;
  let side: pg.Client;

  /** One run in the main connection's transaction, left open: its partitions staged, keyed and checked. */
  async function stageRun(accounts: readonly Account[], plan: PartPlan[], stream: SyntheticTransaction[], committed: string[] = []) {
    await main.query('BEGIN');
    const loadId = await newRun(main);
    const locks: LockContext = { client: main, pool: db.warehouse.pool, policy: { timeoutMs: 2_000, retries: 1 }, log: silentLogger(), signal: new AbortController().signal };
    const othersExist = await otherAccountsExist(main, accounts);
    const staged = await stagePartitions(main, side, { accounts, plan, rows: stream, loadId, generatedAt: new Date(), dropAccounts: [], othersExist, locks, committed }, noSink);
    return { loadId, staged };
  }

  const partitions = async () =>
    (
      await main.query<{ name: string; bound: string; accounts: string[] }>(`
        SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
               (SELECT coalesce(array_agg(DISTINCT t.account_id ORDER BY t.account_id), '{}') FROM raw.transactions t WHERE t.tableoid = c.oid) AS accounts
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'raw.transactions'::regclass
        ORDER BY 3`)
    ).rows;
  const detached = async () =>
    (await main.query(`SELECT 1 FROM pg_class WHERE relnamespace = 'raw_loads'::regnamespace AND relkind = 'r' AND NOT relispartition`)).rowCount;

  before(async () => {
    db = await createTestDatabase();
    main = await connect();
    side = await connect();
    await seedAccounts(main, BANK, ACCOUNTS.map((a) => a.accountId));
  });
  after(async () => {
    await endAll();
    await db.drop();
  });

  it('streams each run of accounts into its own range partition, keyed and checked, and switches them in', async () => {
    const { loadId, staged } = await stageRun(ACCOUNTS, threeParts(ACCOUNTS), rows(ACCOUNTS, 3, 'a'));
    assert.equal(staged.rows, 18);
    assert.equal(staged.parts.length, 3);
    // committed by the second connection, yet not part of raw.transactions until the switch
    assert.equal(await detached(), 3);
    await switchIn(main, staged);
    await main.query('COMMIT');

    const parts = await partitions();
    assert.deepEqual(parts.map((p) => p.accounts), [['acc-1', 'acc-2'], ['acc-3', 'acc-4'], ['acc-5', 'acc-6']]);
    assert.match(parts[0]!.bound, /^FOR VALUES FROM \(MINVALUE\) TO \('synth_bank-p_acc-3_'\)$/);
    assert.equal(await detached(), 0);
    const { rows: constraints } = await main.query<{ name: string; constraints: string[] }>(`
      SELECT c.conrelid::regclass::text AS name, array_agg(c.conname::text ORDER BY c.conname) AS constraints
      FROM pg_constraint c JOIN pg_inherits i ON i.inhrelid = c.conrelid
      WHERE i.inhparent = 'raw.transactions'::regclass
      GROUP BY 1`);
    for (const part of constraints) {
      for (const name of ['transactions_account_fkey', 'transactions_load_fkey', 'transactions_data_source_check', 'transactions_mcc_check', 'transactions_fraud_label_check']) {
        assert.ok(part.constraints.includes(name), `${name} on ${part.name}: ${part.constraints.join(', ')}`);
      }
      assert.ok(!part.constraints.some((c) => c.endsWith('_range')), `the range checks went with the switch: ${part.constraints.join(', ')}`);
    }
    const { rows: byRun } = await main.query(`SELECT load_id::text, count(*)::int AS n FROM raw.transactions GROUP BY 1`);
    assert.deepEqual(byRun, [{ load_id: loadId, n: 18 }]);
    await assert.rejects(main.query(`INSERT INTO raw.transactions SELECT * FROM raw.transactions LIMIT 1`), /duplicate key value violates unique constraint/);
  });

  it('carries the rows of accounts the run does not load over, each into the partition of its range', async () => {
    const loaded = ACCOUNTS.filter((a) => a.accountId !== 'acc-2' && a.accountId !== 'acc-6');
    const at = (i: number) => transactionIdPrefix(loaded[i]!);
    const plan = [
      { first: 0, lower: null, upper: at(2) },
      { first: 2, lower: at(2), upper: null },
    ];
    const { staged } = await stageRun(loaded, plan, rows(loaded, 2, 'b'));
    assert.equal(staged.rows, 8);
    assert.equal(staged.keptRows, 6, 'acc-2 and acc-6 stay');
    assert.equal(staged.replacedRows, 12);
    await switchIn(main, staged);
    await main.query('COMMIT');
    assert.deepEqual((await partitions()).map((p) => p.accounts), [['acc-1', 'acc-2', 'acc-3'], ['acc-4', 'acc-5', 'acc-6']]);
    const { rows: counts } = await main.query(`SELECT account_id, count(*)::int AS n FROM raw.transactions GROUP BY 1 ORDER BY 1`);
    assert.deepEqual(counts.map((c) => c.n), [2, 3, 2, 2, 2, 3]);
  });

  it('routes rows merged in later (an append) into the partition of their range', async () => {
    const appended = [ACCOUNTS[0]!, ACCOUNTS[5]!].flatMap((a) => cardPayments(a, 2, '2026-12-01_'));
    await main.query('BEGIN');
    const loadId = await newRun(main);
    await mergeIn(main, appended, { loadId, generatedAt: new Date() }, { replaceAccounts: [] }, noSink);
    await main.query('COMMIT');
    const { rows: placed } = await main.query<{ account_id: string; part: string }>(
      `SELECT DISTINCT account_id, tableoid::regclass::text AS part FROM raw.transactions WHERE load_id = $1 ORDER BY 1`,
      [loadId],
    );
    const parts = await partitions();
    assert.equal(placed.length, 2);
    assert.ok(placed[0]!.part.endsWith(parts[0]!.name) && placed[1]!.part.endsWith(parts.at(-1)!.name), JSON.stringify(placed));
  });

  it('stops the stream when the run\'s transaction fails, and its committed partitions go after the rollback', async () => {
    const before = await partitions();
    const stranger = [...ACCOUNTS, { bankId: BANK, accountId: 'acc-7' }].sort(compareAccounts);
    const committed: string[] = [];
    // acc-7 is not in raw.accounts: the second partition's foreign key check fails
    const plan = [
      { first: 0, lower: null, upper: transactionIdPrefix(stranger[3]!) },
      { first: 3, lower: transactionIdPrefix(stranger[3]!), upper: transactionIdPrefix(stranger[6]!) },
      { first: 6, lower: transactionIdPrefix(stranger[6]!), upper: null },
    ];
    await assert.rejects(stageRun(stranger, plan, rows(stranger, 2, 'c'), committed), /transactions_account_fkey/);
    await main.query('ROLLBACK');
    assert.ok(committed.length >= 2, `the partitions committed before the failure: ${committed.join(', ')}`);
    await dropParts(db.warehouse.pool, committed);
    assert.equal(await detached(), 0);
    assert.deepEqual(await partitions(), before);
  });

  it('sweeps partitions a killed run left detached, and nothing else of raw_loads', async () => {
    const orphan = `raw_loads.transactions_${randomUUID().replace(/-/g, '')}_p1`;
    await main.query(`CREATE TABLE ${orphan} (LIKE raw.transactions)`);
    await main.query(`CREATE TABLE raw_loads.notes (note text)`);
    const before = await partitions();
    assert.equal(await dropAbandonedParts(main), 1);
    assert.equal((await main.query(`SELECT to_regclass($1) AS t`, [orphan])).rows[0].t, null);
    assert.notEqual((await main.query(`SELECT to_regclass('raw_loads.notes') AS t`)).rows[0].t, null);
    assert.deepEqual(await partitions(), before);
    await main.query(`DROP TABLE raw_loads.notes`);
  });
});
