import type pg from 'pg';
import { HybridbankError, messageOf } from '../core/errors.js';
import { readMartsFreshness, stalenessWarning } from '../transform/freshness.js';

/**
 * Everything the page shows, by bank: the page filters by bank in the browser (no request), so
 * every series carries its bank_id and the page adds banks up, never currencies.
 */
export interface BankRow { bankId: string; bankName: string; accounts: number; transactions: number; fraud: number; firstDay: string | null; lastDay: string | null }
export interface DailyRow { bankId: string; day: string; transactions: number }
export interface DailyAmountRow { bankId: string; day: string; currency: string; inflow: number; outflow: number }
export interface WeeklyFraudRow { bankId: string; week: string; transactions: number; fraud: number }
export interface TypeMixRow { bankId: string; type: string; direction: string; transactions: number }
export interface BalancePoint { bankId: string; currency: string; account: string; day: string; balance: number }
export interface FraudPatternRow { bankId: string; pattern: string; transactions: number }
export interface SpendRow { bankId: string; currency: string; category: string; spend: number }
export interface LineageRow { entity: string; dataSource: string; rows: number }
export interface LoadRunRow {
  loadId: string;
  startedAt: string;
  status: string;
  obpSource: string | null;
  seconds: number | null;
  banks: number | null;
  accounts: number | null;
  transactions: number | null;
  error: string | null;
}
export interface AsOf {
  /** the UTC day of the latest transaction in the marts */
  dataAsOfDate: string | null;
  /** when the marts were built */
  builtAt: string | null;
  /** set when a successful load is newer than the marts */
  staleness: string | null;
}

export interface ReportData {
  asOf: AsOf;
  currencies: string[];
  banks: BankRow[];
  daily: DailyRow[];
  dailyAmount: DailyAmountRow[];
  weeklyFraud: WeeklyFraudRow[];
  typeMix: TypeMixRow[];
  balances: BalancePoint[];
  fraudByPattern: FraudPatternRow[];
  spendByCategory: SpendRow[];
  lineage: LineageRow[];
  loadRuns: LoadRunRow[];
}

/** How many accounts of each bank and currency get a balance line: more would be unreadable. */
const BALANCE_ACCOUNTS = 3;
const LOAD_RUNS = 10;
const SPEND_CATEGORIES = 8;

/**
 * Reads everything the report shows from schema marts only, so it runs with a reader's
 * credentials (npm run warehouse -- --create-reader). Spend leaves cash withdrawals out, as
 * queries/top_merchant_categories.sql does.
 */
