import { drawMinor, jitterMinor } from './amounts.js';
import { dayOfMonthBit, monthlyBusinessDays } from './calendar.js';
import { secondOfLocal, type LocalClock } from './clock.js';
import type { AccountTypeModel, GenerationContext, PersonaModel } from './context.js';
import { CHANNEL_INDEX, NOT_FRAUD, type EventBuffer } from './events.js';
import type { Party, Pools } from './pools.js';
import type { Rng } from './prng.js';
import type { TransactionKind } from './profile.js';
import type { Rhythm } from './rhythm.js';

/**
 * One small planner per transaction kind. A planner books rows of its kind into the account's
 * events; the record below is exhaustive, so a new kind without a planner does not compile.
 * Recurring kinds book their whole monthly schedule (or nothing when the row budget cannot hold
 * it), rated credits a given count, discretionary kinds one row per call.
 */
export interface AccountState {
  ctx: GenerationContext;
  rng: Rng;
  events: EventBuffer;
  persona: PersonaModel;
  accountType: AccountTypeModel;
  pools: Pools;
  clock: LocalClock;
  /** the account's end balance when OBP gave one */
  endMinor: number | null;
  openingEstimateMinor: number;
  habit: number;
  payees: readonly Party[];
  homeBranch: Party;
  employer: Party;
  payday: number;
  contracts: readonly Contract[];
  repaymentDay: number;
  /** slots whose amounts are set once the spending is known (salary, repayment, business takings) */
  incomeSlots: number[];
  repaymentSlots: number[];
  /** card purchases that a refund may follow, as slots */
  purchases: number[];
  /** refunds of purchases of the window that fall due after it (an append books them on their days) */
  pendingRefunds: PendingRefund[];
  /** recurring rows the budget could not hold */
  missedRecurring: number;
}

/** A refund due after the window it was drawn in: when, how much, on the purchase's channel and at its merchant. */
export interface PendingRefund {
  atMs: number;
  amountMinor: number;
  channel: number;
  party: Party | null;
}

/** A monthly bill or direct debit: one biller, one due day, one base amount. */
export interface Contract {
  kind: 'direct_debit' | 'bill';
  biller: Party;
  dayOfMonth: number;
  baseMinor: number;
}

export type Planner =
  | { phase: 'recurring'; plan: (s: AccountState, type: number, budget: number) => number }
  | { phase: 'rated'; plan: (s: AccountState, type: number) => void }
  | { phase: 'discretionary'; plan: (s: AccountState, type: number) => void };

export const PLANNERS: Readonly<Record<TransactionKind, Planner>> = {
  salary: { phase: 'recurring', plan: planSalary },
  interest: { phase: 'recurring', plan: planInterest },
  direct_debit: { phase: 'recurring', plan: (s, type, budget) => planContracts(s, type, budget, 'direct_debit') },
  bill: { phase: 'recurring', plan: (s, type, budget) => planContracts(s, type, budget, 'bill') },
  repayment: { phase: 'recurring', plan: planRepayment },
  cash_deposit: { phase: 'rated', plan: planCashDeposit },
  transfer_in: { phase: 'rated', plan: planTransferIn },
  card: { phase: 'discretionary', plan: planCard },
  atm: { phase: 'discretionary', plan: planAtm },
  transfer: { phase: 'discretionary', plan: planTransfer },
  refund: { phase: 'discretionary', plan: planRefund },
};

/** the order recurring kinds are booked in when rows are short: income before bills */
export const RECURRING_ORDER: readonly TransactionKind[] = ['salary', 'repayment', 'interest', 'direct_debit', 'bill'];

/** The plan function of a planner of `phase`. */
export type PlanOf<P extends Planner['phase']> = Extract<Planner, { phase: P }>['plan'];

/** A kind an account books, with the profile's type of it and its planner. */
export interface KindPlan<P extends Planner['phase']> {
  kind: TransactionKind;
  type: number;
  plan: PlanOf<P>;
}

