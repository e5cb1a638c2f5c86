import { bookSlice, planHistory, type AccountPlan, type HistoryPlan } from './account.js';
import { dayOfWeek } from './calendar.js';
import { localEpochDay, type LocalClock } from './clock.js';
import { generationContext, type GenerateOptions, type GenerationContext } from './context.js';
import { EventBuffer } from './events.js';
import type { PendingRefund } from './kinds.js';
import { FRAUD_PATTERNS } from './profile.js';
import { CHANNELS, type AccountSeed, type SyntheticTransaction } from './types.js';

/**
 * Synthetic transactions for the given accounts, as a lazy stream: ordered by (bankId, accountId),
 * then chronologically, exactly `transactionsPerAccount` rows per account (with `auto`, the
 * account's own activity over the window). Memory is one
 * account's events (reused buffers) whatever the volume; rows depend only on (seed, asOf, days,
 * rates, profile, the account itself), never on the other accounts or how the stream is consumed.
 */
export function* generateTransactions(
  accounts: readonly AccountSeed[],
  options: GenerateOptions,
  /** told what was decided for each account before its rows (the loader writes raw.account_profiles from it) */
  onAccount?: (account: AccountProfile) => void,
): Generator<SyntheticTransaction, void, undefined> {
  const rows = new RowCursor(accounts, options, onAccount);
  // a generator saves and restores every register of its frame at each row: this loop holds only the cursor
  while (rows.nextRun()) for (let i = 0; i < rows.count; i++) yield rows.row(i);
}

/**
 * Every account's rows, in order, as runs: an account's whole history, or (above SLICE_ROWS) its
 * slices one after the other, each booked when its turn comes. One generator, not one per account
 * delegated to: a yield* costs a resumption per row.
 */
class RowCursor {
  private readonly ctx: GenerationContext;
  private readonly events = new EventBuffer();
  private readonly incidents: number[] = [];
  private readonly ordered: readonly AccountSeed[];
  /** the next account in `ordered` */
  private next = 0;
  private account: AccountSeed | null = null;
  private history: HistoryPlan | null = null;
  /** the next slice of a sliced history */
  private slice = 0;
  /** rows of the account written before this run */
  private written = 0;
  private idPrefix = '';
  private width = 4;
  private rows: AccountRows | null = null;
  /** rows in this run */
  count = 0;

  constructor(
    accounts: readonly AccountSeed[],
    options: GenerateOptions,
    private readonly onAccount: ((account: AccountProfile) => void) | undefined,
  ) {
    this.ctx = generationContext(options);
    this.ordered = [...accounts].sort(compareAccounts);
  }

  /** Moves to the next run of rows; false when every account is written. */
  nextRun(): boolean {
    const { ctx, events, incidents } = this;
    const slices = this.history?.slices ?? null;
    if (this.account !== null && slices !== null && this.slice < slices.length) {
      const slice = slices[this.slice++]!;
      this.written += this.count;
      bookSlice(this.history!, slice, this.account, events, incidents);
      return this.run(new AccountRows(slice.ctx, events, this.account, this.history!.plan, slice.openingMinor), slice.rows);
    }
    if (this.next >= this.ordered.length) return false;
    const account = (this.account = this.ordered[this.next++]!);
    const history = (this.history = planHistory(account, ctx, events, incidents));
    const { plan } = history;
    this.onAccount?.(profileOf(account, plan));
    this.width = Math.max(4, String(plan.rows).length);
    this.idPrefix = transactionIdPrefix(account);
    this.slice = 0;
    this.written = 0;
    this.count = 0;
    return history.slices === null ? this.run(new AccountRows(ctx, events, account, plan, plan.openingMinor), plan.rows) : this.nextRun();
  }

  private run(rows: AccountRows, count: number): boolean {
    this.rows = rows;
    this.count = count;
    return true;
  }

  /** the run's i-th row */
  row(i: number): SyntheticTransaction {
    return this.rows!.next(i, this.idPrefix + rowNumber(this.written + i + 1, this.width));
  }
}

/**
 * One account's rows, in order: the i-th of its sorted events (see EventBuffer.sort) as a row, the
 * ledger running on from `openingMinor`. Shared by full histories and appended days.
 */
export class AccountRows {
  private readonly clock: LocalClock;
  private balance: number;

  constructor(
    private readonly ctx: GenerationContext,
    private readonly events: EventBuffer,
    private readonly account: { bankId: string; accountId: string },
    private readonly home: { currency: string; timezone: string },
    openingMinor: number,
  ) {
    this.clock = ctx.clockOf(home.timezone);
    this.balance = openingMinor;
  }

