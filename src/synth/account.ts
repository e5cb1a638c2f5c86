import { HybridbankError } from '../core/errors.js';
import { drawMinor, logUniformMinor } from './amounts.js';
import { isoDay } from './calendar.js';
import { toMinor, windowContext, type AccountTypeModel, type GenerationContext, type PersonaModel } from './context.js';
import { CHANNEL_INDEX, NOT_FRAUD, type EventBuffer } from './events.js';
import { emitIncident, planIncidents } from './fraud.js';
import { PLANNERS, plansOf, RECURRING_ORDER, type AccountState, type Contract, type PendingRefund } from './kinds.js';
import { openingAbove, settleFromOpening, settleToEnd, type Settlement } from './ledger.js';
import type { Party, Pools } from './pools.js';
import { hashParts, Rng, WeightedTable } from './prng.js';
import type { TransactionKind } from './profile.js';
import type { AccountSeed } from './types.js';

/** What was decided about one account; the rows follow from it and the events. */
export interface AccountPlan extends Settlement {
  persona: PersonaModel;
  accountType: AccountTypeModel;
  currency: string;
  country: string;
  timezone: string;
  /** the account's own activity, transactions a day (what `auto` books) */
  dailyRate: number;
  rows: number;
  /** recurring rows the row budget could not hold (a warning for fixed counts) */
  missedRecurring: number;
  monthlyIncomeMinor: number;
  /** day of the month the salary is due; null without a salary */
  payday: number | null;
  /** balance_after of the last row */
  closingMinor: number;
  /** refunds of its last purchases due after its end, in time order (an append books them on their days) */
  pendingRefunds: readonly PendingRefund[];
}

/**
 * Who the account is: persona, home, income, payday, billers, habits. Drawn from a stream of the
 * account alone and never from the window, so a later history of the same account (a reload with
 * another as-of, an append) continues the same person. `pinned` is what an earlier run decided
 * (raw.account_profiles): an append keeps it even when OBP's balance or type has moved since.
 */
export interface Identity {
  persona: PersonaModel;
  accountType: AccountTypeModel;
  currency: string;
  country: string;
  timezone: string;
  pools: Pools;
  income: number;
  spendShare: number;
  incomeFloorShare: number;
  /** the account's own activity, transactions a day */
  dailyRate: number;
  habit: number;
  payees: Party[];
  homeBranch: Party;
  employer: Party;
  payday: number;
  repaymentDay: number;
  contracts: Contract[];
  limit: number;
  openingDraw: number;
  raise: { atDay: number; factor: number } | null;
}

export interface PinnedIdentity {
  persona: string;
  accountType: string;
  /** null: not recorded (profiles before migration 0005), drawn as a full load would */
  payday: number | null;
}

