import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { removeEmbeddedWarehouse } from '../src/warehouse/embedded.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, freePort, type TestDatabase } from './helpers/database.js';

/** dbt colours its output even into a pipe unless told not to; a CI log or a file must stay plain text. */
describe('dbt output when stdout is not a terminal', () => {
  let db: TestDatabase;
  const warehouseDir = mkdtempSync(path.join(tmpdir(), 'hbtest-dbt-output-'));
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
    await removeEmbeddedWarehouse(warehouseDir);
  });

  it('has no colour codes, on both paths', { timeout: 900_000 }, async () => {
    for (const env of [{ DATABASE_URL: db.url }, { DATABASE_URL: undefined, WAREHOUSE_DIR: warehouseDir, WAREHOUSE_PORT: String(await freePort()) }]) {
      const result = await runCli(['dbt', 'debug'], { env, timeoutMs: 900_000 });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /All checks passed!/);
      assert.doesNotMatch(result.stdout + result.stderr, /\x1b\[/);
    }
  });
});