export async function collectReportData(pool: pg.Pool): Promise<ReportData> {
  const rows = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await pool.query(sql, params)).rows as T[];
  try {
    const freshness = await readMartsFreshness(pool);
    const asOf: AsOf = { dataAsOfDate: freshness?.dataAsOfDate ?? null, builtAt: freshness?.builtAt ?? null, staleness: stalenessWarning(freshness) };
    const banks = await rows<BankRow>(`
      WITH activity AS (
        SELECT bank_key, count(*)::int AS transactions, count(*) FILTER (WHERE is_fraud)::int AS fraud,
               min(transaction_date_key) AS first_key, max(transaction_date_key) AS last_key
        FROM marts.fct_transactions GROUP BY bank_key),
      accounts AS (
        SELECT bank_key, count(*)::int AS accounts FROM marts.dim_account WHERE is_current GROUP BY bank_key)
      SELECT b.bank_id AS "bankId", coalesce(b.bank_name, b.bank_id) AS "bankName",
             coalesce(accounts.accounts, 0) AS accounts, coalesce(activity.transactions, 0) AS transactions,
             coalesce(activity.fraud, 0) AS fraud,
             to_date(activity.first_key::text, 'YYYYMMDD')::text AS "firstDay", to_date(activity.last_key::text, 'YYYYMMDD')::text AS "lastDay"
      FROM marts.dim_bank b
      LEFT JOIN activity ON activity.bank_key = b.bank_key
      LEFT JOIN accounts ON accounts.bank_key = b.bank_key
      WHERE b.bank_key <> '-1' OR activity.transactions > 0
      ORDER BY "bankName"`);
    const daily = await rows<DailyRow>(`
      SELECT f.bank_id AS "bankId", d.date_day::text AS day, count(*)::int AS transactions
      FROM marts.fct_transactions f JOIN marts.dim_date d ON d.date_key = f.transaction_date_key
      GROUP BY f.bank_id, d.date_day ORDER BY d.date_day, f.bank_id`);
    const dailyAmount = await rows<DailyAmountRow>(`
      SELECT f.bank_id AS "bankId", d.date_day::text AS day, f.currency_code AS currency,
             sum(f.credit_amount)::float8 AS inflow, sum(f.debit_amount)::float8 AS outflow
      FROM marts.fct_transactions f JOIN marts.dim_date d ON d.date_key = f.transaction_date_key
      GROUP BY f.bank_id, d.date_day, f.currency_code ORDER BY d.date_day, f.currency_code, f.bank_id`);
    const weeklyFraud = await rows<WeeklyFraudRow>(`
      SELECT f.bank_id AS "bankId", d.week_start_date::text AS week, count(*)::int AS transactions,
             count(*) FILTER (WHERE f.is_fraud)::int AS fraud
      FROM marts.fct_transactions f JOIN marts.dim_date d ON d.date_key = f.transaction_date_key
      GROUP BY f.bank_id, d.week_start_date ORDER BY d.week_start_date, f.bank_id`);
    const typeMix = await rows<TypeMixRow>(`
      SELECT f.bank_id AS "bankId", t.transaction_type AS type, t.direction, count(*)::int AS transactions
      FROM marts.fct_transactions f JOIN marts.dim_transaction_type t ON t.transaction_type_key = f.transaction_type_key
      GROUP BY f.bank_id, t.transaction_type, t.direction ORDER BY transactions DESC, type`);
    // the busiest accounts of each bank and currency, each in its own currency's chart
    const balances = await rows<BalancePoint>(`
      WITH ranked AS (
        SELECT bank_id, account_id, currency_code,
               row_number() OVER (PARTITION BY bank_id, currency_code ORDER BY count(*) DESC, account_id) AS busiest
        FROM marts.fct_transactions GROUP BY bank_id, account_id, currency_code)
      SELECT b.bank_id AS "bankId", b.currency_code AS currency,
             concat(coalesce(a.account_label, a.account_id), ' (', a.bank_id, ')') AS account,
             b.balance_date::text AS day, b.closing_balance::float8 AS balance
      FROM marts.fct_account_daily_balances b
      JOIN ranked ON ranked.bank_id = b.bank_id AND ranked.account_id = b.account_id AND ranked.busiest <= $1
      JOIN marts.dim_account a ON a.bank_id = b.bank_id AND a.account_id = b.account_id AND a.is_current
      ORDER BY currency, account, b.balance_date`, [BALANCE_ACCOUNTS]);
    const fraudByPattern = await rows<FraudPatternRow>(`
      SELECT bank_id AS "bankId", fraud_pattern AS pattern, count(*)::int AS transactions
      FROM marts.fct_transactions WHERE is_fraud GROUP BY bank_id, fraud_pattern ORDER BY transactions DESC, pattern`);
    const spendByCategory = await rows<SpendRow>(`
      WITH spend AS (
        SELECT f.bank_id, f.currency_code, m.merchant_category, sum(f.debit_amount) AS spend
        FROM marts.fct_transactions f JOIN marts.dim_merchant m ON m.merchant_key = f.merchant_key
        WHERE m.merchant_key <> '-1' AND NOT m.is_cash_withdrawal AND f.debit_amount > 0
        GROUP BY f.bank_id, f.currency_code, m.merchant_category)
      SELECT s.bank_id AS "bankId", s.currency_code AS currency, s.merchant_category AS category, s.spend::float8 AS spend
      FROM spend s
      WHERE (s.currency_code, s.merchant_category) IN (
        SELECT currency_code, merchant_category FROM (
          SELECT currency_code, merchant_category,
                 row_number() OVER (PARTITION BY currency_code ORDER BY sum(spend) DESC, merchant_category) AS rank
          FROM spend GROUP BY currency_code, merchant_category) ranked
        WHERE rank <= $1)
      ORDER BY s.currency_code, s.spend DESC`, [SPEND_CATEGORIES]);
    const lineage = await rows<LineageRow>(`
      SELECT 'banks' AS entity, data_source AS "dataSource", count(*)::int AS rows FROM marts.dim_bank WHERE bank_key <> '-1' GROUP BY data_source
      UNION ALL
      SELECT 'accounts', data_source, count(*)::int FROM marts.dim_account WHERE is_current GROUP BY data_source
      UNION ALL
      SELECT 'transactions', data_source, count(*)::int FROM marts.fct_transactions GROUP BY data_source
      ORDER BY 1, 2`);
    const loadRuns = await rows<LoadRunRow>(`
      SELECT load_id::text AS "loadId", to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' AS "startedAt",
             load_status AS status, obp_source AS "obpSource", duration_seconds::float8 AS seconds,
             banks_count AS banks, accounts_count AS accounts, transactions_count::int AS transactions, error_message AS error
      FROM marts.load_runs ORDER BY started_at DESC LIMIT $1`, [LOAD_RUNS]);
    const currencies = [...new Set([...dailyAmount.map((r) => r.currency), ...balances.map((r) => r.currency)])].sort();
    return { asOf, currencies, banks, daily, dailyAmount, weeklyFraud, typeMix, balances, fraudByPattern, spendByCategory, lineage, loadRuns };
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      throw new HybridbankError('DBT_FAILED', `The report reads the marts, and they are not built in this warehouse: ${messageOf(error)}.`, {
        hint: "Run 'npm run load' and 'npm run transform' first.",
        cause: error,
      });
    }
    if ((error as { code?: string }).code === '42501') {
      throw new HybridbankError('CONFIG_INVALID', `The report's connection may not read the marts: ${messageOf(error)}.`, {
        hint: 'Connect as the owner of the warehouse or as a member of hybridbank_reader (npm run warehouse -- --create-reader NAME).',
        cause: error,
      });
    }
    throw error;
  }
}
