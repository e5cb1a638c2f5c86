import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerCollector } from '../src/load/ledger.js';
import { describeSession } from '../src/warehouse/locks.js';
import { TransactionStatsCollector } from '../src/load/stats.js';
import { pathSegment } from '../src/obp/transport.js';
import type { SyntheticTransaction } from '../src/synth/types.js';

const row = (bankId: string, accountId: string, amountMinor: number, balanceAfterMinor: number) =>
  ({ bankId, accountId, amountMinor, balanceAfterMinor }) as SyntheticTransaction;

describe('load building blocks', () => {
  it('sums each account of the stream: rows, opening, net, closing', () => {
    const ledger = new LedgerCollector();
    for (const r of [row('b', 'a1', -500, 9_500), row('b', 'a1', 1_000, 10_500), row('b', 'a2', 200, 200), row('c', 'a2', -1, 99)]) ledger.add(r);
    assert.deepEqual(ledger.result(), [
      { bankId: 'b', accountId: 'a1', rows: 2, openingMinor: 10_000, netMinor: 500, closingMinor: 10_500 },
      { bankId: 'b', accountId: 'a2', rows: 1, openingMinor: 0, netMinor: 200, closingMinor: 200 },
      { bankId: 'c', accountId: 'a2', rows: 1, openingMinor: 100, netMinor: -1, closingMinor: 99 },
    ]);
  });

  it('counts rows per account for a run of 250,000 accounts (a spread of them overflowed the stack)', () => {
    const stats = new TransactionStatsCollector();
    for (let i = 0; i < 250_000; i++) {
      const r = { ...row('b', `a${i}`, -1, 0), timestampMs: 0, transactionType: 'POS Purchase', isFraud: false };
      stats.add(r);
      if (i % 2 === 0) stats.add(r);
    }
    assert.deepEqual(stats.result().perAccount, { min: 1, max: 2 });
  });

  it('percent-encodes ids as one path segment, dots included', () => {
    assert.equal(pathSegment('.'), '%2E');
    assert.equal(pathSegment('..'), '%2E%2E');
    assert.equal(pathSegment('a/b?c#d e'), 'a%2Fb%3Fc%23d%20e');
    assert.equal(pathSegment('obp-bank-x-gh'), 'obp-bank-x-gh');
  });

  it('names a blocking session by user, application, state, age and last query', () => {
    assert.equal(
      describeSession({ pid: 42, user: 'alice', application: 'Metabase', state: 'idle in transaction', ageSeconds: 73, query: 'SELECT 1' }),
      'session pid 42 (user alice, application "Metabase", idle in transaction for 73 s, last query "SELECT 1")',
    );
  });
});
