import { meanOf, NoteTable, type LogNormal } from './amounts.js';
import { historyWindow, isoDay, type HistoryWindow } from './calendar.js';
import { dayClock, localClock, type LocalClock } from './clock.js';
import { poolsFor, type Party, type Pools } from './pools.js';
import { fraudModel, type FraudModel } from './fraud.js';
import { WeightedTable } from './prng.js';
import { DISCRETIONARY_KINDS, type Profile, type ProfileAccountType, type ProfilePersona, type TransactionKind } from './profile.js';
import { discretionaryPlans, type PlanOf } from './kinds.js';
import { rhythmTables, type RhythmTables } from './rhythm.js';
import type { Channel } from './types.js';

/** What a generation run needs, from config (the loader passes Config['synth'] plus the loaded profile). */
export interface GenerateOptions {
  seed: string;
  /** YYYY-MM-DD, UTC: the history ends when this day begins */
  asOf: string;
  days: number;
  /** rows per account, or `auto`: each account's persona and type set its count over the window */
  transactionsPerAccount: number | 'auto';
  fraudRate: number;
  profile: Profile;
}

/** A transaction type ready for the hot path: minor units, split description template. */
export interface TypeModel {
  name: string;
  kind: TransactionKind;
  credit: boolean;
  minMinor: number;
  maxMinor: number;
  channel: Channel;
  /** description = prefix + party name + suffix (or just prefix without `{party}`) */
  prefix: string;
  suffix: string;
  withParty: boolean;
}

export interface CategoryModel extends LogNormal {
  mcc: string;
  use: 'purchase' | 'direct_debit' | 'bill';
  onlineShare: number;
}

export interface PersonaModel {
  spec: ProfilePersona;
  index: number;
  /** over the discretionary types of the persona */
  typeWeights: Float64Array;
  /** over `purchaseCategories` */
  categoryTable: WeightedTable;
  purchaseCategories: readonly number[];
  rhythm: RhythmTables;
  /** the persona's real-balance range, minor units (which personas an account's balance fits) */
  balanceRangeMinor: readonly [number, number];
}

export interface AccountTypeModel {
  spec: ProfileAccountType;
  pattern: RegExp;
  allows: ReadonlySet<TransactionKind>;
  personaIndices: readonly number[];
}

export interface GenerationContext {
  options: GenerateOptions;
  window: HistoryWindow;
  months: number;
  types: readonly TypeModel[];
  /** the first type of each kind; card: the card-present one */
  typeOf: Partial<Record<TransactionKind, number>>;
  /** the ONLINE card type, when the profile has one */
  onlineCardType: number | undefined;
  discretionaryTypes: readonly number[];
  /** the planner of each discretionary type (kinds.ts discretionaryPlans); null for refunds */
  discretionaryPlans: readonly (PlanOf<'discretionary'> | null)[];
  categories: readonly CategoryModel[];
  /** category indices of billers by use */
  billers: Record<'direct_debit' | 'bill', readonly number[]>;
  personas: readonly PersonaModel[];
  accountTypes: readonly AccountTypeModel[];
  /** per (persona, account type): the discretionary type table and the mean debit of one row */
  activityOf(persona: PersonaModel, accountType: AccountTypeModel): { table: WeightedTable; meanDebitMinor: number };
  /** per type, minor units: how far the ledger may resize a row (debits: max, credits: min) */
  resizeBoundOfType: Float64Array;
  /** the `uniform` style's draw over every type by its weight */
  uniformTypeTable: WeightedTable;
  /** a row's description: the type's template with the party's name, made once per (type, party) */
  describe(type: number, party: Party | null): string;
  /** per time zone, the window's local clock; per region, its name pools (built once per run) */
  clockOf(timezone: string): LocalClock;
  poolsOf(region: number): Pools;
  atmNotes: NoteTable;
  transferAmount: LogNormal;
  cashDepositAmount: LogNormal;
  transferInAmount: LogNormal;
  fraud: FraudModel;
}