  next(i: number, transactionId: string): SyntheticTransaction {
    const { ctx, events } = this;
    const slot = events.order[i] as number;
    const typeIndex = events.types[slot] as number;
    const type = ctx.types[typeIndex]!;
    const party = events.parties[slot] ?? null;
    const fraud = events.fraud[slot] as number;
    const amountMinor = events.chronoAmounts[i] as number;
    const second = events.secondOf(slot);
    // the weekend of the account's own time zone
    const dow = dayOfWeek(localEpochDay(this.clock, ctx.window, second));
    const isMerchant = party !== null && party.mcc !== null;
    this.balance += amountMinor;
    return {
      transactionId,
      bankId: this.account.bankId,
      accountId: this.account.accountId,
      amountMinor,
      currency: this.home.currency,
      transactionType: type.name,
      description: ctx.describe(typeIndex, party),
      merchant: isMerchant ? party.name : null,
      merchantCategory: isMerchant ? party.mcc : null,
      counterparty: isMerchant ? null : (party?.name ?? null),
      channel: CHANNELS[events.channels[slot] as number]!,
      timestampMs: ctx.window.startMs + second * 1000,
      isWeekend: dow === 0 || dow === 6,
      balanceAfterMinor: this.balance,
      isFraud: fraud >= 0,
      fraudPattern: fraud >= 0 ? FRAUD_PATTERNS[fraud]! : null,
    };
  }
}

/** Row numbers padded to four digits, made once: most accounts have fewer than 10,000 rows. */
const FOUR_DIGITS = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'));

const ZEROS = Array.from({ length: 10 }, (_, n) => '0'.repeat(n));

/** `i` padded with zeros to `width` digits (the id's row number) */
export function rowNumber(i: number, width: number): string {
  if (width === 4 && i < 10_000) return FOUR_DIGITS[i]!;
  const digits = String(i);
  return digits.length >= width ? digits : ZEROS[width - digits.length] + digits;
}

/** What the generator decides for one account, for tests and reports: its rows follow from this. */
export interface AccountDescription {
  persona: string;
  /** the profile's account type the OBP type matched (current, savings, credit_card, business, ...) */
  accountType: string;
  currency: string;
  /** ISO 3166 code and IANA zone: the account's local time and merchants */
  country: string;
  timezone: string;
  openingMinor: number;
  /** the overdraft the history respects (a card's credit limit): the persona's, or deeper when the real balance is below it */
  overdraftLimitMinor: number;
  /** the account's own activity, transactions a day (what `auto` books over the window) */
  dailyRate: number;
  rows: number;
  monthlyIncomeMinor: number;
  /** recurring rows (salary, bills) a fixed --transactions-per-account could not hold */
  missedRecurring: number;
  /** day of the month the salary is due (an append continues the schedule); null without a salary */
  payday: number | null;
  /** balance_after of the last row: where an append continues the ledger */
  closingMinor: number;
  /** refunds of its last purchases that fall due after its history ends, in time order: appends book them on their days */
  pendingRefunds: readonly PendingRefund[];
}

/** An account's description with its key: one row of raw.account_profiles. */
export interface AccountProfile extends AccountDescription {
  bankId: string;
  accountId: string;
  /** YYYY-MM-DD: the day its appends began (the end of its last full history); unset for a full history, which starts them afresh */
  appendsFrom?: string;
}

function profileOf(account: AccountSeed, plan: AccountPlan): AccountProfile {
  return {
    bankId: account.bankId,
    accountId: account.accountId,
    persona: plan.persona.spec.name,
    accountType: plan.accountType.spec.name,
    currency: plan.currency,
    country: plan.country,
    timezone: plan.timezone,
    openingMinor: plan.openingMinor,
    overdraftLimitMinor: plan.limitMinor,
    dailyRate: plan.dailyRate,
    rows: plan.rows,
    monthlyIncomeMinor: plan.monthlyIncomeMinor,
    missedRecurring: plan.missedRecurring,
    payday: plan.payday,
    closingMinor: plan.closingMinor,
    pendingRefunds: plan.pendingRefunds,
  };
}

/** What the generator decides for each account, without yielding rows (the same plans as generateTransactions). */
export function* describeAccounts(accounts: readonly AccountSeed[], options: GenerateOptions): Generator<AccountProfile> {
  const ctx = generationContext(options);
  const events = new EventBuffer();
  for (const account of accounts) {
    yield profileOf(account, planHistory(account, ctx, events, []).plan);
  }
}

export function describeAccount(account: AccountSeed, options: GenerateOptions): AccountDescription {
  return [...describeAccounts([account], options)][0]!;
}

/**
 * Every id of an account's initial history starts with this, then its row number. OBP account ids
 * are unique only within a bank (the sandbox reuses them across banks).
 */
export function transactionIdPrefix(account: { bankId: string; accountId: string }): string {
  return `synth_${account.bankId}_${account.accountId}_`;
}

/**
 * Appended days' ids start with this, then the day: `synth~<YYYY-MM-DD>_<bank>_<account>_<NNNN>`.
 * `~` sorts after `_` (the column's C collation), so every appended id sorts after every initial
 * history's, in order of days: the loader keeps them in partitions of their own, by month, which
 * an append fills without touching the initial histories' keys (load/append-partitions.ts).
 */
export const APPENDED_ID_START = 'synth~';

/** The prefix of an account's appended rows on a day (YYYY-MM-DD), then the day's row number. */
export function appendedIdPrefix(account: { bankId: string; accountId: string }, isoDay: string): string {
  return `${APPENDED_ID_START}${isoDay}_${account.bankId}_${account.accountId}_`;
}

/** The order the stream writes accounts in: by bank, then account (the loader plans its partitions by it). */
export function compareAccounts(a: { bankId: string; accountId: string }, b: { bankId: string; accountId: string }): number {
  return compare(a.bankId, b.bankId) || compare(a.accountId, b.accountId);
}

/** code-unit order, not locale order: the same on every machine */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
