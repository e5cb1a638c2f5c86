import { HybridbankError } from '../core/errors.js';
import { identityOf, accountState, type Identity } from './account.js';
import { drawMinor } from './amounts.js';
import { DAY_MS, historyWindow, isoDay, monthlyDueMask } from './calendar.js';
import { DAYS_PER_MONTH, dayContext, generationContext, type GenerateOptions, type GenerationContext } from './context.js';
import { EventBuffer, NOT_FRAUD } from './events.js';
import { emitIncident, planIncidents } from './fraud.js';
import { AccountRows, appendedIdPrefix, compareAccounts, rowNumber, type AccountProfile } from './generator.js';
import { PLANNERS, plansOf, recurringDayMask, RECURRING_ORDER, type AccountState, type KindPlan, type PendingRefund } from './kinds.js';
import type { Party } from './pools.js';
import { Rng, StreamFamily, WeightedTable } from './prng.js';
import type { TransactionKind } from './profile.js';
import { weekdayFactor, type Rhythm } from './rhythm.js';
import type { AccountSeed, SyntheticTransaction } from './types.js';

/**
 * `load --append`: an account's history continued day by day. The rows of an account on a day come
 * from a stream of (seed, account, day) alone, planned by the same kind planners as a full history
 * over a one-day window: who the account is (persona, payday, billers, payees, habits) is the
 * identity its first history was drawn with (pinned by raw.account_profiles), so salaries, bills
 * and merchants continue; fraud incidents are drawn per year-long block of (seed, account), so a
 * victim's incident lands on one day whichever run books it.
 *
 * The ledger runs on from the last balance_after and must end on OBP's balance of this extraction.
 * Over k new days the balance is taken from where it was to where OBP says it is in k equal steps,
 * one per day, a day without rows of its own leaving its step to the next day with rows (people
 * do not move money on the days they do nothing): a day's rows depend only on (seed, account, day,
 * its plan, the balance it starts from, the balance it must reach, whether it is the append's
 * last, the overdraft limit), so appending two days at once gives the same rows as appending each
 * day on its own when OBP's balance at the day in between is the step and the day has rows of its
 * own (always when it did not move). That is also why, under a balance that does not move (the
 * sandbox, the bundled snapshot), every appended day nets to zero by itself: any day may be the
 * last of an append, and an append ends on OBP's balance. `balanceDay` says how a day gets there
 * (resized rows, else one top-up before the day's payments or the surplus sent out after its
 * credits, to and from the account's own other account) and keeps its balances above the
 * overdraft limit; the transfers it books are counted in `balancingRows` (the loader logs them).
 */
export interface ContinuedAccount {
  /** the account as OBP has it now: its balance is where the new days end */
  seed: AccountSeed;
  /** what earlier runs decided for it and where its history stands (raw.account_profiles) */
  profile: AccountProfile;
  /** epoch day its history runs to: its rows end when this day (UTC) begins */
  historyEndDay: number;
  /** epoch day its appends began (the end of its last full history): refunds refer to purchases from there on */
  appendsFromDay: number;
}

/** What an append did to one account: its profile after the new days (rows: the whole history's). */
export interface Continuation {
  profile: AccountProfile;
  newRows: number;
  /** transfers booked (added, or in place of a drawn payment) because resizing the day's rows could not reach OBP's balance, or to keep it above the overdraft limit */
  balancingRows: number;
}

/** How far an unlocked amount may grow (or shrink, by its inverse) to reach the day's balance: mildly, to keep its distribution. */
const RESIZE = 1.5;

/** The epoch day of a YYYY-MM-DD date. */
export function epochDayOf(isoDate: string): number {
  return historyWindow(isoDate, 1).endMs / DAY_MS;
}

/**
 * The new days' rows of each account, ordered by account then time, from each account's history
 * end up to the day before `options.asOf` (nothing for an account already there); `onAccount` is
 * told the outcome after each account's rows.
 */
export function* continueHistories(
  accounts: readonly ContinuedAccount[],
  options: GenerateOptions,
  onAccount?: (outcome: Continuation) => void,
): Generator<SyntheticTransaction, void, undefined> {
  if (options.profile.style === 'uniform' && accounts.length > 0) {
    throw new HybridbankError('PROFILE_INVALID', 'The profile\'s "uniform" style (the original script\'s draws over the whole window) has no day-by-day plan to continue a history with.', {
      hint: 'Append with a realistic profile (the default), or run a full load (without --append) with this one.',
    });
  }
  const days = new DayCursor(accounts, options, onAccount);
  // as in generateTransactions: the generator's frame holds only the cursor
  while (days.nextRun()) for (let i = 0; i < days.count; i++) yield days.row(i);
}

