import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoadSummary } from '../src/load/summary.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { loadRuns, rawCounts, transactionsDigest } from './helpers/warehouse-queries.js';
import { scratchDir } from './helpers/scratch.js';

const ARGS = ['--transactions-per-account', '120', '--seed', '11', '--as-of', '2026-10-31'];

describe('npm run load', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('loads the snapshot banks, accounts and N transactions per account with lineage, and records the run', async () => {
    const result = await runCli(['load', ...ARGS], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /HYBRIDBANK DATA SUMMARY/);
    assert.equal((result.stdout.match(/✓/g) ?? []).length, 7, 'seven lineage checks ticked (with the account profiles)');
    assert.deepEqual(await rawCounts(db.warehouse.pool), { banks: 2, accounts: 14, transactions: 14 * 120 });

    const [run] = await loadRuns(db.warehouse.pool);
    assert.equal(run?.status, 'succeeded');
    const { rows } = await db.warehouse.pool.query(`SELECT * FROM raw.load_runs`);
    const record = rows[0];
    assert.equal(record.obp_source, 'snapshot');
    assert.equal(record.transactions_count, String(14 * 120));
    assert.equal(record.params.synth.seed, '11');
    assert.equal(record.params.synth.asOf, '2026-10-31');
    assert.ok(record.params.synth.profile, 'the resolved profile is kept to reproduce the run');
    for (const step of ['extract', 'generate_and_copy', 'validate_lineage']) assert.ok(step in record.step_timings, step);
    const lineage = await db.warehouse.pool.query(`
      SELECT (SELECT count(DISTINCT load_id) FROM raw.transactions) AS tx_loads,
             (SELECT count(*) FROM raw.banks WHERE data_source <> 'OBP_SNAPSHOT') AS bad_banks,
             (SELECT count(*) FROM raw.transactions WHERE load_id <> $1) AS foreign_rows`, [record.load_id]);
    assert.deepEqual(lineage.rows[0], { tx_loads: '1', bad_banks: '0', foreign_rows: '0' });
  });

  it('run twice with the same flags gives the same warehouse, every row carrying the second load_id', async () => {
    const before = await transactionsDigest(db.warehouse.pool);
    const result = await runCli(['load', ...ARGS], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await transactionsDigest(db.warehouse.pool), before);
    assert.deepEqual(await rawCounts(db.warehouse.pool), { banks: 2, accounts: 14, transactions: 14 * 120 });
    const runs = await loadRuns(db.warehouse.pool);
    assert.deepEqual(runs.map((r) => r.status), ['succeeded', 'succeeded']);
    const { rows } = await db.warehouse.pool.query(`
      SELECT DISTINCT load_id FROM raw.transactions UNION SELECT DISTINCT load_id FROM raw.banks UNION SELECT DISTINCT load_id FROM raw.accounts`);
    assert.deepEqual(rows.map((r) => r.load_id), [runs[1]!.load_id]);
  });

  it('replaces only the reloaded bank: the other bank keeps its rows', async () => {
    const result = await runCli(['load', ...ARGS, '--transactions-per-account', '30', '--bank-id', 'obp-bank-y-gh'], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    const { rows } = await db.warehouse.pool.query(`SELECT bank_id, count(*)::int AS n FROM raw.transactions GROUP BY 1 ORDER BY 1`);
    assert.deepEqual(rows, [
      { bank_id: 'obp-bank-x-gh', n: 7 * 120 },
      { bank_id: 'obp-bank-y-gh', n: 7 * 30 },
    ]);
  });

  it('--json prints one JSON document on stdout and nothing else', async () => {
    const result = await runCli(['load', ...ARGS, '--json'], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as LoadSummary;
    assert.equal(summary.status, 'succeeded');
    assert.equal(summary.transactions.rows, 14 * 120);
    assert.equal(summary.accounts, 14);
    assert.ok(summary.lineage.every((c) => c.passed));
    assert.equal(Object.values(summary.transactions.byType).reduce((a, b) => a + b, 0), 14 * 120);
  });

  it('--csv-dir writes the three original files with their columns first and every row', async () => {
    const dir = scratchDir('hb-csv-');
    const result = await runCli(['load', ...ARGS, '--csv-dir', dir], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 3);
    const read = (entity: string) => {
      const file = files.find((f) => new RegExp(`^hybrid_${entity}_\\d{8}_\\d{6}\\.csv$`).test(f));
      assert.ok(file, `hybrid_${entity}_YYYYMMDD_HHMMSS.csv`);
      return readFileSync(path.join(dir, file), 'utf8').split('\r\n').filter(Boolean);
    };
    const banks = read('banks');
    const accounts = read('accounts');
    const transactions = read('transactions');
    assert.ok(banks[0]!.startsWith('bank_id,bank_name,data_source,extracted_at'));
    assert.ok(accounts[0]!.startsWith('account_id,bank_id,account_label,account_type,data_source,extracted_at'));
    assert.ok(
      transactions[0]!.startsWith('transaction_id,bank_id,account_id,amount,currency,transaction_type,description,merchant,transaction_date,balance_after,data_source'),
    );
    assert.equal(banks.length - 1, 2);
    assert.equal(accounts.length - 1, 14);
    assert.equal(transactions.length - 1, 14 * 120);
    assert.ok(transactions.slice(1).every((line) => line.split(',')[10] === 'SYNTHETIC' || line.includes('"')), 'data_source column');
  });

  it('--dry-run extracts and generates but writes nothing', async () => {
    const fresh = await createTestDatabase();
    try {
      const result = await runCli(['load', ...ARGS, '--dry-run', '--json'], { env: { DATABASE_URL: fresh.url } });
      assert.equal(result.code, 0, result.stderr);
      assert.equal((JSON.parse(result.stdout) as LoadSummary).status, 'dry-run');
      assert.deepEqual(await rawCounts(fresh.warehouse.pool), { banks: 0, accounts: 0, transactions: 0 });
      assert.equal((await loadRuns(fresh.warehouse.pool)).length, 0);
    } finally {
      await fresh.drop();
    }
  });
});
