import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from './cli.js';

interface ModelsFile {
  models: { name: string; columns: { name: string; data_tests?: (string | { accepted_values?: { arguments: { values: string[] } } })[] }[] }[];
}

/** The values dbt accepts for `column` in a model's YAML (a path under dbt/models). */
export function acceptedValues(file: string, column: string): string[] {
  const doc = parse(readFileSync(path.join(PROJECT_ROOT, 'dbt', 'models', file), 'utf8')) as ModelsFile;
  const found = doc.models[0]!.columns.find((c) => c.name === column);
  const rule = found?.data_tests?.find((t) => typeof t === 'object' && t.accepted_values);
  assert.ok(rule && typeof rule === 'object', `${file}: ${column} has an accepted_values test`);
  return rule.accepted_values!.arguments.values;
}

/** The values a migration's `CHECK (<column> IN (...))` allows. */
export function checkedValues(migration: string, column: string): string[] | undefined {
  const sql = readFileSync(path.join(PROJECT_ROOT, 'migrations', migration), 'utf8');
  const check = new RegExp(`CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(sql);
  return check?.[1]?.split(',').map((v) => v.trim().replace(/'/g, ''));
}
