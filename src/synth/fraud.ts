import { drawMinor } from './amounts.js';
import { secondOfLocal, type LocalClock } from './clock.js';
import type { AccountTypeModel, GenerationContext, PersonaModel, TypeModel } from './context.js';
import { CHANNEL_INDEX, type EventBuffer } from './events.js';
import type { Party, Pools } from './pools.js';
import { type Rng, WeightedTable } from './prng.js';
import { FRAUD_PATTERN_KIND, FRAUD_PATTERNS, type FraudPattern, type Profile } from './profile.js';

/**
 * Labelled fraud, injected as whole incidents on a minority of accounts (victims). Every fraud
 * row is an ordinary row of an ordinary type: merchants, ATMs and payees come from the same pools
 * as legitimate ones, ids continue the account's sequence, descriptions use the same templates,
 * and amounts come from the same distributions, moved up but overlapping. What gives fraud away
 * is behaviour (bursts, new payees, unusual hours, amounts above the account's habits), each only
 * in part, which is what a model should learn, never a marker column.
 */
export interface FraudModel {
  patterns: readonly { pattern: FraudPattern; patternIndex: number; minRows: number; maxRows: number; type: number; weight: number }[];
  /** purchase categories (indices) that card testers hit (mostly online) and big-ticket ones */
  onlineCategories: readonly number[];
  bigTicketCategories: readonly number[];
  victimsPerYear: number;
  /** per account type, made on first use: the patterns it allows, weighted, and their mean rows */
  byAccountType: Map<AccountTypeModel, { table: WeightedTable; meanRows: number }>;
}

export function fraudModel(profile: Profile, types: readonly TypeModel[]): FraudModel {
  const purchases = profile.merchantCategories.flatMap((c, i) => (c.use === 'purchase' && c.weight > 0 ? [i] : []));
  const where = (test: (c: Profile['merchantCategories'][number]) => boolean) => {
    const hits = purchases.filter((i) => test(profile.merchantCategories[i]!));
    return hits.length > 0 ? hits : purchases;
  };
  const patterns = profile.fraudPatterns
    .filter((f) => f.weight > 0)
    .map((f) => ({
      pattern: f.pattern,
      patternIndex: FRAUD_PATTERNS.indexOf(f.pattern),
      minRows: f.rows[0],
      maxRows: f.rows[1],
      type: types.findIndex((t) => t.kind === FRAUD_PATTERN_KIND[f.pattern] && !(t.kind === 'card' && t.channel === 'ONLINE')),
      weight: f.weight,
    }));
  return {
    patterns,
    // testers buy cheap online goods, where a 5.00 payment looks normal
    onlineCategories: where((c) => c.onlineShare >= 0.5 && c.medianAmount < 50),
    bigTicketCategories: where((c) => c.medianAmount >= 100),
    victimsPerYear: profile.fraudVictimsPerYear,
    byAccountType: new Map(),
  };
}

/**
 * Picks this account's incidents into `out` as (pattern slot, rows) pairs; returns the row total.
 * An account is a victim with the profile's yearly chance over the window; a victim gets as many
 * incidents as keep the overall row rate at `rate` (rounded up or down at random, not Poisson),
 * and every account stays independent of the others.
 */
export function planIncidents(rng: Rng, ctx: GenerationContext, accountType: AccountTypeModel, rows: number, days: number, out: number[]): number {
  out.length = 0;
  const { fraud } = ctx;
  let ofType = fraud.byAccountType.get(accountType);
  if (!ofType) {
    const weights = fraud.patterns.map((p) => (p.type >= 0 && accountType.allows.has(ctx.types[p.type]!.kind) ? p.weight : 0));
    const table = new WeightedTable(weights);
    const meanRows = fraud.patterns.reduce((sum, p, i) => sum + ((p.minRows + p.maxRows) / 2) * (weights[i] as number), 0) / table.total;
    fraud.byAccountType.set(accountType, (ofType = { table, meanRows }));
  }
  const { table, meanRows } = ofType;
  // a minority of accounts, but never so few that fraud would be more than a tenth of a victim's rows
  const victim = Math.min(1, Math.max(1 - Math.pow(1 - fraud.victimsPerYear, days / 365), 10 * ctx.options.fraudRate));
  const isVictim = rng.next() < victim;
  if (table.total === 0 || ctx.options.fraudRate === 0 || !isVictim) return 0;
  const expected = (ctx.options.fraudRate * rows) / victim / meanRows;
  const incidents = Math.floor(expected + rng.next());
  let total = 0;
  for (let i = 0; i < incidents && total < rows; i++) {
    const slot = table.pick(rng);
    const p = fraud.patterns[slot]!;
    const size = Math.min(rng.between(p.minRows, p.maxRows), rows - total);
    out.push(slot, size);
    total += size;
  }
  return total;
}

