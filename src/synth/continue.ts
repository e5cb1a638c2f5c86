import { identityOf, RECURRING_ORDER, accountState, type Identity } from './account.js';
import { drawMinor } from './amounts.js';
import { DAY_MS, historyWindow } from './calendar.js';
import { DAYS_PER_MONTH, dayContext, generationContext, type GenerateOptions, type GenerationContext } from './context.js';
import { EventBuffer } from './events.js';
import { emitIncident, planIncidents } from './fraud.js';
import { compare, eventRows, type AccountProfile } from './generator.js';
import { PLANNERS, type AccountState } from './kinds.js';
import { Rng } from './prng.js';
import type { TransactionKind } from './profile.js';
import { weekdayFactor, type Rhythm } from './rhythm.js';
import type { AccountSeed, SyntheticTransaction } from './types.js';

/**
 * `load --append`: an account's history continued day by day. The rows of an account on a day come
 * from a stream of (seed, account, day) alone, planned by the same kind planners as a full history
 * over a one-day window: who the account is (persona, payday, billers, payees, habits) is the
 * identity its first history was drawn with (pinned by raw.account_profiles), so salaries, bills
 * and merchants continue; fraud incidents are drawn per 30-day block of (seed, account), so a
 * victim's incident lands on one day whichever run books it.
 *
 * The ledger runs on from the last balance_after and must end on OBP's balance of this extraction.
 * Over k new days the balance is taken from where it was to where OBP says it is in k equal steps,
 * one per day: a day's rows depend only on (seed, account, day, its plan, the balance it starts
 * from, the balance it must reach), so appending two days at once gives the same rows as
 * appending each day on its own when OBP's balance at the day in between is the step (always when
 * it did not move). Each day's drawn amounts reach their step by resizing the day's flexible rows
 * (card, transfers, ATM excluded) within their type's bounds and 3x their drawn size; what that
 * cannot absorb (a quiet day and a large move) becomes extra transfers in or out at usual hours,
 * each within the type's bounds, counted in `balancingRows` (the loader logs them).
 */
export interface ContinuedAccount {
  /** the account as OBP has it now: its balance is where the new days end */
  seed: AccountSeed;
  /** what earlier runs decided for it and where its history stands (raw.account_profiles) */
  profile: AccountProfile;
  /** epoch day its history runs to: its rows end when this day (UTC) begins */
  historyEndDay: number;
}

/** What an append did to one account: its profile after the new days (rows: the whole history's). */
export interface Continuation {
  profile: AccountProfile;
  newRows: number;
  /** transfers added because resizing the day's rows could not reach OBP's balance */
  balancingRows: number;
}

/** How far a flexible amount may grow or shrink to reach the day's balance (as the full ledger: 3x). */
const MAX_GROWTH = 3;

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
  const base = generationContext(options);
  const asOfDay = epochDayOf(options.asOf);
  const days = new Map<number, GenerationContext>();
  const dayCtx = (day: number) => {
    let ctx = days.get(day);
    if (!ctx) days.set(day, (ctx = dayContext(base, day)));
    return ctx;
  };
  const events = new EventBuffer();
  const incidents: number[] = [];
  const ordered = [...accounts].sort((a, b) => compare(a.seed.bankId, b.seed.bankId) || compare(a.seed.accountId, b.seed.accountId));
  for (const account of ordered) {
    const { seed, profile } = account;
    const who = identityOf(seed, base, { persona: profile.persona, accountType: profile.accountType, payday: profile.payday });
    const idPrefix = `synth_${seed.bankId}_${seed.accountId}_`;
    const k = Math.max(0, asOfDay - account.historyEndDay);
    const from = profile.closingMinor;
    let balance = from;
    let newRows = 0;
    let balancingRows = 0;
    for (let i = 0; i < k; i++) {
      const day = account.historyEndDay + i;
      const ctx = dayCtx(day);
      const to = seed.balanceMinor === null ? null : from + Math.round(((seed.balanceMinor - from) * (i + 1)) / k);
      const planned = planDay(ctx, seed, who, profile, day, events, incidents, balance, to);
      const date = isoDay(day);
      yield* eventRows(ctx, events, planned.rows, seed, profile, balance, (j) => `${idPrefix}${date}_${String(j + 1).padStart(4, '0')}`);
      for (let j = 0; j < planned.rows; j++) balance += events.chronoAmounts[j] as number;
      newRows += planned.rows;
      balancingRows += planned.balancing;
    }
    onAccount?.({ profile: { ...profile, rows: profile.rows + newRows, closingMinor: balance, missedRecurring: 0 }, newRows, balancingRows });
  }
}

/**
 * Books one account's events of one day into `events` (sorted) and returns how many: recurring
 * rows due that day, rated credits and discretionary rows at the account's rate (busier on the
 * days its rhythm is busier), the fraud incidents that start that day; then the day reaches `to`.
 */
