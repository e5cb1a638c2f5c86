import type { ColumnType, Generated } from 'kysely';
import { z } from 'zod';
import type { Channel } from '../synth/types.js';

/**
 * Kysely types of the raw schema (migrations/0001_raw_schema.sql, 0003_safe_loads.sql). numeric and bigint arrive from
 * pg as strings (exact), timestamps as Date.
 */
export type LoadStatus = 'running' | 'succeeded' | 'failed';
/** raw.load_runs.load_mode (migrations/0005_append_runs.sql; dbt's accepted_values agree, see test/load-modes.test.ts) */
export const LOAD_MODES = ['full', 'append'] as const;
export const LoadModeSchema = z.enum(LOAD_MODES);
export type LoadMode = z.infer<typeof LoadModeSchema>;
type Numeric = ColumnType<string, string | number, string | number>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface LoadRunsTable {
  load_id: string;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: Timestamp | null;
  status: ColumnType<LoadStatus, LoadStatus | undefined, LoadStatus>;
  params: Json;
  obp_source: 'live' | 'snapshot' | null;
  obp_base_url: string | null;
  banks_count: number | null;
  accounts_count: number | null;
  transactions_count: ColumnType<string | null, number | string | null, number | string | null>;
  step_timings: Json | null;
  error: string | null;
  tool_version: string;
  set_aside: ColumnType<unknown, string | undefined, string>;
  backend_pid: number | null;
  backend_start: Timestamp | null;
  load_mode: ColumnType<LoadMode, LoadMode | undefined, LoadMode>;
  /** the days the run wrote rows for (UTC), both ends included; null when none */
  days_from: ColumnType<string | null, string | null | undefined, string | null>;
  days_to: ColumnType<string | null, string | null | undefined, string | null>;
  shard_index: number | null;
  shard_count: number | null;
  run_group: string | null;
}

export interface BanksTable {
  bank_id: string;
  bank_name: string | null;
  short_name: string | null;
  website: string | null;
  logo_url: string | null;
  payload: Json;
  data_source: 'REAL_API' | 'OBP_SNAPSHOT';
  extracted_at: Timestamp;
  load_id: string;
  is_active: ColumnType<boolean, boolean | undefined, boolean>;
  last_seen_at: Timestamp | null;
  last_seen_load_id: string | null;
}

export interface AccountsTable {
  bank_id: string;
  account_id: string;
  account_label: string | null;
  account_type: string | null;
  account_number: string | null;
  iban: string | null;
  currency: string | null;
  balance: Numeric | null;
  payload: Json;
  data_source: 'REAL_API' | 'OBP_SNAPSHOT';
  extracted_at: Timestamp;
  load_id: string;
  is_active: ColumnType<boolean, boolean | undefined, boolean>;
  last_seen_at: Timestamp | null;
  last_seen_load_id: string | null;
}

export interface TransactionsTable {
  transaction_id: string;
  bank_id: string;
  account_id: string;
  amount: Numeric;
  currency: string;
  transaction_type: string;
  description: string;
  merchant: string | null;
  merchant_category: string | null;
  counterparty: string | null;
  channel: Channel;
  transaction_date: Timestamp;
  is_weekend: boolean;
  balance_after: Numeric;
  is_fraud: Generated<boolean>;
  fraud_pattern: string | null;
  data_source: 'SYNTHETIC';
  generated_at: Timestamp;
  load_id: string;
}

export interface Database {
  'raw.load_runs': LoadRunsTable;
  'raw.banks': BanksTable;
  'raw.accounts': AccountsTable;
  'raw.transactions': TransactionsTable;
}
