import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { continueHistories, describeAccounts, epochDayOf, generateTransactions, loadProfile, sampleAccounts, type GenerateOptions, type SyntheticTransaction } from '../src/synth/index.js';
import { CHANNELS } from '../src/synth/types.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { liveObpEnv, manyBanks, startObpServer, type SandboxServer } from './helpers/obp-server.js';
import { assertSucceeded, transactionsDigest } from './helpers/warehouse-queries.js';

/**
 * Refunds run on across the end of a full history (issue 15, migration 0009): a refund its history
 * leaves due after the as-of is kept on the account's profile, and the append that reaches its day
 * books it. Without that, appended days refunded only their own purchases, and the three weeks
 * after a full load had a fraction of the usual refunds.
 */
const DAY = 86_400_000;
const isPurchase = (r: { transactionType: string }) => /Purchase/.test(r.transactionType);

describe('refunds across the end of a full history (generator)', () => {
  const options = (asOf: string): GenerateOptions => ({ seed: 'refunds', asOf, days: 90, transactionsPerAccount: 'auto', fraudRate: 0.005, profile: loadProfile(undefined) });
  const accounts = sampleAccounts(1_500).map((a) => ({ ...a, balanceMinor: null }));
  const start = '2026-09-01';
  const profiles = [...describeAccounts(accounts, options(start))];
  const initial = [...generateTransactions(accounts, options(start))];
  const continued = accounts.map((seed, i) => ({ seed, profile: profiles[i]!, historyEndDay: epochDayOf(start), appendsFromDay: epochDayOf(start) }));
  const appended = [...continueHistories(continued, options('2026-11-24'))];

  it('keeps the refunds a history leaves due after its end, in time order, within three weeks of it, each of a purchase it holds', () => {
    const end = Date.parse(`${start}T00:00:00Z`);
    const pending = profiles.flatMap((p) => p.pendingRefunds.map((r) => ({ ...r, accountId: p.accountId })));
    assert.ok(pending.length > 100, `${pending.length} refunds pending`);
    for (const p of profiles) assert.deepEqual(p.pendingRefunds.map((r) => r.atMs), p.pendingRefunds.map((r) => r.atMs).sort((a, b) => a - b), `${p.accountId}: in time order`);
    assert.ok(pending.every((r) => r.atMs >= end && r.atMs < end + 23 * DAY), 'due in the three weeks after the end');
    const purchases = new Set(initial.filter(isPurchase).map((r) => `${r.accountId}|${r.merchant}|${r.channel}`));
    assert.ok(pending.every((r) => purchases.has(`${r.accountId}|${r.party?.name ?? null}|${CHANNELS[r.channel]}`)), 'each refunds a purchase of the history');
  });

  it('books them on their days: the weeks after a full history have as many refunds per purchase as the weeks after', () => {
    const s0 = Date.parse(`${start}T00:00:00Z`);
    const weekly = (from: number, to: number, rows: SyntheticTransaction[]) => {
      const inWeeks = rows.filter((r) => r.timestampMs >= s0 + from * 7 * DAY && r.timestampMs < s0 + to * 7 * DAY);
      return inWeeks.filter((r) => r.transactionType === 'Refund').length / inWeeks.filter(isPurchase).length;
    };
    const firstWeek = weekly(0, 1, appended);
    const firstThree = weekly(0, 3, appended);
    const later = weekly(4, 12, appended);
    const say = `refunds per purchase: first week ${firstWeek.toFixed(4)}, first three ${firstThree.toFixed(4)}, weeks 4-12 ${later.toFixed(4)}`;
    // before: 0.0032 in the first week and 0.0091 over three, against 0.019 later
    assert.ok(firstWeek > later * 0.7 && firstWeek < later * 1.4, say);
    assert.ok(firstThree > later * 0.8 && firstThree < later * 1.25, say);
    // and each of them, at the merchant and on the channel of an earlier purchase
    const bought = new Map<string, number>();
    for (const r of [...initial, ...appended].sort((a, b) => a.timestampMs - b.timestampMs)) {
      const key = `${r.accountId}|${r.merchant}|${r.channel}`;
      if (isPurchase(r)) bought.set(key, Math.min(bought.get(key) ?? Infinity, r.timestampMs));
      else if (r.transactionType === 'Refund') assert.ok((bought.get(key) ?? Infinity) <= r.timestampMs - DAY, `refund ${r.transactionId} follows a purchase at ${r.merchant}`);
    }
  });
});