export const toMinor = (major: number) => Math.round(major * 100);
const logNormal = (d: { medianAmount: number; spread: number }): LogNormal => ({ medianMinor: toMinor(d.medianAmount), spread: d.spread });
/** months in the window, as the average Gregorian month */
export const DAYS_PER_MONTH = 30.436875;

export function generationContext(options: GenerateOptions): GenerationContext {
  const { profile } = options;
  if (!(options.fraudRate >= 0 && options.fraudRate <= 1)) throw new RangeError(`fraudRate must be in [0, 1], got ${options.fraudRate}`);
  const n = options.transactionsPerAccount;
  if (n !== 'auto' && (!Number.isInteger(n) || n < 1 || n >= 2 ** 24)) {
    throw new RangeError(`transactionsPerAccount must be 'auto' or an integer in [1, 16777215], got ${n}`);
  }
  const window = historyWindow(options.asOf, options.days);
  const types: TypeModel[] = profile.transactionTypes.map((t) => {
    const [prefix = '', suffix = ''] = t.description.split('{party}');
    return {
      name: t.name,
      kind: t.kind,
      credit: t.direction === 'credit',
      minMinor: toMinor(t.minAmount),
      maxMinor: toMinor(t.maxAmount),
      channel: t.channel,
      prefix,
      suffix,
      withParty: t.description.includes('{party}'),
    };
  });
  const typeOf: Partial<Record<TransactionKind, number>> = {};
  types.forEach((t, i) => {
    if (!(t.kind === 'card' && t.channel === 'ONLINE')) typeOf[t.kind] ??= i;
  });
  const onlineCard = types.findIndex((t) => t.kind === 'card' && t.channel === 'ONLINE');
  const onlineCardType = onlineCard >= 0 ? onlineCard : undefined;
  typeOf.card ??= onlineCardType;
  const categories: CategoryModel[] = profile.merchantCategories.map((c) => ({
    mcc: c.mcc,
    use: c.use,
    onlineShare: c.onlineShare,
    medianMinor: toMinor(c.medianAmount),
    spread: c.spread,
  }));
  const withUse = (use: CategoryModel['use']) =>
    profile.merchantCategories.flatMap((c, i) => (c.use === use && c.weight > 0 ? [i] : []));
  // the online card type books online purchases; it is never drawn by weight on its own
  const discretionaryTypes = types.flatMap((t, i) => (DISCRETIONARY_KINDS.has(t.kind) && i !== onlineCardType ? [i] : []));
  const transferAmount = logNormal(profile.behaviour.transferAmount);
  const atmNotes = new NoteTable(profile.behaviour.atmNotes);

  const personas = profile.personas.map((spec, index): PersonaModel => {
    const purchaseCategories = withUse('purchase');
    const categoryWeights = purchaseCategories.map((i) => profile.merchantCategories[i]!.weight * (spec.categoryWeights[categories[i]!.mcc] ?? 1));
    return {
      spec,
      index,
      typeWeights: Float64Array.from(discretionaryTypes, (i) => (profile.transactionTypes[i]?.weight ?? 0) * (spec.kindWeights[types[i]!.kind] ?? 1)),
      categoryTable: new WeightedTable(categoryWeights),
      purchaseCategories,
      rhythm: rhythmTables(window, spec.hourShift),
      balanceRangeMinor: [toMinor(spec.balanceRange[0]), toMinor(spec.balanceRange[1])],
    };
  });
  const accountTypes = profile.accountTypes.map((spec): AccountTypeModel => ({
    spec,
    pattern: new RegExp(spec.match, 'i'),
    allows: new Set(spec.kinds),
    personaIndices: spec.personas.map((name) => profile.personas.findIndex((p) => p.name === name)),
  }));

  const clocks = new Map<string, LocalClock>();
  const pools: Pools[] = [];
  const activity = new Map<number, { table: WeightedTable; meanDebitMinor: number }>();
  const activityOf = (persona: PersonaModel, accountType: AccountTypeModel) => {
    const key = persona.index * 1024 + accountTypes.indexOf(accountType);
    let found = activity.get(key);
    if (!found) {
      const weights = discretionaryTypes.map((t, j) => (accountType.allows.has(types[t]!.kind) ? (persona.typeWeights[j] as number) : 0));
      const table = new WeightedTable(weights);
      const cardMean =
        persona.purchaseCategories.reduce((sum, c) => sum + meanOf(categories[c]!) * profile.merchantCategories[c]!.weight * (persona.spec.categoryWeights[categories[c]!.mcc] ?? 1), 0) /
        (persona.categoryTable.total || 1);
      const meanOfKind: Record<TransactionKind, number> = {
        card: cardMean, atm: atmNotes.meanMinor, transfer: meanOf(transferAmount),
        refund: 0, direct_debit: 0, bill: 0, salary: 0, cash_deposit: 0, transfer_in: 0, interest: 0, repayment: 0,
      };
      const meanDebitMinor = discretionaryTypes.reduce((sum, t, j) => sum + meanOfKind[types[t]!.kind] * (weights[j] as number), 0) / (table.total || 1);
      activity.set(key, (found = { table, meanDebitMinor }));
    }
    return found;
  };

  // descriptions repeat (a party per type): one string each, not a concatenation per row
  const describe = (type: number, party: Party | null): string => {
    const t = types[type]!;
    if (!t.withParty || party === null) return t.prefix;
    return (party.descriptions[type] ??= t.prefix + party.name + t.suffix);
  };

  return {
    options,
    window,
    months: window.days / DAYS_PER_MONTH,
    describe,
    types,
    typeOf,
    onlineCardType,
    discretionaryTypes,
    discretionaryPlans: discretionaryPlans({ types, discretionaryTypes }),
    categories,
    billers: { direct_debit: withUse('direct_debit'), bill: withUse('bill') },
    personas,
    accountTypes,
    activityOf,
    resizeBoundOfType: Float64Array.from(types, (t) => (t.credit ? t.minMinor : t.maxMinor)),
    uniformTypeTable: new WeightedTable(profile.transactionTypes.map((t) => t.weight)),
    clockOf: (timezone) => {
      let clock = clocks.get(timezone);
      if (!clock) clocks.set(timezone, (clock = localClock(timezone, window)));
      return clock;
    },
    poolsOf: (region) => (pools[region] ??= poolsFor(profile, options.seed, region)),
    atmNotes,
    transferAmount,
    cashDepositAmount: logNormal(profile.behaviour.cashDepositAmount),
    transferInAmount: logNormal(profile.behaviour.transferInAmount),
    fraud: fraudModel(profile, types),
  };
}

