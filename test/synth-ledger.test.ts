import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAccount, generateTransactions, loadProfile, sampleAccounts, type AccountSeed, type GenerateOptions, type SyntheticTransaction } from '../src/synth/index.js';

const profile = loadProfile(undefined);
const options: GenerateOptions = { seed: 'ledger', asOf: '2026-06-30', days: 90, transactionsPerAccount: 100, fraudRate: 0.01, profile };
const accounts = sampleAccounts(1500);
const rows = [...generateTransactions(accounts, options)];
const history = new Map<string, SyntheticTransaction[]>();
for (const r of rows) {
  const key = `${r.bankId}/${r.accountId}`;
  if (!history.has(key)) history.set(key, []);
  history.get(key)!.push(r);
}
const historyOf = (a: AccountSeed) => history.get(`${a.bankId}/${a.accountId}`)!;
const personaLimit = new Map(profile.personas.map((p) => [p.name, Math.round(p.overdraftLimit * 100)]));
const creditLimit = profile.accountTypes.find((t) => t.name === 'credit_card')!.creditLimit!;
/** the limit the profile gives the account: a card's credit limit, none on savings, else the persona's overdraft */
const limitOf = (d: { persona: string; accountType: string; overdraftLimitMinor: number }) =>
  d.accountType === 'credit_card' ? (d.overdraftLimitMinor >= creditLimit[0] * 100 && d.overdraftLimitMinor <= creditLimit[1] * 100 ? d.overdraftLimitMinor : -1)
    : d.accountType === 'savings' ? 0 : personaLimit.get(d.persona)!;

describe('the synthetic ledger', () => {
  it('keeps money in integer minor units: balance after = previous balance + amount, exactly', () => {
    for (const a of accounts) {
      const h = historyOf(a);
      const opening = describeAccount(a, options).openingMinor;
      h.forEach((r, i) => {
        assert.ok(Number.isSafeInteger(r.amountMinor) && Number.isSafeInteger(r.balanceAfterMinor), r.transactionId);
        assert.notEqual(r.amountMinor, 0, r.transactionId);
        assert.equal(r.balanceAfterMinor, (i === 0 ? opening : h[i - 1]!.balanceAfterMinor) + r.amountMinor, r.transactionId);
      });
    }
  });

  it('ends exactly at the real balance when OBP gave one', () => {
    const known = accounts.filter((a) => a.balanceMinor !== null);
    assert.ok(known.some((a) => a.balanceMinor === 0) && known.some((a) => a.balanceMinor! < 0) && known.some((a) => a.balanceMinor! > 1_000_000));
    for (const a of known) assert.equal(historyOf(a).at(-1)!.balanceAfterMinor, a.balanceMinor, a.accountId);
  });

  it("never lets a balance fall below the account's overdraft limit", () => {
    for (const a of accounts) {
      const { overdraftLimitMinor } = describeAccount(a, options);
      const lowest = Math.min(...historyOf(a).map((r) => r.balanceAfterMinor));
      assert.ok(lowest >= -overdraftLimitMinor, `${a.accountId}: ${lowest} below -${overdraftLimitMinor}`);
    }
  });

  it("keeps the persona's own overdraft limit except for the rare real balance that contradicts it", () => {
    let deeper = 0;
    let consistent = 0;
    for (const a of accounts) {
      const d = describeAccount(a, options);
      const limit = limitOf(d);
      if (a.balanceMinor !== null && a.balanceMinor < -limit) {
        assert.ok(d.overdraftLimitMinor >= -a.balanceMinor, `${a.accountId} is overdrawn at least as far as its real balance`);
        continue;
      }
      consistent++;
      if (a.balanceMinor === null) assert.equal(d.overdraftLimitMinor, limit, `${a.accountId} has no real balance to contradict`);
      if (d.overdraftLimitMinor > limit) deeper++;
    }
    assert.ok(deeper / consistent < 0.02, `${deeper} of ${consistent} accounts needed a deeper overdraft`);
  });

  it('touches an overdraft limit only by chance: under 0.05 % of rows sit exactly on a round limit', () => {
    let onLimit = 0;
    for (const a of accounts) {
      const { overdraftLimitMinor } = describeAccount(a, options);
      if (overdraftLimitMinor === 0 || overdraftLimitMinor % 10_000 !== 0) continue;
      onLimit += historyOf(a).filter((r) => r.balanceAfterMinor === -overdraftLimitMinor).length;
    }
    assert.ok(onLimit / rows.length < 0.0005, `${onLimit} of ${rows.length} rows on a round limit`);
  });

  it('stays inside the type bounds, with the sign of the type direction', () => {
    const bounds = new Map(profile.transactionTypes.map((t) => [t.name, t]));
    for (const r of rows) {
      const t = bounds.get(r.transactionType)!;
      const magnitude = Math.abs(r.amountMinor);
      assert.equal(r.amountMinor > 0, t.direction === 'credit', r.transactionId);
      assert.ok(magnitude >= t.minAmount * 100 && magnitude <= t.maxAmount * 100, `${r.transactionId} ${r.transactionType} ${r.amountMinor}`);
    }
  });
});
