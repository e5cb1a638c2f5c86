import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { SLICE_ROWS } from '../src/synth/account.js';
import { PROJECT_ROOT } from './helpers/cli.js';
import { describeAccount, generateTransactions, historyWindow, loadProfile, sampleAccounts, type AccountSeed } from '../src/synth/index.js';

/**
 * An account with more rows than fit in memory at once is booked in slices of days: the rows must
 * still read as one history (numbered, in time order, one unbroken ledger ending on OBP's balance,
 * above the overdraft limit) while the generator's memory stays flat.
 */
describe('a history longer than one slice', () => {
  const profile = loadProfile(undefined);
  const options = { seed: 'long', asOf: '2026-11-24', days: 60, transactionsPerAccount: Math.round(SLICE_ROWS * 2.5), fraudRate: 0.005, profile };
  const [withBalance, withoutBalance] = [sampleAccounts(4)[3]!, sampleAccounts(1)[0]!];

  for (const account of [withBalance, withoutBalance] as AccountSeed[]) {
    it(`is one ledger, in order, numbered, inside the window (balance ${account.balanceMinor ?? 'unknown'})`, () => {
      const profileOfAccount = describeAccount(account, options);
      const window = historyWindow(options.asOf, options.days);
      let balance = profileOfAccount.openingMinor;
      let lastMs = -Infinity;
      let count = 0;
      let lowest = Infinity;
      for (const row of generateTransactions([account], options)) {
        count++;
        assert.equal(row.transactionId, `synth_${account.bankId}_${account.accountId}_${String(count).padStart(7, '0')}`);
        balance += row.amountMinor;
        if (row.balanceAfterMinor !== balance) assert.fail(`row ${count}: balance_after ${row.balanceAfterMinor}, the ledger says ${balance}`);
        if (row.timestampMs < lastMs) assert.fail(`row ${count} is dated before the row before it`);
        lastMs = row.timestampMs;
        lowest = Math.min(lowest, balance);
      }
      assert.equal(count, options.transactionsPerAccount);
      assert.equal(balance, profileOfAccount.closingMinor);
      if (account.balanceMinor !== null) assert.equal(balance, account.balanceMinor);
      assert.ok(lowest >= -profileOfAccount.overdraftLimitMinor, `lowest balance ${lowest} below the limit ${-profileOfAccount.overdraftLimitMinor}`);
      assert.ok(lastMs < window.endMs);
    });
  }

  it('keeps the generator under 200 MB of RSS for 4M rows in one account, with the loader\'s heap limit', async () => {
    // a process of its own: RSS never shrinks, so only a fresh process shows this history's peak
    const script = `
      import { generateTransactions, loadProfile, sampleAccounts } from './src/synth/index.js';
      const options = { seed: 'long', asOf: '2026-11-24', days: 90, transactionsPerAccount: 4_000_000, fraudRate: 0.005, profile: loadProfile(undefined) };
      let n = 0;
      for (const row of generateTransactions([sampleAccounts(4)[3]], options)) n += row.amountMinor === 0 ? 0 : 1;
      console.log(JSON.stringify({ n, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=128', '--max-semi-space-size=4', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT });
    const { maxRssMiB } = JSON.parse(stdout) as { maxRssMiB: number };
    assert.ok(maxRssMiB < 200, `peak RSS ${Math.round(maxRssMiB)} MiB`);
  });

  it('gives the same rows twice (each slice is booked again from its own stream)', () => {
    const sample = (rows: Iterable<{ transactionId: string; amountMinor: number; timestampMs: number }>) => {
      const picked: string[] = [];
      let i = 0;
      for (const row of rows) if (i++ % 100_003 === 0) picked.push(`${row.transactionId} ${row.amountMinor} ${row.timestampMs}`);
      return picked;
    };
    assert.deepEqual(sample(generateTransactions([withBalance], options)), sample(generateTransactions([withBalance], options)));
  });
});
