import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, freePort, type TestDatabase } from './helpers/database.js';

describe('hybridbank doctor', () => {
  let db: TestDatabase;
  const warehouseDir = mkdtempSync(path.join(tmpdir(), 'hbtest-doctor-'));
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(async () => {
    await db.drop();
    rmSync(warehouseDir, { recursive: true, force: true });
  });

  it('checks Node, Python, dbt, the browser, the warehouse and OBP, and exits 0 when all is usable, on both paths', async () => {
    for (const env of [{ DATABASE_URL: db.url }, { DATABASE_URL: undefined, WAREHOUSE_DIR: warehouseDir, WAREHOUSE_PORT: String(await freePort()) }]) {
      const result = await runCli(['doctor'], { env });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      for (const name of ['Node', 'Python for dbt', 'dbt', 'Browser for the report test', 'OBP source']) assert.match(result.stdout, new RegExp(`^[✓!] ${name}: `, 'm'));
      assert.match(result.stdout, env.DATABASE_URL ? /^✓ Warehouse \(DATABASE_URL\): .*PostgreSQL \d+/m : /^✓ Embedded warehouse: not running; starts on demand/m);
      assert.match(result.stdout, /All set/);
    }
  });

  it('says what to fix: an unreachable DATABASE_URL, a taken embedded port, an unreachable OBP; exit 1', async () => {
    const bad = await runCli(['doctor'], { env: { DATABASE_URL: 'postgres://loader:s3cretPass@127.0.0.1:9/x' } });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^✗ Warehouse \(DATABASE_URL\): postgres:\/\/loader:\[REDACTED\]@127\.0\.0\.1:9\/x: .*\n {4}fix: start PostgreSQL or fix DATABASE_URL/m);
    assert.doesNotMatch(bad.stdout + bad.stderr, /s3cretPass/);

    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const taken = await runCli(['doctor'], { env: { DATABASE_URL: undefined, WAREHOUSE_DIR: warehouseDir, WAREHOUSE_PORT: String(port) } });
      assert.equal(taken.code, 1);
      assert.match(taken.stdout, new RegExp(`^✗ Warehouse port: ${port} is used by another program\\n {4}fix: choose another port, e\\.g\\. WAREHOUSE_PORT=${port + 1}`, 'm'));
    } finally {
      blocker.close();
    }

    const obp = await runCli(['doctor'], {
      env: { DATABASE_URL: db.url, OBP_BASE_URL: 'http://127.0.0.1:9', OBP_USERNAME: 'susan', OBP_PASSWORD: 'pw-123456', OBP_CONSUMER_KEY: 'key-123456' },
    });
    assert.equal(obp.code, 1);
    assert.match(obp.stdout, /^✗ OBP source: cannot reach http:\/\/127\.0\.0\.1:9 .*\n {4}fix: check OBP_BASE_URL/m);
  });
});
