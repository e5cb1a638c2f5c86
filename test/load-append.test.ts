import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoadSummary } from '../src/load/summary.js';
import { NO_FAULTS } from '../src/obp/sandbox/server.js';
import { continueHistories, describeAccounts, epochDayOf, generateTransactions, loadProfile, sampleAccounts, type AccountProfile, type GenerateOptions, type SyntheticTransaction } from '../src/synth/index.js';
import { migrate, MIGRATIONS_DIR, readMigrationFiles } from '../src/warehouse/migrator.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { CONSUMER_KEY, liveObpEnv, manyBanks, OWNER, startObpServer, type SandboxServer } from './helpers/obp-server.js';
import { silentLogger } from './helpers/logger.js';
import { assertSucceeded, transactionsDigest } from './helpers/warehouse-queries.js';
import { scratchDir } from './helpers/scratch.js';

/**
 * `load --append` (issue 15) against a real warehouse and the project's OBP server: the history
 * only grows, earlier rows stay byte for byte, the ledger runs on to OBP's balance, and the same
 * (seed, account, day) always gives the same rows.
 */
const ARGS = ['--obp-source', 'live', '--transactions-per-account', '60', '--days', '30', '--seed', '15'];

function load(db: TestDatabase, server: SandboxServer, extra: string[]) {
  return runCli(['load', ...ARGS, '--json', ...extra], {
    env: {
      DATABASE_URL: db.url,
      ...liveObpEnv(server),
    },
  });
}

async function loaded(db: TestDatabase, server: SandboxServer, extra: string[]): Promise<{ summary: LoadSummary; stderr: string }> {
  const result = await load(db, server, extra);
  assertSucceeded(result);
  return { summary: JSON.parse(result.stdout) as LoadSummary, stderr: result.stderr };
}

/** Every column of every row (lineage included), so "byte-identical" means it. */
async function rowsDigest(db: TestDatabase, where = 'true'): Promise<{ digest: string; rows: number }> {
  const { rows } = await db.warehouse.pool.query<{ digest: string; rows: number }>(`
    SELECT md5(string_agg(t::text, E'\\n' ORDER BY transaction_id)) AS digest, count(*)::int AS rows
    FROM raw.transactions t WHERE ${where}`);
  return rows[0]!;
}

async function run(db: TestDatabase, loadId: string): Promise<{ load_mode: string; days_from: string | null; days_to: string | null; transactions_count: string }> {
  const { rows } = await db.warehouse.pool.query(
    `SELECT load_mode, days_from::text, days_to::text, transactions_count::text FROM raw.load_runs WHERE load_id = $1`,
    [loadId],
  );
  return rows[0];
}

/** Accounts whose ledger breaks anywhere (balance_after <> previous + amount), or does not end on OBP's balance. */
async function brokenLedgers(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.warehouse.pool.query<{ account_id: string }>(`
    WITH ordered AS (
      SELECT bank_id, account_id, amount, balance_after,
             lag(balance_after) OVER (PARTITION BY bank_id, account_id ORDER BY transaction_date, transaction_id) AS previous,
             row_number() OVER (PARTITION BY bank_id, account_id ORDER BY transaction_date DESC, transaction_id DESC) AS from_end
      FROM raw.transactions
    )
    SELECT DISTINCT o.account_id
    FROM ordered o JOIN raw.accounts a USING (bank_id, account_id)
    WHERE a.is_active AND ((o.previous IS NOT NULL AND o.previous + o.amount <> o.balance_after)
       OR (o.from_end = 1 AND o.balance_after <> a.balance))
    ORDER BY 1`);
  return rows.map((r) => r.account_id);
}