/** The kinds of `phase` among `kinds` that an account of `accountType` books: the profile has a type of them and the account type allows them. */
export function plansOf<P extends Planner['phase']>(ctx: GenerationContext, accountType: AccountTypeModel, phase: P, kinds: Iterable<TransactionKind>): KindPlan<P>[] {
  const plans: KindPlan<P>[] = [];
  for (const kind of kinds) {
    const type = ctx.typeOf[kind];
    const planner = PLANNERS[kind];
    if (type !== undefined && accountType.allows.has(kind) && planner.phase === phase) plans.push({ kind, type, plan: planner.plan as PlanOf<P> });
  }
  return plans;
}

/**
 * The planner of each of the run's discretionary types (in GenerationContext.discretionaryTypes'
 * order); null for refunds, which follow the purchases they refund (booked after them).
 */
export function discretionaryPlans(ctx: Pick<GenerationContext, 'types' | 'discretionaryTypes'>): (PlanOf<'discretionary'> | null)[] {
  return ctx.discretionaryTypes.map((type) => {
    const kind = ctx.types[type]!.kind;
    const planner = PLANNERS[kind];
    if (planner.phase !== 'discretionary') throw new Error(`kind ${kind} is not discretionary`);
    return kind === 'refund' ? null : planner.plan;
  });
}

/** a second in the window at a local day and an hour drawn from the persona's curve for `rhythm` */
function at(s: AccountState, rhythm: Rhythm): number {
  const day = s.persona.rhythm.days[rhythm].pick(s.rng);
  return secondOfLocal(s.clock, s.ctx.window, day, s.persona.rhythm.hours[rhythm].pick(s.rng), s.rng.int(3600), false);
}

/** a second on an epoch day (local calendar) within the hours [from, to] */
function onDay(s: AccountState, epochDay: number, hours: readonly [number, number]): number {
  const { window } = s.ctx;
  return secondOfLocal(s.clock, window, epochDay - window.firstDay, s.rng.between(hours[0], hours[1]), s.rng.int(3600), true);
}

/** interest is credited on the 28th (every month has one) */
const INTEREST_DAY = 28;

/**
 * The days of the month the recurring planners book on for an account, as calendar.ts'
 * monthlyDueMask bits: a window on none of whose days one falls due gets no recurring row, and
 * the planners draw nothing for it, so an append's day may skip them.
 */
export function recurringDayMask(s: Pick<AccountState, 'payday' | 'repaymentDay' | 'contracts'>): number {
  let mask = dayOfMonthBit(s.payday) | dayOfMonthBit(s.repaymentDay) | dayOfMonthBit(INTEREST_DAY);
  for (const contract of s.contracts) mask |= dayOfMonthBit(contract.dayOfMonth);
  return mask;
}

function schedule(s: AccountState, dayOfMonth: number, budget: number): readonly number[] | null {
  const days = monthlyBusinessDays(s.ctx.window, dayOfMonth);
  if (days.length > budget) {
    s.missedRecurring += days.length;
    return null;
  }
  return days;
}

function planSalary(s: AccountState, type: number, budget: number): number {
  if (!s.persona.spec.salary) return 0;
  const days = schedule(s, s.payday, budget);
  if (!days) return 0;
  const channel = CHANNEL_INDEX[s.ctx.types[type]!.channel];
  // payroll posts overnight; the amount is set once the spending is known
  for (const day of days) s.incomeSlots.push(s.events.add(onDay(s, day, s.ctx.options.profile.behaviour.salaryHours), type, channel, 0, s.employer, NOT_FRAUD, true));
  return days.length;
}

function planInterest(s: AccountState, type: number, budget: number): number {
  const rate = s.accountType.spec.interestRate;
  if (rate <= 0) return 0;
  const days = schedule(s, INTEREST_DAY, budget);
  if (!days) return 0;
  const t = s.ctx.types[type]!;
  // no interest on an empty account, and none that would round to less than the type's minimum
  const amount = Math.min(t.maxMinor, Math.round((s.openingEstimateMinor * rate) / 12));
  if (amount < t.minMinor) return 0;
  // the balance moves a little month to month, and so does its interest
  for (const day of days) s.events.add(onDay(s, day, [2, 4]), type, CHANNEL_INDEX[t.channel], jitterMinor(s.rng, amount, 0.05, t.minMinor, t.maxMinor), null, NOT_FRAUD, true);
  return days.length;
}

