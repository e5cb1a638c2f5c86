import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { HybridbankError } from '../src/core/errors.js';
import { DEFAULT_PROFILE_PATH, generateTransactions, loadProfile, sampleAccounts } from '../src/synth/index.js';
import { poolsFor } from '../src/synth/pools.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('hb-profile-');
const defaults = JSON.parse(readFileSync(DEFAULT_PROFILE_PATH, 'utf8'));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};
const edited = (edit: (p: typeof defaults) => void) => {
  const copy = structuredClone(defaults);
  edit(copy);
  return copy;
};
const rejects = (file: string, ...fragments: string[]) =>
  assert.throws(
    () => loadProfile(file),
    (e: unknown) => {
      assert.ok(e instanceof HybridbankError && e.code === 'PROFILE_INVALID', String(e));
      for (const f of [file, ...fragments]) assert.ok(e.message.includes(f), `"${e.message}" should mention ${f}`);
      return true;
    },
  );

describe('generation profiles', () => {
  it('give every region of the shipped profiles a merchant in every category: no purchase without one', () => {
    for (const file of [DEFAULT_PROFILE_PATH, path.join(path.dirname(DEFAULT_PROFILE_PATH), 'seed.json')]) {
      const profile = loadProfile(file);
      profile.regions.forEach((region, r) => {
        poolsFor(profile, 'merchants', r).merchants.forEach((m, i) => {
          const category = profile.merchantCategories[i]!;
          if (category.weight > 0) assert.ok(m.present.length + m.online.length > 0, `${path.basename(file)}: ${category.mcc} in ${region.country}`);
        });
      });
    }
  });

  it('ships the default profile as a file with the original types, directions and bounds', () => {
    const types = Object.fromEntries(loadProfile(undefined).transactionTypes.map((t) => [t.name, [t.direction, t.minAmount, t.maxAmount]]));
    for (const debit of ['ATM Withdrawal', 'POS Purchase', 'Online Transfer', 'Direct Debit', 'Bill Payment']) assert.deepEqual(types[debit], ['debit', 5, 500]);
    for (const credit of ['Salary Deposit', 'Cash Deposit']) assert.deepEqual(types[credit], ['credit', 500, 5000]);
    // on purpose: a refund gives back (part of) a purchase, so it cannot be 500-5000 (profiles/seed.json keeps the seed's bounds)
    assert.deepEqual(types.Refund, ['credit', 5, 500]);
    assert.deepEqual(loadProfile(DEFAULT_PROFILE_PATH), loadProfile(undefined));
  });

  it("agrees with dbt's transaction_types seed: every type of the default profile, with its direction", () => {
    const seed = readFileSync(path.join(path.dirname(DEFAULT_PROFILE_PATH), '../dbt/seeds/transaction_types.csv'), 'utf8').trim().split('\n').slice(1);
    const fromProfile = loadProfile(undefined).transactionTypes.map((t) => `${t.name},${t.direction}`);
    assert.deepEqual([...seed].sort(), [...fromProfile].sort());
  });

  it('reads YAML and changes types, bounds and weights', () => {
    const file = write(
      'custom.yaml',
      stringify(
        edited((p) => {
          const pos = p.transactionTypes.find((t: { name: string }) => t.name === 'POS Purchase');
          Object.assign(pos, { name: 'Card Payment', description: 'Card Payment - {party}', maxAmount: 80 });
        }),
      ),
    );
    const rows = [...generateTransactions(sampleAccounts(20), { seed: '1', asOf: '2026-01-31', days: 60, transactionsPerAccount: 80, fraudRate: 0.01, profile: loadProfile(file) })];
    const cards = rows.filter((r) => r.transactionType === 'Card Payment');
    assert.ok(cards.length > 500);
    assert.ok(cards.every((r) => -r.amountMinor <= 8000 && r.description === `Card Payment - ${r.merchant}`));
    assert.ok(!rows.some((r) => r.transactionType === 'POS Purchase'));
  });

  it('explains invalid profiles: the file, the field path and the fix', () => {
    rejects(write('bounds.json', JSON.stringify(edited((p) => (p.transactionTypes[0].maxAmount = 1)))), 'transactionTypes[0].maxAmount', 'must be >= minAmount');
    rejects(write('mcc.json', JSON.stringify(edited((p) => (p.merchantCategories[0].mcc = '1234')))), 'merchantCategories[0].mcc', 'src/synth/mcc.ts');
    rejects(write('direction.json', JSON.stringify(edited((p) => (p.transactionTypes[6].direction = 'debit')))), 'transactionTypes[6].direction', 'set "direction": "credit"');
    rejects(write('unknown.json', JSON.stringify(edited((p) => (p.personas[0].wieght = 1)))), 'personas[0]', 'wieght');
    rejects(
      write('no-atm.json', JSON.stringify(edited((p) => (p.transactionTypes = p.transactionTypes.filter((t: { kind: string }) => t.kind !== 'atm'))))),
      'fraudPatterns[2].pattern',
      'set its weight to 0',
    );
    rejects(write('huge.json', JSON.stringify(edited((p) => (p.transactionTypes[0].minAmount = 1e15)))), 'transactionTypes[0].minAmount', 'must be at most 1,000,000,000');
    rejects(
      write('no-cinema.json', JSON.stringify(edited((p) => delete p.merchantCategories.find((c: { mcc: string }) => c.mcc === '7832').brands.IT))),
      'merchantCategories[15].brands',
      'category 7832 has no merchant in region IT',
      'or localSuffixes',
    );
    rejects(write('broken.json', '{ "fallbackCurrencies": ['), 'not valid JSON');
    rejects(write('broken.yaml', 'a: [1, 2'), 'not valid YAML');
    rejects(path.join(dir, 'missing.json'), 'Cannot read profile');
  });
});
