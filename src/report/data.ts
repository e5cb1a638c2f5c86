import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { HybridbankError, messageOf } from '../core/errors.js';

/** The ready SQL of queries/: where the report and a person asking the same question agree. */
export const QUERIES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../queries');

export interface Headline {
  banks: number;
  accounts: number;
  transactions: number;
  fraudRate: number;
  firstDay: string | null;
  lastDay: string | null;
}
export interface DailyRow { day: string; transactions: number }
export interface DailyAmountRow { day: string; currency: string; amount: number }
export interface TypeMixRow { type: string; direction: string; transactions: number; share: number }
export interface BalancePoint { account: string; day: string; balance: number }
export interface FraudPatternRow { pattern: string; transactions: number; rate: number }
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

export interface ReportData {
  headline: Headline;
  daily: DailyRow[];
  dailyAmount: DailyAmountRow[];
  typeMix: TypeMixRow[];
  balances: BalancePoint[];
  fraudByPattern: FraudPatternRow[];
  lineage: LineageRow[];
  loadRuns: LoadRunRow[];
}

/** How many accounts get a balance line: more would be unreadable. */
const BALANCE_ACCOUNTS = 5;
const LOAD_RUNS = 10;

/** Reads everything the report shows, from the marts (and raw.load_runs for the runs). */
export async function collectReportData(pool: pg.Pool): Promise<ReportData> {
  const rows = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await pool.query(sql, params)).rows as T[];
  const readyQuery = (file: string) => rows<Record<string, string>>(readFileSync(path.join(QUERIES_DIR, file), 'utf8'));
  try {
    const [headline] = await rows<Headline>(`
      SELECT (SELECT count(*)::int FROM marts.dim_bank WHERE bank_key <> '-1') AS banks,
             (SELECT count(*)::int FROM marts.dim_account WHERE is_current AND account_key <> '-1') AS accounts,
             count(*)::int AS transactions,
             coalesce(avg(is_fraud::int), 0)::float8 AS "fraudRate",
             min(transacted_at AT TIME ZONE 'UTC')::date::text AS "firstDay",
             max(transacted_at AT TIME ZONE 'UTC')::date::text AS "lastDay"
      FROM marts.fct_transactions`);
    const daily = await rows<DailyRow>(`
      SELECT d.date_day::text AS day, count(*)::int AS transactions
      FROM marts.fct_transactions f JOIN marts.dim_date d ON d.date_key = f.transaction_date_key
      GROUP BY d.date_day ORDER BY d.date_day`);
    // money moved both ways, per currency: currencies are never added together
    const dailyAmount = await rows<DailyAmountRow>(`
      SELECT d.date_day::text AS day, f.currency_code AS currency, sum(abs(f.amount))::float8 AS amount
      FROM marts.fct_transactions f JOIN marts.dim_date d ON d.date_key = f.transaction_date_key
      GROUP BY d.date_day, f.currency_code ORDER BY d.date_day, f.currency_code`);
    const typeMix = (await readyQuery('transaction_type_mix.sql')).map((r) => ({
      type: r.transaction_type!, direction: r.direction!, transactions: Number(r.transactions), share: Number(r.share_of_transactions),
    }));
    const balances = await rows<BalancePoint>(`
      WITH busiest AS (
        SELECT bank_id, account_id FROM marts.fct_transactions
        GROUP BY bank_id, account_id ORDER BY count(*) DESC, bank_id, account_id LIMIT $1)
      SELECT concat(coalesce(a.account_label, a.account_id), ' (', a.currency_code, ', ', a.bank_id, ')') AS account,
             b.balance_date::text AS day, b.closing_balance::float8 AS balance
      FROM marts.fct_account_daily_balances b
      JOIN busiest USING (bank_id, account_id)
      JOIN marts.dim_account a ON a.bank_id = b.bank_id AND a.account_id = b.account_id AND a.is_current
      ORDER BY account, b.balance_date`, [BALANCE_ACCOUNTS]);
    const fraudByPattern = (await readyQuery('fraud_rate_by_pattern.sql')).map((r) => ({
      pattern: r.fraud_pattern!, transactions: Number(r.transactions), rate: Number(r.fraud_rate),
    }));
    const lineage = await rows<LineageRow>(`
      SELECT 'banks' AS entity, data_source AS "dataSource", count(*)::int AS rows FROM marts.dim_bank WHERE bank_key <> '-1' GROUP BY data_source
      UNION ALL
      SELECT 'accounts', data_source, count(*)::int FROM marts.dim_account WHERE is_current AND account_key <> '-1' GROUP BY data_source
      UNION ALL
      SELECT 'transactions', data_source, count(*)::int FROM marts.fct_transactions GROUP BY data_source
      ORDER BY 1, 2`);
    const loadRuns = await rows<LoadRunRow>(`
      SELECT load_id::text AS "loadId", to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' AS "startedAt",
             status, obp_source AS "obpSource",
             round(extract(epoch FROM finished_at - started_at)::numeric, 1)::float8 AS seconds,
             banks_count AS banks, accounts_count AS accounts, transactions_count::int AS transactions, error
      FROM raw.load_runs ORDER BY started_at DESC LIMIT $1`, [LOAD_RUNS]);
    return { headline: headline!, daily, dailyAmount, typeMix, balances, fraudByPattern, lineage, loadRuns };
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      throw new HybridbankError('DBT_FAILED', `The report reads the marts, and they are not built in this warehouse: ${messageOf(error)}.`, {
        hint: "Run 'npm run load' and 'npm run transform' first.",
        cause: error,
      });
    }
    throw error;
  }
}