function planContracts(s: AccountState, type: number, budget: number, kind: Contract['kind']): number {
  const t = s.ctx.types[type]!;
  const { billJitter, directDebitHours } = s.ctx.options.profile.behaviour;
  let booked = 0;
  for (const contract of s.contracts) {
    if (contract.kind !== kind) continue;
    const days = schedule(s, contract.dayOfMonth, budget - booked);
    if (!days) continue;
    booked += days.length;
    for (const day of days) {
      // direct debits are collected overnight for the same amount; bills are paid online and vary
      const second = kind === 'direct_debit' ? onDay(s, day, directDebitHours) : secondOfLocal(
        s.clock, s.ctx.window, day - s.ctx.window.firstDay, s.persona.rhythm.hours.online.pick(s.rng), s.rng.int(3600), true,
      );
      const amount = kind === 'direct_debit' ? contract.baseMinor : jitterMinor(s.rng, contract.baseMinor, billJitter, t.minMinor, t.maxMinor);
      s.events.add(second, type, CHANNEL_INDEX[t.channel], -amount, contract.biller, NOT_FRAUD, true);
    }
  }
  return booked;
}

function planRepayment(s: AccountState, type: number, budget: number): number {
  const days = schedule(s, s.repaymentDay, budget);
  if (!days) return 0;
  const channel = CHANNEL_INDEX[s.ctx.types[type]!.channel];
  for (const day of days) s.repaymentSlots.push(s.events.add(onDay(s, day, [6, 20]), type, channel, 0, null, NOT_FRAUD, false));
  return days.length;
}

function planCashDeposit(s: AccountState, type: number): void {
  const t = s.ctx.types[type]!;
  const branch = s.rng.chance(s.ctx.options.profile.behaviour.habit) ? s.homeBranch : s.rng.pick(s.pools.branches);
  const slot = s.events.add(at(s, 'branch'), type, CHANNEL_INDEX[t.channel], drawMinor(s.rng, s.ctx.cashDepositAmount, 1, t.minMinor, t.maxMinor), branch, NOT_FRAUD, false);
  if (!s.persona.spec.salary) s.incomeSlots.push(slot);
}

function planTransferIn(s: AccountState, type: number): void {
  const t = s.ctx.types[type]!;
  // businesses are paid by other businesses; people by friends and family
  const from = s.persona.spec.salary ? s.rng.pick(s.payees) : s.rng.pick(s.pools.employers);
  const slot = s.events.add(at(s, 'online'), type, CHANNEL_INDEX[t.channel], drawMinor(s.rng, s.ctx.transferInAmount, 1, t.minMinor, t.maxMinor), from, NOT_FRAUD, false);
  if (!s.persona.spec.salary) s.incomeSlots.push(slot);
}

function planCard(s: AccountState, type: number): void {
  const { ctx, rng, persona } = s;
  const category = persona.purchaseCategories[persona.categoryTable.pick(rng)]!;
  const merchants = s.pools.merchants[category]!;
  // online-only brands are never card-present, shops never ONLINE
  const online = merchants.present.length === 0 || (merchants.online.length > 0 && rng.chance(ctx.categories[category]!.onlineShare));
  const pool = online ? merchants.online : merchants.present;
  const party = rng.chance(ctx.options.profile.behaviour.habit) ? pool[(s.habit + category * 31 + rng.int(3)) % pool.length]! : rng.pick(pool);
  const bookAs = online ? (ctx.onlineCardType ?? type) : type;
  const t = ctx.types[bookAs]!;
  const amount = drawMinor(rng, ctx.categories[category]!, 1, t.minMinor, t.maxMinor);
  // people shop in trips: a purchase often follows the previous one within the hour
  const { shoppingTripChance, shoppingTripMinutes } = ctx.options.profile.behaviour;
  const last = s.purchases.length > 0 ? s.events.secondOf(s.purchases[s.purchases.length - 1]!) : -1;
  const tripSecond = last + rng.between(shoppingTripMinutes[0] * 60, shoppingTripMinutes[1] * 60);
  const second = last >= 0 && tripSecond < ctx.window.days * 86400 && rng.chance(shoppingTripChance) ? tripSecond : at(s, online ? 'online' : 'shop');
  const slot = s.events.add(second, bookAs, online ? CHANNEL_INDEX.ONLINE : CHANNEL_INDEX[t.channel], -amount, party, NOT_FRAUD, false);
  s.purchases.push(slot);
}

