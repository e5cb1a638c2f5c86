import assert from 'node:assert/strict';
import pg from 'pg';
import { LOAD_LOCK_KEY, SHARD_LOCK_CLASS, shardLockKey } from '../../src/load/load-lock.js';
import { shardOf } from '../../src/load/shard.js';
import { runCli, startCli } from './cli.js';
import { assertSucceeded, copyInProgress, transactionsDigest, waitFor } from './warehouse-queries.js';

/**
 * What sharded loads promise, asserted the same way on single-node PostgreSQL
 * (test/load-shards.test.ts) and on Citus (test/citus-load.test.ts).
 */
export interface ShardTarget {
  url: string;
  pool: pg.Pool;
}

interface ShardRun {
  load_id: string;
  shard_index: number;
  shard_count: number;
  run_group: string;
  transactions_count: string;
}

/**
 * One unsharded run, then N shard-runs started together with the same flags: the shard-runs
 * rewrite every row (each of its own shard's accounts), and the table is byte-identical to what
 * the unsharded run wrote.
 */
export async function assertShardUnionIsOneRun(target: ShardTarget, args: string[], n: number): Promise<void> {
  const env = { DATABASE_URL: target.url };
  assertSucceeded(await runCli(['load', ...args], { env }));
  const one = await transactionsDigest(target.pool);
  const total = Number((await target.pool.query(`SELECT count(*) AS n FROM raw.transactions`)).rows[0].n);

  const results = await Promise.all(Array.from({ length: n }, (_, i) => runCli(['load', ...args, '--shard', `${i + 1}/${n}`], { env })));
  for (const result of results) assertSucceeded(result);

  const { rows: runs } = await target.pool.query<ShardRun>(
    `SELECT load_id, shard_index, shard_count, run_group, transactions_count FROM raw.load_runs
      WHERE shard_count = $1 AND status = 'succeeded' ORDER BY started_at DESC LIMIT $1`,
    [n],
  );
  assert.deepEqual(runs.map((r) => r.shard_index).sort(), Array.from({ length: n }, (_, i) => i + 1), 'one run per shard, recorded');
  assert.equal(new Set(runs.map((r) => r.run_group)).size, 1, 'the shard-runs of one job share a derived run group');
  assert.match(runs[0]!.run_group, new RegExp(`^shards-${n}-[0-9a-f]{12}$`));
  for (const run of runs) assert.ok(Number(run.transactions_count) > 0, `shard ${run.shard_index}/${n} loaded rows`);
  assert.equal(runs.reduce((sum, r) => sum + Number(r.transactions_count), 0), total, 'the shards add up to the unsharded run');

  // every row was rewritten by the shard-run of its account's shard
  const byLoad = new Map(runs.map((r) => [r.load_id, r.shard_index]));
  const { rows: accounts } = await target.pool.query<{ bank_id: string; account_id: string; load_id: string }>(
    `SELECT DISTINCT bank_id, account_id, load_id FROM raw.transactions`,
  );
  for (const a of accounts) {
    assert.equal(byLoad.get(a.load_id), shardOf(a.bank_id, a.account_id, n), `${a.bank_id}/${a.account_id} written by its shard's run`);
  }
  assert.equal(await transactionsDigest(target.pool), one, 'the union of the shard-runs is byte-identical to one unsharded run');
}

/** Advisory locks this database's sessions are waiting for. */
export async function waitingLoads(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`,
  );
  return rows[0]!.n;
}

/**
 * A real shard-run in the middle of its transaction (banks committed, its accounts written, its
 * COPY streaming) does not hold up a run of another shard, which commits meanwhile.
 */
export async function assertShardsOverlap(target: ShardTarget, args: string[], bigPerAccount: number): Promise<void> {
  const env = { DATABASE_URL: target.url };
  const big = startCli(['load', ...args, '--transactions-per-account', String(bigPerAccount), '--shard', '1/2'], { env });
  try {
    await waitFor(() => copyInProgress(target.pool), 120_000, 'shard 1/2 to stream its rows');
    assertSucceeded(await runCli(['load', ...args, '--shard', '2/2'], { env }));
    assert.equal(big.child.exitCode, null, 'shard 2/2 committed while 1/2 was still loading');
  } finally {
    big.child.kill('SIGINT');
    await big.done;
    await runsEnded(target.pool);
  }
}

/**
 * An interrupted run's server session ends a moment after its process; until then its run counts
 * as running (rightly), so what comes next waits for it to go.
 */
export async function runsEnded(pool: pg.Pool): Promise<void> {
  await waitFor(
    async () =>
      (
        await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM raw.load_runs r
           JOIN pg_stat_activity a ON a.pid = r.backend_pid AND a.backend_start = r.backend_start
           WHERE r.status = 'running'`,
        )
      ).rows[0]!.n === 0,
    60_000,
    'the interrupted run to end',
  );
}

