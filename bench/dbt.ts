/**
 * dbt build time on a realistic volume: `DATABASE_URL=postgres://... npm run bench:dbt [-- transactions]`.
 * Loads the transactions (default 1,000,000, spread over the bundled snapshot's accounts) into a
 * fresh database with the real loader, then times `dbt build` four times: the first full build,
 * a rebuild with nothing new (incremental models insert nothing), a build after a full reload
 * (every account replaced: the incremental models are emptied and refilled), and a build after
 * `load --append` of one day (only the new day is processed), and the source freshness check that
 * `transform` runs before its build. Prints JSON: the times, the slowest nodes of each build (from
 * dbt's run_results.json), and the fact's size and dead rows after the reload (a full reload must
 * leave no table-sized bloat). BENCH_DATABASE names the database (default hybridbank_bench_dbt).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// BENCH_DATABASE: several people benchmarking on one server each need a database of their own
const DATABASE = process.env.BENCH_DATABASE ?? 'hybridbank_bench_dbt';
const transactions = Number(process.argv[2] ?? 1_000_000);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres; the bench creates its own database there.');
  process.exit(1);
}

const url = new URL(serverUrl);
url.pathname = `/${DATABASE}`;
const TARGET = path.join(ROOT, 'dbt', 'target', 'bench');
const env = { ...process.env, DATABASE_URL: url.toString(), LOG_LEVEL: 'warn', DBT_TARGET_PATH: TARGET };

/** Runs the CLI with its output on our terminal; returns the wall-clock seconds. */
function timed(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`hybridbank ${args.join(' ')} failed with exit code ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DATABASE}`);
await admin.end();

// The bundled snapshot has a fixed number of accounts; ask the loader for an even share each.
timed(['migrate']);
const probe = new pg.Client({ connectionString: env.DATABASE_URL });
await probe.connect();
// histories up to yesterday (an as-of may not be in the future), then today appended to them
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const loadArgs = (perAccount: number, seed: string, asOf = day(1)) => ['load', '--obp-source', 'snapshot', '--transactions-per-account', String(perAccount), '--seed', seed, '--as-of', asOf];
timed(loadArgs(1, 'probe'));
const { rows: [accounts] } = await probe.query<{ n: number }>('SELECT count(*)::int AS n FROM raw.accounts');
const perAccount = Math.ceil(transactions / accounts!.n);

const loadSeconds = timed(loadArgs(perAccount, 'bench'));
const { rows: [loaded] } = await probe.query<{ n: number }>('SELECT count(*)::int AS n FROM raw.transactions');
/**
 * The slowest nodes of the last dbt command (run_results.json, kept as `<step>-run_results.json`
 * for a closer look): where a build's time goes.
 */
function slowest(step: string, count = 8): Record<string, number> {
  const file = path.join(TARGET, `${step}-run_results.json`);
  copyFileSync(path.join(TARGET, 'run_results.json'), file);
  const results = JSON.parse(readFileSync(file, 'utf8')) as { results: { unique_id: string; execution_time: number }[] };
  return Object.fromEntries(
    results.results
      .sort((a, b) => b.execution_time - a.execution_time)
      .slice(0, count)
      .map((result) => [result.unique_id.split('.')[2]!.slice(0, 60), Number(result.execution_time.toFixed(1))]),
  );
}

const build = ['dbt', 'build'];
const fullBuild = timed(build);
const fullNodes = slowest('full');
const noChangeBuild = timed(build);
const noChangeNodes = slowest('nothing-new');
timed(loadArgs(perAccount, 'bench-2'));
const reloadBuild = timed(build);
const reloadNodes = slowest('after-full-reload');
const appendSeconds = timed([...loadArgs(perAccount, 'bench-2', day(0)), '--append']);
const { rows: [appended] } = await probe.query<{ n: number }>(
  "SELECT count(*)::int AS n FROM raw.transactions WHERE load_id = (SELECT load_id FROM raw.load_runs WHERE load_mode = 'append' ORDER BY started_at DESC LIMIT 1)",
);
const appendBuild = timed(build);
const appendNodes = slowest('after-one-day-append');
const freshness = timed(['dbt', 'source', 'freshness']);
await probe.query('ANALYZE marts.fct_transactions');
const { rows: [fact] } = await probe.query<{ table_mb: number; indexes_mb: number; live: number; dead: number }>(`
  SELECT round(pg_table_size('marts.fct_transactions') / 1048576.0, 1)::float8 AS table_mb,
         round(pg_indexes_size('marts.fct_transactions') / 1048576.0, 1)::float8 AS indexes_mb,
         n_live_tup::int AS live, n_dead_tup::int AS dead
  FROM pg_stat_user_tables WHERE relid = 'marts.fct_transactions'::regclass`);
// raw.transactions is partitioned: its size is its partitions'
const { rows: [raw] } = await probe.query<{ table_mb: number }>(`SELECT round(sum(pg_total_relation_size(relid)) / 1048576.0, 1)::float8 AS table_mb FROM pg_partition_tree('raw.transactions')`);
await probe.end();

console.log(
  JSON.stringify({
    transactions: loaded!.n,
    accounts: accounts!.n,
    loadSeconds: Number(loadSeconds.toFixed(1)),
    appendedRows: appended!.n,
    appendSeconds: Number(appendSeconds.toFixed(1)),
    dbtBuildSeconds: {
      full: Number(fullBuild.toFixed(1)),
      nothingNew: Number(noChangeBuild.toFixed(1)),
      afterFullReload: Number(reloadBuild.toFixed(1)),
      afterOneDayAppend: Number(appendBuild.toFixed(1)),
    },
    slowestNodesSeconds: { full: fullNodes, nothingNew: noChangeNodes, afterFullReload: reloadNodes, afterOneDayAppend: appendNodes },
    sourceFreshnessSeconds: Number(freshness.toFixed(1)),
    factAfterFullReload: { tableMb: fact!.table_mb, indexesMb: fact!.indexes_mb, liveRows: fact!.live, deadRows: fact!.dead, rawTransactionsMb: raw!.table_mb },
  }),
);