/** Every continued account's new days, in order, as runs: one account-day's rows at a time. */
class DayCursor {
  private readonly base: GenerationContext;
  private readonly asOfDay: number;
  private readonly contexts = new Map<number, GenerationContext>();
  /** the day asked for last: an account-day asks for its context several times in a row */
  private lastDay = Number.NaN;
  private lastCtx: GenerationContext | null = null;
  private readonly dayCtx = (day: number) => {
    if (day === this.lastDay) return this.lastCtx!;
    let ctx = this.contexts.get(day);
    if (!ctx) this.contexts.set(day, (ctx = dayContext(this.base, day)));
    this.lastDay = day;
    return (this.lastCtx = ctx);
  };
  private readonly events = new EventBuffer();
  private readonly scratch = { incidents: [] as number[], events: new EventBuffer(), busy: new Map<number, BusyBlock>() };
  private readonly kindRates = new Map<string, KindRates>();
  private readonly ordered: readonly ContinuedAccount[];
  /** the next account in `ordered` */
  private next = 0;
  /** the account being continued, and where it stands */
  private account: ContinuedAccount | null = null;
  private days: AccountDays | null = null;
  /** days to book (k), the next one (i) */
  private k = 0;
  private i = 0;
  private balance = 0;
  private newRows = 0;
  private balancingRows = 0;
  private limitMinor = 0;
  private rows: AccountRows | null = null;
  private dayPrefix = '';
  /** rows in this run */
  count = 0;

  constructor(
    accounts: readonly ContinuedAccount[],
    options: GenerateOptions,
    private readonly onAccount: ((outcome: Continuation) => void) | undefined,
  ) {
    this.base = generationContext(options);
    this.asOfDay = epochDayOf(options.asOf);
    this.ordered = [...accounts].sort((a, b) => compareAccounts(a.seed, b.seed));
  }

  /** Moves to the next account-day with rows; false when every account is written. */
  nextRun(): boolean {
    for (;;) {
      const account = this.account;
      if (account !== null && this.i < this.k) {
        const day = account.historyEndDay + this.i++;
        const { seed } = account;
        const from = account.profile.closingMinor;
        const to = seed.balanceMinor === null ? null : from + Math.round(((seed.balanceMinor - from) * this.i) / this.k);
        const iso = isoDay(day);
        const planned = planDay(this.days!, day, iso, this.events, this.balance, to, this.limitMinor, this.i === this.k);
        this.limitMinor = planned.limitMinor;
        this.newRows += planned.rows;
        this.balancingRows += planned.transfers;
        if (planned.rows === 0) continue;
        this.rows = new AccountRows(this.dayCtx(day), this.events, seed, account.profile, this.balance);
        for (let j = 0; j < planned.rows; j++) this.balance += this.events.chronoAmounts[j] as number;
        this.dayPrefix = appendedIdPrefix(seed, iso);
        this.count = planned.rows;
        return true;
      }
      if (account !== null) {
        const { profile } = account;
        // the initial history's refunds still due after these days
        const pendingRefunds = profile.pendingRefunds.filter((r) => r.atMs >= this.asOfDay * DAY_MS);
        this.onAccount?.({
          profile: { ...profile, rows: profile.rows + this.newRows, closingMinor: this.balance, overdraftLimitMinor: this.limitMinor, missedRecurring: 0, pendingRefunds },
          newRows: this.newRows,
          balancingRows: this.balancingRows,
        });
        this.account = null;
      }
      if (this.next >= this.ordered.length) return false;
      this.start(this.ordered[this.next++]!);
    }
  }

  private start(account: ContinuedAccount): void {
    const { seed, profile } = account;
    const { base } = this;
    const who = identityOf(seed, base, { persona: profile.persona, accountType: profile.accountType, payday: profile.payday });
    this.account = account;
    this.days = { seed, who, profile, rates: ratesOf(base, who, this.kindRates), recurringDays: recurringDayMask(who), base, appendsFromDay: account.appendsFromDay, dayCtx: this.dayCtx, dayStreams: new StreamFamily('day', base.options.seed, seed.bankId, seed.accountId), refundables: refundablesFrom(account, base.options.profile), incidents: new Map(), scratch: this.scratch };
    this.k = Math.max(0, this.asOfDay - account.historyEndDay);
    this.i = 0;
    this.balance = profile.closingMinor;
    this.newRows = 0;
    this.balancingRows = 0;
    this.limitMinor = profile.overdraftLimitMinor;
  }

