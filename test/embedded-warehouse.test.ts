import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { withWarehouse } from '../src/warehouse/connection.js';
import { runCli } from './helpers/cli.js';
import { freePort } from './helpers/database.js';
import { silentLogger } from './helpers/logger.js';

describe('the embedded warehouse (no DATABASE_URL)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hb-embedded-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is created on demand, migrated twice without change, and stopped when the command ends', async () => {
    const port = await freePort();
    const env = { DATABASE_URL: undefined, WAREHOUSE_DIR: dir, WAREHOUSE_PORT: String(port) };
    const first = await runCli(['migrate'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /applied migration 0001_raw_schema\.sql/);
    const second = await runCli(['migrate'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /schema is up to date/);
    // stopped: the port is free again
    assert.equal(await portIsFree(port), true);

    const tables = await withWarehouse({ url: undefined, dir, port }, silentLogger(), async (w) => {
      const { rows } = await w.pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' ORDER BY 1`);
      return rows.map((r) => r.table_name);
    });
    assert.deepEqual(tables, ['account_profiles', 'accounts', 'banks', 'load_runs', 'transactions']);
  });

  it('says clearly when its port is taken, without hanging', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const result = await runCli(['migrate'], { env: { DATABASE_URL: undefined, WAREHOUSE_DIR: dir, WAREHOUSE_PORT: String(port) }, timeoutMs: 30_000 });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`Port ${port} for the embedded warehouse is already in use`));
      assert.match(result.stderr, /WAREHOUSE_PORT=/);
    } finally {
      blocker.close();
    }
  });

  it('removes a stale lock file left by a crashed server and starts', async () => {
    writeFileSync(path.join(dir, 'postmaster.pid'), `999999\n${dir}\n0\n54329\n`);
    const result = await runCli(['migrate'], { env: { DATABASE_URL: undefined, WAREHOUSE_DIR: dir, WAREHOUSE_PORT: String(await freePort()) } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /stale lock file/);
  });
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
