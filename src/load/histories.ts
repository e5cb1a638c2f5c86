import type pg from 'pg';
import { HybridbankError } from '../core/errors.js';
import { parseMinorUnits } from '../core/money.js';
import { epochDayOf, type AccountProfile, type ContinuedAccount } from '../synth/index.js';
import type { AccountSeed } from '../synth/types.js';
import { parsePendingRefunds } from './pending-refunds.js';

/**
 * Where each extracted account's history stands, for `load --append`: accounts with a history in
 * the warehouse are continued from it (raw.account_profiles keeps its closing balance, the day it
 * runs to and who the generator made it), the others are new and get a full initial history. Read
 * from the small profile table, never from raw.transactions.
 */
export interface Histories {
  continued: ContinuedAccount[];
  fresh: AccountSeed[];
}

interface ProfileRow {
  bank_id: string;
  account_id: string;
  persona: string;
  account_kind: string;
  country: string;
  timezone: string;
  currency: string;
  overdraft_limit: string;
  opening_balance: string;
  monthly_income: string;
  activity_rate: string;
  transactions_count: number;
  closing_balance: string | null;
  history_end: string | null;
  payday: number | null;
  appends_from: string | null;
  /** jsonb, parsed by pg */
  pending_refunds: unknown;
}

export async function readHistories(client: pg.ClientBase, seeds: readonly AccountSeed[], asOf: string): Promise<Histories> {
  const { rows } = await client.query<ProfileRow>(
    `SELECT p.bank_id, p.account_id, p.persona, p.account_kind, p.country, p.timezone, p.currency,
            p.overdraft_limit::text, p.opening_balance::text, p.monthly_income::text, p.activity_rate::text,
            p.transactions_count, p.closing_balance::text, p.history_end::text, p.payday, p.appends_from::text,
            p.pending_refunds
     FROM raw.account_profiles p
     JOIN unnest($1::text[], $2::text[]) AS s (bank_id, account_id) ON s.bank_id = p.bank_id AND s.account_id = p.account_id`,
    [seeds.map((s) => s.bankId), seeds.map((s) => s.accountId)],
  );
  const byKey = new Map(rows.map((r) => [`${r.bank_id}\u0000${r.account_id}`, r]));
  const continued: ContinuedAccount[] = [];
  const fresh: AccountSeed[] = [];
  const unplaced: string[] = [];
  let latest: ProfileRow | undefined;
  for (const seed of seeds) {
    const row = byKey.get(`${seed.bankId}\u0000${seed.accountId}`);
    if (!row) {
      fresh.push(seed);
      continue;
    }
    if (row.closing_balance === null || row.history_end === null) {
      unplaced.push(`${row.bank_id}/${row.account_id}`);
      continue;
    }
    if (!latest || row.history_end > latest.history_end!) latest = row;
    const appendsFrom = row.appends_from ?? row.history_end;
    // the home its history was generated in, whatever OBP says now: the same person goes on
    const pinned = { ...seed, country: row.country };
    continued.push({ seed: pinned, profile: { ...profileOf(row), appendsFrom }, historyEndDay: epochDayOf(row.history_end), appendsFromDay: epochDayOf(appendsFrom) });
  }
  if (unplaced.length) {
    throw new HybridbankError('LOAD_FAILED', `--append cannot tell where the history of ${unplaced.length} account(s) ends (${unplaced.slice(0, 3).join(', ')}${unplaced.length > 3 ? ', ...' : ''}): their profile has no closing balance or history end.`, {
      hint: 'Run one full load (without --append) to regenerate their history; appends continue from there.',
    });
  }
  if (latest && asOf < latest.history_end!) {
    throw new HybridbankError('CONFIG_INVALID', `--as-of ${asOf} is before the end of the history already loaded: account ${latest.bank_id}/${latest.account_id} already has its history up to --as-of ${latest.history_end} (rows until that day begins). An append only adds days; nothing was written.`, {
      hint: `Use --as-of ${latest.history_end} or later (the default is today), or a full load (without --append) to rewrite the histories for an earlier as-of.`,
    });
  }
  return { continued, fresh };
}

function profileOf(row: ProfileRow): AccountProfile {
  return {
    bankId: row.bank_id,
    accountId: row.account_id,
    persona: row.persona,
    accountType: row.account_kind,
    currency: row.currency,
    country: row.country,
    timezone: row.timezone,
    openingMinor: parseMinorUnits(row.opening_balance),
    overdraftLimitMinor: parseMinorUnits(row.overdraft_limit),
    dailyRate: Number(row.activity_rate),
    rows: row.transactions_count,
    monthlyIncomeMinor: parseMinorUnits(row.monthly_income),
    missedRecurring: 0,
    payday: row.payday,
    closingMinor: parseMinorUnits(row.closing_balance!),
    pendingRefunds: parsePendingRefunds(row.pending_refunds, `${row.bank_id}/${row.account_id}`),
  };
}
