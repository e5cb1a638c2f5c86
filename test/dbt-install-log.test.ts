import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isHybridbankError } from '../src/core/errors.js';
import { dbtVenvOf, ensureDbtVenv, installLogOf } from '../src/transform/venv.js';
import { capturingLogger } from './helpers/logger.js';

/**
 * The first `transform` installs dbt with pip: its pages of output go to a log file, the user sees
 * one line saying so, and a failed install shows the end of that log. A tiny requirements file
 * (one small package from PyPI) stands in for dbt's, so this takes seconds.
 */
describe('installing dbt', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'hbtest-venv-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  function project(name: string, requirements: string) {
    const projectRoot = path.join(root, name);
    mkdirSync(path.join(projectRoot, 'dbt'), { recursive: true });
    writeFileSync(path.join(projectRoot, 'dbt', 'requirements.txt'), requirements);
    return dbtVenvOf(projectRoot);
  }

  it("writes pip's output to a log file and logs one line about it", async () => {
    const venv = project('ok', 'six==1.16.0\n');
    const { log, lines } = capturingLogger('info');
    await ensureDbtVenv({ venv, log, env: process.env });
    const installLog = readFileSync(installLogOf(venv), 'utf8');
    assert.match(installLog, /Successfully installed six-1\.16\.0/);
    const installing = lines.map((l) => (JSON.parse(l) as { msg: string }).msg).filter((m) => /installing dbt/.test(m));
    assert.equal(installing.length, 1);
    assert.match(installing[0]!, new RegExp(`pip's output goes to ${installLogOf(venv).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok(existsSync(path.join(venv.dir, 'bin', 'python')));
  });

  it('a failed install names the end of the log in its error', async () => {
    const venv = project('bad', 'hybridbank-no-such-package-4f9c2==0.0.1\n');
    const { log } = capturingLogger('info');
    const error = await ensureDbtVenv({ venv, log, env: process.env }).then(() => undefined, (e: unknown) => e);
    assert.ok(isHybridbankError(error), String(error));
    assert.equal(error.code, 'DBT_FAILED');
    assert.match(error.message, /Could not install dbt for dbt: python exited with code 1; the end of .*-install\.log: .*(No matching distribution|Could not find a version)/);
  });
});
