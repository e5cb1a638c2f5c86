import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { dbtEnvironment } from '../src/transform/dbt.js';
import { dbtVenvOf, ensureDbtVenv } from '../src/transform/venv.js';
import { PROJECT_ROOT } from './helpers/cli.js';
import { createTestDatabase } from './helpers/database.js';
import { silentLogger } from './helpers/logger.js';

/**
 * The models and data tests pass sqlfluff (dbt/.sqlfluff: lowercase, explicit aliases, ...),
 * rendered by its dbt templater — dbt's own compiler, connected to a fresh warehouse the way
 * `npm run dbt` connects, so `ref`, macros and `is_incremental()` render as in a real build.
 */
test('the dbt SQL passes sqlfluff with the dbt templater', { timeout: 20 * 60_000 }, async () => {
  const venv = dbtVenvOf(PROJECT_ROOT);
  await ensureDbtVenv({ venv, log: silentLogger(), env: process.env });
  const db = await createTestDatabase();
  const scratch = mkdtempSync(path.join(tmpdir(), 'hbtest-sqlfluff-'));
  try {
    const env = { ...dbtEnvironment(db.url, process.env), DBT_TARGET_PATH: path.join(scratch, 'target'), DBT_LOG_PATH: path.join(scratch, 'logs') };
    const result = spawnSync(venv.sqlfluff, ['lint', 'models', 'tests', '--nofail', '--format', 'json'], { cwd: path.join(PROJECT_ROOT, 'dbt'), env, encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(result.status, 0, `sqlfluff ran: ${result.stderr.slice(-3000)}`);
    const files = JSON.parse(result.stdout) as { filepath: string; violations: { start_line_no: number; code: string; description: string }[] }[];
    assert.ok(files.length >= 15, `every model and test was linted (${files.length} files)`);
    const violations = files.flatMap((f) => f.violations.map((v) => `${f.filepath}:${v.start_line_no} ${v.code} ${v.description}`));
    assert.deepEqual(violations, [], 'no sqlfluff violation');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await db.drop();
  }
});
