import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, type CliResult } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

/**
 * The real thing: `npm run load` into a fresh database, then `npm run transform` (dbt build:
 * seeds, snapshots, models, contracts, data and unit tests) and `dbt docs generate`; then a
 * second load that changes the data, and a second build. Never skipped: when the dbt virtualenv
 * is missing, the first dbt command creates it through the same runner users have.
 */
let db: TestDatabase;
let scratch: string;
let env: Record<string, string>;

/** The first dbt run may install dbt into .venv-dbt (pip), which takes minutes on a fresh machine. */
const DBT_TIMEOUT_MS = 15 * 60_000;

before(async () => {
  db = await createTestDatabase();
  scratch = mkdtempSync(path.join(tmpdir(), 'hbtest-dbt-'));
  // dbt's target/ and logs/ of this run stay apart from a developer's own dbt runs in dbt/
  env = { DATABASE_URL: db.url, DBT_TARGET_PATH: path.join(scratch, 'target'), DBT_LOG_PATH: path.join(scratch, 'logs') };
});

after(async () => {
  await db?.drop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Runs the CLI and prints its output, so dbt's own log is in the test output, pass or fail. */
async function cli(args: string[], timeoutMs = DBT_TIMEOUT_MS): Promise<CliResult> {
  const result = await runCli(args, { env, timeoutMs });
  process.stdout.write(`\n$ hybridbank ${args.join(' ')}  (exit ${result.code})\n${result.stdout}${result.stderr}\n`);
  assert.equal(result.code, 0, `hybridbank ${args.join(' ')} failed:\n${result.stderr.slice(-4000)}`);
  return result;
}

async function load(seed: string): Promise<void> {
  await cli(['load', '--obp-source', 'snapshot', '--transactions-per-account', '50', '--days', '30', '--seed', seed], 5 * 60_000);
}

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.warehouse.pool.query(sql, params);
  return rows[0] as T;
}

/** The marts' primary and foreign keys and indexes, by name, as a DBA or a BI tool lists them. */
async function martsKeys(): Promise<{ foreignKeys: string[]; dbtNamed: string[] }> {
  const { rows: keys } = await db.warehouse.pool.query<{ key: string }>(`
    SELECT conrelid::regclass::text || '.' || conname || ' -> ' || confrelid::regclass::text AS key
    FROM pg_constraint WHERE connamespace = 'marts'::regnamespace AND contype = 'f'`);
  const { rows: names } = await db.warehouse.pool.query<{ name: string }>(`
    SELECT name FROM (
      SELECT conname AS name FROM pg_constraint WHERE connamespace = 'marts'::regnamespace
      UNION ALL
      SELECT relname FROM pg_class WHERE relnamespace = 'marts'::regnamespace AND relkind = 'i') names
    WHERE name LIKE '%dbt%' OR name ~ '^[0-9a-f]{32}$'`);
  return { foreignKeys: keys.map((r) => r.key).sort(), dbtNamed: names.map((r) => r.name) };
}

const EXPECTED_FOREIGN_KEYS = [
  'marts.dim_account.dim_account_bank_key_fkey -> marts.dim_bank',
  'marts.fct_account_daily_balances.fct_account_daily_balances_account_key_fkey -> marts.dim_account',
  'marts.fct_account_daily_balances.fct_account_daily_balances_bank_key_fkey -> marts.dim_bank',
  'marts.fct_account_daily_balances.fct_account_daily_balances_date_key_fkey -> marts.dim_date',
  'marts.fct_transactions.fct_transactions_account_key_fkey -> marts.dim_account',
  'marts.fct_transactions.fct_transactions_bank_key_fkey -> marts.dim_bank',
  'marts.fct_transactions.fct_transactions_merchant_key_fkey -> marts.dim_merchant',
  'marts.fct_transactions.fct_transactions_transaction_date_key_fkey -> marts.dim_date',
  'marts.fct_transactions.fct_transactions_transaction_type_key_fkey -> marts.dim_transaction_type',
];

test('dbt build turns the raw layer into the tested star schema, and a second load keeps history', { timeout: 2 * DBT_TIMEOUT_MS }, async () => {
  await load('1');
  const first = await cli(['transform']);
  assert.match(first.stdout, /Completed successfully/);
  assert.match(first.stdout, /unit_test|daily_balances_carry_closing_balance_over_quiet_days/);

  const counts = await one<{ raw: number; fact: number; features: number; accounts: number; dims: number }>(`
    SELECT (SELECT count(*) FROM raw.transactions)::int                       AS raw,
           (SELECT count(*) FROM marts.fct_transactions)::int                 AS fact,
           (SELECT count(*) FROM marts.fraud_features)::int                   AS features,
           (SELECT count(*) FROM raw.accounts)::int                           AS accounts,
           (SELECT count(*) FROM marts.dim_account WHERE account_key <> '-1')::int AS dims`);
  assert.ok(counts.raw > 0, 'the load wrote transactions');
  assert.equal(counts.fact, counts.raw);
  assert.equal(counts.features, counts.raw);
  assert.equal(counts.dims, counts.accounts, 'one version per account after the first load');

  const current = await one<{ current: number; currencies: number; mismatched: number }>(`
    SELECT (SELECT count(*) FROM marts.dim_account WHERE is_current)::int AS current,
           (SELECT count(DISTINCT currency_code) FROM marts.fct_account_daily_balances)::int AS currencies,
           (SELECT count(*) FROM marts.fct_account_daily_balances b JOIN marts.dim_account a USING (account_key)
             WHERE b.currency_code IS DISTINCT FROM a.currency_code)::int AS mismatched`);
  assert.equal(current.current, counts.accounts, 'the unknown member is not a current account');
  assert.ok(current.currencies >= 1 && current.mismatched === 0, 'every daily balance carries its account currency');
  assert.deepEqual(await martsKeys(), { foreignKeys: EXPECTED_FOREIGN_KEYS, dbtNamed: [] }, 'the joins are declared, every name is clean');
  const sizeAfterFirstBuild = await one<{ bytes: number }>(`SELECT pg_table_size('marts.fct_transactions')::int AS bytes`);

  // two at once: they share dbt/target, where each parses the manifest its query reads
  const [metrics, balances] = await Promise.all([
    cli(['metrics', 'query', '--saved-query', 'daily_flows_by_currency', '--limit', '5']),
    cli(['metrics', 'query', '--saved-query', 'monthly_balances_by_currency', '--limit', '5']),
  ]);
  assert.match(metrics.stdout, /transaction__currency_code\s+transactions\s+inflow\s+outflow\s+net_flow/, 'MetricFlow answers per currency');
  assert.match(balances.stdout, /account_daily_balance__currency_code\s+average_closing_balance/, 'a second query at the same time answers too');

  await cli(['dbt', 'docs', 'generate']);
  assert.ok(existsSync(path.join(env.DBT_TARGET_PATH!, 'catalog.json')), 'dbt docs generate wrote catalog.json');

  // Between loads OBP renames an account; the second load replaces every account's transactions.
  const renamed = await one<{ bank_id: string; account_id: string }>('SELECT bank_id, account_id FROM raw.accounts ORDER BY 1, 2 LIMIT 1');
  const firstLoads = await one<{ ids: string[] }>('SELECT array_agg(DISTINCT load_id::text) AS ids FROM raw.transactions');
  await load('2');
  // A build that leaves the marts behind the new load says so.
  const partial = await cli(['transform', '--select', 'dim_bank']);
  assert.match(partial.stderr, /marts are older than the last successful load.*npm run transform/);
  const secondLoad = await one<{ extracted_at: Date }>('SELECT extracted_at FROM raw.accounts WHERE bank_id = $1 AND account_id = $2', [
    renamed.bank_id,
    renamed.account_id,
  ]);
  await db.warehouse.pool.query(`UPDATE raw.accounts SET account_label = 'Renamed by the bank' WHERE bank_id = $1 AND account_id = $2`, [
    renamed.bank_id,
    renamed.account_id,
  ]);
  const second = await cli(['transform']);
  assert.match(second.stdout, /Completed successfully/);

  const versions = await one<{ snapshots: number; dims: number; current: number; label: string }>(
    `SELECT (SELECT count(*) FROM snapshots.snap_obp__accounts WHERE bank_id = $1 AND account_id = $2)::int AS snapshots,
            (SELECT count(*) FROM marts.dim_account WHERE bank_id = $1 AND account_id = $2)::int AS dims,
            (SELECT count(*) FROM marts.dim_account WHERE bank_id = $1 AND account_id = $2 AND is_current)::int AS current,
            (SELECT account_label FROM marts.dim_account WHERE bank_id = $1 AND account_id = $2 AND is_current) AS label`,
    [renamed.bank_id, renamed.account_id],
  );
  assert.deepEqual(versions, { snapshots: 2, dims: 2, current: 1, label: 'Renamed by the bank' }, 'the snapshot kept the old version');
  const dated = await one<{ v1_to: Date; v2_from: Date; misplaced: number }>(
    `SELECT (SELECT valid_to FROM marts.dim_account WHERE bank_id = $1 AND account_id = $2 AND version_number = 1) AS v1_to,
            (SELECT valid_from FROM marts.dim_account WHERE bank_id = $1 AND account_id = $2 AND version_number = 2) AS v2_from,
            (SELECT count(*) FROM marts.fct_transactions f JOIN marts.dim_account a USING (account_key)
              WHERE NOT (f.transacted_at >= a.valid_from AND f.transacted_at < a.valid_to))::int AS misplaced`,
    [renamed.bank_id, renamed.account_id],
  );
  assert.equal(dated.v2_from.toISOString(), secondLoad.extracted_at.toISOString(), 'the new version starts at the extraction that saw the change');
  assert.equal(dated.v1_to.toISOString(), secondLoad.extracted_at.toISOString(), 'and the old one ends there');
  assert.equal(dated.misplaced, 0, 'every transaction points at the version valid at its time');
  assert.deepEqual(await martsKeys(), { foreignKeys: EXPECTED_FOREIGN_KEYS, dbtNamed: [] }, 'the keys are declared again after the dimensions were rebuilt');
  // The second load replaced every account: the fact was emptied, not deleted from row by row.
  const sizeAfterReload = await one<{ bytes: number }>(`SELECT pg_table_size('marts.fct_transactions')::int AS bytes`);
  assert.ok(sizeAfterReload.bytes < sizeAfterFirstBuild.bytes * 1.3, `no table-sized bloat (${sizeAfterFirstBuild.bytes} -> ${sizeAfterReload.bytes} bytes)`);

  // Reloaded transactions may keep their ids (ids are per account and position), so compare
  // by content: every fact row must carry the raw row's amount, balance and load of now.
  const fact = await one<{ raw: number; fact: number; stale: number; missing: number; changed: number }>(`
    SELECT (SELECT count(*) FROM raw.transactions)::int AS raw,
           (SELECT count(*) FROM marts.fct_transactions)::int AS fact,
           (SELECT count(*) FROM marts.fct_transactions f
             WHERE NOT EXISTS (SELECT 1 FROM raw.transactions r WHERE r.transaction_id = f.transaction_id))::int AS stale,
           (SELECT count(*) FROM raw.transactions r
             WHERE NOT EXISTS (SELECT 1 FROM marts.fct_transactions f WHERE f.transaction_id = r.transaction_id))::int AS missing,
           (SELECT count(*) FROM raw.transactions r JOIN marts.fct_transactions f USING (transaction_id)
             WHERE (r.amount, r.balance_after, r.load_id, r.is_fraud) IS DISTINCT FROM (f.amount, f.balance_after, f.load_id, f.is_fraud))::int AS changed`);
  assert.deepEqual(fact, { raw: fact.raw, fact: fact.raw, stale: 0, missing: 0, changed: 0 }, 'the incremental fact equals raw after the reload');
  const reloaded = await one<{ fresh: number }>('SELECT count(*)::int AS fresh FROM raw.transactions WHERE load_id::text <> ALL ($1::text[])', [firstLoads.ids]);
  assert.ok(reloaded.fresh > 0, 'the second load replaced transactions (so the incremental delete+insert path was exercised)');

  // Nothing new: the incremental models insert nothing.
  const idle = await cli(['transform', '--select', 'fct_transactions', 'fraud_features']);
  assert.match(idle.stdout, /incremental model marts\.fraud_features \.+ \[\S*INSERT 0 0/, 'fraud_features computes nothing when nothing is new');
});
