import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dbtArgs, dbtEnvironment } from '../src/transform/dbt.js';

test('the warehouse URL becomes the DBT_PG_* variables of profiles.yml, the password only in the secret one', () => {
  const env = dbtEnvironment('postgres://an%40alyst:p%3Ass%2Fw@db.example:6543/ware%20house?sslmode=require', { PATH: '/bin' });
  assert.deepEqual(
    { host: env.DBT_PG_HOST, port: env.DBT_PG_PORT, user: env.DBT_PG_USER, db: env.DBT_PG_DBNAME, ssl: env.DBT_PG_SSLMODE, schema: env.DBT_PG_SCHEMA },
    { host: 'db.example', port: '6543', user: 'an@alyst', db: 'ware house', ssl: 'require', schema: 'analytics' },
  );
  assert.equal(env.DBT_ENV_SECRET_PG_PASSWORD, 'p:ss/w');
  assert.equal(env.PATH, '/bin', 'the rest of the environment is inherited');
  const others = Object.entries(env).filter(([key]) => key !== 'DBT_ENV_SECRET_PG_PASSWORD');
  assert.ok(others.every(([, value]) => !value?.includes('p:ss/w')), 'the password is in no other variable');
});

test('a schema chosen in the environment wins; the port defaults to 5432', () => {
  const env = dbtEnvironment('postgres://postgres@127.0.0.1/hybridbank', { DBT_PG_SCHEMA: 'dev_ana' });
  assert.equal(env.DBT_PG_SCHEMA, 'dev_ana');
  assert.equal(env.DBT_PG_PORT, '5432');
  assert.equal(env.DBT_ENV_SECRET_PG_PASSWORD, '');
});

test("dbt's sessions run without JIT, keeping the caller's PGOPTIONS", () => {
  assert.equal(dbtEnvironment('postgres://postgres@127.0.0.1/hybridbank', {}).PGOPTIONS, '-c jit=off');
  assert.equal(dbtEnvironment('postgres://postgres@127.0.0.1/hybridbank', { PGOPTIONS: '-c work_mem=64MB' }).PGOPTIONS, '-c work_mem=64MB -c jit=off');
});

test('the project and profiles directories follow the dbt command, nested ones included', () => {
  assert.deepEqual(dbtArgs(['build', '--select', 'marts']), ['build', '--select', 'marts', '--project-dir', 'dbt', '--profiles-dir', 'dbt']);
  assert.deepEqual(dbtArgs(['docs', 'generate']), ['docs', 'generate', '--project-dir', 'dbt', '--profiles-dir', 'dbt']);
  assert.deepEqual(dbtArgs(['--version']), ['--version']);
});
