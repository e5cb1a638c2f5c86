import type { AccountSeed } from './types.js';

/**
 * Made-up accounts shaped like OBP's, for the benchmark, tests and demos: a mix of currencies
 * (some missing), of real balances (unknown, zero, small, large, overdrawn) and of account types
 * (current, business, credit card, savings, none) in about the proportions a retail bank has.
 */
export function sampleAccounts(count: number, bankCount = 10): AccountSeed[] {
  const balances = [null, 0, 5_000, 123_456, 2_500_000, -12_000, null, 48_020];
  const currencies = [null, 'EUR', 'GBP', 'USD', 'EUR'];
  const types = ['CURRENT', 'CURRENT PLUS', 'BUSINESS CURRENT', 'CURRENT', 'Red Mastercard', 'CURRENT', null, 'SAVINGS', 'CURRENT', 'CURRENT PLUS', 'BUSINESS CURRENT'];
  return Array.from({ length: count }, (_, i) => ({
    bankId: `sample-bank-${i % bankCount}`,
    accountId: `sample-account-${i}`,
    currency: currencies[i % currencies.length] ?? null,
    balanceMinor: balances[i % balances.length] ?? null,
    accountType: types[i % types.length] ?? null,
    label: null,
  }));
}
