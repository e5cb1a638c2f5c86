import { createWriteStream, mkdirSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { formatMinorUnits } from '../core/money.js';
import type { ExtractedAccount, ExtractedBank, ObpDataSource } from '../obp/types.js';
import type { SyntheticTransaction } from '../synth/types.js';

/**
 * The original pipeline's three CSV files, its columns first, then the new ones. RFC 4180:
 * CRLF line ends, fields quoted when they hold a comma, quote or line break. Written under
 * temporary names and renamed only when the run succeeds, so a failed run leaves no half file.
 */
const BANK_CSV_COLUMNS = ['bank_id', 'bank_name', 'data_source', 'extracted_at', 'short_name', 'website', 'logo_url', 'load_id'];
const ACCOUNT_CSV_COLUMNS = [
  'account_id', 'bank_id', 'account_label', 'account_type', 'data_source', 'extracted_at',
  'account_number', 'iban', 'currency', 'balance', 'load_id',
];
const TRANSACTION_CSV_COLUMNS = [
  'transaction_id', 'bank_id', 'account_id', 'amount', 'currency', 'transaction_type', 'description', 'merchant',
  'transaction_date', 'balance_after', 'data_source',
  'merchant_category', 'counterparty', 'channel', 'is_weekend', 'is_fraud', 'fraud_pattern', 'generated_at', 'load_id',
];

const NEEDS_QUOTES = /[",\r\n]/;

function field(value: string | null): string {
  if (value === null) return '';
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function line(values: (string | null)[]): string {
  return `${values.map(field).join(',')}\r\n`;
}

/** Local time, as the original pipeline's datetime.now().strftime('%Y%m%d_%H%M%S'). */
function csvTimestamp(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}_${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
}

export interface CsvRunContext {
  dir: string;
  startedAt: Date;
  loadId: string;
  dataSource: ObpDataSource;
}

export class CsvOutput {
  private readonly files: { final: string; temp: string; stream: WriteStream }[] = [];
  private readonly transactions: WriteStream;
  private readonly generatedAt: string;

  constructor(private readonly run: CsvRunContext) {
    mkdirSync(run.dir, { recursive: true });
    this.generatedAt = run.startedAt.toISOString();
    this.transactions = this.open('transactions', TRANSACTION_CSV_COLUMNS);
  }

  get paths(): string[] {
    return this.files.map((f) => f.final);
  }

  writeBanks(banks: readonly ExtractedBank[]): void {
    const stream = this.open('banks', BANK_CSV_COLUMNS);
    for (const b of banks) {
      stream.write(line([b.bankId, b.bankName, this.run.dataSource, b.extractedAt.toISOString(), b.shortName, b.website, b.logoUrl, this.run.loadId]));
    }
  }

  writeAccounts(accounts: readonly ExtractedAccount[]): void {
    const stream = this.open('accounts', ACCOUNT_CSV_COLUMNS);
    for (const a of accounts) {
      stream.write(
        line([a.accountId, a.bankId, a.label, a.accountType, this.run.dataSource, a.extractedAt.toISOString(), a.accountNumber, a.iban, a.currency, a.balance, this.run.loadId]),
      );
    }
  }

  /** Returns false when the file wants the caller to wait for 'drain'. */
  writeTransaction(t: SyntheticTransaction): boolean {
    return this.transactions.write(
      line([
        t.transactionId, t.bankId, t.accountId, formatMinorUnits(t.amountMinor), t.currency, t.transactionType, t.description, t.merchant,
        new Date(t.timestampMs).toISOString(), formatMinorUnits(t.balanceAfterMinor), 'SYNTHETIC',
        t.merchantCategory, t.counterparty, t.channel, String(t.isWeekend), String(t.isFraud), t.fraudPattern, this.generatedAt, this.run.loadId,
      ]),
    );
  }

  async drain(): Promise<void> {
    await once(this.transactions, 'drain');
  }

  /** Flushes and renames the files to their final names. */
  async commit(): Promise<string[]> {
    await Promise.all(this.files.map((f) => new Promise<void>((resolve, reject) => f.stream.end((e?: Error | null) => (e ? reject(e) : resolve())))));
    for (const f of this.files) renameSync(f.temp, f.final);
    return this.paths;
  }

  async abort(): Promise<void> {
    for (const f of this.files) f.stream.destroy();
    for (const f of this.files) rmSync(f.temp, { force: true });
  }

  private open(entity: string, columns: string[]): WriteStream {
    const final = path.join(this.run.dir, `hybrid_${entity}_${csvTimestamp(this.run.startedAt)}.csv`);
    const temp = `${final}.partial`;
    const stream = createWriteStream(temp, { encoding: 'utf8' });
    stream.write(line(columns));
    this.files.push({ final, temp, stream });
    return stream;
  }
}
