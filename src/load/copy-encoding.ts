import { formatMinorUnits } from '../core/money.js';
import type { SyntheticTransaction } from '../synth/types.js';

import { escapeLiteral } from 'pg';

/** Column order shared by the COPY statement and the encoder below. */
export const TRANSACTION_COPY_COLUMNS = [
  'transaction_id', 'bank_id', 'account_id', 'amount', 'currency', 'transaction_type', 'description',
  'merchant', 'merchant_category', 'counterparty', 'channel', 'transaction_date', 'is_weekend',
  'balance_after', 'is_fraud', 'fraud_pattern',
] as const;

/**
 * The columns constant for a whole run (data_source, generated_at, load_id) are not sent per row:
 * they are a third of each line, and parsing is what bounds COPY. Instead they become column
 * defaults for the duration of the run's transaction (which holds the table exclusively).
 * Returns the statements that set and then drop those defaults on `table`.
 */
export function runConstantDefaults(table: string, run: { generatedAt: Date; loadId: string }): { set: string; drop: string } {
  const constants: [string, string][] = [
    ['data_source', `'SYNTHETIC'`],
    ['generated_at', `${escapeLiteral(run.generatedAt.toISOString())}::timestamptz`],
    ['load_id', `${escapeLiteral(run.loadId)}::uuid`],
  ];
  return {
    set: `ALTER TABLE ${table} ${constants.map(([c, v]) => `ALTER COLUMN ${c} SET DEFAULT ${v}`).join(', ')}`,
    drop: `ALTER TABLE ${table} ${constants.map(([c]) => `ALTER COLUMN ${c} DROP DEFAULT`).join(', ')}`,
  };
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A value in COPY's text format: backslash escapes, \N for NULL. */
function text(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * Encodes rows as COPY text lines of TRANSACTION_COPY_COLUMNS. Encoding, not generation, bounds
 * the loader, so it reuses what repeats between consecutive rows: rows arrive grouped by account
 * and in time order, so the escaped account fields and the date part of timestamps are cached.
 * Same output as toISOString() and per-field escaping, about three times faster.
 */
export class CopyLineEncoder {
  private bankId: string | undefined;
  private accountId: string | undefined;
  private accountFields = '';
  private idsNeedEscape = false;
  private day = Number.NaN;
  private dayPrefix = '';

  encode(row: SyntheticTransaction): string {
    if (row.bankId !== this.bankId || row.accountId !== this.accountId) {
      this.bankId = row.bankId;
      this.accountId = row.accountId;
      this.accountFields = `${text(row.bankId)}\t${text(row.accountId)}`;
      // the transaction id is built from these two, so it needs escaping only if they do
      this.idsNeedEscape = NEEDS_ESCAPE.test(row.bankId) || NEEDS_ESCAPE.test(row.accountId);
    }
    const id = this.idsNeedEscape ? text(row.transactionId) : row.transactionId;
    return (
      `${id}\t${this.accountFields}\t${formatMinorUnits(row.amountMinor)}\t` +
      `${text(row.currency)}\t${text(row.transactionType)}\t${text(row.description)}\t${text(row.merchant)}\t` +
      `${text(row.merchantCategory)}\t${text(row.counterparty)}\t${row.channel}\t${this.timestamp(row.timestampMs)}\t` +
      `${row.isWeekend ? 't' : 'f'}\t${formatMinorUnits(row.balanceAfterMinor)}\t${row.isFraud ? 't' : 'f'}\t` +
      `${text(row.fraudPattern)}\n`
    );
  }

  /** The same text as new Date(ms).toISOString(). */
  private timestamp(ms: number): string {
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.dayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    }
    let rest = ms - day * DAY_MS;
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    return `${this.dayPrefix}${PAD2[hours]}:${PAD2[minutes]}:${PAD2[seconds]}.${PAD3[rest - seconds * 1000]}Z`;
  }
}
