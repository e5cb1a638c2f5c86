import type { SyntheticTransaction } from '../synth/types.js';

/**
 * Per-account ledger of the rows a run streams, gathered as they pass (rows arrive grouped by
 * account, in time order). The lineage checks read it instead of aggregating millions of rows
 * again in SQL: COPY is all-or-nothing, so the run's rows in the warehouse are exactly the ones
 * the stream sent; the server's own row count confirms it. A merge checks its foreign keys in bulk
 * from it too (merge-in.ts).
 */
export interface AccountLedger {
  bankId: string;
  accountId: string;
  rows: number;
  /** balance before the first row, in minor units */
  openingMinor: number;
  netMinor: number;
  /** balance_after of the last row */
  closingMinor: number;
}

export class LedgerCollector {
  private readonly accounts: AccountLedger[] = [];
  private current: AccountLedger | undefined;

  add(row: SyntheticTransaction): void {
    let account = this.current;
    if (!account || account.accountId !== row.accountId || account.bankId !== row.bankId) {
      account = { bankId: row.bankId, accountId: row.accountId, rows: 0, openingMinor: row.balanceAfterMinor - row.amountMinor, netMinor: 0, closingMinor: 0 };
      this.accounts.push(account);
      this.current = account;
    }
    account.rows++;
    account.netMinor += row.amountMinor;
    account.closingMinor = row.balanceAfterMinor;
  }

  result(): readonly AccountLedger[] {
    return this.accounts;
  }
}
