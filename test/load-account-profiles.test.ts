import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountProfilesUpsertSql } from '../src/load/write-profiles.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { rawCounts } from './helpers/warehouse-queries.js';

const ARGS = ['--seed', '7', '--as-of', '2026-10-31', '--days', '60'];

describe('the persona is data: raw.account_profiles', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('builds one upsert statement over unnest()ed arrays, keyed on the account', () => {
    const sql = accountProfilesUpsertSql();
    assert.match(sql, /^INSERT INTO raw\.account_profiles \(bank_id, account_id, persona, account_kind, country, timezone, currency,/);
    assert.match(sql, /FROM unnest\(\$1::text\[\], \$2::text\[\]/);
    assert.match(sql, /\$17::date, 'SYNTHETIC', \$18::timestamptz, \$19::uuid/);
    assert.match(sql, /ON CONFLICT \(bank_id, account_id\) DO UPDATE SET persona = excluded\.persona,/);
    assert.ok(!/SET bank_id|SET account_id/.test(sql), 'the key is never updated');
  });

  it('writes one profile per loaded account with the run, local weekends and a lineage check', async () => {
    const result = await runCli(['load', ...ARGS, '--transactions-per-account', '90'], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /every account of this run has its SYNTHETIC profile of this run/);
    const { rows } = await db.warehouse.pool.query(`
      SELECT p.*, r.load_id AS run_id
      FROM raw.account_profiles p JOIN raw.load_runs r ON r.load_id = p.load_id ORDER BY p.bank_id, p.account_id`);
    assert.equal(rows.length, 14);
    for (const p of rows) {
      assert.equal(p.data_source, 'SYNTHETIC');
      assert.equal(p.transactions_count, 90);
      // the sandbox's accounts are GBP: they live in Great Britain
      assert.equal(p.country, 'GB');
      assert.equal(p.timezone, 'Europe/London');
      if (p.account_kind === 'business') assert.equal(p.persona, 'small_business');
    }
    assert.deepEqual(new Set(rows.map((p) => p.account_kind)), new Set(['current', 'business', 'credit_card']));
    const weekend = await db.warehouse.pool.query(`
      SELECT count(*) FILTER (WHERE t.is_weekend <> (extract(isodow FROM t.transaction_date AT TIME ZONE p.timezone) IN (6, 7)))::int AS wrong,
             count(*)::int AS total
      FROM raw.transactions t JOIN raw.account_profiles p USING (bank_id, account_id)`);
    assert.deepEqual(weekend.rows[0], { wrong: 0, total: 14 * 90 });
  });

  it('books each persona its own count with --transactions-per-account auto, and the ledger still checks out', async () => {
    const result = await runCli(['load', ...ARGS, '--transactions-per-account', 'auto', '--json'], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.ok(summary.lineage.every((c: { passed: boolean }) => c.passed));
    const { rows } = await db.warehouse.pool.query(`SELECT transactions_count, activity_rate::float AS rate FROM raw.account_profiles`);
    const total = rows.reduce((sum, p) => sum + p.transactions_count, 0);
    assert.equal((await rawCounts(db.warehouse.pool)).transactions, total);
    assert.ok(new Set(rows.map((p) => p.transactions_count)).size > 5, 'counts differ between accounts');
    for (const p of rows) assert.ok(Math.abs(p.transactions_count - p.rate * 60) <= p.rate * 60 * 0.12 + 1, `${p.transactions_count} rows at ${p.rate} a day over 60 days`);
  });

  it('warns with the numbers when a fixed count cannot hold the monthly salary and bills', async () => {
    const result = await runCli(['load', ...ARGS, '--days', '365', '--transactions-per-account', '20', '--dry-run'], { env: { DATABASE_URL: db.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /--transactions-per-account 20 cannot hold the recurring rows of 365 days \(up to \d+/);
    assert.match(result.stderr, /0\.05 transactions a day per account; people make 0\.5-5/);
  });

  it('refuses a future --as-of before writing anything', async () => {
    const before = await rawCounts(db.warehouse.pool);
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const result = await runCli(['load', '--as-of', future], { env: { DATABASE_URL: db.url } });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, new RegExp(`--as-of must not be in the future \\(today is \\d{4}-\\d{2}-\\d{2}, UTC\\) \\(got "${future}"\\)`));
    assert.deepEqual(await rawCounts(db.warehouse.pool), before);
  });
});
