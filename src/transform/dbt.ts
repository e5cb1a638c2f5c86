import type { Config } from '../config/config.js';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { withWarehouse } from '../warehouse/connection.js';
import { migrate } from '../warehouse/migrator.js';
import { runInherited } from './process.js';
import { dbtVenvOf, ensureDbtVenv } from './venv.js';

export interface RunDbtOptions {
  config: Config;
  log: Logger;
  /** dbt's own arguments, e.g. ['build', '--select', 'marts'] */
  args: readonly string[];
  /** the environment dbt inherits; the connection variables are added to a copy of it */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * Runs dbt against the loader's warehouse: makes sure the dbt virtualenv is installed, opens the
 * warehouse (starting the embedded server when DATABASE_URL is unset, stopping it afterwards),
 * applies pending migrations so `raw` exists, then runs dbt with the project and profiles in
 * dbt/, its output streamed as is. A non-zero dbt exit becomes DBT_FAILED.
 */
export async function runDbt(options: RunDbtOptions): Promise<void> {
  const { config, log } = options;
  const venv = dbtVenvOf(config.projectRoot);
  await ensureDbtVenv({ venv, log, env: options.env, signal: options.signal });
  await withWarehouse(config.warehouse, log, async (warehouse) => {
    await migrate(warehouse.pool, log);
    const args = dbtArgs(options.args);
    log.info({ args }, `running dbt ${args.join(' ')}`);
    let code: number;
    try {
      code = await runInherited({
        command: venv.dbt,
        args,
        cwd: config.projectRoot,
        env: dbtEnvironment(warehouse.url, options.env),
        signal: options.signal,
      });
    } catch (error) {
      throw new HybridbankError('DBT_FAILED', `Could not start dbt (${venv.dbt}): ${messageOf(error)}.`, {
        hint: 'Delete .venv-dbt/ so the next run reinstalls dbt.',
        cause: error,
      });
    }
    if (code !== 0) {
      throw new HybridbankError('DBT_FAILED', `dbt ${args[0] ?? ''} failed (exit code ${code}).`, {
        hint: "dbt's output above names the failing model or test; its full log is in dbt/logs/dbt.log.",
      });
    }
  });
}

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
  };
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode) env.DBT_PG_SSLMODE = sslmode;
  return env;
}
