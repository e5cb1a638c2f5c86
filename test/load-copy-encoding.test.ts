import assert from 'node:assert/strict';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { from as copyFrom } from 'pg-copy-streams';
import { formatMinorUnits } from '../src/core/money.js';
import { cardPayments } from './helpers/staged-rows.js';
import { BinaryCopyEncoder, CopyLineEncoder, RUN_CONSTANT_COLUMNS, TRANSACTION_COPY_COLUMNS } from '../src/load/copy-encoding.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
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

describe('COPY binary encoding (the loader\'s)', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());

  /** rows at the edges of every field: escapes, non-ASCII, NULLs, signs, zero, the largest numeric(18,2), before 2000 and far after */
  const edges = (base: SyntheticTransaction): SyntheticTransaction[] => [
    { ...base, transactionId: 'synth_b\tank_a\\cc_0001', bankId: 'b\tank', accountId: 'a\\cc', description: 'line\nbreak\r', counterparty: 'x\\y', merchant: null, merchantCategory: null },
    { ...base, transactionId: 'e2', description: 'Zoë’s Café 東京 🏦', merchant: 'Zoë’s Café 東京 🏦', amountMinor: 0, balanceAfterMinor: -1 },
    { ...base, transactionId: 'e3', amountMinor: 9_999_999_999_999_999, balanceAfterMinor: -9_999_999_999_999_999, timestampMs: Date.UTC(1999, 11, 31, 23, 59, 59, 999) },
    { ...base, transactionId: 'e4', amountMinor: -10_000, balanceAfterMinor: 100_000_001, timestampMs: Date.UTC(1970, 0, 1), isFraud: true, fraudPattern: 'card_testing' },
    { ...base, transactionId: 'e5', amountMinor: 123_456_789_012, balanceAfterMinor: 5, timestampMs: Date.UTC(2099, 5, 30, 12, 0, 0, 1), isWeekend: true },
  ];

  it('stores exactly what the text format stores, for generated rows and for rows at every edge', async () => {
    const options = { seed: 'bin', asOf: '2026-03-29', days: 400, transactionsPerAccount: 'auto' as const, fraudRate: 0.05, profile: loadProfile(undefined) };
    const rows = [...generateTransactions(sampleAccounts(30), options)];
    rows.push(...edges(rows[0]!));
    const client = await db.warehouse.pool.connect();
    try {
      const columns = TRANSACTION_COPY_COLUMNS.join(', ');
      for (const table of ['via_text', 'via_binary']) {
        await client.query(`CREATE TEMP TABLE ${table} AS SELECT ${columns} FROM raw.transactions WITH NO DATA`);
      }
      const lines = new CopyLineEncoder();
      await pipeline(Readable.from(rows.map((row) => lines.encode(row))), client.query(copyFrom(`COPY via_text (${columns}) FROM STDIN`)));
      const binary = new BinaryCopyEncoder();
      const chunks = [BinaryCopyEncoder.HEADER];
      for (const row of rows) {
        const buf = Buffer.alloc(binary.maxBytes(row));
        const used = binary.encode(row, buf, 0);
        assert.ok(used <= buf.length);
        chunks.push(buf.subarray(0, used));
      }
      chunks.push(BinaryCopyEncoder.TRAILER);
      await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY via_binary (${columns}) FROM STDIN WITH (FORMAT binary)`)));
      const count = async (sql: string) => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) d`)).rows[0]!.n);
      assert.equal(await count('SELECT * FROM via_binary'), rows.length);
      assert.equal(await count('SELECT * FROM via_text EXCEPT ALL SELECT * FROM via_binary'), 0);
      assert.equal(await count('SELECT * FROM via_binary EXCEPT ALL SELECT * FROM via_text'), 0);
      // numerics keep their scale (2): 0.00, not 0
      const zero = await client.query<{ amount: string }>(`SELECT amount::text FROM via_binary WHERE transaction_id = 'e2'`);
      assert.equal(zero.rows[0]!.amount, '0.00');
    } finally {
      client.release();
    }
  });

  it('writes the run\'s constants after each row\'s own fields when given them, as the columns\' defaults would', async () => {
    const run = { loadId: '61165301-8107-4c0b-900d-d8cba99c7f88', generatedAt: new Date('2026-10-01T12:34:56.789Z') };
    const rows = edges(cardPayments({ bankId: 'b', accountId: 'a' }, 1, 't')[0]!);
    const client = await db.warehouse.pool.connect();
    try {
      const columns = [...TRANSACTION_COPY_COLUMNS, ...RUN_CONSTANT_COLUMNS];
      await client.query(`CREATE TEMP TABLE with_constants AS SELECT ${columns.join(', ')} FROM raw.transactions WITH NO DATA`);
      const binary = new BinaryCopyEncoder(run);
      const chunks = [BinaryCopyEncoder.HEADER];
      for (const row of rows) {
        const buf = Buffer.alloc(binary.maxBytes(row));
        chunks.push(buf.subarray(0, binary.encode(row, buf, 0)));
      }
      chunks.push(BinaryCopyEncoder.TRAILER);
      await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY with_constants (${columns.join(', ')}) FROM STDIN WITH (FORMAT binary)`)));
      const { rows: stored } = await client.query(`SELECT DISTINCT data_source, generated_at, load_id::text FROM with_constants`);
      assert.deepEqual(stored, [{ data_source: 'SYNTHETIC', generated_at: run.generatedAt, load_id: run.loadId }]);
      const { rows: ids } = await client.query(`SELECT transaction_id FROM with_constants ORDER BY 1`);
      assert.deepEqual(ids.map((r) => r.transaction_id), rows.map((r) => r.transactionId).sort());
    } finally {
      client.release();
    }
  });
});
