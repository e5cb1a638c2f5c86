import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { LOAD_MODES } from '../src/warehouse/schema.js';
import { PROJECT_ROOT } from './helpers/cli.js';

interface ModelsFile {
  models: { name: string; columns: { name: string; data_tests?: (string | { accepted_values?: { arguments: { values: string[] } } })[] }[] }[];
}

/** The values dbt accepts for load_mode in a model's YAML. */
function acceptedModes(file: string): string[] {
  const doc = parse(readFileSync(path.join(PROJECT_ROOT, 'dbt', 'models', file), 'utf8')) as ModelsFile;
  const column = doc.models[0]!.columns.find((c) => c.name === 'load_mode');
  const rule = column?.data_tests?.find((t) => typeof t === 'object' && t.accepted_values);
  assert.ok(rule && typeof rule === 'object', `${file}: load_mode has an accepted_values test`);
  return rule.accepted_values!.arguments.values;
}

test("dbt's accepted load modes are the loader's LOAD_MODES, and the migration's CHECK allows exactly them", () => {
  for (const file of ['staging/hybridbank/stg_hybridbank__load_runs.yml', 'marts/ops/load_runs.yml']) {
    assert.deepEqual(acceptedModes(file), [...LOAD_MODES], file);
  }
  const migration = readFileSync(path.join(PROJECT_ROOT, 'migrations', '0005_append_runs.sql'), 'utf8');
  const check = /CHECK \(load_mode IN \(([^)]*)\)\)/.exec(migration);
  assert.deepEqual(check?.[1]?.split(',').map((v) => v.trim().replace(/'/g, '')), [...LOAD_MODES]);
});