async function rowsPerAccount(db: TestDatabase, where: string): Promise<Record<string, number>> {
  const { rows } = await db.warehouse.pool.query<{ account_id: string; n: number }>(
    `SELECT account_id, count(*)::int AS n FROM raw.transactions WHERE ${where} GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.account_id, r.n]));
}

describe('load --append continues each account day by day', () => {
  let db: TestDatabase;
  let server: SandboxServer;
  before(async () => {
    db = await createTestDatabase();
    // acc-2-3 is not listed yet: it turns up later as a new account
    server = await startObpServer({ data: manyBanks(2, 3), faults: { unlistedAccounts: ['acc-2-3'] } });
  });
  after(async () => {
    await server.close();
    await db.drop();
  });

  it('on an empty warehouse loads every account as a full load would, recorded as an append', async () => {
    const { summary } = await loaded(db, server, ['--append', '--as-of', '2026-10-01']);
    assert.equal(summary.loadMode, 'append');
    assert.equal(summary.transactions.rows, 5 * 60);
    assert.deepEqual(await run(db, summary.loadId), { load_mode: 'append', days_from: '2026-09-01', days_to: '2026-09-30', transactions_count: '300' });
    assert.deepEqual(await brokenLedgers(db), []);
  });

  it('adds rows only in the new days, with its own load_id; every earlier row stays byte-identical and the ledger runs on to OBP', async () => {
    const before = await rowsDigest(db);
    const { summary } = await loaded(db, server, ['--append', '--as-of', '2026-10-03']);
    assert.ok(summary.transactions.rows > 0);
    assert.deepEqual(summary.append, { continued: 5, behind: 5, fresh: 0, balancingRows: summary.append?.balancingRows });
    assert.deepEqual(await rowsDigest(db, `load_id <> '${summary.loadId}'`), before);
    const outside = await db.warehouse.pool.query(
      `SELECT count(*)::int AS n FROM raw.transactions WHERE load_id = $1 AND NOT (transaction_date >= '2026-10-01T00:00:00Z' AND transaction_date < '2026-10-03T00:00:00Z')`,
      [summary.loadId],
    );
    assert.equal(outside.rows[0].n, 0, 'new rows only in the new days');
    assert.deepEqual(await run(db, summary.loadId), { load_mode: 'append', days_from: '2026-10-01', days_to: '2026-10-02', transactions_count: String(summary.transactions.rows) });
    assert.deepEqual(await brokenLedgers(db), []);
    assert.ok(summary.lineage.some((c) => c.name.startsWith('appended rows continue') && c.passed));
  });

  it('the same append twice adds nothing', async () => {
    const before = await rowsDigest(db);
    const { summary } = await loaded(db, server, ['--append', '--as-of', '2026-10-03']);
    assert.equal(summary.transactions.rows, 0);
    assert.deepEqual({ behind: summary.append?.behind, fresh: summary.append?.fresh }, { behind: 0, fresh: 0 });
    assert.deepEqual(await rowsDigest(db), before);
    assert.deepEqual(await run(db, summary.loadId), { load_mode: 'append', days_from: null, days_to: null, transactions_count: '0' });
  });

  it("reaches OBP's balance when it moved, through the day's own rows (extra transfers only for a move they cannot absorb, logged)", async () => {
    // acc-1-1 holds 1000.00: a small move fits in the day's rows, a large one does not
    server.faults = { ...structuredClone(NO_FAULTS), unlistedAccounts: ['acc-2-3'], balances: { 'acc-1-1': '1012.40', 'acc-1-2': '31001.01' } };
    const { summary, stderr } = await loaded(db, server, ['--append', '--as-of', '2026-10-04']);
    assert.deepEqual(await brokenLedgers(db), []);
    const moved = await db.warehouse.pool.query<{ account_id: string; biggest: string }>(
      `SELECT account_id, max(abs(amount))::text AS biggest FROM raw.transactions WHERE load_id = $1 AND account_id IN ('acc-1-1', 'acc-1-2') GROUP BY 1 ORDER BY 1`,
      [summary.loadId],
    );
    assert.ok(Number(moved.rows[1]!.biggest) <= 5000, 'no single row takes a 30,000 move: each stays within its type');
    assert.match(stderr, /needed \d+ extra transfer\(s\) to reach OBP's balance/);
  });

  it('gives a new account a full initial history and a vanished one nothing', async () => {
    server.faults = { ...structuredClone(NO_FAULTS), unlistedAccounts: ['acc-1-3'], balances: { 'acc-1-1': '1012.40', 'acc-1-2': '31001.01' } };
    const { summary } = await loaded(db, server, ['--append', '--as-of', '2026-10-05']);
    const counts = await rowsPerAccount(db, `load_id = '${summary.loadId}'`);
    assert.equal(counts['acc-2-3'], 60, 'the new account: --transactions-per-account over --days');
    assert.equal(counts['acc-1-3'], undefined, 'the vanished account: nothing');
    const window = await db.warehouse.pool.query(
      `SELECT min(transaction_date) >= '2026-09-05T00:00:00Z' AND max(transaction_date) < '2026-10-05T00:00:00Z' AS inside FROM raw.transactions WHERE account_id = 'acc-2-3'`,
    );
    assert.equal(window.rows[0].inside, true);
    assert.deepEqual(await run(db, summary.loadId), { load_mode: 'append', days_from: '2026-09-05', days_to: '2026-10-04', transactions_count: String(summary.transactions.rows) });
    assert.deepEqual(await brokenLedgers(db), []);
  });

  it('refuses an as-of before the history already loaded: exit 1, names the fix, writes nothing', async () => {
    const before = await rowsDigest(db);
    const result = await load(db, server, ['--append', '--as-of', '2026-10-02']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--as-of 2026-10-02 is before the end of the history already loaded/);
    assert.match(result.stderr, /Hint: Use --as-of 2026-10-05 or later/);
    assert.deepEqual(await rowsDigest(db), before);
  });

  it('refuses --dry-run with --append at once: a dry run does not read the histories an append continues', async () => {
    const result = await load(db, server, ['--append', '--dry-run']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--dry-run cannot preview an --append/);
  });

  it('`runs` shows each run\'s mode and days', async () => {
    const result = await runCli(['runs', '--limit', '3'], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /failed\s+append/);
    assert.match(result.stdout, /succeeded\s+append\s+2026-09-05\.\.2026-10-04/);
  });

  it('--prune with --append deletes the vanished account\'s rows and no other', async () => {
    const before = await rowsDigest(db, `account_id <> 'acc-1-3'`);
    const { summary } = await loaded(db, server, ['--append', '--as-of', '2026-10-06', '--prune']);
    assert.deepEqual(await rowsPerAccount(db, `account_id = 'acc-1-3'`), {});
    assert.deepEqual(await rowsDigest(db, `account_id <> 'acc-1-3' AND load_id <> '${summary.loadId}'`), before);
    assert.deepEqual(await brokenLedgers(db), []);
  });

  it('two days appended at once give the same rows as one day and then the other', async () => {
    server.faults = structuredClone(NO_FAULTS);
    const reset = ['--as-of', '2026-10-01'];
    await loaded(db, server, reset);
    await loaded(db, server, ['--append', '--as-of', '2026-10-03']);
    const atOnce = await transactionsDigest(db.warehouse.pool);
    await loaded(db, server, reset);
    await loaded(db, server, ['--append', '--as-of', '2026-10-02']);
    await loaded(db, server, ['--append', '--as-of', '2026-10-03']);
    assert.equal(await transactionsDigest(db.warehouse.pool), atOnce);
    assert.deepEqual(await brokenLedgers(db), []);
  });
});

describe('a warehouse loaded before migration 0005', () => {
  let db: TestDatabase;
  let server: SandboxServer;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
    server = await startObpServer({ data: manyBanks(1, 1) });
  });
  after(async () => {
    await server.close();
    await db.drop();
  });

  it('is continued: 0005 backfills where each history stands from its last row and its run', async () => {
    const upTo0004 = scratchDir('hb-migrations-');
    for (const file of readMigrationFiles().filter((f) => f.name < '0005')) copyFileSync(path.join(MIGRATIONS_DIR, file.name), path.join(upTo0004, file.name));
    await migrate(db.warehouse.pool, silentLogger(), upTo0004);
    const loadId = '00000000-0000-4000-8000-000000000015';
    // what a load of 2026-10-01 over 30 days left before 0005: one account, two rows, its profile
    await db.warehouse.pool.query(`
      INSERT INTO raw.load_runs (load_id, status, finished_at, params, tool_version)
      VALUES ('${loadId}', 'succeeded', now(), '{"synth": {"asOf": "2026-10-01", "days": 30, "seed": "15"}}', 'before-0005');
      INSERT INTO raw.banks (bank_id, payload, data_source, extracted_at, load_id) VALUES ('bank-01', '{}', 'REAL_API', now(), '${loadId}');
      INSERT INTO raw.accounts (bank_id, account_id, account_type, currency, balance, payload, data_source, extracted_at, load_id)
      VALUES ('bank-01', 'acc-1-1', 'CURRENT PLUS', 'EUR', 1000.00, '{}', 'REAL_API', now(), '${loadId}');
      INSERT INTO raw.transactions (transaction_id, bank_id, account_id, amount, currency, transaction_type, description, channel,
                                    transaction_date, is_weekend, balance_after, data_source, generated_at, load_id)
      VALUES ('synth_bank-01_acc-1-1_0001', 'bank-01', 'acc-1-1', -20.00, 'EUR', 'POS Purchase', 'POS Purchase', 'POS', '2026-09-20T10:00:00Z', false, 1020.00, 'SYNTHETIC', now(), '${loadId}'),
             ('synth_bank-01_acc-1-1_0002', 'bank-01', 'acc-1-1', -20.00, 'EUR', 'POS Purchase', 'POS Purchase', 'POS', '2026-09-29T10:00:00Z', false, 1000.00, 'SYNTHETIC', now(), '${loadId}');
      INSERT INTO raw.account_profiles (bank_id, account_id, persona, account_kind, country, timezone, currency, overdraft_limit, opening_balance,
                                        monthly_income, activity_rate, transactions_count, data_source, generated_at, load_id)
      VALUES ('bank-01', 'acc-1-1', 'salaried', 'current', 'DE', 'Europe/Berlin', 'EUR', 500, 1040.00, 2500.00, 1.5, 2, 'SYNTHETIC', now(), '${loadId}');`);
    const before = await rowsDigest(db);
    await migrate(db.warehouse.pool, silentLogger());
    const profile = await db.warehouse.pool.query(`SELECT closing_balance::text, history_end::text, appends_from::text, payday FROM raw.account_profiles`);
    assert.deepEqual(profile.rows, [{ closing_balance: '1000.00', history_end: '2026-10-01', appends_from: '2026-10-01', payday: null }]);
    assert.deepEqual(await run(db, loadId), { load_mode: 'full', days_from: '2026-09-01', days_to: '2026-09-30', transactions_count: null });

    const { summary } = await loaded(db, server, ['--append', '--as-of', '2026-10-03']);
    assert.equal(summary.append?.continued, 1);
    assert.deepEqual(await rowsDigest(db, `load_id <> '${summary.loadId}'`), before);
    assert.deepEqual(await brokenLedgers(db), []);
  });
});

describe('appended days follow each account', () => {
  const options = (asOf: string): GenerateOptions => ({ seed: '15', asOf, days: 90, transactionsPerAccount: 'auto', fraudRate: 0.005, profile: loadProfile(undefined) });

  it("count rows at each account's activity rate, not --transactions-per-account", () => {
    const accounts = sampleAccounts(300).map((a) => ({ ...a, balanceMinor: null }));
    const start = options('2026-09-01');
    const profiles = [...describeAccounts(accounts, start)];
    const continued = accounts.map((seed, i) => ({ seed, profile: profiles[i] as AccountProfile, historyEndDay: epochDayOf('2026-09-01'), appendsFromDay: epochDayOf('2026-09-01') }));
    const rows = new Map<string, number>();
    for (const row of continueHistories(continued, { ...options('2026-10-31'), transactionsPerAccount: 7 })) rows.set(row.accountId, (rows.get(row.accountId) ?? 0) + 1);
    const expected = profiles.reduce((sum, p) => sum + p.dailyRate * 60, 0);
    const got = [...rows.values()].reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(got / expected - 1) < 0.1, `${got} rows over 60 days, the accounts' rates say ${Math.round(expected)}`);
    assert.ok(rows.size > 250, 'nearly every account has new rows');
    const busiest = profiles.reduce((best, p, i) => (p.dailyRate > profiles[best]!.dailyRate ? i : best), 0);
    const quietest = profiles.reduce((best, p, i) => (p.dailyRate < profiles[best]!.dailyRate ? i : best), 0);
    assert.ok((rows.get(accounts[busiest]!.accountId) ?? 0) > (rows.get(accounts[quietest]!.accountId) ?? 0));
  });

  it('refund a purchase of an earlier day (appended, or the full history\'s), at the same merchant and channel, for no more than was paid, as often as a full history does', () => {
    const accounts = sampleAccounts(300).map((a) => ({ ...a, balanceMinor: null }));
    const profiles = [...describeAccounts(accounts, options('2026-09-01'))];
    const continued = accounts.map((seed, i) => ({ seed, profile: profiles[i] as AccountProfile, historyEndDay: epochDayOf('2026-09-01'), appendsFromDay: epochDayOf('2026-09-01') }));
    // the full history's own purchases: the refunds it left due after its end are booked in the appended days
    const initial = [...generateTransactions(accounts, options('2026-09-01'))].filter((r) => /Purchase/.test(r.transactionType));
    const purchases: SyntheticTransaction[] = [...initial];
    let refunds = 0;
    for (const row of continueHistories(continued, options('2026-11-30'))) {
      if (row.transactionType === 'Refund') {
        refunds++;
        const paid = purchases.find((p) => p.accountId === row.accountId && p.merchant === row.merchant && p.channel === row.channel
          && -p.amountMinor >= row.amountMinor && p.timestampMs <= row.timestampMs - 86_400_000);
        assert.ok(paid, `refund ${row.transactionId} follows a purchase`);
      } else if (/Purchase/.test(row.transactionType)) purchases.push(row);
    }
    const full = [...generateTransactions(accounts, options('2026-11-30'))];
    const fullRefunds = full.filter((r) => r.transactionType === 'Refund').length / full.filter((r) => /Purchase/.test(r.transactionType)).length;
    const share = refunds / (purchases.length - initial.length);
    assert.ok(share > fullRefunds * 0.6 && share < fullRefunds * 1.4, `refunds are ${(100 * share).toFixed(1)} % of appended purchases, ${(100 * fullRefunds).toFixed(1)} % in a full history`);
  });

  it('label fraud as a full history of a year does: about as many victims a year, and as large a share of their rows', () => {
    const accounts = sampleAccounts(1_000).map((a) => ({ ...a, balanceMinor: null }));
    const profiles = [...describeAccounts(accounts, options('2026-01-01'))];
    const continued = accounts.map((seed, i) => ({ seed, profile: profiles[i] as AccountProfile, historyEndDay: epochDayOf('2026-01-01'), appendsFromDay: epochDayOf('2026-01-01') }));
    const fraudOf = (rows: Iterable<SyntheticTransaction>) => {
      let all = 0;
      let fraud = 0;
      const victims = new Set<string>();
      for (const r of rows) {
        all++;
        if (r.isFraud) (fraud++, victims.add(r.accountId));
      }
      return { share: fraud / all, victims: victims.size / accounts.length };
    };
    const appended = fraudOf(continueHistories(continued, options('2027-01-01')));
    const full = fraudOf(generateTransactions(accounts, { ...options('2027-01-01'), days: 365 }));
    const say = `appended: ${(100 * appended.victims).toFixed(1)} % victims, fraud ${(100 * appended.share).toFixed(2)} % of rows; a year's full history: ${(100 * full.victims).toFixed(1)} %, ${(100 * full.share).toFixed(2)} %`;
    assert.ok(appended.victims > full.victims * 0.75 && appended.victims < full.victims * 1.3, say);
    assert.ok(appended.share > full.share * 0.75 && appended.share < full.share * 1.3, say);
  });

  it("reach OBP's balance exactly, every row within its type's bounds, whatever the move (a few cents, a fortune, down)", () => {
    const profile = loadProfile(undefined);
    const bounds = new Map(profile.transactionTypes.map((t) => [t.name, [Math.round(t.minAmount * 100), Math.round(t.maxAmount * 100)] as const]));
    const accounts = sampleAccounts(200);
    const profiles = [...describeAccounts(accounts, options('2026-09-01'))];
    const moves = [0, 3, -3, 499, -499, 12_345, -12_345, 2_000_000, -2_000_000];
    const continued = accounts.map((a, i) => {
      const start = profiles[i] as AccountProfile;
      return { seed: { ...a, balanceMinor: start.closingMinor + moves[i % moves.length]! }, profile: start, historyEndDay: epochDayOf('2026-09-01'), appendsFromDay: epochDayOf('2026-09-01') };
    });
    const last = new Map<string, number>();
    for (const row of continueHistories(continued, options('2026-09-03'))) {
      const [min, max] = bounds.get(row.transactionType)!;
      assert.ok(Math.abs(row.amountMinor) >= min && Math.abs(row.amountMinor) <= max, `${row.transactionId}: ${row.amountMinor} outside ${row.transactionType}'s bounds`);
      last.set(row.accountId, row.balanceAfterMinor);
    }
    for (const c of continued) assert.equal(last.get(c.seed.accountId) ?? c.profile.closingMinor, c.seed.balanceMinor, c.seed.accountId);
  });

  it('carry on the same person: salary of the same amount from the same employer, direct debits to the same billers for the same amounts', () => {
    const accounts = sampleAccounts(120).map((a) => ({ ...a, balanceMinor: null }));
    const start = options('2026-09-01');
    const profiles = [...describeAccounts(accounts, start)];
    const history = [...generateTransactions(accounts, start)];
    const continued = accounts.map((seed, i) => ({ seed, profile: profiles[i] as AccountProfile, historyEndDay: epochDayOf('2026-09-01'), appendsFromDay: epochDayOf('2026-09-01') }));
    const appended = [...continueHistories(continued, options('2026-11-01'))];
    const key = (r: SyntheticTransaction) => `${r.accountId}|${r.transactionType}|${r.description}|${r.amountMinor}`;
    const seen = new Set(history.filter((r) => r.transactionType === 'Direct Debit' || r.transactionType === 'Salary Deposit').map(key));
    const salaries = appended.filter((r) => r.transactionType === 'Salary Deposit');
    const debits = appended.filter((r) => r.transactionType === 'Direct Debit');
    assert.ok(salaries.length > 20 && debits.length > 20, `${salaries.length} salaries, ${debits.length} direct debits in two months`);
    const lastSalary = new Map(history.filter((r) => r.transactionType === 'Salary Deposit').map((r) => [r.accountId, r]));
    for (const r of salaries) {
      const before = lastSalary.get(r.accountId);
      assert.ok(before, `${r.accountId} had a salary before`);
      assert.equal(r.description, before.description, 'the same employer');
      assert.equal(r.amountMinor, before.amountMinor, 'the salary it was last paid (after a raise too)');
    }
    const unknown = debits.filter((r) => !seen.has(key(r)));
    assert.deepEqual(unknown.map((r) => r.transactionId), [], 'every direct debit is one the account already paid, for the same amount');
  });

  it("keep every balance at or above the account's overdraft limit, as a full history does (a deeper limit only where nothing else can, recorded in the profile)", () => {
    const accounts = sampleAccounts(300);
    const profiles = [...describeAccounts(accounts, options('2026-09-01'))];
    // OBP's balance as it was, and for some accounts far down: the days walk towards the limit
    const continued = accounts.map((a, i) => {
      const start = profiles[i] as AccountProfile;
      const balanceMinor = i % 3 === 2 ? -start.overdraftLimitMinor : start.closingMinor;
      return { seed: { ...a, balanceMinor }, profile: start, historyEndDay: epochDayOf('2026-09-01'), appendsFromDay: epochDayOf('2026-09-01') };
    });
    const limits = new Map<string, number>();
    const rows = [...continueHistories(continued, options('2026-10-01'), (c) => limits.set(c.profile.accountId, c.profile.overdraftLimitMinor))];
    for (const row of rows) assert.ok(row.balanceAfterMinor >= -limits.get(row.accountId)!, `${row.transactionId}: ${row.balanceAfterMinor} below -${limits.get(row.accountId)}`);
    const deeper = profiles.filter((p) => limits.get(p.accountId)! > p.overdraftLimitMinor);
    assert.ok(deeper.length <= 3, `${deeper.length} of 300 accounts needed a deeper overdraft`);
  });

  it('under a static OBP balance end every day where it began, with about as many rows as the accounts\' rates', () => {
    const accounts = sampleAccounts(300);
    const profiles = [...describeAccounts(accounts, options('2026-09-01'))];
    const continued = accounts.map((a, i) => ({ seed: { ...a, balanceMinor: (profiles[i] as AccountProfile).closingMinor }, profile: profiles[i] as AccountProfile, historyEndDay: epochDayOf('2026-09-01'), appendsFromDay: epochDayOf('2026-09-01') }));
    const days = new Map<string, SyntheticTransaction[]>();
    let balancing = 0;
    for (const row of continueHistories(continued, options('2026-10-01'), (c) => (balancing += c.balancingRows))) {
      const key = `${row.accountId}|${Math.floor(row.timestampMs / 86_400_000)}`;
      days.set(key, [...(days.get(key) ?? []), row]);
    }
    const closing = new Map(continued.map((c) => [c.seed.accountId, c.seed.balanceMinor]));
    for (const [key, rows] of days) assert.equal(rows.at(-1)!.balanceAfterMinor, closing.get(key.split('|')[0]!), `${key} ends where it began`);
    const rowCount = [...days.values()].reduce((sum, rows) => sum + rows.length, 0);
    const expected = profiles.reduce((sum, p) => sum + p.dailyRate * 30, 0);
    assert.ok(rowCount < expected * 1.35, `${rowCount} rows over 30 days, the accounts' rates say ${Math.round(expected)}`);
    assert.ok(balancing < rowCount * 0.45, `${balancing} balancing transfers of ${rowCount} rows`);
  });

  it("under a moving OBP balance leave quiet the days without rows of their own (the next day with rows takes their step), and end on OBP's balance", () => {
    const accounts = sampleAccounts(300);
    const profiles = [...describeAccounts(accounts, options('2026-09-01'))];
    // a walk of up to 600.00 either way over the month, as live balances move
    const continued = accounts.map((a, i) => {
      const start = profiles[i] as AccountProfile;
      return { seed: { ...a, balanceMinor: start.closingMinor + (((i * 104_729) % 120_001) - 60_000) }, profile: start, historyEndDay: epochDayOf('2026-09-01'), appendsFromDay: epochDayOf('2026-09-01') };
    });
    const busy = new Set<string>();
    const last = new Map<string, SyntheticTransaction>();
    for (const row of continueHistories(continued, options('2026-10-01'))) {
      busy.add(`${row.accountId}|${Math.floor(row.timestampMs / 86_400_000)}`);
      last.set(row.accountId, row);
    }
    const quiet = 1 - busy.size / (accounts.length * 30);
    // every day carried its own step before: none was quiet (a full history's days: about 37 %)
    assert.ok(quiet > 0.2, `${(100 * quiet).toFixed(1)} % of account-days quiet`);
    for (const c of continued) {
      const end = last.get(c.seed.accountId)!;
      assert.equal(end.balanceAfterMinor, c.seed.balanceMinor, c.seed.accountId);
      assert.equal(Math.floor(end.timestampMs / 86_400_000), epochDayOf('2026-10-01') - 1, `${c.seed.accountId}'s last day has rows: it reaches the balance`);
    }
  });
});

