import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSummary, type LoadSummary } from '../src/load/summary.js';

/** A run of the bundled snapshot's size; `fraudRows` and `fraudRate` vary. */
function summary(fraudRows: number, fraudRate: number, append: LoadSummary['append'] = null): LoadSummary {
  return {
    loadId: '00000000-0000-4000-8000-000000000000',
    status: 'succeeded',
    shard: null,
    source: { mode: 'snapshot', dataSource: 'OBP_SNAPSHOT', origin: 'data/obp-snapshot.json', apiVersion: 'v5.1.0' },
    params: { seed: '42', fraudRate, asOf: '2026-12-07' },
    loadMode: append ? 'append' : 'full',
    append,
    banks: [{ bankId: 'obp-bank-x-gh', name: 'The Bank of X', accounts: 14 }],
    accounts: 14,
    skippedBanks: [],
    banksWithoutAccounts: [],
    setAside: [],
    inactive: { banks: [], accounts: [] },
    transactions: {
      rows: 1400, firstDate: '2026-09-08T03:29:30.000Z', lastDate: '2026-12-06T23:59:59.000Z', byType: { 'POS Purchase': 1400 - fraudRows },
      fraudByPattern: fraudRows ? { card_testing: fraudRows } : {}, fraudRows, perAccount: { min: 100, max: 100 }, replacedRows: 0, keptRows: 0,
    },
    lineage: [],
    timings: {},
    rowsPerSecond: 0,
    endToEndRowsPerSecond: 0,
    csvFiles: [],
  };
}

describe('the load summary', () => {
  it('says why a run that asked for fraud has none (no account was a victim), so a zero does not read as a broken --fraud-rate', () => {
    const text = renderSummary(summary(0, 0.005));
    assert.match(text, /Fraud {11}0 rows \(0\.0%\)\n {2}no account was a fraud victim in this window: .*\n.*fraudVictimsPerYear.*\n.*longer --days or another --seed/);
  });

  it('says nothing more when the run has fraud rows, or asked for none (--fraud-rate 0)', () => {
    assert.doesNotMatch(renderSummary(summary(7, 0.005)), /victim/);
    assert.match(renderSummary(summary(7, 0.005)), /Fraud {11}7 rows \(0\.5%\)\n {2}card_testing/);
    assert.doesNotMatch(renderSummary(summary(0, 0)), /victim/);
  });

  it('says an append with every history already at the as-of day has nothing new to append, instead of a bare 0', () => {
    const upToDate = { ...summary(0, 0.005, { continued: 14, behind: 0, fresh: 0, balancingRows: 0 }) };
    upToDate.transactions = { ...upToDate.transactions, rows: 0, byType: {}, perAccount: { min: 0, max: 0 } };
    assert.match(renderSummary(upToDate), /Transactions {4}0: every account's history already reaches the as-of day \(2026-12-07\), nothing new to append\n/);
    // a quiet day (accounts behind, no rows) or a new account is not "nothing new"
    for (const append of [{ continued: 14, behind: 14, fresh: 0, balancingRows: 0 }, { continued: 14, behind: 0, fresh: 1, balancingRows: 0 }]) {
      const other = summary(0, 0.005, append);
      other.transactions = { ...other.transactions, rows: 0, byType: {}, perAccount: { min: 0, max: 0 } };
      assert.match(renderSummary(other), /Transactions {4}0 \(0 per account\)\n/);
    }
  });
});
