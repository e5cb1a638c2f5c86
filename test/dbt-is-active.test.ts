import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { NO_FAULTS } from '../src/obp/sandbox/server.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { CONSUMER_KEY, manyBanks, OWNER, startObpServer, type SandboxServer } from './helpers/obp-server.js';

/**
 * dbt's dim_bank and dim_account take is_active from the loader: after OBP stops listing a bank
 * and an account, a load and a transform show them inactive (and still there).
 */
let db: TestDatabase;
let server: SandboxServer;
let scratch: string;
let env: Record<string, string>;

before(async () => {
  db = await createTestDatabase();
  server = await startObpServer({ data: manyBanks(3, 2) });
  scratch = mkdtempSync(path.join(tmpdir(), 'hbtest-dbt-active-'));
  env = {
    DATABASE_URL: db.url,
    OBP_BASE_URL: server.url,
    OBP_USERNAME: OWNER.email,
    OBP_PASSWORD: OWNER.password,
    OBP_CONSUMER_KEY: CONSUMER_KEY,
    LOG_LEVEL: 'warn',
    DBT_TARGET_PATH: path.join(scratch, 'target'),
    DBT_LOG_PATH: path.join(scratch, 'logs'),
  };
});

after(async () => {
  await server?.close();
  await db?.drop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<void> {
  const result = await runCli(args, { env, timeoutMs: 15 * 60_000 });
  assert.equal(result.code, 0, `hybridbank ${args.join(' ')} failed:\n${result.stderr.slice(-4000)}\n${result.stdout.slice(-2000)}`);
}

it('marks vanished banks and accounts inactive in dim_bank and dim_account', async () => {
  const load = ['load', '--obp-source', 'live', '--transactions-per-account', '20', '--days', '30', '--seed', '9'];
  await cli(load);
  await cli(['transform']);
  server.faults = { ...structuredClone(NO_FAULTS), unlistedBanks: ['bank-03'], unlistedAccounts: ['acc-1-2'] };
  await cli(load);
  await cli(['transform']);
  const banks = await db.warehouse.pool.query(`SELECT bank_id, is_active, last_seen_at IS NOT NULL AS seen FROM marts.dim_bank`);
  assert.deepEqual(
    banks.rows.map((r) => `${r.bank_id} ${r.is_active} ${r.seen}`).sort(),
    ['UNKNOWN false false', 'bank-01 true true', 'bank-02 true true', 'bank-03 false true'],
  );
  const accounts = await db.warehouse.pool.query(`
    SELECT account_id, bool_and(is_active) AS active FROM marts.dim_account WHERE account_key <> '-1' GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(
    accounts.rows.filter((r) => !r.active).map((r) => r.account_id),
    ['acc-1-2', 'acc-3-1', 'acc-3-2'],
  );
  assert.equal(accounts.rows.length, 6, 'inactive accounts stay in the dimension');
});