export function identityOf(account: AccountSeed, ctx: GenerationContext, pinned?: PinnedIdentity): Identity {
  const { options, window } = ctx;
  const profile = options.profile;
  const id = Rng.of('account', options.seed, account.bankId, account.accountId);
  const accountType = pinned ? byName(ctx.accountTypes, pinned.accountType, 'account type', account) : accountTypeOf(ctx, account.accountType);
  const end = account.balanceMinor;
  // the draw happens either way, so everything drawn after it stays the same
  const drawn = ctx.personas[pickPersona(ctx, accountType, end, id)]!;
  const persona = pinned ? byName(ctx.personas, pinned.persona, 'persona', account) : drawn;
  const spec = persona.spec;
  // one hash of the account (never the seed) places it: fallback currency, region, time zone
  const home = hashParts('home', account.bankId, account.accountId);
  const currency = currencyOf(account, profile.fallbackCurrencies, home[0]);
  const regionIndex = regionOf(home[2], currency, account.country ?? null, profile.regions);
  const region = profile.regions[regionIndex]!;
  const timezone = region.timezones[home[1] % region.timezones.length]!;
  const pools = ctx.poolsOf(regionIndex);
  const behaviour = profile.behaviour;

  const income = logUniformMinor(id, toMinor(spec.monthlyIncome[0]), toMinor(spec.monthlyIncome[1]), 1, Number.MAX_SAFE_INTEGER);
  // people who end with little in the account live from pay to pay: they save nothing
  const spendShare = end !== null && end < income ? Math.max(1, id.uniform(spec.spendShare[0], spec.spendShare[1])) : id.uniform(spec.spendShare[0], spec.spendShare[1]);
  const incomeFloorShare = id.uniform(0.6, 1);
  // people spend what they earn: activity grows with the person's income (against the persona's middle), plus habit
  const middleIncome = Math.sqrt(spec.monthlyIncome[0] * spec.monthlyIncome[1]) * 100;
  const activity = (income / middleIncome) * Math.exp(behaviour.activitySpread * id.normal() - (behaviour.activitySpread * behaviour.activitySpread) / 2);
  const dailyRate = spec.dailyTransactions * accountType.spec.activity * activity;
  const habit = id.int(1 << 30);
  const payees: Party[] = [];
  // a loop, not Array.from({ length }): that generic path was half of identityOf's own time in a profile
  for (let n = id.between(spec.payees[0], spec.payees[1]); n > 0; n--) payees.push(id.pick(pools.payees));
  const homeBranch = id.pick(pools.branches);
  const employer = id.pick(pools.incomeSources[persona.index]!);
  const drawnPayday = paydayOf(id, window.lastDay, end, accountType.spec.overdraft ? toMinor(spec.overdraftLimit) : 0, income);
  const payday = pinned?.payday ?? drawnPayday;
  const repaymentDay = id.between(1, 28);
  const contracts = drawContracts(ctx, accountType, id, pools.merchants, spec.recurringBills);
  const creditLimit = accountType.spec.creditLimit;
  const limit = creditLimit
    ? Math.round(id.uniform(creditLimit[0], creditLimit[1]) / 100) * 10_000
    : accountType.spec.overdraft ? toMinor(spec.overdraftLimit) : 0;
  const openingDraw = creditLimit ? -Math.round(id.uniform(0, 0.3) * limit) : toMinor(id.uniform(spec.openingBalance[0], spec.openingBalance[1]));
  const raise = id.chance(behaviour.raiseChancePerYear) ? { atDay: id.int(365), factor: 1 + id.uniform(behaviour.raiseSize[0], behaviour.raiseSize[1]) } : null;
  return {
    persona, accountType, currency, country: region.country, timezone, pools, income, spendShare, incomeFloorShare, dailyRate,
    habit, payees, homeBranch, employer, payday, repaymentDay, contracts, limit, openingDraw, raise,
  };
}

/** A persona or account type an earlier run recorded: it must still be in the profile. */
function byName<T extends { spec: { name: string } }>(items: readonly T[], name: string, what: string, account: AccountSeed): T {
  const found = items.find((item) => item.spec.name === name);
  if (found) return found;
  throw new HybridbankError('PROFILE_INVALID', `Account ${account.bankId}/${account.accountId} was generated as ${what} "${name}", which the profile no longer has.`, {
    hint: 'Append with the profile of the load that generated it (--profile), or run a full load (without --append) to regenerate its history.',
  });
}

/** The state the kind planners book into, for one account and one window of events. */
export function accountState(ctx: GenerationContext, identity: Identity, rng: Rng, events: EventBuffer, endMinor: number | null): AccountState {
  return {
    ctx, rng, events, persona: ctx.personas[identity.persona.index]!, accountType: identity.accountType, pools: identity.pools,
    clock: ctx.clockOf(identity.timezone),
    endMinor,
    openingEstimateMinor: endMinor ?? identity.openingDraw,
    habit: identity.habit, payees: identity.payees, homeBranch: identity.homeBranch, employer: identity.employer,
    payday: identity.payday, contracts: identity.contracts, repaymentDay: identity.repaymentDay,
    incomeSlots: [], repaymentSlots: [], purchases: [], pendingRefunds: [], missedRecurring: 0,
  };
}

