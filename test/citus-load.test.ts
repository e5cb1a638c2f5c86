import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate } from '../src/warehouse/migrator.js';
import { citusSuiteSkip, startCitusCluster, type CitusCluster } from './helpers/citus.js';
import { runCli } from './helpers/cli.js';
import { withDatabase } from './helpers/database.js';
import { silentLogger } from './helpers/logger.js';
import { assertOtherShardCountRefused, assertShardLocking, assertShardsOverlap, assertShardUnionIsOneRun } from './helpers/shard-runs.js';
import { assertSucceeded, rawCounts, transactionsDigest } from './helpers/warehouse-queries.js';

// Loads on a real local Citus cluster (a coordinator and two workers from the shared build).

const ARGS = ['--transactions-per-account', '40', '--seed', '7', '--as-of', '2026-10-31'];

describe('loads on Citus', { skip: citusSuiteSkip() }, () => {
  let cluster: CitusCluster;
  let pool: pg.Pool;
  before(async () => {
    cluster = await startCitusCluster();
    pool = new pg.Pool({ connectionString: cluster.url, max: 4 });
    await migrate(pool, silentLogger());
  });
  after(async () => {
    await pool?.end();
    await cluster?.stop();
  });

  it('distributes raw.transactions by account on both workers, banks, accounts, profiles and runs as reference tables', async () => {
    const { rows } = await pool.query(`
      SELECT logicalrelid::text AS name, partmethod, column_to_column_name(logicalrelid, partkey) AS column
      FROM pg_dist_partition WHERE logicalrelid::text LIKE 'raw.%' ORDER BY 1`);
    assert.deepEqual(rows, [
      { name: 'raw.account_profiles', partmethod: 'n', column: null },
      { name: 'raw.accounts', partmethod: 'n', column: null },
      { name: 'raw.banks', partmethod: 'n', column: null },
      { name: 'raw.load_runs', partmethod: 'n', column: null },
      { name: 'raw.transactions', partmethod: 'h', column: 'account_id' },
    ]);
    const workers = await pool.query(`SELECT count(DISTINCT nodeport)::int AS n FROM citus_shards WHERE table_name = 'raw.transactions'::regclass`);
    assert.equal(workers.rows[0].n, 2, 'shards on both workers');
    const constraints = await pool.query(`
      SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conrelid = 'raw.transactions'::regclass AND contype IN ('p', 'f') ORDER BY 1`);
    assert.deepEqual(constraints.rows.map((c) => `${c.conname} ${c.definition}`), [
      'transactions_account_fkey FOREIGN KEY (bank_id, account_id) REFERENCES raw.accounts(bank_id, account_id)',
      'transactions_load_fkey FOREIGN KEY (load_id) REFERENCES raw.load_runs(load_id)',
      'transactions_pkey PRIMARY KEY (account_id, transaction_id)',
    ]);
  });

  it('loads with every lineage check passing, readers never blocked, and transaction_id unique across accounts', async () => {
    const env = { DATABASE_URL: cluster.url };
    assertSucceeded(await runCli(['load', ...ARGS, '--seed', '1'], { env }));
    const before = await transactionsDigest(pool);
    // a reader mid-transaction, holding what a reader holds, sees the previous state until the load commits
    const reader = new pg.Client({ connectionString: cluster.url });
    await reader.connect();
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query('SELECT count(*) FROM raw.transactions');
      const result = await runCli(['load', ...ARGS, '--lock-retries', '0'], { env });
      assertSucceeded(result);
      assert.equal((result.stdout.match(/✓/g) ?? []).length, 7, 'seven lineage checks ticked');
      const seen = await reader.query(`SELECT md5(string_agg(concat_ws('|', transaction_id, bank_id, account_id, amount, currency, transaction_type, description,
                 merchant, merchant_category, counterparty, channel, transaction_date, is_weekend, balance_after,
                 is_fraud, fraud_pattern, data_source), E'\\n' ORDER BY transaction_id)) AS digest FROM raw.transactions`);
      assert.equal(seen.rows[0].digest, before, 'the reader kept its snapshot');
    } finally {
      await reader.end();
    }
    assert.deepEqual(await rawCounts(pool), { banks: 2, accounts: 14, transactions: 14 * 40 });

    const { rows } = await pool.query(`SELECT DISTINCT ON (account_id) bank_id, account_id, transaction_id FROM raw.transactions ORDER BY account_id, transaction_id`);
    // b's row copied under account a, keeping b's id: the id does not carry a's bank and account
    const [a, b] = rows;
    await assert.rejects(
      pool.query(
        `INSERT INTO raw.transactions
         SELECT (jsonb_populate_record(t, jsonb_build_object('bank_id', $2::text, 'account_id', $3::text))).*
         FROM raw.transactions t WHERE transaction_id = $1`,
        [b.transaction_id, a.bank_id, a.account_id],
      ),
      /transactions_id_lineage_check/,
    );
    // an appended day's id (migration 0008: the day first) is a's only with a's bank and account, and a number last
    const copyAs = (id: string) =>
      pool.query(`INSERT INTO raw.transactions SELECT (jsonb_populate_record(t, jsonb_build_object('transaction_id', $2::text))).* FROM raw.transactions t WHERE transaction_id = $1`, [a.transaction_id, id]);
    await copyAs(`synth~2026-11-01_${a.bank_id}_${a.account_id}_0001`);
    await pool.query(`DELETE FROM raw.transactions WHERE transaction_id = $1`, [`synth~2026-11-01_${a.bank_id}_${a.account_id}_0001`]);
    for (const id of [`synth~2026-11-01_${b.bank_id}_${b.account_id}_0001`, `synth~2026-11-01_${a.bank_id}_${a.account_id}_x1`, `synth~20261101_${a.bank_id}_${a.account_id}_0001`]) {
      await assert.rejects(copyAs(id), /transactions_id_lineage_check/, id);
    }
    // two accounts whose ids would give the same transaction ids ("a_b" + "c" and "a" + "b_c") are refused
    const loadId = (await pool.query(`SELECT load_id FROM raw.load_runs LIMIT 1`)).rows[0].load_id;
    await pool.query(`INSERT INTO raw.banks (bank_id, payload, data_source, extracted_at, load_id) VALUES ('x_y', '{}', 'OBP_SNAPSHOT', now(), $1), ('x', '{}', 'OBP_SNAPSHOT', now(), $1)`, [loadId]);
    await pool.query(`INSERT INTO raw.accounts (bank_id, account_id, payload, data_source, extracted_at, load_id) VALUES ('x_y', 'z', '{}', 'OBP_SNAPSHOT', now(), $1)`, [loadId]);
    await assert.rejects(
      pool.query(`INSERT INTO raw.accounts (bank_id, account_id, payload, data_source, extracted_at, load_id) VALUES ('x', 'y_z', '{}', 'OBP_SNAPSHOT', now(), $1)`, [loadId]),
      /accounts_transaction_prefix_key/,
    );
    // nor an account whose ids an append of the other would give ("c" on 2026-11-01 and "c_2026-11-01")
    await pool.query(`INSERT INTO raw.accounts (bank_id, account_id, payload, data_source, extracted_at, load_id) VALUES ('x', 'c', '{}', 'OBP_SNAPSHOT', now(), $1)`, [loadId]);
    await assert.rejects(
      pool.query(`INSERT INTO raw.accounts (bank_id, account_id, payload, data_source, extracted_at, load_id) VALUES ('x', 'c_2026-11-01', '{}', 'OBP_SNAPSHOT', now(), $1)`, [loadId]),
      /accounts_transaction_prefix_key/,
    );
    await pool.query(`DELETE FROM raw.accounts WHERE bank_id IN ('x', 'x_y')`);
    await pool.query(`DELETE FROM raw.banks WHERE bank_id IN ('x', 'x_y')`);
  });

  it('N shard-runs at once write exactly the rows of one unsharded run, each audited with its shard and run group', async () => {
    await assertShardUnionIsOneRun({ url: cluster.url, pool }, ARGS, 2);
  });

  it('runs different shards at the same time: one commits while the other is mid-load', async () => {
    await assertShardsOverlap({ url: cluster.url, pool }, ARGS, 30_000);
  });

  it('refuses a shard-run while a run of another shard count is running', async () => {
    await assertOtherShardCountRefused({ url: cluster.url, pool }, ARGS);
  });

  it('makes the same shard twice, and a full load, wait for a running shard-run', async () => {
    await assertShardLocking({ url: cluster.url, pool }, ARGS);
  });

  it('distributes a database migrated before `CREATE EXTENSION citus` at its next migrate', async () => {
    const name = 'hb_citus_later';
    const nodes = [cluster.coordinatorPort, ...cluster.workerPorts];
    for (const port of nodes) await onNode(port, 'postgres', `CREATE DATABASE ${name}`);
    for (const port of cluster.workerPorts) await onNode(port, name, 'CREATE EXTENSION citus');
    const url = withDatabase(cluster.url, name);
    const later = new pg.Pool({ connectionString: url, max: 2 });
    try {
      await migrate(later, silentLogger());
      const plain = await later.query(`SELECT to_regclass('pg_dist_partition') AS citus`);
      assert.equal(plain.rows[0].citus, null, 'no citus yet: a plain PostgreSQL database');
      assertSucceeded(await runCli(['load', ...ARGS], { env: { DATABASE_URL: url } }));
      const digest = await transactionsDigest(later);

      await later.query('CREATE EXTENSION citus');
      await later.query(`SELECT citus_set_coordinator_host('127.0.0.1', $1)`, [cluster.coordinatorPort]);
      for (const port of cluster.workerPorts) await later.query(`SELECT citus_add_node('127.0.0.1', $1)`, [port]);
      await migrate(later, silentLogger());
      const { rows } = await later.query(`SELECT partmethod FROM pg_dist_partition WHERE logicalrelid = 'raw.transactions'::regclass`);
      assert.deepEqual(rows, [{ partmethod: 'h' }]);
      assert.equal(await transactionsDigest(later), digest, 'the rows moved to the shards unchanged');
      assertSucceeded(await runCli(['load', ...ARGS, '--shard', '1/2'], { env: { DATABASE_URL: url } }));
      assert.equal(await transactionsDigest(later), digest);
      // its partitions end where appended ids begin (a full load of one PostgreSQL laid them out):
      // an append attaches its month, which Citus distributes with the table
      assertSucceeded(await runCli(['load', ...ARGS, '--append', '--as-of', '2026-11-02'], { env: { DATABASE_URL: url } }));
      const appended = await later.query(`SELECT count(*)::int AS n FROM raw.transactions WHERE transaction_id >= 'synth~'`);
      assert.ok(appended.rows[0].n > 0);
      const parts = await later.query(`
        SELECT pg_get_expr(c.relpartbound, c.oid) AS bound, EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid) AS distributed
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'raw.transactions'::regclass ORDER BY 1`);
      assert.deepEqual(parts.rows, [
        { bound: "FOR VALUES FROM ('synth~2026-10') TO ('synth~2026-11')", distributed: true },
        { bound: "FOR VALUES FROM ('synth~2026-11') TO ('synth~2026-12')", distributed: true },
        { bound: "FOR VALUES FROM (MINVALUE) TO ('synth~')", distributed: true },
      ]);
    } finally {
      await later.end();
    }
  });
});

async function onNode(port: number, database: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/${database}` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
