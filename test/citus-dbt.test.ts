import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { citusSuiteSkip, startCitusCluster, type CitusCluster } from './helpers/citus.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

// `npm run transform` on a real local Citus cluster, against the same load on one PostgreSQL.

const ARGS = ['--transactions-per-account', '60', '--seed', '7', '--fraud-rate', '0.05', '--as-of', '2026-10-31'];

/** What the marts say, in figures that do not depend on when or where they were built (no surrogate keys of snapshot times). */
async function martFigures(pool: pg.Pool): Promise<Record<string, unknown>> {
  const { rows } = await pool.query(`
    SELECT
      (SELECT json_build_object('rows', count(*), 'amount', sum(amount), 'fraud', count(*) FILTER (WHERE is_fraud),
              'accounts', count(DISTINCT (bank_id, account_id)), 'cash', count(*) FILTER (WHERE is_cash_withdrawal),
              'digest', md5(string_agg(concat_ws('|', transaction_id, amount, balance_after, channel, transacted_at_local, fraud_pattern), ',' ORDER BY transaction_id)))
         FROM marts.fct_transactions) AS fct_transactions,
      (SELECT json_build_object('rows', count(*), 'closing', sum(closing_balance), 'inflow', sum(inflow_amount), 'outflow', sum(outflow_amount),
              'digest', md5(string_agg(concat_ws('|', bank_id, account_id, balance_date, closing_balance, transaction_count), ',' ORDER BY bank_id, account_id, balance_date)))
         FROM marts.fct_account_daily_balances) AS fct_account_daily_balances,
      (SELECT json_build_object('rows', count(*), 'prior', sum(prior_transaction_count), 'prev24h', sum(transactions_prev_24h),
              'digest', md5(string_agg(concat_ws('|', transaction_id, prior_avg_abs_amount, amount_zscore, seconds_since_previous, is_first_at_merchant), ',' ORDER BY transaction_id)))
         FROM marts.fraud_features) AS fraud_features,
      (SELECT json_build_object('rows', count(*), 'current', count(*) FILTER (WHERE is_current), 'personas', string_agg(DISTINCT persona, ','))
         FROM marts.dim_account) AS dim_account,
      (SELECT count(*) FROM marts.dim_bank) AS dim_bank,
      (SELECT count(*) FROM marts.dim_merchant) AS dim_merchant,
      (SELECT count(*) FROM marts.dim_date) AS dim_date`);
  return rows[0];
}

async function run(args: string[], url: string): Promise<string> {
  const result = await runCli(args, { env: { DATABASE_URL: url, LOG_LEVEL: 'warn' }, timeoutMs: 900_000 });
  if (result.code !== 0) throw new Error(`\`${args.join(' ')}\` exited ${result.code ?? result.signal}:\n${result.stderr.slice(-4000)}\n${result.stdout.slice(-4000)}`);
  return result.stdout;
}

describe('dbt on Citus', { skip: citusSuiteSkip() }, () => {
  let cluster: CitusCluster;
  let citus: pg.Pool;
  let single: TestDatabase;
  before(async () => {
    [cluster, single] = await Promise.all([startCitusCluster(), createTestDatabase()]);
    citus = new pg.Pool({ connectionString: cluster.url, max: 2 });
  });
  after(async () => {
    await citus?.end();
    await cluster?.stop();
    await single?.drop();
  });

  it('builds the marts with every dbt test passing: facts distributed by account with raw.transactions, dimensions on every node', async () => {
    for (const url of [cluster.url, single.url]) await run(['load', ...ARGS], url);
    const built = await run(['transform'], cluster.url);
    assert.match(built, /Done\. PASS=\d+ WARN=0 ERROR=0/);
    await run(['transform'], single.url);

    const { rows } = await citus.query(`
      SELECT logicalrelid::text AS name, partmethod,
             colocationid = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'raw.transactions'::regclass) AS with_transactions
      FROM pg_dist_partition WHERE logicalrelid::text LIKE 'marts.%' ORDER BY 1`);
    const placed = Object.fromEntries(rows.map((r) => [r.name, r.partmethod === 'h' ? (r.with_transactions ? 'by account, with raw.transactions' : 'elsewhere') : 'reference']));
    for (const fact of ['fct_transactions', 'fct_account_daily_balances', 'fraud_features']) {
      assert.equal(placed[`marts.${fact}`], 'by account, with raw.transactions', fact);
    }
    for (const dimension of ['dim_account', 'dim_bank', 'dim_date', 'dim_merchant', 'dim_transaction_type']) {
      assert.equal(placed[`marts.${dimension}`], 'reference', dimension);
    }
    assert.deepEqual(await martFigures(citus), await martFigures(single.warehouse.pool), 'the same marts as on one PostgreSQL');
  });

  it('rebuilds incrementally after a shard-run, to the same marts as on one PostgreSQL', async () => {
    for (const url of [cluster.url, single.url]) await run(['load', ...ARGS, '--seed', '8', '--shard', '1/2'], url);
    const built = await run(['transform'], cluster.url);
    assert.match(built, /Done\. PASS=\d+ WARN=0 ERROR=0/);
    await run(['transform'], single.url);
    assert.deepEqual(await martFigures(citus), await martFigures(single.warehouse.pool));
  });

  it('appends two days and rebuilds incrementally, to the same raw rows and marts as on one PostgreSQL', async () => {
    const append = ['load', '--append', '--seed', '7', '--as-of', '2026-11-02'];
    for (const url of [cluster.url, single.url]) await run(append, url);
    const appended = `SELECT count(*)::int AS rows, md5(string_agg(concat_ws('|', transaction_id, amount, balance_after, transaction_date), ',' ORDER BY transaction_id)) AS digest
                      FROM raw.transactions t JOIN raw.load_runs r USING (load_id) WHERE r.load_mode = 'append'`;
    const [onCitus, onOne] = await Promise.all([citus.query(appended), single.warehouse.pool.query(appended)]);
    assert.ok(onCitus.rows[0].rows > 0, 'the append wrote rows');
    assert.deepEqual(onCitus.rows[0], onOne.rows[0], 'the same appended rows');
    const built = await run(['transform'], cluster.url);
    assert.match(built, /Done\. PASS=\d+ WARN=0 ERROR=0/);
    await run(['transform'], single.url);
    assert.deepEqual(await martFigures(citus), await martFigures(single.warehouse.pool));
  });
});
