import { messageOf } from '../core/errors.js';
import { parseMinorUnits } from '../core/money.js';
import type { Logger } from '../log/logger.js';
import type { Extraction } from '../obp/types.js';
import type { AccountSeed } from '../synth/types.js';

/** What the generator needs of each extracted account; a balance that is not an exact amount is dropped with a warning. */
export function accountSeeds(extraction: Extraction, log: Logger): AccountSeed[] {
  return extraction.accounts.map((a) => {
    let balanceMinor: number | null = null;
    if (a.balance !== null) {
      try {
        balanceMinor = parseMinorUnits(a.balance);
      } catch (error) {
        log.warn({ bankId: a.bankId, accountId: a.accountId }, `ignoring the balance of account ${a.accountId}: ${messageOf(error)}`);
      }
    }
    return { bankId: a.bankId, accountId: a.accountId, currency: a.currency, balanceMinor, accountType: a.accountType, label: a.label };
  });
}
