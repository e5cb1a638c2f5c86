import type { AccountSeed } from './types.js';

/**
 * Made-up accounts shaped like OBP's, for the benchmark, tests and demos: a mix of currencies
 * (some missing) and of real balances (unknown, zero, small, large, overdrawn).
 */
export function sampleAccounts(count: number, bankCount = 10): AccountSeed[] {
  const balances = [null, 0, 5_000, 123_456, 2_500_000, -12_000, null, 48_020];
  const currencies = [null, 'EUR', 'GBP', 'USD', 'EUR'];
  return Array.from({ length: count }, (_, i) => ({
    bankId: `sample-bank-${i % bankCount}`,
    accountId: `sample-account-${i}`,
    currency: currencies[i % currencies.length] ?? null,
    balanceMinor: balances[i % balances.length] ?? null,
    accountType: 'CURRENT',
    label: null,
  }));
}