/** What an incident needs to know of the account it strikes. */
export interface Victim {
  rng: Rng;
  /** the account's own payees: a takeover pays someone new */
  payees: readonly Party[];
  pools: Pools;
  clock: LocalClock;
  persona: PersonaModel;
}

/** Books one incident of `rows` rows into the account's events (locked: the ledger never resizes fraud). */
export function emitIncident(ctx: GenerationContext, slot: number, rows: number, victim: Victim, events: EventBuffer): void {
  const { rng, pools, persona } = victim;
  const { fraud, window } = ctx;
  const p = fraud.patterns[slot]!;
  const type = ctx.types[p.type]!;
  const channel = CHANNEL_INDEX[type.channel];
  const gap = GAP_SECONDS[p.pattern];
  // takeovers happen mostly while the owner sleeps, the rest like anybody's evening banking
  const night = (p.pattern === 'account_takeover' && rng.chance(0.55)) || (p.pattern === 'atm_velocity' && rng.chance(0.3));
  const hour = night ? rng.between(0, 4) : persona.rhythm.hours[p.pattern === 'atm_velocity' ? 'atm' : 'online'].pick(rng);
  const start = secondOfLocal(victim.clock, window, rng.int(window.days), hour, rng.int(3600), true);
  let second = Math.max(0, Math.min(start, window.days * 86400 - 1 - rows * gap[1]));
  const newPayee = p.pattern === 'account_takeover' ? strangerTo(rng, pools.payees, victim.payees) : null;
  for (let r = 0; r < rows; r++) {
    switch (p.pattern) {
      case 'card_testing': {
        const category = rng.pick(fraud.onlineCategories);
        const merchants = pools.merchants[category]!;
        const merchant = rng.pick(merchants.online.length > 0 ? merchants.online : merchants.present);
        // testers try small amounts, but ones the shop could charge
        const amount = drawMinor(rng, ctx.categories[category]!, 0.6, type.minMinor, Math.min(type.maxMinor, type.minMinor * 10));
        events.add(second, ctx.onlineCardType ?? p.type, CHANNEL_INDEX.ONLINE, -amount, merchant, p.patternIndex, true);
        break;
      }
      case 'account_takeover':
        events.add(second, p.type, channel, -drawMinor(rng, ctx.transferAmount, 3, type.minMinor, type.maxMinor), newPayee, p.patternIndex, true);
        break;
      case 'atm_velocity':
        events.add(second, p.type, channel, -ctx.atmNotes.draw(rng, type.minMinor, type.maxMinor), rng.pick(pools.atms), p.patternIndex, true);
        break;
      case 'large_amount': {
        const category = rng.pick(fraud.bigTicketCategories);
        const merchants = pools.merchants[category]!;
        const online = merchants.present.length === 0 || (merchants.online.length > 0 && rng.chance(ctx.categories[category]!.onlineShare));
        const amount = drawMinor(rng, ctx.categories[category]!, 2, type.minMinor, type.maxMinor);
        const bookAs = online ? (ctx.onlineCardType ?? p.type) : p.type;
        events.add(second, bookAs, online ? CHANNEL_INDEX.ONLINE : channel, -amount, rng.pick(online ? merchants.online : merchants.present), p.patternIndex, true);
        break;
      }
    }
    second += rng.between(gap[0], gap[1]);
  }
}

/** seconds between the rows of one incident: card testers script, thieves walk to the next ATM */
const GAP_SECONDS: Record<FraudPattern, readonly [number, number]> = {
  card_testing: [30, 1500],
  account_takeover: [600, 14_400],
  atm_velocity: [900, 5400],
  large_amount: [0, 0],
};

function strangerTo(rng: Rng, pool: readonly Party[], known: readonly Party[]): Party {
  let payee = rng.pick(pool);
  for (let tries = 0; tries < 16 && known.includes(payee); tries++) payee = rng.pick(pool);
  return payee;
}
