import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CliResult } from './helpers/cli.js';
import { DBT_TIMEOUT_MS, dbtWarehouse } from './helpers/dbt-warehouse.js';

/**
 * dbt after `load --append` (issue 15): the real loader writes an initial history, `transform`
 * builds the marts, `load --append` adds one day, and the next `transform` processes only that
 * day: the appended transactions in the fact and the fraud features, the new day (and the last
 * kept day, where the ledger is checked) in the daily balances; every other row is left as it
 * was. The result equals a full refresh.
 */
const warehouse = dbtWarehouse('dbt-append');
const INCREMENTAL_MODELS = ['fct_transactions', 'fraud_features', 'fct_account_daily_balances'] as const;
const LOAD = ['load', '--obp-source', 'snapshot', '--transactions-per-account', '60', '--days', '20', '--seed', 'append'];

async function cli(args: string[]): Promise<CliResult> {
  const result = await warehouse.cli(args);
  assert.equal(result.code, 0, `hybridbank ${args.join(' ')} failed:\n${result.stderr.slice(-4000)}`);
  return result;
}

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await warehouse.db.warehouse.pool.query(sql, params);
  return rows[0] as T;
}

/** The rows dbt says it inserted into each incremental model. */
function inserted(stdout: string): Record<string, number> {
  return Object.fromEntries(
    INCREMENTAL_MODELS.map((model) => {
      const match = new RegExp(`incremental model marts\\.${model} \\.+ \\[\\S*INSERT 0 (\\d+)`).exec(stdout);
      assert.ok(match, `dbt reports the insert into ${model}`);
      return [model, Number(match[1])];
    }),
  );
}

/** The transactions (row versions) that wrote each model's rows: a row another one rewrote has a new one. */
async function writers(): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const model of INCREMENTAL_MODELS) {
    const { rows } = await warehouse.db.warehouse.pool.query<{ xmin: string }>(`SELECT DISTINCT xmin::text AS xmin FROM marts.${model}`);
    result[model] = rows.map((row) => row.xmin);
  }
  return result;
}

async function rowsWrittenSince(before: Record<string, string[]>): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const model of INCREMENTAL_MODELS) {
    const row = await one<{ n: number }>(`SELECT count(*)::int AS n FROM marts.${model} WHERE xmin::text <> ALL ($1::text[])`, [before[model]]);
    result[model] = row.n;
  }
  return result;
}

test('after load --append, transform processes only the appended day and equals a full refresh', { timeout: 4 * DBT_TIMEOUT_MS }, async () => {
  await cli([...LOAD, '--as-of', '2026-06-30']);
  await cli(['transform']);
  const accounts = await one<{ n: number }>('SELECT count(*)::int AS n FROM raw.accounts');
  const before = await writers();
  const keptFact = await one<{ digest: string; rows: number }>(
    `SELECT md5(string_agg(f::text, E'\\n' ORDER BY transaction_id)) AS digest, count(*)::int AS rows FROM marts.fct_transactions f`,
  );

  await cli([...LOAD, '--as-of', '2026-07-01', '--append']);
  const append = await one<{ load_id: string; days_from: string; days_to: string; rows: number }>(`
    SELECT r.load_id, r.days_from::text, r.days_to::text, (SELECT count(*) FROM raw.transactions t WHERE t.load_id = r.load_id)::int AS rows
    FROM raw.load_runs r WHERE r.load_mode = 'append'`);
  assert.deepEqual([append.days_from, append.days_to], ['2026-06-30', '2026-06-30'], 'the append wrote one day');
  assert.ok(append.rows > 0, 'and rows in it');

  const incremental = await cli(['transform']);
  const processed = inserted(incremental.stdout);
  assert.equal(processed.fct_transactions, append.rows, 'the fact inserts the appended rows only');
  assert.equal(processed.fraud_features, append.rows, 'the fraud features are computed for the appended rows only');
  assert.ok(
    processed.fct_account_daily_balances! >= accounts.n && processed.fct_account_daily_balances! <= 2 * accounts.n,
    `the daily balances build the new day of every account and at most its last kept day again (${processed.fct_account_daily_balances} rows, ${accounts.n} accounts)`,
  );
  assert.deepEqual(await rowsWrittenSince(before), processed, 'no other row was rewritten');
  const stillKept = await one<{ digest: string; rows: number }>(
    `SELECT md5(string_agg(f::text, E'\\n' ORDER BY transaction_id)) AS digest, count(*)::int AS rows FROM marts.fct_transactions f WHERE load_id <> $1`,
    [append.load_id],
  );
  assert.deepEqual(stillKept, keptFact, 'the earlier fact rows are as they were');

  // The same marts built from scratch.
  await warehouse.db.warehouse.pool.query('CREATE SCHEMA incremental_build');
  for (const model of INCREMENTAL_MODELS) await warehouse.db.warehouse.pool.query(`CREATE TABLE incremental_build.${model} AS TABLE marts.${model}`);
  await cli(['transform', '--full-refresh']);
  for (const model of INCREMENTAL_MODELS) {
    const difference = await one<{ only_incremental: number; only_full: number; rows: number }>(`
      SELECT (SELECT count(*) FROM (TABLE incremental_build.${model} EXCEPT ALL TABLE marts.${model}) d)::int AS only_incremental,
             (SELECT count(*) FROM (TABLE marts.${model} EXCEPT ALL TABLE incremental_build.${model}) d)::int AS only_full,
             (SELECT count(*) FROM marts.${model})::int AS rows`);
    assert.deepEqual(difference, { only_incremental: 0, only_full: 0, rows: difference.rows }, `${model} after the append equals its full refresh`);
    assert.ok(difference.rows > 0);
  }
});
