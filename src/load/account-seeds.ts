import { parseMinorUnits } from '../core/money.js';
import type { Extraction } from '../obp/types.js';
import type { AccountSeed } from '../synth/types.js';

/** What the generator needs of each extracted account (balances are already exact amounts, see obp/normalise.ts). */
export function accountSeeds(extraction: Extraction): AccountSeed[] {
  return extraction.accounts.map((a) => ({
    bankId: a.bankId,
    accountId: a.accountId,
    currency: a.currency,
    balanceMinor: a.balance === null ? null : parseMinorUnits(a.balance),
    accountType: a.accountType,
    label: a.label,
    country: a.country,
  }));
}
