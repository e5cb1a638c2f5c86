import { atmMinor } from './amounts.js';
import type { GenerationContext, TypeModel } from './context.js';
import { CHANNEL_INDEX, type EventBuffer } from './events.js';
import type { Party } from './pools.js';
import { type Rng, WeightedTable } from './prng.js';
import { FRAUD_PATTERN_KIND, FRAUD_PATTERNS, type FraudPattern, type Profile } from './profile.js';

/**
 * Labelled fraud, injected as whole incidents. Every fraud row is an ordinary row of an ordinary
 * type: merchants, ATMs and payees come from the same pools as legitimate ones, ids continue the
 * account's sequence, descriptions use the same templates. What gives fraud away is behaviour
 * (bursts, night transfers to new payees, amounts far above the account's habits), which is
 * what a model should learn, never a marker column.
 */
export interface FraudModel {
  table: WeightedTable;
  patterns: readonly { pattern: FraudPattern; patternIndex: number; minRows: number; maxRows: number; type: number }[];
  /** expected rows per incident, to turn a row rate into an incident rate */
  meanRows: number;
  /** purchase categories (indices) that card testers hit (mostly online) and big-ticket ones */
  onlineCategories: readonly number[];
  bigTicketCategories: readonly number[];
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
      type: types.findIndex((t) => t.kind === FRAUD_PATTERN_KIND[f.pattern]),
      weight: f.weight,
    }));
  const table = new WeightedTable(patterns.map((p) => p.weight));
  const meanRows = patterns.reduce((sum, p) => sum + ((p.minRows + p.maxRows) / 2) * p.weight, 0) / table.total;
  return {
    table,
    patterns,
    meanRows,
    // testers buy cheap online goods, where a 5.00 payment looks normal
    onlineCategories: where((c) => c.onlineShare >= 0.5 && c.medianAmount < 50),
    bigTicketCategories: where((c) => c.medianAmount >= 100),
  };
}

/**
 * Picks this account's incidents into `out` as (pattern slot, rows) pairs; returns the row total.
 * The incident count is the expected count rounded up or down at random (not Poisson), which
 * keeps prevalence close to the rate while each account stays independent of the others.
 */
export function planIncidents(rng: Rng, model: FraudModel, rate: number, rows: number, out: number[]): number {
  out.length = 0;
  const expected = (rate * rows) / model.meanRows;
  const incidents = Math.floor(expected + rng.next());
  let total = 0;
  for (let i = 0; i < incidents && total < rows; i++) {
    const slot = model.table.pick(rng);
    const p = model.patterns[slot]!;
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
}

/** Books one incident of `rows` rows into the account's events (locked: the ledger never resizes fraud). */
export function emitIncident(ctx: GenerationContext, slot: number, rows: number, victim: Victim, events: EventBuffer): void {
  const { rng } = victim;
  const { fraud, pools } = ctx;
  const p = fraud.patterns[slot]!;
  const type = ctx.types[p.type]!;
  const channel = CHANNEL_INDEX[type.channel];
  const gap = GAP_SECONDS[p.pattern];
  const windowSeconds = ctx.window.days * 86400;
  // takeovers happen while the owner sleeps; cash-outs at any hour
  const night = p.pattern === 'account_takeover' || (p.pattern === 'atm_velocity' && rng.chance(0.5));
  const hour = night ? rng.between(22, 28) % 24 : rng.between(7, 22);
  const start = rng.int(ctx.window.days) * 86400 + hour * 3600 + rng.int(3600);
  let second = Math.max(0, Math.min(start, windowSeconds - 1 - rows * gap[1]));
  const newPayee = p.pattern === 'account_takeover' ? strangerTo(rng, pools.payees, victim.payees) : null;
  for (let r = 0; r < rows; r++) {
    switch (p.pattern) {
      case 'card_testing': {
        const merchant = rng.pick(pools.merchants[rng.pick(fraud.onlineCategories)]!);
        events.add(second, p.type, CHANNEL_INDEX.ONLINE, -rng.between(type.minMinor, type.minMinor * 2), merchant, p.patternIndex, true);
        break;
      }
      case 'account_takeover':
        events.add(second, p.type, channel, -rng.between(Math.round(type.maxMinor * 0.6), type.maxMinor), newPayee, p.patternIndex, true);
        break;
      case 'atm_velocity':
        events.add(second, p.type, channel, -atmMinor(rng, 2 + rng.next() * 2, type.minMinor, type.maxMinor), rng.pick(pools.atms), p.patternIndex, true);
        break;
      case 'large_amount': {
        const category = rng.pick(fraud.bigTicketCategories);
        const online = rng.chance(ctx.categories[category]!.onlineShare);
        const amount = -rng.between(Math.round(type.maxMinor * 0.7), type.maxMinor);
        events.add(second, p.type, online ? CHANNEL_INDEX.ONLINE : channel, amount, rng.pick(pools.merchants[category]!), p.patternIndex, true);
        break;
      }
    }
    second += rng.between(gap[0], gap[1]);
  }
}

/** seconds between the rows of one incident: card testers script, thieves walk to the next ATM */
const GAP_SECONDS: Record<FraudPattern, readonly [number, number]> = {
  card_testing: [15, 180],
  account_takeover: [90, 900],
  atm_velocity: [240, 900],
  large_amount: [0, 0],
};

function strangerTo(rng: Rng, pool: readonly Party[], known: readonly Party[]): Party {
  let payee = rng.pick(pool);
  for (let tries = 0; tries < 16 && known.includes(payee); tries++) payee = rng.pick(pool);
  return payee;
}
