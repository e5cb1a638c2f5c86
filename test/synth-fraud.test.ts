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
  // fraud comes in incidents on a minority of accounts, so the rate varies more than row by row would
  it('occurs at the configured rate, within 20 % on 200k rows, on a minority of accounts', () => {
    assert.equal(rows.length, 200_000);
    const prevalence = fraud.length / rows.length;
    assert.ok(Math.abs(prevalence / options.fraudRate - 1) < 0.2, `prevalence ${prevalence}`);
    const victims = new Set(fraud.map((r) => r.accountId)).size;
    assert.ok(victims > 20 && victims < 2000 * 0.2, `${victims} victims of 2000 accounts in 90 days`);
    const often = [...generateTransactions(sampleAccounts(2000), { ...options, transactionsPerAccount: 200, fraudRate: 0.02 })];
    const oftenPrevalence = often.filter((r) => r.isFraud).length / often.length;
    assert.ok(Math.abs(oftenPrevalence / 0.02 - 1) < 0.2, `prevalence ${oftenPrevalence} at 2 %`);
    assert.equal([...generateTransactions(sampleAccounts(50), { ...options, fraudRate: 0 })].filter((r) => r.isFraud).length, 0);
  });

  it('labels consistently: is_fraud exactly when a pattern is named, all four patterns present', () => {
    for (const r of rows) assert.equal(r.isFraud, r.fraudPattern !== null, r.transactionId);
    assert.deepEqual(new Set(fraud.map((r) => r.fraudPattern)), new Set(['card_testing', 'account_takeover', 'atm_velocity', 'large_amount']));
  });

  it('injects behaviour: card-testing bursts, takeovers to new payees, ATM velocity, amounts above the habit (overlapping it)', () => {
    let aboveMedian = 0;
    let large = 0;
    let takeovers = 0;
    let strangers = 0;
    const byAccount = new Map<string, SyntheticTransaction[]>();
    for (const r of rows) byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r]);
    for (const r of fraud) {
      const history = byAccount.get(r.accountId)!;
      const same = history.filter((x) => x.fraudPattern === r.fraudPattern);
      switch (r.fraudPattern) {
        case 'card_testing':
          assert.ok(r.channel === 'ONLINE' && -r.amountMinor <= 5000, `${r.transactionId}: a small online payment`);
          if (same.length >= 2) {
            const nearest = Math.min(...same.filter((x) => x !== r).map((x) => Math.abs(x.timestampMs - r.timestampMs)));
            assert.ok(nearest <= 1_500_000, `${r.transactionId}: part of a burst (next try ${nearest / 1000} s away)`);
          }
          break;
        case 'account_takeover': {
          assert.equal(r.transactionType, 'Online Transfer', r.transactionId);
          const knownPayees = new Set(history.filter((x) => !x.isFraud && x.timestampMs < r.timestampMs).map((x) => x.counterparty));
          takeovers++;
          if (!knownPayees.has(r.counterparty)) strangers++;
          break;
        }
        case 'atm_velocity':
          assert.equal(r.channel, 'ATM');
          break;
        case 'large_amount': {
          const legit = history.filter((x) => !x.isFraud && x.amountMinor < 0 && x.merchantCategory !== null).map((x) => -x.amountMinor).sort((a, b) => a - b);
          if (-r.amountMinor > legit[Math.floor(legit.length / 2)]!) aboveMedian++;
          large++;
          break;
        }
      }
    }
    // a one-off legitimate payment may have gone to the same stranger before
    assert.ok(takeovers > 20 && strangers / takeovers > 0.95, `${strangers} of ${takeovers} takeover rows pay someone new`);
    assert.ok(large > 20 && aboveMedian / large > 0.8, `${aboveMedian} of ${large} large-amount frauds above the account's median purchase`);
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
    const positions = fraud.map((r) => Number(r.transactionId.slice(-4)) / 100);
    const mean = positions.reduce((a, b) => a + b, 0) / positions.length;
    assert.ok(mean > 0.35 && mean < 0.65, `mean position ${mean}`);
    const legitMerchants = new Set(rows.filter((r) => !r.isFraud).map((r) => r.merchant));
    const known = fraud.filter((r) => r.merchant === null || legitMerchants.has(r.merchant)).length;
    assert.ok(known / fraud.length > 0.95, `fraud merchants come from the legitimate pool (${known} of ${fraud.length})`);
  });
});