describe('an append merges the same rows whichever way its foreign keys are checked', () => {
  // Roles are cluster-wide: a name unique to this process, dropped at the end. A member of the
  // warehouse owner's role: its privileges on every table, but not superuser, so it may not set
  // session_replication_role and the merge takes the triggers' path.
  const LOADER = `hbtest_append_loader_${process.pid}`;
  let bulk: TestDatabase;
  let triggers: TestDatabase;
  let server: SandboxServer;
  before(async () => {
    [bulk, triggers] = [await createTestDatabase(), await createTestDatabase()];
    server = await startObpServer({ data: manyBanks(2, 2) });
    const { rows } = await triggers.warehouse.pool.query<{ owner: string }>('SELECT current_user AS owner');
    await triggers.warehouse.pool.query(`CREATE ROLE ${LOADER} NOLOGIN`);
    await triggers.warehouse.pool.query(`GRANT ${rows[0]!.owner} TO ${LOADER}`);
  });
  after(async () => {
    await server.close();
    // the loader owns what it created (the appended days' partition): gone with the database
    await triggers.drop();
    await bulk.warehouse.pool.query(`DROP ROLE IF EXISTS ${LOADER}`);
    await bulk.drop();
  });

  it('in bulk as a superuser, through the triggers as a role that may not set session_replication_role: the same rows, and said', async () => {
    const asLoader = new URL(triggers.url);
    asLoader.searchParams.set('options', `-c role=${LOADER}`);
    const runs = [
      { db: bulk, url: bulk.url },
      { db: triggers, url: asLoader.toString() },
    ];
    const stderr: string[] = [];
    for (const { db, url } of runs) {
      assertSucceeded(await runCli(['load', ...ARGS, '--json', '--as-of', '2026-10-01'], { env: { DATABASE_URL: db.url, ...liveObpEnv(server) } }));
      const append = await runCli(['load', ...ARGS, '--json', '--append', '--as-of', '2026-10-04'], { env: { DATABASE_URL: url, ...liveObpEnv(server) } });
      assertSucceeded(append);
      stderr.push(append.stderr);
      assert.deepEqual(await brokenLedgers(db), []);
    }
    const said = /merged the rows through the row-by-row foreign-key triggers/;
    assert.doesNotMatch(stderr[0]!, said);
    assert.match(stderr[1]!, said);
    assert.equal(await transactionsDigest(triggers.warehouse.pool), await transactionsDigest(bulk.warehouse.pool));
  });
});
