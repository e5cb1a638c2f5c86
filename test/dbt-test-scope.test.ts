import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DBT_TIMEOUT_MS, dbtWarehouse } from './helpers/dbt-warehouse.js';

/**
 * What the cheaper data tests still guarantee (dbt/macros/data_tests.sql): `unique` skips its
 * scan only where PostgreSQL's own unique index enforces the column (and catches duplicates
 * where none does); row-level tests scoped to loads not yet tested skip rows that passed before,
 * keep failing on a row that failed, and check every row with `test_all_rows`.
 */
const warehouse = dbtWarehouse('dbt-scope');
const CHANNEL_TEST = 'accepted_values_fct_transactions_channel__POS__ATM__ONLINE__TRANSFER__BRANCH';

async function passes(args: string[]): Promise<boolean> {
  const result = await warehouse.cli(args);
  assert.ok(result.code === 0 || /FAIL \d+/.test(result.stdout), `hybridbank ${args.join(' ')} ran its tests:\n${result.stderr.slice(-3000)}`);
  return result.code === 0;
}

test('cheap data tests keep their guarantees', { timeout: 4 * DBT_TIMEOUT_MS }, async () => {
  assert.equal((await warehouse.cli(['load', '--obp-source', 'snapshot', '--transactions-per-account', '30', '--days', '15', '--seed', 'scope'])).code, 0);
  assert.equal((await warehouse.cli(['transform'])).code, 0);
  const pool = warehouse.db.warehouse.pool;
  const { rows: tested } = await pool.query<{ model: string }>('SELECT DISTINCT relation_oid::regclass::text AS model FROM analytics.tested_loads ORDER BY 1');
  assert.deepEqual(tested.map((r) => r.model), ['marts.fct_transactions', 'marts.fraud_features'], 'a passing build records the loads it tested');

  // The primary key the skipped `unique` scan relies on rejects a duplicate...
  await assert.rejects(pool.query('INSERT INTO marts.fraud_features SELECT * FROM marts.fraud_features LIMIT 1'), /duplicate key/);
  // ...and without it, the test groups every row again and finds the duplicate.
  await pool.query('ALTER TABLE marts.fraud_features DROP CONSTRAINT fraud_features_pkey');
  await pool.query('INSERT INTO marts.fraud_features SELECT * FROM marts.fraud_features LIMIT 1');
  assert.equal(await passes(['dbt', 'test', '--select', 'unique_fraud_features_transaction_id']), false, 'a duplicate fails `unique` without a key');

  // A bad value in a row of a tested load: the scoped test does not read it again; every row is
  // read with test_all_rows, and once the load is no longer recorded as tested.
  await pool.query(`UPDATE marts.fct_transactions SET channel = 'CARRIER_PIGEON' WHERE transaction_id = (SELECT min(transaction_id) FROM marts.fct_transactions)`);
  assert.equal(await passes(['dbt', 'test', '--select', CHANNEL_TEST]), true, 'rows of tested loads are not read again');
  assert.equal(await passes(['dbt', 'test', '--select', CHANNEL_TEST, '--vars', '{test_all_rows: true}']), false, 'test_all_rows reads every row');
  await pool.query(`DELETE FROM analytics.tested_loads WHERE relation_oid = 'marts.fct_transactions'::regclass`);
  assert.equal(await passes(['dbt', 'test', '--select', CHANNEL_TEST]), false, 'an untested load is read');
  // A failure records nothing: the next run fails again.
  assert.equal(await passes(['dbt', 'test', '--select', CHANNEL_TEST]), false, 'a failing test keeps failing');
  const { rows: [after] } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM analytics.tested_loads WHERE relation_oid = 'marts.fct_transactions'::regclass`);
  assert.equal(after!.n, 0);
});
