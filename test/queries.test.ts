import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PROJECT_ROOT } from './helpers/cli.js';
import type { TestDatabase } from './helpers/database.js';
import { createTestReader } from './helpers/reader.js';
import { createTransformedWarehouse } from './helpers/transformed-warehouse.js';

/**
 * Every file in queries/ runs against a warehouse that the real load and transform filled, as a
 * member of the read-only group (so the ready SQL needs nothing but the marts), and its answer is
 * checked for sense, mostly against the facts counted another way.
 */
type Row = Record<string, unknown>;

const QUERIES_DIR = path.join(PROJECT_ROOT, 'queries');

const num = (value: unknown): number => {
  const n = Number(value);
  assert.ok(value !== null && Number.isFinite(n), `a number: ${String(value)}`);
  return n;
};
const sum = (rows: Row[], column: string) => rows.reduce((total, r) => total + num(r[column]), 0);
const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
const byKey = (rows: Row[], key: (r: Row) => string): Map<string, Row[]> => {
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return groups;
};

describe('queries/', () => {
  let db: TestDatabase;
  let reader: pg.Client;
  let dropReader: (() => Promise<void>) | undefined;
  /** independent counts from the owner's connection */
  let facts: { transactions: number; fraud: number; accounts: number; firstDay: string; lastDay: string };

  before(async () => {
    db = await createTransformedWarehouse();
    const readerRole = await createTestReader(db, 'hbtest_queries');
    dropReader = readerRole.drop;
    reader = new pg.Client({ connectionString: readerRole.url });
    await reader.connect();
    const { rows } = await db.warehouse.pool.query(`
      SELECT (SELECT count(*)::int FROM raw.transactions) AS transactions,
             (SELECT count(*)::int FROM raw.transactions WHERE is_fraud) AS fraud,
             (SELECT count(*)::int FROM raw.accounts) AS accounts,
             (SELECT min(transaction_date AT TIME ZONE 'UTC')::date::text FROM raw.transactions) AS "firstDay",
             (SELECT max(transaction_date AT TIME ZONE 'UTC')::date::text FROM raw.transactions) AS "lastDay"`);
    facts = rows[0];
    assert.ok(facts.transactions > 0 && facts.fraud > 0, 'the load made transactions, some of them fraud');
  });

  after(async () => {
    await reader?.end();
    await dropReader?.();
    await db?.drop();
  });

  const run = async (file: string): Promise<Row[]> => {
    const { rows } = await reader.query(readFileSync(path.join(QUERIES_DIR, file), 'utf8'));
    assert.ok(rows.length > 0, `${file} returns rows`);
    return rows;
  };

  const CHECKS: Record<string, (rows: Row[]) => void | Promise<void>> = {
    'monthly_inflow_outflow_by_bank.sql': (rows) => {
      for (const r of rows) {
        assert.match(String(r.year_month), /^\d{4}-\d{2}$/);
        assert.ok(num(r.inflow) >= 0 && num(r.outflow) >= 0, 'inflow and outflow are not negative');
        close(num(r.net_flow), num(r.inflow) - num(r.outflow), 0.005, 'net = inflow - outflow');
        assert.ok(num(r.transactions) > 0);
      }
      assert.equal(sum(rows, 'transactions'), facts.transactions, 'every transaction is in exactly one month and bank');
      assert.ok(sum(rows, 'inflow') > 0 && sum(rows, 'outflow') > 0, 'money moves both ways');
    },

    'account_balances_monthly.sql': async (rows) => {
      for (const r of rows) {
        assert.ok(num(r.lowest_balance) <= num(r.month_end_balance) + 0.005, 'the lowest is not above the month end');
        assert.ok(num(r.lowest_balance) <= num(r.average_daily_balance) + 0.005, 'the lowest is not above the average');
        const days = num(r.days_covered);
        assert.ok(days >= 1 && days <= 31);
        const [year, month] = String(r.year_month).split('-').map(Number);
        const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
        assert.equal(r.month_complete, days === daysInMonth, `${r.year_month}: complete exactly when all ${daysInMonth} days are there`);
      }
      const accounts = byKey(rows, (r) => `${r.bank_id}/${r.account_id}`);
      // The last month's closing balance is the balance after the account's last transaction.
      const { rows: last } = await db.warehouse.pool.query(`
        SELECT DISTINCT ON (bank_id, account_id) bank_id || '/' || account_id AS account, balance_after
        FROM raw.transactions ORDER BY bank_id, account_id, transaction_date DESC, transaction_id DESC`);
      assert.equal(accounts.size, last.length, 'every account with transactions has balances');
      for (const { account, balance_after } of last) {
        const months = accounts.get(account)!;
        close(num(months.at(-1)!.month_end_balance), num(balance_after), 0.005, `${account}: latest month end`);
      }
    },

    'transaction_type_mix.sql': (rows) => {
      for (const r of rows) {
        assert.ok(num(r.share_of_transactions) > 0 && num(r.share_of_transactions) <= 1, 'a share is a fraction');
        assert.ok(['debit', 'credit'].includes(String(r.direction)));
        assert.ok(num(r.accounts) >= 1 && num(r.accounts) <= facts.accounts);
      }
      assert.equal(sum(rows, 'transactions'), facts.transactions);
      close(sum(rows, 'share_of_transactions'), 1, 0.001 * rows.length, 'the shares add up to 1');
      assert.ok(rows.length >= 2, 'more than one type');
    },

    'top_merchants.sql': (rows) => {
      for (const [currency, ranked] of byKey(rows, (r) => String(r.currency_code))) {
        assert.ok(ranked.every((r) => num(r.spend_rank) <= 10), `${currency}: top 10`);
        const spends = ranked.map((r) => num(r.spend));
        assert.deepEqual(spends, [...spends].sort((a, b) => b - a), `${currency}: by spend, largest first`);
      }
      for (const r of rows) {
        assert.ok(r.merchant_name, 'a named merchant');
        assert.doesNotMatch(String(r.merchant_category), /Cash Disbursements/, 'cash withdrawals are not spend');
        assert.ok(num(r.spend) >= 0 && num(r.refunds) >= 0);
        close(num(r.net_spend), num(r.spend) - num(r.refunds), 0.005, 'net = spend - refunds');
      }
      assert.ok(sum(rows, 'spend') > 0);
    },

    'top_merchant_categories.sql': (rows) => {
      for (const [currency, ranked] of byKey(rows, (r) => String(r.currency_code))) {
        assert.ok(ranked.every((r) => num(r.spend_rank) <= 10), `${currency}: top 10`);
        const shares = sum(ranked, 'share_of_spend');
        assert.ok(shares > 0 && shares <= 1.001, `${currency}: shares of one currency's spend add up to at most 1 (${shares})`);
      }
      for (const r of rows) {
        assert.ok(num(r.share_of_spend) >= 0 && num(r.share_of_spend) <= 1, 'a share is a fraction');
        assert.match(String(r.merchant_category_code), /^\d{4}$/);
        assert.ok(!['6010', '6011'].includes(String(r.merchant_category_code)), 'cash withdrawals are not spend');
        assert.ok(num(r.merchants) >= 1 && num(r.transactions) >= num(r.merchants));
      }
    },

    'fraud_rate_by_pattern.sql': (rows) => {
      for (const r of rows) {
        assert.ok(r.fraud_pattern, 'a named pattern');
        assert.ok(num(r.fraud_rate) > 0 && num(r.fraud_rate) < 1, 'a rate is between 0 and 1');
        assert.ok(num(r.share_of_fraud) > 0 && num(r.share_of_fraud) <= 1);
        close(num(r.overall_fraud_rate), facts.fraud / facts.transactions, 0.000001, 'overall rate = labelled fraud / all, counted in raw');
        assert.ok(num(r.median_abs_amount) > 0);
      }
      assert.equal(sum(rows, 'transactions'), facts.fraud, 'every labelled fraud has its pattern');
      close(sum(rows, 'share_of_fraud'), 1, 0.0001 * rows.length, 'the shares add up to 1');
      close(sum(rows, 'fraud_rate'), num(rows[0]!.overall_fraud_rate), 0.000001 * rows.length, 'the rates add up to the overall rate');
    },

    'weekend_vs_weekday_spending.sql': (rows) => {
      const spanDays = (Date.parse(facts.lastDay) - Date.parse(facts.firstDay)) / 86_400_000 + 1;
      const calendar = new Map(rows.map((r) => [String(r.day_type), num(r.calendar_days)]));
      assert.deepEqual([...calendar.keys()].sort(), ['weekday', 'weekend']);
      assert.equal(calendar.get('weekday')! + calendar.get('weekend')!, spanDays, 'every day of the span is one or the other');
      close(calendar.get('weekend')!, (spanDays * 2) / 7, 2, 'two days in seven are weekend days');
      for (const r of rows) {
        assert.ok(num(r.spend) >= 0 && num(r.debit_transactions) >= 0);
        close(num(r.spend_per_day) * num(r.calendar_days), num(r.spend), num(r.calendar_days) * 0.005, 'spend per day');
        if (num(r.debit_transactions) > 0) assert.ok(num(r.average_ticket) > 0);
      }
    },

    'dormant_accounts.sql': async (rows) => {
      const { rows: current } = await db.warehouse.pool.query(`SELECT count(*)::int AS n FROM marts.dim_account WHERE is_current AND account_key <> '-1'`);
      assert.equal(rows.length, current[0].n, 'one row per current account');
      assert.equal(rows.length, facts.accounts);
      for (const r of rows) {
        const inactive = r.days_inactive === null ? null : num(r.days_inactive);
        assert.ok(inactive === null || inactive >= 0, 'not inactive for negative days');
        assert.equal(r.is_dormant, inactive === null || inactive >= 30, 'dormant after 30 quiet days, or with no transaction');
        assert.equal(inactive === null, num(r.transactions) === 0);
      }
      const ordered = rows.map((r) => (r.is_dormant ? 1 : 0));
      assert.deepEqual(ordered, [...ordered].sort((a, b) => b - a), 'the dormant first');
    },

    'large_amount_outliers.sql': (rows) => {
      for (const r of rows) {
        assert.ok(Math.abs(num(r.amount)) >= 5 * num(r.median_abs_amount) - 0.005, 'at least 5 medians');
        assert.ok(num(r.times_median) >= 5);
        assert.ok(num(r.peers) >= 1);
      }
      const times = rows.map((r) => num(r.times_median));
      assert.deepEqual(times, [...times].sort((a, b) => b - a), 'the most extreme first');
      assert.ok(rows.length < facts.transactions / 10, 'outliers are the exception');
    },
  };

  it('has a commented file per question, each checked here', () => {
    const files = readdirSync(QUERIES_DIR).filter((f) => f.endsWith('.sql')).sort();
    assert.deepEqual(files, Object.keys(CHECKS).sort());
    for (const file of files) {
      const text = readFileSync(path.join(QUERIES_DIR, file), 'utf8');
      assert.match(text, /^-- .+\n--\n-- Question: /, `${file} opens with its title and the question it answers`);
      assert.doesNotMatch(text, /\braw\./, `${file} reads the marts only`);
    }
  });

  for (const [file, check] of Object.entries(CHECKS)) {
    it(`${file} answers sensibly as a reader`, async () => {
      await check(await run(file));
    });
  }
});
