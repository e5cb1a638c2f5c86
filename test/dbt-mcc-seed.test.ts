import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { MCC_CATEGORIES } from '../src/synth/mcc.js';
import { PROJECT_ROOT } from './helpers/cli.js';

/** mcc,category rows of the seed; category may be double-quoted (it often holds commas). */
function readSeed(): Record<string, string> {
  const [header, ...lines] = readFileSync(path.join(PROJECT_ROOT, 'dbt/seeds/mcc_categories.csv'), 'utf8').trim().split('\n');
  assert.equal(header, 'mcc,category');
  const rows: Record<string, string> = {};
  for (const line of lines) {
    const match = /^(\d{4}),(?:"((?:[^"]|"")*)"|([^",]*))$/.exec(line);
    assert.ok(match, `malformed seed line: ${line}`);
    rows[match[1]!] = match[2] !== undefined ? match[2].replace(/""/g, '"') : match[3]!;
  }
  return rows;
}

test("dbt's mcc_categories seed lists exactly the generator's MCC_CATEGORIES", () => {
  assert.deepEqual(readSeed(), { ...MCC_CATEGORIES });
});
