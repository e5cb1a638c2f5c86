import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/config.js';
import { startCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { loadRuns, waitFor } from './helpers/warehouse-queries.js';

describe('a big load', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('above 10M rows says rows, disk and minutes before it starts writing', async () => {
    const { child, done } = startCli(['load', '--transactions-per-account', '1000000', '--seed', '1'], { env: { DATABASE_URL: db.url } });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await waitFor(async () => /this load will write about/.test(stderr), 60_000, 'the estimate');
    child.kill('SIGINT');
    const result = await done;
    assert.match(result.stderr, /this load will write about 14,000,000 rows: about \d+\.\d GiB in raw\.transactions .* and about \d+ minute\(s\)/);
    assert.equal(result.code, 130);
    const runs = await loadRuns(db.warehouse.pool);
    assert.equal(runs.at(-1)!.status, 'failed');
  });
});

describe('the embedded warehouse', () => {
  it('defaults to a port below Linux ephemeral range (32768-60999), so no outgoing socket holds it', () => {
    // an empty project directory: no developer's .env in the way
    const projectRoot = mkdtempSync(path.join(tmpdir(), 'hbtest-config-'));
    try {
      const { port } = loadConfig({ env: {}, projectRoot }).warehouse;
      assert.ok(port < 32768, `default port ${port}`);
    } finally {
      rmSync(projectRoot, { recursive: true, force: true });
    }
  });
});
