import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMinorUnits } from '../src/core/money.js';
import { CopyLineEncoder } from '../src/load/copy-encoding.js';
import { generateTransactions, loadProfile, sampleAccounts } from '../src/synth/index.js';
import type { SyntheticTransaction } from '../src/synth/types.js';

/** The obvious encoding COPY's text format asks for; the fast encoder must match it exactly. */
function reference(row: SyntheticTransaction): string {
  const text = (v: string | null) => (v === null ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));
  return `${[
    text(row.transactionId), text(row.bankId), text(row.accountId), formatMinorUnits(row.amountMinor), text(row.currency),
    text(row.transactionType), text(row.description), text(row.merchant), text(row.merchantCategory), text(row.counterparty),
    row.channel, new Date(row.timestampMs).toISOString(), row.isWeekend ? 't' : 'f', formatMinorUnits(row.balanceAfterMinor),
    row.isFraud ? 't' : 'f', text(row.fraudPattern),
  ].join('\t')}\n`;
}

describe('COPY line encoding', () => {
  it('matches the reference encoding on generated rows, across days and accounts', () => {
    const encoder = new CopyLineEncoder();
    const options = { seed: 'enc', asOf: '2026-03-29', days: 40, transactionsPerAccount: 300, fraudRate: 0.02, profile: loadProfile(undefined) };
    let rows = 0;
    for (const row of generateTransactions(sampleAccounts(20), options)) {
      assert.equal(encoder.encode(row), reference(row));
      rows++;
    }
    assert.equal(rows, 6000);
  });

  it('escapes tabs, newlines and backslashes in every text field, ids included', () => {
    const encoder = new CopyLineEncoder();
    const row: SyntheticTransaction = {
      transactionId: 'synth_b\tank_a\\cc_0001', bankId: 'b\tank', accountId: 'a\\cc', amountMinor: -1, currency: 'GBP',
      transactionType: 'POS Purchase', description: 'line\nbreak\r', merchant: null, merchantCategory: null, counterparty: 'x\\y',
      channel: 'POS', timestampMs: Date.UTC(1999, 11, 31, 23, 59, 59, 999), isWeekend: false, balanceAfterMinor: 0, isFraud: false, fraudPattern: null,
    };
    assert.equal(encoder.encode(row), reference(row));
    assert.equal(encoder.encode({ ...row, timestampMs: row.timestampMs + 1 }), reference({ ...row, timestampMs: row.timestampMs + 1 }));
  });
});