/**
 * Above this many rows an account's history is booked in slices of consecutive days, one slice at
 * a time: an account's events are held in memory while they are planned, so memory stays flat
 * whatever the rows per account. Not a number that shapes the data of any realistic account.
 */
export const SLICE_ROWS = 500_000;

/** A slice of days of a long history: its context (window), rows, and where its ledger starts and ends. */
export interface Slice {
  ctx: GenerationContext;
  rows: number;
  openingMinor: number;
  /** null: the account has no known end balance, and the slice runs on from its opening */
  endMinor: number | null;
}

/** An account's history: planned in one window (`slices` null, `events` holds it, settled) or in slices booked again by `bookSlice`. */
export interface HistoryPlan {
  plan: AccountPlan;
  identity: Identity;
  slices: readonly Slice[] | null;
}

/**
 * Books one account's events over the window and settles its ledger: who it is comes from
 * `identityOf`, its events from a second stream of (seed, account, window). A history of more
 * than SLICE_ROWS rows is settled slice by slice from its end back (each slice ends where the next
 * one opens), so the rows can then be booked again and written from the first slice on.
 */
export function planHistory(account: AccountSeed, ctx: GenerationContext, events: EventBuffer, incidents: number[]): HistoryPlan {
  const { options, window } = ctx;
  const who = identityOf(account, ctx);
  const rng = eventStream(account, ctx);
  const n = options.transactionsPerAccount === 'auto'
    ? Math.max(1, Math.min(2 ** 24 - 1, Math.round(who.dailyRate * window.days * rng.uniform(0.9, 1.1))))
    : options.transactionsPerAccount;
  const end = account.balanceMinor;
  const slack = slackOf(ctx, who.limit);
  const count = Math.min(window.days, Math.ceil(n / SLICE_ROWS));
  if (count <= 1) {
    const booked = book(ctx, who, rng, n, events, incidents, end);
    const settlement = end === null
      ? settleFromOpening(events.chronoAmounts, n, who.openingDraw, who.limit, slack, who.habit)
      : settleToEnd(events.chronoAmounts, events.chronoLocked, events.chronoBound, n, end, who.limit, slack, who.habit);
    let closingMinor = settlement.openingMinor;
    for (let i = 0; i < n; i++) closingMinor += events.chronoAmounts[i] as number;
    return { plan: planOf(who, n, booked, settlement, closingMinor), identity: who, slices: null };
  }

  // consecutive slices of whole days, the rows split in proportion
  const slices: Slice[] = [];
  for (let k = 0; k < count; k++) {
    const firstDay = window.firstDay + Math.floor((k * window.days) / count);
    const days = window.firstDay + Math.floor(((k + 1) * window.days) / count) - firstDay;
    const rows = Math.floor(((k + 1) * n) / count) - Math.floor((k * n) / count);
    slices.push({ ctx: windowContext(ctx, isoDay(firstDay + days), days), rows, openingMinor: 0, endMinor: null });
  }
  let missedRecurring = 0;
  let monthlyIncome = 0;
  let pendingRefunds: readonly PendingRefund[] = [];
  let limitMinor = who.limit;
  if (end !== null) {
    // from the end back: each slice settles to where the next one opens
    let endOfSlice = end;
    for (let k = count - 1; k >= 0; k--) {
      const slice = slices[k]!;
      const booked = book(slice.ctx, who, eventStream(account, slice.ctx), slice.rows, events, incidents, endOfSlice);
      const settlement = settleToEnd(events.chronoAmounts, events.chronoLocked, events.chronoBound, slice.rows, endOfSlice, who.limit, slack, who.habit);
      slice.openingMinor = settlement.openingMinor;
      slice.endMinor = endOfSlice;
      missedRecurring += booked.missedRecurring;
      if (k === count - 1) ({ monthlyIncome, pendingRefunds } = booked);
      limitMinor = Math.max(limitMinor, settlement.limitMinor);
      endOfSlice = settlement.openingMinor;
    }
    return { plan: planOf(who, n, { missedRecurring, monthlyIncome, pendingRefunds }, { openingMinor: slices[0]!.openingMinor, limitMinor }, end), identity: who, slices };
  }
  // no known end: one opening keeps the lowest point of the whole history above the limit
  let running = 0;
  let lowest = 0;
  for (const [k, slice] of slices.entries()) {
    const booked = book(slice.ctx, who, eventStream(account, slice.ctx), slice.rows, events, incidents, null);
    slice.openingMinor = running;
    for (let i = 0; i < slice.rows; i++) {
      running += events.chronoAmounts[i] as number;
      if (running < lowest) lowest = running;
    }
    missedRecurring += booked.missedRecurring;
    if (k === count - 1) ({ monthlyIncome, pendingRefunds } = booked);
  }
  const settlement = openingAbove(lowest, who.openingDraw, who.limit, slack, n + who.habit);
  for (const slice of slices) slice.openingMinor += settlement.openingMinor;
  return { plan: planOf(who, n, { missedRecurring, monthlyIncome, pendingRefunds }, settlement, settlement.openingMinor + running), identity: who, slices };
}

