import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateTransactions, loadProfile, sampleAccounts, type GenerateOptions, type SyntheticTransaction } from '../src/synth/index.js';

const options: GenerateOptions = { seed: 'determinism', asOf: '2026-11-24', days: 90, transactionsPerAccount: 120, fraudRate: 0.02, profile: loadProfile(undefined) };
const rowsOf = (accounts = sampleAccounts(40), o: GenerateOptions = options): SyntheticTransaction[] => [...generateTransactions(accounts, o)];
function byAccount(rows: SyntheticTransaction[]): Record<string, SyntheticTransaction[]> {
  const out: Record<string, SyntheticTransaction[]> = {};
  for (const r of rows) (out[`${r.bankId}/${r.accountId}`] ??= []).push(r);
  return out;
}

describe('synthetic transactions are deterministic', () => {
  it('gives byte-identical rows for the same inputs', () => {
    assert.equal(JSON.stringify(rowsOf()), JSON.stringify(rowsOf()));
  });

  it('does not depend on the order the accounts are given in', () => {
    const accounts = sampleAccounts(40);
    assert.equal(JSON.stringify(rowsOf([...accounts].reverse())), JSON.stringify(rowsOf(accounts)));
  });

  it('gives each account its own stream: adding or removing accounts changes no other account', () => {
    const all = byAccount(rowsOf(sampleAccounts(40)));
    const some = byAccount(rowsOf(sampleAccounts(40).filter((_, i) => i % 3 === 0)));
    assert.ok(Object.keys(some).length > 10);
    for (const [key, rows] of Object.entries(some)) assert.deepEqual(rows, all[key], key);
  });

  it('changes with the seed and with the as-of date', () => {
    const base = rowsOf();
    assert.notDeepEqual(rowsOf(undefined, { ...options, seed: 'other' }).map((r) => r.amountMinor), base.map((r) => r.amountMinor));
    // the window is the 90 days before the as-of day: 2026-09-25 .. 2026-12-23
    const shifted = rowsOf(undefined, { ...options, asOf: '2026-12-24' });
    assert.ok(shifted.every((r) => r.timestampMs >= Date.parse('2026-09-25T00:00:00Z') && r.timestampMs < Date.parse('2026-12-24T00:00:00Z')));
  });

  it('streams lazily: the first rows of a huge run arrive without materialising the rest', () => {
    const iterator = generateTransactions(sampleAccounts(100_000), { ...options, transactionsPerAccount: 1000 })[Symbol.iterator]();
    const first = Array.from({ length: 5 }, () => iterator.next().value as SyntheticTransaction);
    assert.deepEqual(first, rowsOf([sampleAccounts(100_000).sort((a, b) => (a.bankId + a.accountId < b.bankId + b.accountId ? -1 : 1))[0]!], { ...options, transactionsPerAccount: 1000 }).slice(0, 5));
  });

  it('orders rows by (bank, account), then chronologically with contiguous zero-padded ids, exactly N per account', () => {
    const rows = rowsOf(sampleAccounts(30), { ...options, transactionsPerAccount: 25 });
    const keys = rows.map((r) => [r.bankId, r.accountId] as const);
    for (let i = 1; i < keys.length; i++) {
      const [a, b] = [keys[i - 1]!, keys[i]!];
      assert.ok(a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]), `row ${i} out of account order`);
    }
    for (const [key, account] of Object.entries(byAccount(rows))) {
      assert.equal(account.length, 25, key);
      account.forEach((r, i) => {
        assert.equal(r.transactionId, `synth_${r.bankId}_${r.accountId}_${String(i + 1).padStart(4, '0')}`);
        if (i > 0) assert.ok(r.timestampMs >= account[i - 1]!.timestampMs, `${r.transactionId} before its predecessor`);
      });
    }
    const wide = rowsOf(sampleAccounts(1), { ...options, transactionsPerAccount: 12_345 });
    assert.equal(wide.at(-1)!.transactionId, `synth_${wide[0]!.bankId}_${wide[0]!.accountId}_12345`);
    assert.equal(wide[0]!.transactionId, `synth_${wide[0]!.bankId}_${wide[0]!.accountId}_00001`);
  });
});
