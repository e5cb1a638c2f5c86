import { ATM_MEAN_MINOR, meanOf, TRANSFER_AMOUNT, type LogNormal } from './amounts.js';
import { historyWindow, type HistoryWindow } from './calendar.js';
import { fraudModel, type FraudModel } from './fraud.js';
import { poolsFor, type Pools } from './pools.js';
import { WeightedTable } from './prng.js';
import { RECURRING_KINDS, type Profile, type ProfilePersona, type TransactionKind } from './profile.js';
import { rhythmTables, type RhythmTables } from './rhythm.js';
import type { Channel } from './types.js';

/** What a generation run needs, from config (the loader passes Config['synth'] plus the loaded profile). */
export interface GenerateOptions {
  seed: string;
  /** YYYY-MM-DD, UTC: the last day of the history */
  asOf: string;
  days: number;
  transactionsPerAccount: number;
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
  /** over `randomTypes` */
  typeTable: WeightedTable;
  randomTypes: readonly number[];
  /** over `purchaseCategories` */
  categoryTable: WeightedTable;
  purchaseCategories: readonly number[];
  rhythm: RhythmTables;
  /** expected debit of one randomly drawn row before the account's scale (minor units; credits count 0) */
  expectedDebitMinor: number;
}

export interface GenerationContext {
  options: GenerateOptions;
  window: HistoryWindow;
  types: readonly TypeModel[];
  typeOf: Partial<Record<TransactionKind, number>>;
  categories: readonly CategoryModel[];
  /** category indices of billers by use */
  billers: Record<'direct_debit' | 'bill', readonly number[]>;
  personas: readonly PersonaModel[];
  personaTable: WeightedTable;
  /** per type, minor units: how far the ledger may resize a random row (debits: max, credits: min) */
  resizeBoundOfType: Float64Array;
  pools: Pools;
  fraud: FraudModel;
}

const toMinor = (major: number) => Math.round(major * 100);

export function generationContext(options: GenerateOptions): GenerationContext {
  const { profile } = options;
  if (!(options.fraudRate >= 0 && options.fraudRate <= 1)) throw new RangeError(`fraudRate must be in [0, 1], got ${options.fraudRate}`);
  if (!Number.isInteger(options.transactionsPerAccount) || options.transactionsPerAccount < 1 || options.transactionsPerAccount >= 2 ** 24) {
    throw new RangeError(`transactionsPerAccount must be an integer in [1, 16777215], got ${options.transactionsPerAccount}`);
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
  types.forEach((t, i) => (typeOf[t.kind] ??= i));
  const categories: CategoryModel[] = profile.merchantCategories.map((c) => ({
    mcc: c.mcc,
    use: c.use,
    onlineShare: c.onlineShare,
    medianMinor: toMinor(c.medianAmount),
    spread: c.spread,
  }));
  const withUse = (use: CategoryModel['use']) =>
    profile.merchantCategories.flatMap((c, i) => (c.use === use && c.weight > 0 ? [i] : []));

  const personas = profile.personas.map((spec, index): PersonaModel => {
    const randomTypes = types.flatMap((t, i) => (RECURRING_KINDS.has(t.kind) ? [] : [i]));
    const typeWeights = randomTypes.map((i) => (profile.transactionTypes[i]?.weight ?? 0) * (spec.kindWeights[types[i]!.kind] ?? 1));
    const purchaseCategories = withUse('purchase');
    const categoryWeights = purchaseCategories.map((i) => profile.merchantCategories[i]!.weight * (spec.categoryWeights[categories[i]!.mcc] ?? 1));
    const categoryTable = new WeightedTable(categoryWeights);
    const cardMean = purchaseCategories.reduce((sum, c, j) => sum + meanOf(categories[c]!) * (categoryWeights[j] ?? 0), 0) / (categoryTable.total || 1);
    const meanByKind: Partial<Record<TransactionKind, number>> = { card: cardMean, atm: ATM_MEAN_MINOR, transfer: meanOf(TRANSFER_AMOUNT) };
    const typeTable = new WeightedTable(typeWeights);
    const expectedDebitMinor =
      randomTypes.reduce((sum, t, j) => sum + (meanByKind[types[t]!.kind] ?? 0) * (typeWeights[j] ?? 0), 0) / (typeTable.total || 1);
    return {
      spec,
      index,
      typeTable,
      randomTypes,
      categoryTable,
      purchaseCategories,
      rhythm: rhythmTables(window, spec.hourShift),
      expectedDebitMinor,
    };
  });

  return {
    options,
    window,
    types,
    typeOf,
    categories,
    billers: { direct_debit: withUse('direct_debit'), bill: withUse('bill') },
    personas,
    personaTable: new WeightedTable(profile.personas.map((p) => p.weight)),
    resizeBoundOfType: Float64Array.from(types, (t) => (t.credit ? t.minMinor : t.maxMinor)),
    pools: poolsFor(profile, options.seed),
    fraud: fraudModel(profile, types),
  };
}
