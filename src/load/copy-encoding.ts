import { formatMinorUnits } from '../core/money.js';
import type { SyntheticTransaction } from '../synth/types.js';

/** Column order shared by the COPY statement and the encoder below. */
export const TRANSACTION_COPY_COLUMNS = [
  'transaction_id', 'bank_id', 'account_id', 'amount', 'currency', 'transaction_type', 'description',
  'merchant', 'merchant_category', 'counterparty', 'channel', 'transaction_date', 'is_weekend',
  'balance_after', 'is_fraud', 'fraud_pattern', 'data_source', 'generated_at', 'load_id',
] as const;

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A value in COPY's text format: backslash escapes, \N for NULL. */
function text(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * Encodes one row as a COPY text line. `suffix` carries the columns constant for a whole run
 * (data_source, generated_at, load_id), pre-encoded once.
 */
export function encodeCopyLine(row: SyntheticTransaction, suffix: string): string {
  return (
    `${text(row.transactionId)}\t${text(row.bankId)}\t${text(row.accountId)}\t${formatMinorUnits(row.amountMinor)}\t` +
    `${text(row.currency)}\t${text(row.transactionType)}\t${text(row.description)}\t${text(row.merchant)}\t` +
    `${text(row.merchantCategory)}\t${text(row.counterparty)}\t${row.channel}\t${new Date(row.timestampMs).toISOString()}\t` +
    `${row.isWeekend ? 't' : 'f'}\t${formatMinorUnits(row.balanceAfterMinor)}\t${row.isFraud ? 't' : 'f'}\t` +
    `${text(row.fraudPattern)}\t${suffix}\n`
  );
}

export function copyRunSuffix(generatedAt: Date, loadId: string): string {
  return `SYNTHETIC\t${generatedAt.toISOString()}\t${loadId}`;
}