/** Books a slice of a long history into `events` again, settled as `planHistory` settled it: the same stream gives the same rows. */
export function bookSlice(history: HistoryPlan, slice: Slice, account: AccountSeed, events: EventBuffer, incidents: number[]): void {
  const who = history.identity;
  book(slice.ctx, who, eventStream(account, slice.ctx), slice.rows, events, incidents, slice.endMinor);
  if (slice.endMinor === null) return;
  const settlement = settleToEnd(events.chronoAmounts, events.chronoLocked, events.chronoBound, slice.rows, slice.endMinor, who.limit, slackOf(slice.ctx, who.limit), who.habit);
  if (settlement.openingMinor !== slice.openingMinor) throw new Error(`slice ${slice.ctx.options.asOf} of ${account.bankId}/${account.accountId} settled differently the second time`);
}

/** The stream of an account's events over a window (the whole history, a slice of it) */
function eventStream(account: AccountSeed, ctx: GenerationContext): Rng {
  return Rng.of('events', ctx.options.seed, account.bankId, account.accountId, ctx.options.asOf, String(ctx.window.days));
}

/** Books `n` events of the window into `events`, sorted; amounts as planned, not yet settled. */
function book(
  ctx: GenerationContext, who: Identity, rng: Rng, n: number, events: EventBuffer, incidents: number[], endMinor: number | null,
): Booked {
  const profile = ctx.options.profile;
  events.reset(n);
  const fraudRows = planIncidents(rng, ctx, who.accountType, n, ctx.window.days, incidents);
  const s = accountState(ctx, who, rng, events, endMinor);
  if (profile.style === 'uniform') planUniform(s, n - fraudRows);
  else planRealistic(s, n - fraudRows, who.dailyRate);
  const monthlyIncome = profile.style === 'uniform' ? 0 : setIncome(s, who.spendShare, who.income, who.incomeFloorShare, who.raise);
  for (let i = 0; i < incidents.length; i += 2) emitIncident(ctx, incidents[i]!, incidents[i + 1]!, { rng, payees: who.payees, pools: who.pools, clock: s.clock, persona: s.persona }, events);
  events.sort(ctx.resizeBoundOfType);
  // drawn in the order of the rows that tried them: the order of their days
  return { missedRecurring: s.missedRecurring, monthlyIncome, pendingRefunds: s.pendingRefunds.sort((a, b) => a.atMs - b.atMs) };
}

/** What booking a window decided besides its events. */
interface Booked {
  missedRecurring: number;
  monthlyIncome: number;
  pendingRefunds: readonly PendingRefund[];
}

