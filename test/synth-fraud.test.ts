import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateTransactions, loadProfile, sampleAccounts, type GenerateOptions, type SyntheticTransaction } from '../src/synth/index.js';

const profile = loadProfile(undefined);
const options: GenerateOptions = { seed: 'fraud', asOf: '2026-11-24', days: 90, transactionsPerAccount: 100, fraudRate: 0.005, profile };
// 200k rows at the defaults
const rows = [...generateTransactions(sampleAccounts(2000), options)];
const fraud = rows.filter((r) => r.isFraud);
const hour = (r: SyntheticTransaction) => new Date(r.timestampMs).getUTCHours();

describe('labelled fraud', () => {
  it('occurs at the configured rate, within 10 % on 200k rows', () => {
    assert.equal(rows.length, 200_000);
    const prevalence = fraud.length / rows.length;
    assert.ok(Math.abs(prevalence / options.fraudRate - 1) < 0.1, `prevalence ${prevalence}`);
    const rare = [...generateTransactions(sampleAccounts(200), { ...options, transactionsPerAccount: 1000, fraudRate: 0.02 })];
    const rarePrevalence = rare.filter((r) => r.isFraud).length / rare.length;
    assert.ok(Math.abs(rarePrevalence / 0.02 - 1) < 0.1, `prevalence ${rarePrevalence} at 2 %`);
    assert.equal([...generateTransactions(sampleAccounts(50), { ...options, fraudRate: 0 })].filter((r) => r.isFraud).length, 0);
  });

  it('labels consistently: is_fraud exactly when a pattern is named, all four patterns present', () => {
    for (const r of rows) assert.equal(r.isFraud, r.fraudPattern !== null, r.transactionId);
    assert.deepEqual(new Set(fraud.map((r) => r.fraudPattern)), new Set(['card_testing', 'account_takeover', 'atm_velocity', 'large_amount']));
  });

  it('injects behaviour: card-testing bursts, night takeovers to new payees, ATM velocity, out-of-pattern amounts', () => {
    const byAccount = new Map<string, SyntheticTransaction[]>();
    for (const r of rows) byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r]);
    for (const r of fraud) {
      const history = byAccount.get(r.accountId)!;
      const same = history.filter((x) => x.fraudPattern === r.fraudPattern);
      const span = Math.max(...same.map((x) => x.timestampMs)) - Math.min(...same.map((x) => x.timestampMs));
      switch (r.fraudPattern) {
        case 'card_testing':
          assert.ok(r.channel === 'ONLINE' && -r.amountMinor <= 1000, `${r.transactionId}: small online payment`);
          if (same.length >= 2 && same.length <= 5) assert.ok(span < 3600_000, `${r.transactionId}: a burst within an hour`);
          break;
        case 'account_takeover': {
          assert.ok(r.transactionType === 'Online Transfer' && (hour(r) >= 22 || hour(r) <= 5), `${r.transactionId} at night`);
          assert.ok(-r.amountMinor >= 30_000, `${r.transactionId} drains: ${r.amountMinor}`);
          const knownPayees = new Set(history.filter((x) => !x.isFraud && x.timestampMs < r.timestampMs).map((x) => x.counterparty));
          assert.ok(!knownPayees.has(r.counterparty), `${r.transactionId} pays someone new`);
          break;
        }
        case 'atm_velocity':
          assert.equal(r.channel, 'ATM');
          break;
        case 'large_amount': {
          const legit = history.filter((x) => !x.isFraud && x.transactionType === 'POS Purchase').map((x) => -x.amountMinor).sort((a, b) => a - b);
          assert.ok(-r.amountMinor > 3 * legit[Math.floor(legit.length / 2)]!, `${r.transactionId} is far above the account's typical purchase`);
          break;
        }
      }
    }
  });

  it('leaks no label: no single column value, id or name prefix tells fraud apart', () => {
    const columns: Record<string, (r: SyntheticTransaction) => unknown> = {
      transactionType: (r) => r.transactionType,
      channel: (r) => r.channel,
      merchant: (r) => r.merchant,
      merchantCategory: (r) => r.merchantCategory,
      counterparty: (r) => r.counterparty,
      description: (r) => r.description,
      currency: (r) => r.currency,
      hour,
      isWeekend: (r) => r.isWeekend,
      namePrefix: (r) => (r.merchant ?? r.counterparty ?? '').slice(0, 4),
      idPrefix: (r) => r.transactionId.replace(/\d+$/, ''),
      idSuffix: (r) => r.transactionId.slice(-2),
    };
    for (const [column, value] of Object.entries(columns)) {
      const counts = new Map<unknown, [number, number]>();
      for (const r of rows) {
        const c = counts.get(value(r)) ?? [0, 0];
        c[0]++;
        if (r.isFraud) c[1]++;
        counts.set(value(r), c);
      }
      for (const [v, [total, bad]] of counts) {
        if (total >= 30) assert.ok(bad / total < 0.5, `${column}=${String(v)} flags fraud with precision ${bad}/${total}`);
      }
    }
    // fraud sits anywhere in an account's sequence, not at the end or the start
    const positions = fraud.map((r) => Number(r.transactionId.slice(-4)) / options.transactionsPerAccount);
    const mean = positions.reduce((a, b) => a + b, 0) / positions.length;
    assert.ok(mean > 0.35 && mean < 0.65, `mean position ${mean}`);
    const legitMerchants = new Set(rows.filter((r) => !r.isFraud).map((r) => r.merchant));
    assert.ok(fraud.every((r) => r.merchant === null || legitMerchants.has(r.merchant)), 'fraud merchants come from the legitimate pool');
  });
});
