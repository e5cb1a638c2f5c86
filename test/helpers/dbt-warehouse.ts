import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { runCli, type CliResult } from './cli.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/** The first dbt run may install dbt into .venv-dbt (pip), which takes minutes on a fresh machine. */
export const DBT_TIMEOUT_MS = 15 * 60_000;

export interface DbtWarehouse {
  /** the test's own database (set in `before`) */
  readonly db: TestDatabase;
  /** the CLI's environment: the database, and dbt target and log directories of this file's own */
  readonly env: Record<string, string>;
  /** Runs the CLI and prints its output, so dbt's own log is in the test output, pass or fail. */
  cli(args: string[]): Promise<CliResult>;
}

/** A fresh database and dbt directories for one test file, created before and dropped after its tests. */
export function dbtWarehouse(name: string): DbtWarehouse {
  let db: TestDatabase | undefined;
  let scratch: string | undefined;
  let env: Record<string, string> = {};
  before(async () => {
    db = await createTestDatabase();
    scratch = mkdtempSync(path.join(tmpdir(), `hbtest-${name}-`));
    env = { DATABASE_URL: db.url, DBT_TARGET_PATH: path.join(scratch, 'target'), DBT_LOG_PATH: path.join(scratch, 'logs') };
  });
  after(async () => {
    await db?.drop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });
  return {
    get db() {
      if (!db) throw new Error('the test database is created in before()');
      return db;
    },
    get env() {
      return env;
    },
    async cli(args) {
      const result = await runCli(args, { env, timeoutMs: DBT_TIMEOUT_MS });
      process.stdout.write(`\n$ hybridbank ${args.join(' ')}  (exit ${result.code})\n${result.stdout}${result.stderr}\n`);
      return result;
    },
  };
}