  /** the run's i-th row */
  row(i: number): SyntheticTransaction {
    return this.rows!.next(i, this.dayPrefix + rowNumber(i + 1, 4));
  }
}

/** One account being continued: who it is, its rates, and its refundable purchases by day (replayed, cached). */
interface AccountDays {
  seed: AccountSeed;
  who: Identity;
  profile: AccountProfile;
  rates: Rates;
  /** the days of the month its recurring rows fall due (kinds.ts' recurringDayMask): on most days none does */
  recurringDays: number;
  /** the run's context (what does not depend on the day) */
  base: GenerationContext;
  appendsFromDay: number;
  dayCtx: (day: number) => GenerationContext;
  /** the account's day streams: (seed, account) read once, each day's stream of (seed, account, day) */
  dayStreams: StreamFamily;
  refundables: Refundables;
  /** the fraud incidents of the block being booked, by day they start on */
  incidents: Map<number, Map<number, [number, number][]>>;
  scratch: { incidents: number[]; events: EventBuffer; busy: Map<number, BusyBlock> };
}

/** How busy each day of a 30-day block is for shopping (the same for every account: built once per run and block). */
interface BusyBlock {
  table: WeightedTable;
  total: number;
}

function busyBlock(a: AccountDays, block: number): BusyBlock {
  let found = a.scratch.busy.get(block);
  if (!found) {
    const busy = Array.from({ length: BLOCK }, (_, i) => weekdayFactor('shop', block * BLOCK + i));
    a.scratch.busy.set(block, (found = { table: new WeightedTable(busy), total: busy.reduce((sum, b) => sum + b, 0) }));
  }
  return found;
}

/** What an account books a day on average, from its rate: the rate holds recurring and rated rows too, as in a full history. */
interface Rates {
  kinds: KindRates;
  /** discretionary rows on an average weekday */
  discretionaryPerDay: number;
  /** the discretionary type table and the mean debit of one row (GenerationContext.activityOf) */
  activity: { table: WeightedTable; meanDebitMinor: number };
}

/** What the rates of a persona on an account type share (built once per pair in a run). */
interface KindRates {
  /** the rated credits the account type books, with how many a month and the weekday rhythm they follow */
  rated: (KindPlan<'rated'> & { perMonth: number; rhythm: Rhythm })[];
  /** the recurring kinds the account type books, in RECURRING_ORDER */
  recurring: KindPlan<'recurring'>[];
  /** recurring rows a month but the contracts: salary, card repayment, interest */
  fixedPerMonth: number;
  ratedPerMonth: number;
  /** the share of discretionary draws that are refunds (they come from the refund streams instead) */
  refundShare: number;
}

function ratesOf(ctx: GenerationContext, who: Identity, cache: Map<string, KindRates>): Rates {
  const key = `${who.persona.index}|${who.accountType.spec.name}`;
  let kinds = cache.get(key);
  if (!kinds) cache.set(key, (kinds = kindRatesOf(ctx, who)));
  // in the order a full history adds them up, so the rate is the same to the last bit
  const fixedPerMonth = kinds.fixedPerMonth + who.contracts.length + kinds.ratedPerMonth;
  return {
    kinds,
    discretionaryPerDay: Math.max(0, who.dailyRate - fixedPerMonth / DAYS_PER_MONTH),
    activity: ctx.activityOf(who.persona, who.accountType),
  };
}

