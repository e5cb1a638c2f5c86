import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { transactionIdPrefix } from '../../src/synth/generator.js';
import type { SyntheticTransaction } from '../../src/synth/types.js';

/** `count` plain card payments of an account, ids `synth_<bank>_<account>_<tag><NNNN>`, the ledger running down from 100.00. */
export function cardPayments(account: { bankId: string; accountId: string }, count: number, tag: string): SyntheticTransaction[] {
  return Array.from({ length: count }, (_, i) => ({
    transactionId: `${transactionIdPrefix(account)}${tag}${String(i + 1).padStart(4, '0')}`,
    bankId: account.bankId,
    accountId: account.accountId,
    amountMinor: -100,
    currency: 'EUR',
    transactionType: 'POS Purchase',
    description: 'Card payment',
    merchant: 'Shop',
    merchantCategory: '5411',
    counterparty: null,
    channel: 'POS',
    timestampMs: Date.UTC(2026, 9, 1) + i * 60_000,
    isWeekend: false,
    balanceAfterMinor: 10_000 - 100 * (i + 1),
    isFraud: false,
    fraudPattern: null,
  }));
}

/** A sink that ignores the rows going by. */
export const noSink = { onRow: () => undefined, onProgress: () => undefined };

/** A run row in raw.load_runs, for rows and sources to point at; returns its load_id. */
export async function newRun(client: pg.ClientBase): Promise<string> {
  const loadId = randomUUID();
  await client.query(`INSERT INTO raw.load_runs (load_id, tool_version) VALUES ($1, 'test')`, [loadId]);
  return loadId;
}

/** One bank and its accounts in raw.banks and raw.accounts, as an extraction would leave them. */
export async function seedAccounts(client: pg.ClientBase, bankId: string, accountIds: readonly string[]): Promise<void> {
  const loadId = await newRun(client);
  await client.query(`INSERT INTO raw.banks (bank_id, payload, data_source, extracted_at, load_id) VALUES ($1, '{}', 'OBP_SNAPSHOT', now(), $2)`, [bankId, loadId]);
  for (const accountId of accountIds) {
    await client.query(
      `INSERT INTO raw.accounts (bank_id, account_id, currency, payload, data_source, extracted_at, load_id) VALUES ($1, $2, 'EUR', '{}', 'OBP_SNAPSHOT', now(), $3)`,
      [bankId, accountId, loadId],
    );
  }
}