function planOf(who: Identity, rows: number, booked: Booked, settlement: Settlement, closingMinor: number): AccountPlan {
  // each field by name, not `...settlement`: objects of a spread change hidden class once it is optimized, and the rows read the plan
  return {
    openingMinor: settlement.openingMinor, limitMinor: settlement.limitMinor, persona: who.persona, accountType: who.accountType, currency: who.currency, country: who.country, timezone: who.timezone,
    dailyRate: who.dailyRate, rows, missedRecurring: booked.missedRecurring, monthlyIncomeMinor: booked.monthlyIncome,
    payday: who.persona.spec.salary ? who.payday : null, closingMinor, pendingRefunds: booked.pendingRefunds,
  };
}

/** how far above the limit a repaired low point may land */
export function slackOf(ctx: GenerationContext, limit: number): number {
  return Math.max(5000, Math.round(limit * ctx.options.profile.behaviour.overdraftSlack));
}

/** The original script: types by weight, uniform amounts in their bounds, uniform instants, parties from the pools. */
function planUniform(s: AccountState, rows: number): void {
  const { ctx, rng, events, pools } = s;
  const table = ctx.uniformTypeTable;
  const windowSeconds = ctx.window.days * 86400;
  for (let r = 0; r < rows; r++) {
    const type = table.pick(rng);
    const t = ctx.types[type]!;
    const amount = rng.between(t.minMinor, t.maxMinor);
    const category = t.kind === 'card' || t.kind === 'refund' ? rng.pick(s.persona.purchaseCategories)
      : t.kind === 'direct_debit' || t.kind === 'bill' ? rng.pick(ctx.billers[t.kind]) : -1;
    const merchants = category >= 0 ? pools.merchants[category]! : null;
    const party = merchants ? rng.pick(merchants.present.length > 0 ? merchants.present : merchants.online)
      : t.kind === 'atm' ? rng.pick(pools.atms) : t.kind === 'cash_deposit' ? rng.pick(pools.branches)
      : t.kind === 'salary' ? s.employer : rng.pick(pools.payees);
    events.add(rng.int(windowSeconds), type, CHANNEL_INDEX[t.channel], t.credit ? amount : -amount, party, NOT_FRAUD, false);
  }
}

/** Recurring rows first, for every month of the window; then credits at the persona's rate; the rest is discretionary. */
function planRealistic(s: AccountState, rows: number, dailyRate: number): void {
  const { ctx, rng, accountType, persona } = s;
  const { options, window } = ctx;
  const n = s.events.count + rows;
  const spec = persona.spec;
  let budget = rows;
  for (const { type, plan } of plansOf(ctx, accountType, 'recurring', RECURRING_ORDER)) budget -= plan(s, type, budget);
  const credits = accountType.spec.creditsPerMonth ?? spec.creditsPerMonth;
  for (const { kind, type, plan } of plansOf(ctx, accountType, 'rated', Object.keys(credits) as TransactionKind[])) {
    // the rate is per month of a typical account; a fixed count scales it with the account's rows
    const scale = options.transactionsPerAccount === 'auto' ? 1 : n / Math.max(1, dailyRate * window.days);
    const count = Math.min(Math.floor(budget / 2), Math.floor(credits[kind]! * ctx.months * scale + rng.next()));
    for (let i = 0; i < count; i++) plan(s, type);
    budget -= count;
  }
  const { table } = ctx.activityOf(persona, accountType);
  const refunds: number[] = [];
  for (let r = 0; r < budget; r++) {
    const j = table.pick(rng);
    const type = ctx.discretionaryTypes[j]!;
    const plan = ctx.discretionaryPlans[j];
    // no plan: a refund; refunds follow purchases, so they are booked once every purchase is
    if (plan) plan(s, type);
    else refunds.push(type);
  }
  for (const type of refunds) PLANNERS.refund.plan(s, type, 0);
}