function kindRatesOf(ctx: GenerationContext, who: Pick<Identity, 'persona' | 'accountType'>): KindRates {
  const { typeOf, types } = ctx;
  const spec = who.persona.spec;
  const has = (kind: TransactionKind) => typeOf[kind] !== undefined && who.accountType.allows.has(kind);
  const credits = who.accountType.spec.creditsPerMonth ?? spec.creditsPerMonth;
  const rated = plansOf(ctx, who.accountType, 'rated', Object.keys(credits) as TransactionKind[]).map((p) => ({ ...p, perMonth: credits[p.kind]!, rhythm: RATED_RHYTHM[p.kind] ?? 'online' }));
  const recurring = plansOf(ctx, who.accountType, 'recurring', RECURRING_ORDER);
  const fixedPerMonth = (has('salary') && spec.salary ? 1 : 0) + (has('repayment') ? 1 : 0) + (has('interest') && who.accountType.spec.interestRate > 0 ? 1 : 0);
  const weights = ctx.discretionaryTypes.map((t, j) => (who.accountType.allows.has(types[t]!.kind) ? (who.persona.typeWeights[j] as number) : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  const refunds = ctx.discretionaryTypes.reduce((sum, t, j) => sum + (types[t]!.kind === 'refund' && has('card') ? (weights[j] as number) : 0), 0);
  return { rated, recurring, fixedPerMonth, ratedPerMonth: rated.reduce((sum, r) => sum + r.perMonth, 0), refundShare: total > 0 ? refunds / total : 0 };
}

/**
 * Books one account's events of one day into `events` (sorted) and returns how many: recurring
 * rows due that day, rated credits and discretionary rows at the account's rate (busier on the
 * days its rhythm is busier), refunds of earlier appended purchases, the fraud incidents that
 * start that day; then the day reaches `to`. `iso` is the day as YYYY-MM-DD: its stream's name.
 * A day without a row of its own stays quiet unless it is the append's `last`: the next day with
 * rows takes its step too.
 */
function planDay(a: AccountDays, day: number, iso: string, events: EventBuffer, from: number, to: number | null, limitMinor: number, last: boolean): { rows: number } & Balanced {
  const ctx = a.dayCtx(day);
  const { who } = a;
  const rng = a.dayStreams.of(iso);
  const incidentsToday = incidentsOn(a, day);
  const discretionary = Math.min(9_999, rng.poisson(a.rates.discretionaryPerDay * weekdayFactor('shop', day)));
  const fraudRows = incidentsToday.reduce((sum, [, rows]) => sum + rows, 0);
  events.reset(64 + who.contracts.length + discretionary + fraudRows);

  const s = accountState(ctx, who, rng, events, from);
  if ((a.recurringDays & monthlyDueMask(day)) !== 0) for (const { type, plan } of a.rates.kinds.recurring) plan(s, type, Number.MAX_SAFE_INTEGER);
  for (const { perMonth, type, plan, rhythm } of a.rates.kinds.rated) {
    const count = Math.floor(perMonth * ctx.months * weekdayFactor(rhythm, day) + rng.next());
    for (let i = 0; i < count; i++) plan(s, type);
  }
  const { table, meanDebitMinor } = a.rates.activity;
  for (let r = 0; r < discretionary; r++) {
    const j = table.pick(rng);
    // a refund needs a purchase days before: refunds come from the refund streams below
    ctx.discretionaryPlans[j]?.(s, ctx.discretionaryTypes[j]!);
  }
  setIncome(s, a.profile.monthlyIncomeMinor, meanDebitMinor * who.dailyRate * DAYS_PER_MONTH);
  bookRefundable(a, day, events);
  for (const [slot, rows] of incidentsToday) emitIncident(ctx, slot, rows, { rng, payees: who.payees, pools: who.pools, clock: s.clock, persona: s.persona }, events);
  // (under a balance that does not move a quiet day is where it began anyway)
  const balanced = balanceDay(s, from, events.count === 0 && !last ? null : to, limitMinor);
  // not a spread: an object copied per account-day was a tenth of planDay's own time
  return { rows: events.count, transfers: balanced.transfers, limitMinor: balanced.limitMinor };
}

/** A purchase of an appended day that is refunded later, and its refund. */
interface Refundable {
  /** the epoch day of the purchase */
  day: number;
  second: number;
  type: number;
  channel: number;
  paidMinor: number;
  party: Party | null;
  refundDay: number;
  refundSecond: number;
  refundMinor: number;
}

/** Days per block of the streams an account's refunds are drawn from. */
const BLOCK = 30;

/**
 * Days per block of an account's fraud incidents: a year, the period the profile's
 * fraudVictimsPerYear is given for, so appended days have as many victims a year as a full history
 * of a year (about 27-29 % of accounts under the default profile), each hit as often. Per 30-day block, planIncidents' floor (a
 * victim's fraud at most a tenth of its rows) made 5 % of accounts victims a month: 41 % a year.
 */
const FRAUD_BLOCK = 365;

/**
 * The purchases of a 30-day block of (seed, account) that will be refunded, drawn once per run
 * from a stream of their own, so a later day finds them without replaying the days'
 * other rows (one stream per block, not one per day looked back at): how many over the block at
 * the account's rate, which days (busier days more often), then each purchase on its day. A refund
 * follows its purchase at the same merchant and channel, days later, for all or part of it, as in
 * a full history. Their amounts are locked (the ledger never resizes them), so the refund matches.
 * They go into the account's `refundables`, by the day of the purchase and of the refund, after
 * the blocks before, in the order of their purchases.
 */
function drawRefundables(a: AccountDays, block: number): void {
  const card = a.base.typeOf.card;
  const refund = a.base.typeOf.refund;
  const first = block * BLOCK;
  const busy = busyBlock(a, block);
  const rng = Rng.of('refunds', a.base.options.seed, a.seed.bankId, a.seed.accountId, String(block));
  const expected = a.rates.discretionaryPerDay * a.rates.kinds.refundShare * busy.total;
  const count = card === undefined || refund === undefined ? 0 : rng.poisson(expected);
  if (count === 0) return;
  const table = busy.table;
  const days = Array.from({ length: count }, () => first + table.pick(rng)).sort((x, y) => x - y);
  const { refundShare, fullRefundChance, refundDelayDays } = a.base.options.profile.behaviour;
  const t = a.base.types[refund!]!;
  const planCard = PLANNERS.card;
  if (planCard.phase !== 'discretionary') throw new Error('card is a discretionary kind');
  const events = a.scratch.events;
  for (const day of days) {
    events.reset(1);
    planCard.plan(accountState(a.dayCtx(day), a.who, rng, events, null), card!);
    const paid = -(events.amounts[0] as number);
    const delay = rng.between(refundDelayDays[0], refundDelayDays[1]);
    const share = rng.chance(fullRefundChance) ? 1 : rng.uniform(refundShare[0], refundShare[1]);
    const at = events.secondOf(0) + delay * 86400 + rng.int(36_000);
    if (paid < t.minMinor) continue;
    let amount = Math.min(paid, t.maxMinor, Math.round(paid * share));
    if (amount < t.minMinor) amount = Math.min(paid, t.maxMinor);
    const refundable: Refundable = {
      day, second: events.secondOf(0), type: events.types[0] as number, channel: events.channels[0] as number, paidMinor: paid, party: events.parties[0] ?? null,
      refundDay: day + Math.floor(at / 86400), refundSecond: at % 86400, refundMinor: amount,
    };
    pushTo(a.refundables.purchasedOn, day, refundable);
    pushTo(a.refundables.refundedOn, refundable.refundDay, refundable);
  }
}

/**
 * An account's refundable purchases of the blocks drawn so far (from the first its appended days
 * may refer to, up to the day being booked), by the day they are bought and the day they are
 * refunded: a day takes its own, so the maps hold only the days ahead.
 */
interface Refundables {
  /** the last block drawn */
  drawnTo: number;
  purchasedOn: Map<number, Refundable[]>;
  refundedOn: Map<number, Refundable[]>;
  /** the initial history's refunds due after its end (AccountDescription.pendingRefunds), by day */
  pendingOn: Map<number, PendingRefund[]>;
}

/**
 * A fresh account's: nothing drawn before the block of the first purchase its first new day may
 * refund; the refunds its initial history left due after its end (pending), on their days from
 * its first new day on.
 */
function refundablesFrom(account: ContinuedAccount, profile: GenerateOptions['profile']): Refundables {
  const { historyEndDay, appendsFromDay } = account;
  // a refund comes at most this many days after its purchase (a day of delay, and up to 10 hours past it)
  const latest = profile.behaviour.refundDelayDays[1] + 1;
  const pendingOn = new Map<number, PendingRefund[]>();
  for (const r of account.profile.pendingRefunds) {
    const day = Math.floor(r.atMs / DAY_MS);
    if (day >= historyEndDay) pushTo(pendingOn, day, r);
  }
  return { drawnTo: Math.floor(Math.max(appendsFromDay, historyEndDay - latest) / BLOCK) - 1, purchasedOn: new Map(), refundedOn: new Map(), pendingOn };
}

const NONE: readonly Refundable[] = [];

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Removes and returns the list of `key` (an empty one without it). */
function take<K, V>(map: Map<K, readonly V[]>, key: K): readonly V[] {
  const list = map.get(key);
  if (list === undefined) return NONE as readonly V[];
  map.delete(key);
  return list;
}

/** Today's refundable purchases, and the refunds due today of purchases made since the account's appends began. */
function bookRefundable(a: AccountDays, day: number, events: EventBuffer): void {
  const { refundables } = a;
  for (const block = Math.floor(day / BLOCK); refundables.drawnTo < block; ) drawRefundables(a, ++refundables.drawnTo);
  const today = take(refundables.purchasedOn, day);
  const due = take(refundables.refundedOn, day);
  const pending = take(refundables.pendingOn, day);
  if (today.length + due.length + pending.length === 0) return;
  const refund = a.base.typeOf.refund;
  events.grow(events.count + today.length + due.length + pending.length);
  for (const r of today) events.add(r.second, r.type, r.channel, -r.paidMinor, r.party, NOT_FRAUD, true);
  // purchases before the appends began are the initial history's: their refunds are the pending ones
  for (const r of due) if (r.day >= a.appendsFromDay) events.add(r.refundSecond, refund!, r.channel, r.refundMinor, r.party, NOT_FRAUD, true);
  if (refund !== undefined) for (const r of pending) events.add(Math.floor((r.atMs - day * DAY_MS) / 1000), refund, r.channel, r.amountMinor, r.party, NOT_FRAUD, true);
}

/** the rhythm whose weekday weights a rated credit follows (branches close on Sundays) */
const RATED_RHYTHM: Partial<Record<TransactionKind, Rhythm>> = { cash_deposit: 'branch', transfer_in: 'online' };

/** A salary is the person's monthly salary of their profile; a card repayment settles about a month's spending. */
function setIncome(s: AccountState, monthlyIncomeMinor: number, monthlySpendMinor: number): void {
  const { ctx, events } = s;
  if (s.persona.spec.salary) {
    for (const slot of s.incomeSlots) {
      const t = ctx.types[events.types[slot] as number]!;
      events.amounts[slot] = Math.min(t.maxMinor, Math.max(t.minMinor, monthlyIncomeMinor));
    }
  }
  for (const slot of s.repaymentSlots) {
    const t = ctx.types[events.types[slot] as number]!;
    events.amounts[slot] = drawMinor(s.rng, { medianMinor: Math.max(t.minMinor, monthlySpendMinor * 0.9), spread: 0.15 }, 1, t.minMinor, t.maxMinor);
  }
}

/**
 * The incidents of the account's block of FRAUD_BLOCK days that start on `day`, as [pattern slot,
 * rows]: the block's draw (victim or not, how many, which days) is the same whichever run books
 * which day; drawn once per account and block in a run.
 */
function incidentsOn(a: AccountDays, day: number): readonly [number, number][] {
  const block = Math.floor(day / FRAUD_BLOCK);
  let byDay = a.incidents.get(block);
  if (!byDay) {
    byDay = new Map();
    const { base, seed, who } = a;
    const scratch = a.scratch.incidents;
    const rng = Rng.of('fraud', base.options.seed, seed.bankId, seed.accountId, String(block));
    planIncidents(rng, base, who.accountType, Math.max(1, Math.round(who.dailyRate * FRAUD_BLOCK)), FRAUD_BLOCK, scratch);
    for (let i = 0; i < scratch.length; i += 2) {
      const on = block * FRAUD_BLOCK + rng.int(FRAUD_BLOCK);
      byDay.set(on, [...(byDay.get(on) ?? []), [scratch[i]!, scratch[i + 1]!]]);
    }
    a.incidents.clear();
    a.incidents.set(block, byDay);
  }
  return byDay.get(day) ?? NO_INCIDENTS;
}

const NO_INCIDENTS: readonly [number, number][] = [];

/** A day's balancing: transfers booked for OBP's balance (added or in place of a drawn row), and the overdraft the day needed. */
interface Balanced {
  transfers: number;
  /** the overdraft limit the day respects: the account's, or deeper when nothing else could keep its balance above it */
  limitMinor: number;
}

/**
 * Reaches the day's step (`to`, when OBP gave a balance) and keeps every balance of the day at or
 * above the account's overdraft limit, as a full history does:
 * 1. the day's unlocked rows absorb the step when each can move within its type's bounds and by at
 *    most half its drawn size (in proportion to its room);
 * 2. otherwise a balance that must rise gets a top-up: one incoming transfer (more only above the
 *    type's maximum) just before the day's first payment, taking the place of the day's last drawn
 *    payment when the day has two or more (the day's row count stays the account's rate); a balance
 *    that must fall sends the surplus out (transfers of at most the type's maximum) after the day's
 *    last credit (the salary, a deposit), rather than every purchase of the day swollen;
 * 3. then a payment that would take the balance below the limit waits until after the day's
 *    credits, or a later transfer in comes before it; without a balance to reach, a top-up covers
 *    what is still short; only if none of that holds does the day get a deeper overdraft (as a
 *    full history's does).
 * Leaves `events` sorted.
 */
function balanceDay(s: AccountState, from: number, to: number | null, limitMinor: number): Balanced {
  const { ctx, events } = s;
  let transfers = 0;
  if (to !== null) {
    let gap = to - from;
    for (let i = 0; i < events.count; i++) gap -= events.amounts[i] as number;
    if (gap !== 0 && !resize(s, gap)) transfers = gap > 0 ? topUp(s, gap) : sendOut(s, -gap);
  }
  let floor = Math.min(-limitMinor, from, to ?? from);
  for (let pass = 0; ; pass++) {
    events.sort(ctx.resizeBoundOfType);
    let balance = from;
    let breach = -1;
    for (let i = 0; i < events.count; i++) {
      balance += events.chronoAmounts[i] as number;
      if (balance < floor) {
        breach = i;
        break;
      }
    }
    if (breach < 0) break;
    if (pass < 16 && waitForCredits(s, breach)) continue;
    if (to === null && pass < 17) {
      // nothing to reach: the person tops the account up before it runs dry
      const t = ctx.types[ctx.typeOf.transfer_in ?? 0]!;
      const slot = addTransfer(s, 'transfer_in', Math.max(t.minMinor, Math.min(t.maxMinor, floor - balance + Math.round(s.rng.uniform(0, 0.3) * Math.max(limitMinor, 5_000)))));
      if (slot < 0) break;
      events.retime(slot, Math.max(0, events.secondOf(events.order[breach] as number) - s.rng.between(300, 3_600)));
      transfers++;
      continue;
    }
    floor = balance;
  }
  return { transfers, limitMinor: Math.max(limitMinor, -floor) };
}

/** Step 1: the unlocked rows absorb `gap`, each within its bounds and by at most half; false (nothing changed) when they cannot. */
function resize(s: AccountState, gap: number): boolean {
  const { ctx, events } = s;
  const up = gap > 0;
  const need = Math.abs(gap);
  const rooms = new Float64Array(events.count);
  let total = 0;
  for (let i = 0; i < events.count; i++) {
    if (events.locked[i]) continue;
    const t = ctx.types[events.types[i] as number]!;
    const size = Math.abs(events.amounts[i] as number);
    // moving the balance up: smaller debits, larger credits; down: the other way round
    const grows = ((events.amounts[i] as number) > 0) === up;
    rooms[i] = Math.max(0, grows ? Math.min(t.maxMinor - size, Math.floor(size * (RESIZE - 1))) : size - Math.max(t.minMinor, Math.ceil(size / RESIZE)));
    total += rooms[i] as number;
  }
  if (total < need) return false;
  let left = need;
  for (let i = 0; i < events.count; i++) {
    const share = Math.min(left, Math.floor(((rooms[i] as number) * need) / total));
    rooms[i] = (rooms[i] as number) - share;
    events.amounts[i] = (events.amounts[i] as number) + (up ? share : -share);
    left -= share;
  }
  // the rounding left over, a minor unit at a time, to rows with room left
  for (let i = 0; i < events.count && left > 0; i++) {
    const share = Math.min(left, rooms[i] as number);
    events.amounts[i] = (events.amounts[i] as number) + (up ? share : -share);
    left -= share;
  }
  return true;
}

/** Step 2, up: the top-up, in place of the day's last drawn payment when it has another; returns the transfers booked. */
function topUp(s: AccountState, gap: number): number {
  const { ctx, events } = s;
  // the payment it replaces: the day's last transfer out (the payee pays this time), else its last purchase
  let replaced = -1;
  let payments = 0;
  const transfer = ctx.typeOf.transfer;
  for (let i = 0; i < events.count; i++) {
    if ((events.amounts[i] as number) >= 0) continue;
    payments++;
    if (events.locked[i] || (events.fraud[i] as number) >= 0) continue;
    if (replaced < 0 || events.types[i] === transfer || events.types[replaced] !== transfer) replaced = i;
  }
  let need = gap;
  // without the payment the day needs that much less (and never less than one transfer's minimum)
  const minimum = ctx.types[ctx.typeOf.transfer_in ?? 0]!.minMinor;
  if (replaced >= 0 && payments >= 2 && gap + (events.amounts[replaced] as number) >= minimum) {
    need += events.amounts[replaced] as number;
    events.remove(replaced);
  }
  else if (replaced >= 0 && events.count === 1 && gap + (events.amounts[replaced] as number) === 0 && s.rng.chance(0.5)) {
    // a day of one payment that must end where it began: with its top-up two rows, so on half of
    // such days there is neither (the day's rows stay at the account's rate on average)
    events.remove(replaced);
    return 0;
  }
  let first = Infinity;
  for (let i = 0; i < events.count; i++) if ((events.amounts[i] as number) < 0) first = Math.min(first, events.secondOf(i));
  const at = first === Infinity ? -1 : Math.max(0, first - s.rng.between(300, 5_400));
  const booked = transfersOf(s, 'transfer_in', need, (slot) => {
    if (at >= 0) events.retime(slot, at);
  });
  return booked;
}

/** Step 2, down: the surplus leaves after the day's last credit. */
function sendOut(s: AccountState, surplus: number): number {
  const { events } = s;
  let last = -1;
  for (let i = 0; i < s.events.count; i++) if ((events.amounts[i] as number) > 0) last = Math.max(last, events.secondOf(i));
  return transfersOf(s, 'transfer', surplus, (slot) => {
    if (events.secondOf(slot) <= last) events.retime(slot, Math.min(s.ctx.window.days * 86400 - 1, last + s.rng.between(600, 7_200)));
  });
}

/**
 * Transfers of `kind` moving `need` (in: up, out: down), each within the type's bounds; below the
 * type's minimum, a minimum transfer the other way and this one larger by as much.
 */
function transfersOf(s: AccountState, kind: 'transfer' | 'transfer_in', need: number, place: (slot: number) => void): number {
  const { ctx } = s;
  const back = kind === 'transfer' ? 'transfer_in' : 'transfer';
  const type = ctx.typeOf[kind];
  if (type === undefined) throw new Error(`the profile has no ${kind} type to reach OBP's balance with`);
  const t = ctx.types[type]!;
  const backType = ctx.typeOf[back];
  const counter = need < t.minMinor && backType !== undefined ? ctx.types[backType]!.minMinor : 0;
  const total = need + counter;
  const count = Math.ceil(total / t.maxMinor);
  for (let i = 0; i < count; i++) place(addTransfer(s, kind, Math.floor(total / count) + (i < total % count ? 1 : 0)));
  if (counter > 0) place(addTransfer(s, back, counter));
  return count + (counter > 0 ? 1 : 0);
}

/**
 * Step 3: the payment at chronological index `breach` takes the balance below the floor. An
 * unlocked payment (a purchase, a transfer) waits until after the day's last credit; a locked one
 * (a bill, cash, fraud) gets a later transfer in or deposit moved before it. False when neither.
 */
function waitForCredits(s: AccountState, breach: number): boolean {
  const { ctx, events } = s;
  const slot = events.order[breach] as number;
  const lastSecond = ctx.window.days * 86400 - 1;
  let lastCredit = -1;
  let movable = -1;
  for (let i = breach + 1; i < events.count; i++) {
    const later = events.order[i] as number;
    if ((events.amounts[later] as number) <= 0) continue;
    lastCredit = later;
    const kind = ctx.types[events.types[later] as number]!.kind;
    if (movable < 0 && (kind === 'transfer_in' || kind === 'cash_deposit')) movable = later;
  }
  if (!events.locked[slot] && (events.amounts[slot] as number) < 0 && lastCredit >= 0 && events.secondOf(lastCredit) < lastSecond) {
    events.retime(slot, Math.min(lastSecond, events.secondOf(lastCredit) + s.rng.between(60, 5_400)));
    return true;
  }
  if (movable >= 0 && events.secondOf(slot) > 0) {
    events.retime(movable, Math.max(0, events.secondOf(slot) - s.rng.between(60, 3_600)));
    return true;
  }
  return false;
}

/** A transfer in or out at the account's usual hours, with its first payee (its own other account), for `amount` (locked); its slot (-1 without the type). */
function addTransfer(s: AccountState, kind: 'transfer' | 'transfer_in', amount: number): number {
  const planner = PLANNERS[kind];
  const type = s.ctx.typeOf[kind];
  if (planner.phase === 'recurring' || type === undefined) return -1;
  s.events.grow(s.events.count + 1);
  planner.plan(s, type);
  const slot = s.events.count - 1;
  s.events.amounts[slot] = kind === 'transfer_in' ? amount : -amount;
  s.events.locked[slot] = 1;
  // to and from one party, the person's own other account: a sweep, not a stream of strangers
  s.events.parties[slot] = s.payees[0] ?? s.events.parties[slot] ?? null;
  return slot;
}