/**
 * While shard 1/2 is running (a session holding what a shard-run holds): a second 1/2 waits, 2/2
 * goes through, a load of every account waits; once 1/2 is done, the full load runs last.
 */
export async function assertShardLocking(target: ShardTarget, args: string[]): Promise<void> {
  const env = { DATABASE_URL: target.url };
  const holder = new pg.Client({ connectionString: target.url });
  await holder.connect();
  try {
    await holder.query('SELECT pg_advisory_lock_shared($1), pg_advisory_lock($2, $3)', [LOAD_LOCK_KEY, SHARD_LOCK_CLASS, shardLockKey({ index: 1, count: 2 })]);
    const same = startCli(['load', ...args, '--shard', '1/2'], { env });
    await waitFor(async () => (await waitingLoads(target.pool)) === 1, 60_000, 'the second 1/2 to wait for the first');
    const other = await runCli(['load', ...args, '--shard', '2/2'], { env });
    assertSucceeded(other);
    assert.equal(same.child.exitCode, null, '1/2 still waits while 2/2 went through');
    const full = startCli(['load', ...args], { env });
    await waitFor(async () => (await waitingLoads(target.pool)) === 2, 60_000, 'the full load to wait for the shard-runs');
    await holder.query('SELECT pg_advisory_unlock_all()');
    const [sameResult, fullResult] = await Promise.all([same.done, full.done]);
    assertSucceeded(sameResult);
    assertSucceeded(fullResult);
    assert.match(sameResult.stderr, /another load of shard 1\/2 is running/);
    assert.match(fullResult.stderr, /another load is running on this warehouse; waiting/);
    const { rows } = await target.pool.query<{ loads: string[] }>(
      `SELECT array_agg(DISTINCT r.shard_index::text) AS loads FROM raw.transactions t JOIN raw.load_runs r USING (load_id)`,
    );
    assert.deepEqual(rows[0]!.loads, [null], 'the full load committed last: every row is its');
  } finally {
    await holder.end();
  }
}

/** A shard-run while a run of another N is running: refused at once, saying why, nothing written. */
export async function assertOtherShardCountRefused(target: ShardTarget, args: string[]): Promise<void> {
  const running = new pg.Client({ connectionString: target.url });
  await running.connect();
  try {
    // a live session's run of shard 1/2, as a loader records it while it loads
    const { rows } = await running.query<{ load_id: string }>(
      `INSERT INTO raw.load_runs (load_id, tool_version, shard_index, shard_count, run_group, backend_pid, backend_start)
       SELECT gen_random_uuid(), 'test', 1, 2, 'other-job', pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()
       RETURNING load_id`,
    );
    const before = await target.pool.query(`SELECT count(*)::int AS n FROM raw.transactions`);
    const result = await runCli(['load', ...args, '--shard', '1/3'], { env: { DATABASE_URL: target.url } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`Load ${rows[0]!.load_id} \\(--shard 1/2\\) is running and splits the accounts into 2 shards; this run asks for 3`));
    assert.match(result.stderr, /Give every loader of one job the same N \(--shard I\/2\)/);
    const after = await target.pool.query(`SELECT count(*)::int AS n FROM raw.transactions`);
    assert.deepEqual(after.rows, before.rows);
    const { rows: runs } = await target.pool.query(`SELECT status FROM raw.load_runs WHERE shard_count = 3 ORDER BY started_at DESC LIMIT 1`);
    assert.equal(runs[0]?.status, 'failed');
    await running.query(`DELETE FROM raw.load_runs WHERE load_id = $1`, [rows[0]!.load_id]);
  } finally {
    await running.end();
  }
}
