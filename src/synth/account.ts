import { atmMinor, clampMinor, creditDistribution, drawMinor, jitterMinor, TRANSFER_AMOUNT } from './amounts.js';
import { DAY_MS, monthlyBusinessDays, type HistoryWindow } from './calendar.js';
import type { GenerationContext, PersonaModel } from './context.js';
import { CHANNEL_INDEX, NOT_FRAUD, type EventBuffer } from './events.js';
import { emitIncident, planIncidents } from './fraud.js';
import { settleFromOpening, settleToEnd, type Settlement } from './ledger.js';
import type { Party } from './pools.js';
import { hashParts, Rng } from './prng.js';
import type { Rhythm } from './rhythm.js';
import type { AccountSeed } from './types.js';

/** What was decided about one account; the rows follow from it and the events. */
export interface AccountPlan extends Settlement {
  persona: PersonaModel;
  currency: string;
}

/** share of purchases made at the account's usual places: people are creatures of habit */
const HABIT = 0.75;
/** months in the window, as the average Gregorian month */
const DAYS_PER_MONTH = 30.436875;

/**
 * Books one account's exactly `transactionsPerAccount` events into `events` (unsorted, then
 * sorted) and settles its ledger. All randomness comes from the account's own stream.
 */
export function planAccount(account: AccountSeed, ctx: GenerationContext, events: EventBuffer, incidents: number[]): AccountPlan {
  const { options, window, types, typeOf, pools } = ctx;
  const rng = Rng.of('account', options.seed, account.bankId, account.accountId);
  const persona = ctx.personas[ctx.personaTable.pick(rng)]!;
  const spec = persona.spec;
  const n = options.transactionsPerAccount;
  events.reset(n);

  const fraudRows = planIncidents(rng, ctx.fraud, options.fraudRate, n, incidents);
  const months = window.days / DAYS_PER_MONTH;
  const incomeMonthly = Math.round(rng.uniform(spec.monthlyIncome[0], spec.monthlyIncome[1]) * 100);
  const limit = Math.round(spec.overdraftLimit * 100);
  const end = account.balanceMinor;
  const habit = rng.int(1 << 30);
  const payees = Array.from({ length: rng.between(spec.payees[0], spec.payees[1]) }, () => rng.pick(pools.payees));
  const homeBranch = rng.pick(pools.branches);
  // recurring rows never take more than half of the account's rows, so random activity remains
  let recurringBudget = Math.floor((n - fraudRows) / 2);

  const salaryType = typeOf.salary;
  if (spec.salary && salaryType !== undefined) {
    const days = monthlyBusinessDays(window, payday(rng, window, end, limit, incomeMonthly));
    if (days.length <= recurringBudget) {
      const employer = rng.pick(pools.incomeSources[persona.index]!);
      const channel = CHANNEL_INDEX[types[salaryType]!.channel];
      // payroll posts overnight; the amount is set once spending is known
      for (const day of days) events.add(secondOf(window, day, rng.between(1, 5), rng), salaryType, channel, 0, employer, NOT_FRAUD, true);
      recurringBudget -= days.length;
    }
  }

  let billsMonthly = 0;
  const billers = new Set<Party>();
  const billKinds = (['direct_debit', 'bill'] as const).filter((k) => typeOf[k] !== undefined && ctx.billers[k].length > 0);
  for (let b = rng.between(spec.recurringBills[0], spec.recurringBills[1]); b > 0 && billKinds.length > 0; b--) {
    const kind = rng.pick(billKinds);
    const typeIndex = typeOf[kind]!;
    const type = types[typeIndex]!;
    const category = rng.pick(ctx.billers[kind]);
    const biller = rng.pick(pools.merchants[category]!);
    // one contract per biller: a second "EE" direct debit would break the series
    if (billers.has(biller)) continue;
    billers.add(biller);
    const days = monthlyBusinessDays(window, rng.between(1, 28));
    if (days.length > recurringBudget) break;
    recurringBudget -= days.length;
    const base = drawMinor(rng, ctx.categories[category]!, 1, type.minMinor, type.maxMinor);
    billsMonthly += base;
    for (const day of days) {
      // direct debits are collected overnight for the same amount; bills are paid online and vary
      const second =
        kind === 'direct_debit' ? secondOf(window, day, rng.between(0, 5), rng) : secondOf(window, day, persona.rhythm.hours.online.pick(rng), rng);
      const amount = kind === 'direct_debit' ? base : jitterMinor(rng, base, 0.12, type.minMinor, type.maxMinor);
      events.add(second, typeIndex, CHANNEL_INDEX[type.channel], -amount, biller, NOT_FRAUD, true);
    }
  }

  // random activity, its amounts scaled so that spending matches the persona's income
  const randomRows = n - fraudRows - events.count;
  const expectedSpend = (randomRows / months) * persona.expectedDebitMinor;
  const scale = expectedSpend > 0 ? Math.min(2.5, Math.max(0.4, (incomeMonthly - billsMonthly) / expectedSpend)) : 1;
  for (let r = 0; r < randomRows; r++) {
    const typeIndex = persona.randomTypes[persona.typeTable.pick(rng)]!;
    const type = types[typeIndex]!;
    let rhythm: Rhythm = 'shop';
    let channel = CHANNEL_INDEX[type.channel];
    let party: Party;
    let amount: number;
    switch (type.kind) {
      case 'card':
      case 'refund': {
        const category = persona.purchaseCategories[persona.categoryTable.pick(rng)]!;
        const merchants = pools.merchants[category]!;
        party = rng.chance(HABIT) ? merchants[(habit + category * 31 + rng.int(3)) % merchants.length]! : rng.pick(merchants);
        if (rng.chance(ctx.categories[category]!.onlineShare)) {
          channel = CHANNEL_INDEX.ONLINE;
          rhythm = 'online';
        }
        amount =
          type.kind === 'card'
            ? -drawMinor(rng, ctx.categories[category]!, scale, type.minMinor, type.maxMinor)
            : drawMinor(rng, creditDistribution(type.minMinor), 1, type.minMinor, type.maxMinor);
        break;
      }
      case 'atm':
        rhythm = 'atm';
        party = rng.chance(HABIT) ? pools.atms[(habit + rng.int(3)) % pools.atms.length]! : rng.pick(pools.atms);
        amount = -atmMinor(rng, scale, type.minMinor, type.maxMinor);
        break;
      case 'transfer':
        rhythm = 'online';
        party = rng.pick(payees);
        amount = -drawMinor(rng, TRANSFER_AMOUNT, scale, type.minMinor, type.maxMinor);
        break;
      default: // cash_deposit; recurring kinds are never drawn at random
        rhythm = 'branch';
        party = rng.chance(HABIT) ? homeBranch : rng.pick(pools.branches);
        amount = drawMinor(rng, creditDistribution(type.minMinor), 1, type.minMinor, type.maxMinor);
    }
    const day = window.firstDay + persona.rhythm.days[rhythm].pick(rng);
    // ATMs pay out notes, so the ledger may not resize their amounts
    events.add(secondOf(window, day, persona.rhythm.hours[rhythm].pick(rng), rng), typeIndex, channel, amount, party, NOT_FRAUD, type.kind === 'atm');
  }

  calibrateIncome(ctx, events, spec.salary ? salaryType : typeOf.cash_deposit, Math.min(incomeMonthly * months, spentOf(events) * rng.uniform(0.9, 1)), months);

  for (let i = 0; i < incidents.length; i += 2) emitIncident(ctx, incidents[i]!, incidents[i + 1]!, { rng, payees }, events);

  events.sort(ctx.resizeBoundOfType);
  const settlement =
    end === null
      ? settleFromOpening(events.chronoAmounts, n, Math.round(rng.uniform(spec.openingBalance[0], spec.openingBalance[1]) * 100), limit)
      : settleToEnd(events.chronoAmounts, events.chronoLocked, events.chronoBound, n, end, limit);
  return { ...settlement, persona, currency: currencyOf(account, options.profile.fallbackCurrencies) };
}