/**
 * Income follows what the person spends (divided by their spend share: the rest is saved), up to
 * the person's own income and never below a person-specific share of the persona's floor, so
 * incomes stay spread out: no pile on the type's minimum. A salary is one amount a month, raised
 * once in a while; a business's takings (cash deposits, transfers in) are scaled together.
 */
function setIncome(s: AccountState, spendShare: number, income: number, floorShare: number, raise: { atDay: number; factor: number } | null): number {
  const { ctx, events } = s;
  let spent = 0;
  let other = 0;
  let current = 0;
  for (let i = 0; i < events.count; i++) {
    const amount = events.amounts[i] as number;
    if (amount < 0) spent -= amount;
    else other += amount;
  }
  // income rows are booked at 0 or at their drawn takings: take those out of the other credits
  for (const slot of s.incomeSlots) current += events.amounts[slot] as number;
  other -= current;
  const months = ctx.months;
  for (const slot of s.repaymentSlots) {
    const t = ctx.types[events.types[slot] as number]!;
    events.amounts[slot] = drawMinor(s.rng, { medianMinor: Math.max(t.minMinor, (spent / months) * 0.9), spread: 0.15 }, 1, t.minMinor, t.maxMinor);
  }
  if (s.incomeSlots.length === 0) return Math.round(other / months);
  const spec = s.persona.spec;
  const floor = toMinor(spec.monthlyIncome[0]) * floorShare;
  const monthly = Math.round(Math.min(income, Math.max(floor, (spent / spendShare - other) / months)));
  if (spec.salary) {
    const t = ctx.types[events.types[s.incomeSlots[0]!] as number]!;
    // below the type's minimum, a person-specific amount just above it (not the minimum itself)
    const salary = Math.min(t.maxMinor, monthly >= t.minMinor ? monthly : t.minMinor + (income % Math.max(1, t.minMinor)));
    const raiseSecond = raise ? ((raise.atDay % ctx.window.days) * 86400) : Infinity;
    const raised = Math.min(t.maxMinor, Math.round(salary * (raise?.factor ?? 1)));
    let raisedOnce = false;
    for (const slot of s.incomeSlots) {
      const after = events.secondOf(slot) >= raiseSecond;
      events.amounts[slot] = after ? raised : salary;
      raisedOnce ||= after;
    }
    // the salary paid now, after a raise: what the profile records and an append goes on paying
    return raisedOnce ? raised : salary;
  }
  // takings: the drawn amounts keep their shape, scaled so the month's total is the income
  const factor = current > 0 ? (monthly * months) / current : 1;
  for (const slot of s.incomeSlots) {
    const t = ctx.types[events.types[slot] as number]!;
    const x = Math.round((events.amounts[slot] as number) * factor);
    events.amounts[slot] = x >= t.minMinor && x <= t.maxMinor ? x : s.rng.between(t.minMinor, t.maxMinor);
  }
  return monthly;
}

function drawContracts(ctx: GenerationContext, accountType: AccountTypeModel, rng: Rng, merchants: Pools['merchants'], range: readonly [number, number]): Contract[] {
  const kinds = (['direct_debit', 'bill'] as const).filter((k) => ctx.typeOf[k] !== undefined && ctx.billers[k].length > 0 && accountType.allows.has(k));
  const out: Contract[] = [];
  const billers = new Set<Party>();
  for (let b = rng.between(range[0], range[1]); b > 0 && kinds.length > 0; b--) {
    const kind = rng.pick(kinds);
    const t = ctx.types[ctx.typeOf[kind]!]!;
    const category = rng.pick(ctx.billers[kind]);
    const pool = merchants[category]!.present.length > 0 ? merchants[category]!.present : merchants[category]!.online;
    if (pool.length === 0) continue;
    const biller = rng.pick(pool);
    // one contract per biller: a second "EE" direct debit would break the series
    if (billers.has(biller)) continue;
    billers.add(biller);
    out.push({ kind, biller, dayOfMonth: rng.between(1, 28), baseMinor: drawMinor(rng, ctx.categories[category]!, 1, t.minMinor, t.maxMinor) });
  }
  return out;
}

