import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOAD_MODES } from '../src/warehouse/schema.js';
import { acceptedValues, checkedValues } from './helpers/dbt-yaml.js';

test("dbt's accepted load modes are the loader's LOAD_MODES, and the migration's CHECK allows exactly them", () => {
  for (const file of ['staging/hybridbank/stg_hybridbank__load_runs.yml', 'marts/ops/load_runs.yml']) {
    assert.deepEqual(acceptedValues(file, 'load_mode'), [...LOAD_MODES], file);
  }
  assert.deepEqual(checkedValues('0005_append_runs.sql', 'load_mode'), [...LOAD_MODES]);
});
