import type { SyntheticTransaction } from '../synth/types.js';

/** What the summary reports about the generated rows, gathered as they stream past. */
export interface TransactionStats {
  rows: number;
  firstDate: string | null;
  lastDate: string | null;
  byType: Record<string, number>;
  fraudByPattern: Record<string, number>;
  fraudRows: number;
  perAccount: { min: number; max: number };
}

export class TransactionStatsCollector {
  private rows = 0;
  private minMs = Number.POSITIVE_INFINITY;
  private maxMs = Number.NEGATIVE_INFINITY;
  private readonly byType = new Map<string, number>();
  private readonly byPattern = new Map<string, number>();
  private fraudRows = 0;
  private readonly perAccount = new Map<string, number>();
  private lastAccountKey = '';
  private lastAccountCount = 0;

  get count(): number {
    return this.rows;
  }

  add(row: SyntheticTransaction): void {
    this.rows++;
    if (row.timestampMs < this.minMs) this.minMs = row.timestampMs;
    if (row.timestampMs > this.maxMs) this.maxMs = row.timestampMs;
    this.byType.set(row.transactionType, (this.byType.get(row.transactionType) ?? 0) + 1);
    if (row.isFraud) {
      this.fraudRows++;
      const pattern = row.fraudPattern ?? 'unlabelled';
      this.byPattern.set(pattern, (this.byPattern.get(pattern) ?? 0) + 1);
    }
    // rows arrive grouped by account, so counting runs avoids building a key per row
    if (row.accountId === this.lastAccountKey) this.lastAccountCount++;
    else {
      this.flushAccount();
      this.lastAccountKey = row.accountId;
      this.lastAccountCount = 1;
    }
  }

  result(): TransactionStats {
    this.flushAccount();
    const counts = [...this.perAccount.values()];
    return {
      rows: this.rows,
      firstDate: this.rows ? new Date(this.minMs).toISOString() : null,
      lastDate: this.rows ? new Date(this.maxMs).toISOString() : null,
      byType: sortedRecord(this.byType),
      fraudByPattern: sortedRecord(this.byPattern),
      fraudRows: this.fraudRows,
      // not Math.min(...counts): a spread of a million accounts overflows the stack
      perAccount: { min: counts.length ? counts.reduce((a, b) => Math.min(a, b)) : 0, max: counts.length ? counts.reduce((a, b) => Math.max(a, b)) : 0 },
    };
  }

  private flushAccount(): void {
    if (this.lastAccountCount) this.perAccount.set(`${this.perAccount.size}:${this.lastAccountKey}`, this.lastAccountCount);
    this.lastAccountCount = 0;
  }
}

function sortedRecord(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}