/**
 * The run's context narrowed to the `days` UTC days before `asOf`: the same types, personas, pools
 * and fraud model, with that window's local clocks and weekday rhythm. Pools (faker names) are
 * shared with `base`, not rebuilt. An append books accounts day by day; a very long history is
 * booked in slices of days. A day's clocks are views of per-zone
 * blocks of days (clock.ts), so an append's day costs no Intl call.
 */
export function windowContext(base: GenerationContext, asOf: string, days: number): GenerationContext {
  const window = historyWindow(asOf, days);
  const clocks = new Map<string, LocalClock>();
  return {
    ...base,
    options: { ...base.options, asOf, days },
    window,
    months: days / DAYS_PER_MONTH,
    personas: base.personas.map((p) => ({ ...p, rhythm: rhythmTables(window, p.spec.hourShift) })),
    clockOf: (timezone) => {
      let clock = clocks.get(timezone);
      if (!clock) clocks.set(timezone, (clock = days === 1 ? dayClock(timezone, window.firstDay) : localClock(timezone, window)));
      return clock;
    },
  };
}

/** The run's context narrowed to one UTC day (an epoch day). */
export function dayContext(base: GenerationContext, epochDay: number): GenerationContext {
  return windowContext(base, isoDay(epochDay + 1), 1);
}