function planDay(
  ctx: GenerationContext, seed: AccountSeed, who: Identity, profile: AccountProfile, day: number,
  events: EventBuffer, incidents: number[], from: number, to: number | null,
): { rows: number; balancing: number } {
  const { options, typeOf, types } = ctx;
  const spec = who.persona.spec;
  const rng = Rng.of('day', options.seed, seed.bankId, seed.accountId, isoDay(day));
  const incidentsToday = incidentsOn(ctx, seed, who, day, incidents);
  const credits = who.accountType.spec.creditsPerMonth ?? spec.creditsPerMonth;
  const has = (kind: TransactionKind) => typeOf[kind] !== undefined && who.accountType.allows.has(kind);
  const rated = (Object.entries(credits) as [TransactionKind, number][]).filter(([kind]) => has(kind));
  // what the recurring and rated rows book a month: the account's rate holds them too, as in a full history
  const fixedPerMonth = (has('salary') && spec.salary ? 1 : 0) + (has('repayment') ? 1 : 0) + (has('interest') && who.accountType.spec.interestRate > 0 ? 1 : 0)
    + who.contracts.length + rated.reduce((sum, [, perMonth]) => sum + perMonth, 0);
  const discretionary = Math.min(9_999, rng.poisson(Math.max(0, who.dailyRate - fixedPerMonth / DAYS_PER_MONTH) * weekdayFactor('shop', day)));
  const fraudRows = incidentsToday.reduce((sum, [, rows]) => sum + rows, 0);
  events.reset(64 + who.contracts.length + discretionary + fraudRows);

  const s = accountState(ctx, who, rng, events, from);
  for (const kind of RECURRING_ORDER) {
    const type = typeOf[kind];
    const planner = PLANNERS[kind];
    if (type !== undefined && who.accountType.allows.has(kind) && planner.phase === 'recurring') planner.plan(s, type, Number.MAX_SAFE_INTEGER);
  }
  for (const [kind, perMonth] of rated) {
    const planner = PLANNERS[kind];
    if (planner.phase !== 'rated') continue;
    const count = Math.floor(perMonth * ctx.months * weekdayFactor(RATED_RHYTHM[kind] ?? 'online', day) + rng.next());
    for (let i = 0; i < count; i++) planner.plan(s, typeOf[kind]!);
  }
  const { table, meanDebitMinor } = ctx.activityOf(s.persona, who.accountType);
  for (let r = 0; r < discretionary; r++) {
    const type = ctx.discretionaryTypes[table.pick(rng)]!;
    const planner = PLANNERS[types[type]!.kind];
    if (planner.phase !== 'discretionary') throw new Error(`kind ${types[type]!.kind} is not discretionary`);
    planner.plan(s, type);
  }
  setIncome(s, profile.monthlyIncomeMinor, meanDebitMinor * who.dailyRate * DAYS_PER_MONTH);
  for (const [slot, rows] of incidentsToday) emitIncident(ctx, slot, rows, { rng, payees: who.payees, pools: who.pools, clock: s.clock, persona: s.persona }, events);
  const balancing = to === null ? 0 : reach(s, to - from);
  events.sort(ctx.resizeBoundOfType);
  return { rows: events.count, balancing };
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
 * The incidents of the account's 30-day block that start on `day`, as [pattern slot, rows]: the
 * block's draw (victim or not, how many, which days) is the same whichever run books which day.
 */
function incidentsOn(ctx: GenerationContext, seed: AccountSeed, who: Identity, day: number, scratch: number[]): [number, number][] {
  const BLOCK = 30;
  const block = Math.floor(day / BLOCK);
  const rng = Rng.of('fraud', ctx.options.seed, seed.bankId, seed.accountId, String(block));
  planIncidents(rng, ctx, who.accountType, Math.max(1, Math.round(who.dailyRate * BLOCK)), BLOCK, scratch);
  const out: [number, number][] = [];
  for (let i = 0; i < scratch.length; i += 2) {
    if (block * BLOCK + rng.int(BLOCK) === day) out.push([scratch[i]!, scratch[i + 1]!]);
  }
  return out;
}

/**
 * Moves the day's flexible amounts by `gap` in all (each within its type's bounds and 3x its drawn
 * size, in proportion to its room); what they cannot absorb becomes transfers out (or in) at the
 * account's usual hours, each within the type's bounds. Returns how many transfers were added.
 */
function reach(s: AccountState, target: number): number {
  const { ctx, events } = s;
  let gap = target;
  for (let i = 0; i < events.count; i++) gap -= events.amounts[i] as number;
  if (gap === 0) return 0;
  const up = gap > 0;
  const rooms = new Float64Array(events.count);
  let total = 0;
  for (let i = 0; i < events.count; i++) {
    if (events.locked[i]) continue;
    const t = ctx.types[events.types[i] as number]!;
    const a = events.amounts[i] as number;
    const size = Math.abs(a);
    // moving the balance up: smaller debits, larger credits; down: the other way round
    const grows = (a > 0) === up;
    const room = grows ? Math.min(t.maxMinor - size, size * (MAX_GROWTH - 1)) : size - Math.max(t.minMinor, Math.ceil(size / MAX_GROWTH));
    rooms[i] = Math.max(0, room);
    total += rooms[i] as number;
  }
  const need = Math.abs(gap);
  const take = Math.min(need, total);
  let left = take;
  for (let i = 0; i < events.count && total > 0; i++) {
    const share = Math.min(left, Math.floor(((rooms[i] as number) * take) / total));
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
  const rest = need - take;
  if (rest === 0) return 0;
  const kind = up ? 'transfer_in' : 'transfer';
  const type = ctx.typeOf[kind];
  if (type === undefined) throw new Error(`the profile has no ${kind} type to reach OBP's balance with`);
  const planner = PLANNERS[kind];
  if (planner.phase === 'recurring') throw new Error(`kind ${kind} is recurring`);
  const t = ctx.types[type]!;
  const count = Math.ceil(rest / t.maxMinor);
  events.grow(events.count + count);
  for (let i = 0; i < count; i++) {
    const amount = Math.floor(rest / count) + (i < rest % count ? 1 : 0);
    planner.plan(s, type);
    events.amounts[events.count - 1] = up ? amount : -amount;
    events.locked[events.count - 1] = 1;
  }
  return count;
}

function isoDay(epochDay: number): string {
  return new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
}
