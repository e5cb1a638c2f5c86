import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { removeEmbeddedWarehouse } from '../src/warehouse/embedded.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, freePort, type TestDatabase } from './helpers/database.js';

interface Run {
  loadId: string;
  startedAt: string;
  status: string;
  banks: number | null;
  accounts: number | null;
  transactions: number | null;
  durationSeconds: number | null;
  error: string | null;
}

describe('hybridbank runs', () => {
  let db: TestDatabase;
  const warehouseDir = mkdtempSync(path.join(tmpdir(), 'hbtest-runs-'));
  const paths: { name: string; env: Record<string, string | undefined> }[] = [];
  before(async () => {
    db = await createTestDatabase({ migrate: false });
    paths.push(
      { name: 'embedded', env: { DATABASE_URL: undefined, WAREHOUSE_DIR: warehouseDir, WAREHOUSE_PORT: String(await freePort()) } },
      { name: 'DATABASE_URL', env: { DATABASE_URL: db.url } },
    );
  });
  after(async () => {
    await db.drop();
    await removeEmbeddedWarehouse(warehouseDir);
  });

  it('says there is no run yet on a new warehouse, on both paths', async () => {
    for (const p of paths) {
      const result = await runCli(['runs'], { env: p.env });
      assert.equal(result.code, 0, `${p.name}: ${result.stderr}`);
      assert.match(result.stdout, /No load runs yet/);
    }
  });

  it('lists the runs newest first with when, status, counts and duration, as a table and with --json, on both paths', async () => {
    for (const p of paths) {
      for (const per of ['10', '30']) {
        const load = await runCli(['load', '--transactions-per-account', per, '--seed', '4', '--as-of', '2026-10-31'], { env: p.env });
        assert.equal(load.code, 0, `${p.name}: ${load.stderr}`);
      }
      const json = await runCli(['runs', '--json'], { env: p.env });
      assert.equal(json.code, 0, json.stderr);
      const runs = JSON.parse(json.stdout) as Run[];
      assert.equal(runs.length, 2, p.name);
      assert.deepEqual(runs.map((r) => [r.status, r.banks, r.accounts, r.transactions]), [['succeeded', 2, 14, 420], ['succeeded', 2, 14, 140]]);
      assert.ok(runs[0]!.startedAt > runs[1]!.startedAt, 'newest first');
      assert.ok(runs.every((r) => r.durationSeconds !== null && r.durationSeconds > 0 && r.durationSeconds < 600));

      const limited = JSON.parse((await runCli(['runs', '--json', '--limit', '1'], { env: p.env })).stdout) as Run[];
      assert.deepEqual(limited.map((r) => r.loadId), [runs[0]!.loadId]);

      const table = await runCli(['runs'], { env: p.env });
      const [header, first] = table.stdout.split('\n');
      assert.match(header!, /^started \(UTC\)\s+status\s+mode\s+days\s+source\s+banks\s+accounts\s+transactions\s+duration\s+load_id\s+error$/);
      assert.match(first!, new RegExp(`succeeded\\s+full\\s+[\\d-]+\\.\\.[\\d-]+\\s+snapshot\\s+2\\s+14\\s+420\\s+[\\d.]+ s\\s+${runs[0]!.loadId}`));
    }
  });

  it('refuses a bad --limit before connecting', async () => {
    const result = await runCli(['runs', '--limit', 'all'], { env: paths[1]!.env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--limit must be a number \(got "all"\)/);
  });
});