/** The account's currency as OBP gave it; otherwise a fallback fixed by the account alone (not the seed). */
export function currencyOf(account: AccountSeed, fallbacks: readonly string[]): string {
  const given = account.currency?.trim().toUpperCase();
  if (given && /^[A-Z]{3}$/.test(given)) return given;
  return fallbacks[hashParts('currency', account.bankId, account.accountId)[0] % fallbacks.length]!;
}

function secondOf(window: HistoryWindow, epochDay: number, hour: number, rng: Rng): number {
  return ((epochDay * DAY_MS - window.startMs) / 1000) + hour * 3600 + rng.int(3600);
}

function spentOf(events: EventBuffer): number {
  let spent = 0;
  for (let i = 0; i < events.count; i++) if ((events.amounts[i] as number) < 0) spent -= events.amounts[i] as number;
  return spent;
}

/**
 * Income follows spending (capped at the persona's income), so balances neither explode nor
 * drain: a salary is one fixed monthly amount; without one, the income rows (cash deposits of a
 * small business) are scaled together.
 */
function calibrateIncome(ctx: GenerationContext, events: EventBuffer, incomeType: number | undefined, target: number, months: number): void {
  if (incomeType === undefined) return;
  const type = ctx.types[incomeType]!;
  let other = 0;
  let income = 0;
  for (let i = 0; i < events.count; i++) {
    const amount = events.amounts[i] as number;
    if (amount <= 0) continue;
    if (events.types[i] === incomeType) income += amount;
    else other += amount;
  }
  const wanted = Math.max(0, target - other);
  const salaried = type.kind === 'salary';
  const monthly = clampMinor(wanted / months, type.minMinor, type.maxMinor);
  for (let i = 0; i < events.count; i++) {
    if (events.types[i] !== incomeType) continue;
    const amount = events.amounts[i] as number;
    events.amounts[i] = salaried ? monthly : clampMinor(income > 0 ? (amount * wanted) / income : amount, type.minMinor, type.maxMinor);
  }
}

/**
 * The salary's day of month. With a known low end balance the as-of day must fall late in the
 * pay cycle (a balance of 50 the day after payday contradicts the salary), so the next payday is
 * put within the share of a month that the balance covers.
 */
function payday(rng: Rng, window: HistoryWindow, end: number | null, limit: number, incomeMonthly: number): number {
  const cover = end === null ? 1 : (end + limit) / incomeMonthly;
  if (cover >= 1) return rng.between(1, 28);
  const ahead = 1 + rng.int(Math.max(1, Math.floor(28 * Math.max(0, cover))));
  const dayOfMonth = new Date((window.lastDay + ahead) * DAY_MS).getUTCDate();
  return dayOfMonth > 28 ? 1 : dayOfMonth;
}
