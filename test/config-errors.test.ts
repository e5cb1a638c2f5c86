import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/config.js';
import { HybridbankError } from '../src/core/errors.js';
import { runCli } from './helpers/cli.js';

describe('configuration', () => {
  it('takes flags over the environment over .env', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hb-config-'));
    writeFileSync(path.join(root, '.env'), 'WAREHOUSE_PORT=1111\nHYBRIDBANK_SEED=from-dotenv\nHYBRIDBANK_DAYS=30\n');
    const config = loadConfig({ projectRoot: root, env: { WAREHOUSE_PORT: '2222', HYBRIDBANK_DAYS: '60' }, flags: { days: '7' } });
    assert.equal(config.warehouse.port, 2222);
    assert.equal(config.synth.seed, 'from-dotenv');
    assert.equal(config.synth.days, 7);
  });

  it('names the variable, what was wrong and a right example', () => {
    const error = (() => {
      try {
        loadConfig({ projectRoot: tmpdir(), env: { HYBRIDBANK_FRAUD_RATE: '2' } });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof HybridbankError);
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.match(error.message, /HYBRIDBANK_FRAUD_RATE .*0\.5/);
    assert.match(error.message, /for example HYBRIDBANK_FRAUD_RATE=0\.005 or --fraud-rate 0\.005/);
  });

  it('rejects half-given OBP credentials instead of silently using the snapshot', () => {
    assert.throws(() => loadConfig({ projectRoot: tmpdir(), env: { OBP_USERNAME: 'susan' } }), /credentials are incomplete/);
  });

  it('a bad value on the command line exits 1 with one paragraph and writes nothing', async () => {
    const result = await runCli(['migrate', '--warehouse-port', 'not-a-port'], { env: { DATABASE_URL: undefined } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^Error: Invalid configuration: --warehouse-port .*"not-a-port".*WAREHOUSE_PORT=28432/m);
    assert.equal(result.stderr.trim().split('\n').length, 2, 'an error line and a hint line');
  });

  it('an unreachable database exits 1, names it, and hides its password', async () => {
    const result = await runCli(['migrate'], { env: { DATABASE_URL: 'postgres://loader:s3cretPass@127.0.0.1:9/warehouse' } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cannot connect to the warehouse at postgres:\/\/loader:\[REDACTED\]@127\.0\.0\.1:9\/warehouse/);
    assert.doesNotMatch(result.stderr, /s3cretPass/);
  });
});