/**
 * The salary's day of month. With a known low end balance the as-of day must fall late in the
 * pay cycle (a balance of 50 the day after payday contradicts the salary), so the next payday is
 * put within the share of a month that the balance covers.
 */
function paydayOf(rng: Rng, lastDay: number, end: number | null, limit: number, incomeMonthly: number): number {
  const cover = end === null ? 1 : (end + limit) / incomeMonthly;
  if (cover >= 1) return rng.between(1, 28);
  const ahead = 1 + rng.int(Math.max(1, Math.floor(28 * Math.max(0, cover))));
  const dayOfMonth = new Date((lastDay + ahead) * 86_400_000).getUTCDate();
  return dayOfMonth > 28 ? 1 : dayOfMonth;
}

/** The first account type whose pattern matches OBP's type (the last type is the catch-all). */
export function accountTypeOf(ctx: GenerationContext, obpType: string | null): AccountTypeModel {
  return ctx.accountTypes.find((t) => t.pattern.test(obpType ?? '')) ?? ctx.accountTypes.at(-1)!;
}

/** Personas that hold this type of account, weighted, among those whose balance range holds the real balance (else the nearest). */
function pickPersona(ctx: GenerationContext, accountType: AccountTypeModel, end: number | null, rng: Rng): number {
  // loops over the candidates, not map/filter/min of closures: this runs once per account
  let fitting: number[] = [];
  let best = Infinity;
  for (const i of accountType.personaIndices) {
    const [lo, hi] = ctx.personas[i]!.balanceRangeMinor;
    const distance = end === null ? 0 : end < lo ? lo - end : end > hi ? end - hi : 0;
    if (distance < best) {
      best = distance;
      fitting = [];
    }
    if (distance === best) fitting.push(i);
  }
  const weights = fitting.map((i) => ctx.personas[i]!.spec.weight);
  const table = new WeightedTable(weights.some((w) => w > 0) ? weights : fitting.map(() => 1));
  return fitting[table.pick(rng)]!;
}

/** The account's currency as OBP gave it; otherwise a fallback fixed by the account's hash (not the seed). */
function currencyOf(account: AccountSeed, fallbacks: readonly string[], hash: number): string {
  const given = account.currency?.trim().toUpperCase();
  if (given && /^[A-Z]{3}$/.test(given)) return given;
  return fallbacks[hash % fallbacks.length]!;
}

/**
 * The account's region, weighted and fixed by the account alone. Where OBP says the account is
 * (`country`), that country's regions win, even over the currency (a USD account held in France
 * lives in Paris time); among them, those of the account's currency first. Without a country, or
 * one the profile has no region for: the regions of the account's currency; unknown currencies
 * take the first region.
 */
function regionOf(hash: number, currency: string, country: string | null, regions: readonly { currency: string; country: string; weight: number }[]): number {
  // a loop, not flatMap: flatMap makes an array per region, for every account
  const where = (match: (r: { currency: string; country: string }) => boolean) => {
    const out: number[] = [];
    for (let i = 0; i < regions.length; i++) if (match(regions[i]!)) out.push(i);
    return out;
  };
  const inCountry = country === null ? [] : where((r) => r.country === country);
  const sameCurrency = inCountry.filter((i) => regions[i]!.currency === currency);
  const matching = sameCurrency.length ? sameCurrency : inCountry.length ? inCountry : where((r) => r.currency === currency);
  if (matching.length === 0) return 0;
  const total = matching.reduce((sum, i) => sum + regions[i]!.weight, 0);
  let x = (hash / 2 ** 32) * total;
  for (const i of matching) {
    x -= regions[i]!.weight;
    if (x < 0) return i;
  }
  return matching.at(-1)!;
}