describe('refunds across the end of a full history (warehouse)', () => {
  let db: TestDatabase;
  let server: SandboxServer;
  const ARGS = ['--obp-source', 'live', '--transactions-per-account', 'auto', '--days', '90', '--seed', '9', '--json'];
  const load = (extra: string[]) => runCli(['load', ...ARGS, ...extra], { env: { DATABASE_URL: db.url, ...liveObpEnv(server) } });
  const pendingRows = async () =>
    (await db.warehouse.pool.query<{ account_id: string; at: string; amount: string; channel: string; merchant: string }>(`
      SELECT p.account_id, r.at, r.amount, r.channel, r.merchant
      FROM raw.account_profiles p, jsonb_to_recordset(p.pending_refunds) AS r (at text, amount text, channel text, merchant text)
      ORDER BY p.account_id, r.at`)).rows;

  before(async () => {
    db = await createTestDatabase();
    server = await startObpServer({ data: manyBanks(4, 10) });
  });
  after(async () => {
    await server.close();
    await db.drop();
  });

  it("a full load writes each account's pending refunds to raw.account_profiles as JSON, after its as-of", async () => {
    assertSucceeded(await load(['--as-of', '2026-10-01']));
    const pending = await pendingRows();
    assert.ok(pending.length > 0, 'some refunds are pending');
    for (const r of pending) {
      assert.ok(r.at >= '2026-10-01T00:00:00.000Z' && r.at < '2026-10-24', r.at);
      assert.match(r.amount, /^\d+\.\d{2}$/);
      assert.ok(['POS', 'ONLINE'].includes(r.channel), r.channel);
      assert.ok(r.merchant.length > 0);
    }
  });

  it('an append books each on its day, as a refund at its merchant, and keeps only those still due', async () => {
    const pending = await pendingRows();
    const { summary } = { summary: JSON.parse((await load(['--append', '--as-of', '2026-10-11'])).stdout) };
    assert.equal(summary.status, 'succeeded');
    const due = pending.filter((r) => r.at < '2026-10-11');
    assert.ok(due.length > 0, 'some fall in the appended days');
    for (const r of due) {
      const { rows } = await db.warehouse.pool.query(
        `SELECT count(*)::int AS n FROM raw.transactions
         WHERE load_id = $1 AND account_id = $2 AND transaction_type = 'Refund' AND transaction_date = $3 AND amount = $4 AND merchant = $5 AND channel = $6`,
        [summary.loadId, r.account_id, r.at, r.amount, r.merchant, r.channel],
      );
      assert.equal(rows[0].n, 1, `${r.account_id}'s refund at ${r.at}`);
    }
    assert.deepEqual(await pendingRows(), pending.filter((r) => r.at >= '2026-10-11'));
    assertSucceeded(await load(['--append', '--as-of', '2026-11-01']));
    assert.deepEqual(await pendingRows(), [], 'none left three weeks on');
    const { rows } = await db.warehouse.pool.query(`
      SELECT count(*)::int AS n FROM raw.transactions f
      WHERE f.transaction_type = 'Refund' AND NOT EXISTS (
        SELECT 1 FROM raw.transactions p
        WHERE p.bank_id = f.bank_id AND p.account_id = f.account_id AND p.merchant = f.merchant AND p.channel = f.channel
          AND p.transaction_type LIKE '%Purchase' AND p.transaction_date <= f.transaction_date - interval '1 day')`);
    assert.equal(rows[0].n, 0, 'every refund follows a purchase at its merchant and channel');
  });

  it("an append fails on a profile's pending refunds it cannot read, naming the account and the fix, and writes nothing", async () => {
    await db.warehouse.pool.query(`UPDATE raw.account_profiles SET pending_refunds = '[{"at": "soon", "amount": 5}]' WHERE bank_id = 'bank-02' AND account_id = 'acc-2-3'`);
    const before = await transactionsDigest(db.warehouse.pool);
    const result = await load(['--append', '--as-of', '2026-11-05']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /raw\.account_profiles\.pending_refunds of account bank-02\/acc-2-3 is not what this version writes/);
    assert.match(result.stderr, /at/);
    assert.match(result.stderr, /Run one full load \(without --append\)/);
    assert.equal(await transactionsDigest(db.warehouse.pool), before);
    const { rows } = await db.warehouse.pool.query(`SELECT pending_refunds FROM raw.account_profiles WHERE account_id = 'acc-2-3'`);
    assert.deepEqual(rows[0].pending_refunds, [{ at: 'soon', amount: 5 }], 'the profile as it was');
  });
});
