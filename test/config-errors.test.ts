import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { renderEnvExample } from '../src/config/env-example.js';
import { SETTINGS } from '../src/config/settings.js';
import { HybridbankError } from '../src/core/errors.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, withDatabase, type TestDatabase } from './helpers/database.js';
import { scratchDir } from './helpers/scratch.js';

describe('configuration', () => {
  it('takes flags over the environment over .env', () => {
    const root = scratchDir('hb-config-');
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

/**
 * Every bad input is refused before anything starts: exit 1 within seconds, one message naming the
 * input, no stack, and nothing created — no embedded warehouse directory, no database.
 */
describe('early validation, on both paths', () => {
  const scratch = scratchDir('hb-validate-');
  const aFile = path.join(scratch, 'a-file.txt');
  writeFileSync(aFile, 'not a directory\n');
  let server: TestDatabase;
  let serverUrl: string;
  before(async () => {
    server = await createTestDatabase({ migrate: false });
    serverUrl = server.url;
  });
  after(() => server.drop());

  const cases: { name: string; args: string[]; env?: Record<string, string>; message: RegExp }[] = [
    { name: 'an impossible --as-of', args: ['load', '--as-of', '2024-02-30'], message: /--as-of is not a day of the calendar \(got "2024-02-30"\)/ },
    { name: 'an --as-of before 1900', args: ['load', '--as-of', '0001-01-01'], message: /--as-of must be 1900-01-01 or later/ },
    { name: 'a --csv-dir that is a file', args: ['load', '--csv-dir', aFile], message: /--csv-dir \(HYBRIDBANK_CSV_DIR\) .*a-file\.txt is not a directory/ },
    { name: 'a --csv-dir that cannot be written', args: ['load', '--csv-dir', '/proc/self/out'], message: /--csv-dir \(HYBRIDBANK_CSV_DIR\) \/proc\/self\/out cannot be written/ },
    { name: 'a missing snapshot', args: ['load', '--snapshot', path.join(scratch, 'nope.json')], message: /--snapshot \(OBP_SNAPSHOT\) .*nope\.json does not exist/ },
    { name: 'a missing profile', args: ['load', '--profile', path.join(scratch, 'nope.yaml')], message: /--profile \(HYBRIDBANK_PROFILE\) .*nope\.yaml does not exist/ },
    {
      name: 'credentials inside OBP_BASE_URL',
      args: ['load'],
      env: { OBP_BASE_URL: 'https://susan:pw123456@apisandbox.openbankproject.com' },
      message: /OBP_BASE_URL must not contain credentials/,
    },
    {
      name: 'a CR/LF in OBP_USERNAME',
      args: ['load'],
      env: { OBP_USERNAME: 'susan\r\n', OBP_PASSWORD: 'X!90e4e3e4', OBP_CONSUMER_KEY: 'key12345' },
      message: /OBP_USERNAME must not contain control characters/,
    },
    { name: 'a word for a number', args: ['load', '--days', 'ninety'], message: /--days must be a number \(got "ninety"\)/ },
    { name: 'a fraction for a whole number', args: ['load', '--banks', '2.5'], message: /--banks must be a whole number \(got "2\.5"\)/ },
    { name: 'obp-sandbox --port abc', args: ['obp-sandbox', '--port', 'abc'], message: /--port must be a number \(got "abc"\)/ },
    { name: 'obp-sandbox --data that does not exist', args: ['obp-sandbox', '--data', path.join(scratch, 'nope.json')], message: /--data \(OBP_SANDBOX_DATA\) .*nope\.json does not exist/ },
    { name: 'obp-sandbox --rate-limit lots', args: ['obp-sandbox', '--rate-limit', 'lots'], message: /--rate-limit must be a number \(got "lots"\)/ },
  ];

  for (const c of cases) {
    it(`${c.name}: exit 1, named, nothing created`, async () => {
      const warehouseDir = path.join(scratch, `warehouse-${cases.indexOf(c)}`);
      const database = `hbtest_never_${process.pid}_${cases.indexOf(c)}`;
      for (const env of [
        { DATABASE_URL: undefined, WAREHOUSE_DIR: warehouseDir, ...c.env },
        { DATABASE_URL: withDatabase(serverUrl, database), ...c.env },
      ]) {
        const started = Date.now();
        const result = await runCli(c.args, { env, timeoutMs: 30_000 });
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, c.message);
        assert.equal(result.stderr.match(new RegExp(c.message.source, 'g'))?.length, 1, 'said once');
        assert.doesNotMatch(result.stderr, /\n\s+at |expected int|received number|\(hidden\)/);
        assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
      }
      assert.equal(existsSync(warehouseDir), false, 'no embedded warehouse was created');
      assert.equal(await databaseExists(serverUrl, database), false, 'no database was created');
    });
  }

  it('shows the example of a switch without a value, and a database URL with its password hidden, not "(hidden)"', async () => {
    const result = await runCli(['load', '--dry-run'], { env: { HYBRIDBANK_JSON: 'maybe', DATABASE_URL: 'mysql://u:s3cretPass@h/db' } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /HYBRIDBANK_JSON must be true or false \(got "maybe"\); for example HYBRIDBANK_JSON=true or --json\./);
    assert.match(result.stderr, /DATABASE_URL must be a postgres:\/\/ URL \(got "mysql:\/\/u:\[REDACTED\]@h\/db"\)/);
    assert.doesNotMatch(result.stderr, /s3cretPass/);
  });

  it('a DATABASE_URL whose database name node-postgres would decode differently is refused', async () => {
    const result = await runCli(['migrate'], { env: { DATABASE_URL: withDatabase(serverUrl, 'a%2Fb') } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /DATABASE_URL must name the database without percent-encoded reserved characters/);
  });
});

async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return Boolean(rowCount);
  } finally {
    await client.end();
  }
}

describe('.env.example', () => {
  it('lists every setting the product reads', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const missing = Object.values(SETTINGS).map((s) => s.env).filter((env) => !new RegExp(`^# ${env}=`, 'm').test(example));
    assert.deepEqual(missing, []);
  });

  it('is exactly what the settings table renders (descriptions, flags, defaults; `npm run env-example` rewrites it)', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    assert.equal(example, renderEnvExample());
  });
});