function planAtm(s: AccountState, type: number): void {
  const t = s.ctx.types[type]!;
  const { atms } = s.pools;
  const atm = s.rng.chance(s.ctx.options.profile.behaviour.habit) ? atms[(s.habit + s.rng.int(3)) % atms.length]! : s.rng.pick(atms);
  // ATMs pay out notes, so the ledger may not resize their amounts
  s.events.add(at(s, 'atm'), type, CHANNEL_INDEX[t.channel], -s.ctx.atmNotes.draw(s.rng, t.minMinor, t.maxMinor), atm, NOT_FRAUD, true);
}

function planTransfer(s: AccountState, type: number): void {
  const t = s.ctx.types[type]!;
  // mostly the account's own payees; now and then someone new (a deposit, a one-off payment)
  const payee = s.rng.chance(s.ctx.options.profile.behaviour.newPayeeChance) ? s.rng.pick(s.pools.payees) : s.rng.pick(s.payees);
  s.events.add(at(s, 'online'), type, CHANNEL_INDEX[t.channel], -drawMinor(s.rng, s.ctx.transferAmount, 1, t.minMinor, t.maxMinor), payee, NOT_FRAUD, false);
}

/**
 * A refund gives back (part of) an earlier purchase at the same merchant, on the same channel,
 * days later; each purchase is refunded at most once. Without a purchase to follow it is a purchase.
 */
function planRefund(s: AccountState, type: number): void {
  const { ctx, rng, events } = s;
  const t = ctx.types[type]!;
  const { refundShare, fullRefundChance, refundDelayDays } = ctx.options.profile.behaviour;
  const last = ctx.window.days * 86400 - 1;
  for (let tries = 0; tries < 8 && s.purchases.length > 0; tries++) {
    const k = rng.int(s.purchases.length);
    const purchase = s.purchases[k]!;
    const bought = events.secondOf(purchase);
    const paid = -(events.amounts[purchase] as number);
    if (paid < t.minMinor) continue;
    const second = bought + rng.between(refundDelayDays[0], refundDelayDays[1]) * 86400 + rng.int(36_000);
    const share = rng.chance(fullRefundChance) ? 1 : rng.uniform(refundShare[0], refundShare[1]);
    let amount = Math.min(paid, t.maxMinor, Math.round(paid * share));
    if (amount < t.minMinor) amount = Math.min(paid, t.maxMinor);
    // refunded once, now or after the window
    s.purchases[k] = s.purchases[s.purchases.length - 1]!;
    s.purchases.pop();
    // a refund due after the window is not in it (not moved to its last second): another purchase's
    // is, and an append books this one on its day (the first pick's only: the tries after it stand
    // in for a refund in the window, and theirs would add refunds the history would not have had)
    if (second > last) {
      if (tries === 0) s.pendingRefunds.push({ atMs: ctx.window.startMs + second * 1000, amountMinor: amount, channel: events.channels[purchase] as number, party: events.parties[purchase] ?? null });
      continue;
    }
    events.add(second, type, events.channels[purchase] as number, amount, events.parties[purchase] ?? null, NOT_FRAUD, true);
    return;
  }
  const card = ctx.typeOf.card;
  if (card !== undefined && s.accountType.allows.has('card')) planCard(s, card);
  else planTransfer(s, ctx.typeOf.transfer ?? type);
}
