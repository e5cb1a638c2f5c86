import { runCli } from './cli.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/**
 * A private database filled the way a user fills one: the real `load` (bundled OBP snapshot,
 * 60 synthetic transactions per account, fixed seed) and the real `transform` (dbt), both as
 * child processes of the CLI. Throws with the command's output when either fails.
 */
export async function createTransformedWarehouse(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  try {
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
    // fraud strikes a minority of accounts: a rate of 5 % makes sure 14 accounts see some
    for (const args of [['load', '--transactions-per-account', '60', '--seed', '7', '--fraud-rate', '0.05', '--as-of', '2026-10-31'], ['transform']]) {
      const result = await runCli(args, { env, timeoutMs: 600_000 });
      if (result.code !== 0) {
        throw new Error(`\`${args.join(' ')}\` exited ${result.code ?? result.signal}:\n${result.stderr.slice(-4000)}\n${result.stdout.slice(-2000)}`);
      }
    }
    return db;
  } catch (error) {
    await db.drop();
    throw error;
  }
}
