import type { Selectable } from 'kysely';
import type pg from 'pg';
import { HybridbankError } from '../core/errors.js';
import { parseMinorUnits } from '../core/money.js';
import {
  describeAccounts, generateTransactions, historyWindow, profileFromValue, sampleAccounts,
  type GenerateOptions,
} from '../synth/index.js';
import type { TransactionsTable } from '../warehouse/schema.js';
import type { RealismAccount, RealismInput } from './scorecard.js';

/** Histories generated in memory for made-up accounts shaped like OBP's (nothing is written). */
export function generatedInput(options: GenerateOptions, accountCount: number): RealismInput {
  const seeds = sampleAccounts(accountCount);
  const accounts = new Map<string, RealismAccount>();
  for (const d of describeAccounts(seeds, options)) {
    accounts.set(`${d.bankId}/${d.accountId}`, {
      bankId: d.bankId, accountId: d.accountId, timezone: d.timezone, accountKind: d.accountType, persona: d.persona,
      overdraftLimitMinor: d.overdraftLimitMinor, rows: [],
    });
  }
  for (const r of generateTransactions(seeds, options)) accounts.get(`${r.bankId}/${r.accountId}`)!.rows.push(r);
  const window = historyWindow(options.asOf, options.days);
  return { accounts: [...accounts.values()], profile: options.profile, window: { startMs: window.startMs, endMs: window.endMs, days: window.days }, fraudRate: options.fraudRate };
}

interface LastLoad {
  params: { synth?: { asOf?: string; days?: number; fraudRate?: number; profile?: unknown } };
}

/** A transaction as read back (amounts as exact decimal text), with its account's profile. */
type WarehouseRow = Omit<Selectable<TransactionsTable>, 'amount' | 'balance_after' | 'transaction_date' | 'data_source' | 'generated_at' | 'load_id'> & {
  amount: string;
  balance_after: string;
  transaction_date: Date;
  timezone: string;
  account_kind: string;
  persona: string;
  overdraft_limit: string;
};

/**
 * The warehouse's histories, read back: up to `accountLimit` accounts (a stable sample by hash),
 * with the profile, window and fraud rate of the last successful load that wrote them.
 */
export async function warehouseInput(pool: pg.Pool, accountLimit: number): Promise<RealismInput> {
  const noData = (why: string) =>
    new HybridbankError('REALISM_NO_DATA', `Nothing to score in the warehouse: ${why}.`, {
      hint: 'Run `npm run load` first (e.g. with --transactions-per-account auto --days 365), or score generated data with `npm run realism -- --generate`.',
    });
  const hasProfiles = await pool.query<{ present: boolean }>(`SELECT to_regclass('raw.account_profiles') IS NOT NULL AS present`);
  if (!hasProfiles.rows[0]?.present) throw noData('the warehouse has no raw.account_profiles (run migrations with a load)');
  const last = await pool.query<LastLoad>(
    `SELECT r.params FROM raw.load_runs r
     WHERE r.status = 'succeeded' AND EXISTS (SELECT 1 FROM raw.account_profiles p WHERE p.load_id = r.load_id)
     ORDER BY r.finished_at DESC LIMIT 1`,
  );
  const synth = last.rows[0]?.params.synth;
  if (!synth?.asOf || !synth.days || !synth.profile) throw noData('no successful load with account profiles');
  const profile = profileFromValue(synth.profile, 'raw.load_runs.params.synth.profile');
  const { rows } = await pool.query<WarehouseRow>(
    `WITH sampled AS (
         SELECT bank_id, account_id, timezone, account_kind, persona, overdraft_limit
         FROM raw.account_profiles
         ORDER BY md5(bank_id || '/' || account_id)
         LIMIT $1
     )
     SELECT t.transaction_id, t.bank_id, t.account_id, t.amount::text AS amount, rtrim(t.currency) AS currency, t.transaction_type,
            t.description, t.merchant, t.merchant_category, t.counterparty, t.channel, t.transaction_date, t.is_weekend,
            t.balance_after::text AS balance_after, t.is_fraud, t.fraud_pattern,
            s.timezone, s.account_kind, s.persona, s.overdraft_limit::text AS overdraft_limit
     FROM raw.transactions t
     JOIN sampled s ON s.bank_id = t.bank_id AND s.account_id = t.account_id
     ORDER BY t.bank_id, t.account_id, t.transaction_id`,
    [accountLimit],
  );
  if (rows.length === 0) throw noData('no transactions for the profiled accounts');
  const accounts = new Map<string, RealismAccount>();
  for (const r of rows) {
    const key = `${r.bank_id}/${r.account_id}`;
    let account = accounts.get(key);
    if (!account) {
      accounts.set(key, (account = {
        bankId: r.bank_id, accountId: r.account_id, timezone: r.timezone, accountKind: r.account_kind, persona: r.persona,
        overdraftLimitMinor: parseMinorUnits(r.overdraft_limit), rows: [],
      }));
    }
    account.rows.push({
      transactionId: r.transaction_id, bankId: r.bank_id, accountId: r.account_id, amountMinor: parseMinorUnits(r.amount), currency: r.currency,
      transactionType: r.transaction_type, description: r.description, merchant: r.merchant, merchantCategory: r.merchant_category,
      counterparty: r.counterparty, channel: r.channel, timestampMs: r.transaction_date.getTime(), isWeekend: r.is_weekend,
      balanceAfterMinor: parseMinorUnits(r.balance_after), isFraud: r.is_fraud, fraudPattern: r.fraud_pattern,
    });
  }
  const window = historyWindow(synth.asOf, synth.days);
  return {
    accounts: [...accounts.values()],
    profile,
    window: { startMs: window.startMs, endMs: window.endMs, days: window.days },
    fraudRate: synth.fraudRate ?? null,
  };
}
