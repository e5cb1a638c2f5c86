import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { profileFromValue } from '../src/synth/index.js';
import { CHANNELS } from '../src/synth/types.js';
import { PROJECT_ROOT } from './helpers/cli.js';
import { acceptedValues, checkedValues } from './helpers/dbt-yaml.js';

test("dbt's accepted channels are the generator's CHANNELS, the raw table's CHECK allows exactly them, and a profile may name no other", () => {
  for (const file of ['staging/synthetic/stg_synthetic__transactions.yml', 'marts/core/fct_transactions.yml']) {
    assert.deepEqual(acceptedValues(file, 'channel'), [...CHANNELS], file);
  }
  assert.deepEqual(checkedValues('0001_raw_schema.sql', 'channel'), [...CHANNELS]);
  const profile = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'profiles', 'default.json'), 'utf8'));
  profile.transactionTypes[0].channel = 'PIGEON';
  assert.throws(() => profileFromValue(profile, 'a test profile'), /channel/);
});
