import path from 'node:path';
import type { Config } from '../config/config.js';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { withWarehouse, type Warehouse } from '../warehouse/connection.js';
import { migrate } from '../warehouse/migrator.js';
import { readMartsFreshness, stalenessWarning } from './freshness.js';
import { withDirLock } from './dir-lock.js';
import { runInherited } from './process.js';
import { dbtVenvOf, ensureDbtVenv, type DbtVenv } from './venv.js';

export interface RunDbtOptions {
  config: Config;
  log: Logger;
  /** dbt's own arguments, e.g. ['build', '--select', 'marts'] */
  args: readonly string[];
  /** the environment dbt inherits; the connection variables are added to a copy of it */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** One of the venv's tools, run on the open warehouse with our environment; returns its exit code. */
type ToolRunner = (tool: keyof Pick<DbtVenv, 'dbt' | 'mf'>, args: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }) => Promise<number>;

/**
 * Makes sure the dbt virtualenv is installed, opens the warehouse (starting the embedded server
 * when DATABASE_URL is unset, stopping it afterwards), applies pending migrations so `raw`
 * exists, then hands `work` a runner for the venv's tools, their output streamed as is.
 */
async function withDbtTools<T>(
  options: RunDbtOptions,
  work: (run: ToolRunner, warehouse: Warehouse, env: NodeJS.ProcessEnv) => Promise<T>,
): Promise<T> {
  const { config, log } = options;
  const venv = dbtVenvOf(config.projectRoot);
  await ensureDbtVenv({ venv, log, env: options.env, signal: options.signal });
  return withWarehouse(config.warehouse, log, async (warehouse) => {
    await migrate(warehouse.pool, log);
    const env = dbtEnvironment(warehouse.url, options.env);
    const run: ToolRunner = async (tool, args, overrides = {}) => {
      log.info({ tool, args }, `running ${tool} ${args.join(' ')}`);
      try {
        const cwd = overrides.cwd ?? config.projectRoot;
        return await runInherited({ command: venv[tool], args, cwd, env: overrides.env ?? env, signal: options.signal });
      } catch (error) {
        throw new HybridbankError('DBT_FAILED', `Could not start ${tool} (${venv[tool]}): ${messageOf(error)}.`, {
          hint: 'Delete .venv-dbt/ so the next run reinstalls dbt.',
          cause: error,
        });
      }
    };
    return work(run, warehouse, env);
  });
}

function failed(what: string, code: number): HybridbankError {
  return new HybridbankError('DBT_FAILED', `${what} failed (exit code ${code}).`, {
    hint: "dbt's output above names the failing model or test; its full log is in dbt/logs/dbt.log.",
  });
}

/** Runs any dbt command on the warehouse (`npm run dbt -- ...`). A non-zero exit becomes DBT_FAILED. */
export async function runDbt(options: RunDbtOptions): Promise<void> {
  await withDbtTools(options, async (run) => {
    const args = dbtArgs(options.args);
    const code = await run('dbt', args);
    if (code !== 0) throw failed(`dbt ${args[0] ?? ''}`, code);
  });
}

/**
 * `npm run transform`: source freshness first (warn only: a stale source is worth saying, not
 * worth refusing to build), then `dbt build` with the user's extra arguments; afterwards, built
 * or not, says when the marts are still older than the last successful load (a failed or
 * partial build, or a load that finished meanwhile).
 */
export async function runTransform(options: RunDbtOptions): Promise<void> {
  await withDbtTools(options, async (run, warehouse) => {
    const freshness = await run('dbt', dbtArgs(['source', 'freshness']));
    if (freshness !== 0) options.log.warn({ code: freshness }, 'dbt source freshness did not pass; building anyway');
    const code = await run('dbt', dbtArgs(['build', ...options.args]));
    const warning = stalenessWarning(await readMartsFreshness(warehouse.pool));
    if (warning) process.stderr.write(`Warning: ${warning}\n`);
    if (code !== 0) throw failed('dbt build', code);
  });
}

/**
 * `npm run metrics -- query --metrics ... --group-by ...`: MetricFlow's `mf` on the semantic
 * layer. `dbt parse` first writes the semantic manifest, which names this warehouse's database;
 * mf reads it from dbt/target/ whatever DBT_TARGET_PATH says, so the parse writes it there. mf
 * runs in dbt/, where it finds the project and profiles.
 */
export async function runMetrics(options: RunDbtOptions): Promise<void> {
  await withDbtTools(options, async (run, _warehouse, env) => {
    const inProjectTarget = { env: { ...env, DBT_TARGET_PATH: undefined } };
    // dbt/target is shared: without the lock, a second run's parse (maybe of another warehouse)
    // would replace the manifest the first run's mf is reading
    const lock = { log: options.log, waiting: 'another `metrics` run is using dbt/target; waiting for it', staleMs: METRICS_STALE_LOCK_MS, signal: options.signal };
    await withDirLock(path.join(options.config.projectRoot, 'dbt', 'target.metrics.lock'), lock, async () => {
      const parsed = await run('dbt', dbtArgs(['parse', '--quiet']), inProjectTarget);
      if (parsed !== 0) throw failed('dbt parse', parsed);
      const code = await run('mf', options.args, { ...inProjectTarget, cwd: `${options.config.projectRoot}/dbt` });
      if (code !== 0) throw failed(`mf ${options.args[0] ?? ''}`, code);
    });
  });
}

/** A MetricFlow query takes seconds; a lock this old was left by a process that died. */
const METRICS_STALE_LOCK_MS = 10 * 60_000;

/**
 * dbt's arguments with the project and profiles directories appended: after the (sub)commands,
 * which is where dbt accepts them for every command, `docs generate` included. Top-level flags
 * such as --version take none.
 */
export function dbtArgs(args: readonly string[]): string[] {
  const [first] = args;
  if (first === undefined || first.startsWith('-')) return [...args];
  return [...args, '--project-dir', 'dbt', '--profiles-dir', 'dbt'];
}

/**
 * The child's environment: the parent's, plus the connection read by dbt/profiles.yml. The
 * password goes in DBT_ENV_SECRET_PG_PASSWORD, a name dbt scrubs from its logs and artifacts.
 */
export function dbtEnvironment(warehouseUrl: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const url = new URL(warehouseUrl);
  const env: NodeJS.ProcessEnv = {
    ...base,
    DBT_PG_HOST: decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1'),
    DBT_PG_PORT: url.port || '5432',
    DBT_PG_USER: decodeURIComponent(url.username),
    DBT_ENV_SECRET_PG_PASSWORD: decodeURIComponent(url.password),
    DBT_PG_DBNAME: decodeURIComponent(url.pathname.replace(/^\//, '')),
    DBT_PG_SCHEMA: base.DBT_PG_SCHEMA || 'analytics',
    // no network but the package registries here: dbt's usage ping would only time out
    DBT_SEND_ANONYMOUS_USAGE_STATS: base.DBT_SEND_ANONYMOUS_USAGE_STATS ?? 'false',
    // dbt's sessions run without JIT: compiling the marts' wide queries costs PostgreSQL more
    // than it saves (1M transactions: fraud features 20 s with it, 12 s without; daily balances
    // 9 s and 2 s); any options of the caller's PGOPTIONS stay
    PGOPTIONS: [base.PGOPTIONS, '-c jit=off'].filter(Boolean).join(' '),
  };
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode) env.DBT_PG_SSLMODE = sslmode;
  return env;
}
