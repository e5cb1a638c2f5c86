import type { Rng } from './prng.js';

/**
 * Amount distributions. Everything returns integer minor units: floats exist only inside a draw
 * and are rounded before any ledger arithmetic. Spending is log-normal (many small, few large
 * purchases, as in card data); cash comes out of ATMs in round notes. Draws outside a type's
 * bounds are redrawn and finally spread uniformly over the bounds, never clamped: a clamp piles
 * every out-of-range draw onto one value (the old 5.00 transit fares and 500.00 salaries).
 */
export interface LogNormal {
  medianMinor: number;
  spread: number;
}

/** the mean of a log-normal is median * e^(sigma^2 / 2) */
export function meanOf(d: LogNormal): number {
  return d.medianMinor * Math.exp((d.spread * d.spread) / 2);
}

/** A log-normal draw scaled by `scale`, inside [min, max]: redrawn, then uniform over the bounds. */
export function drawMinor(rng: Rng, d: LogNormal, scale: number, min: number, max: number): number {
  for (let attempt = 0; attempt < 8; attempt++) {
    const x = Math.round(d.medianMinor * scale * Math.exp(d.spread * rng.normal()));
    if (x >= min && x <= max) return x;
  }
  return rng.between(min, max);
}

/** Log-uniform in [lo, hi] (incomes: as many people earn 1-2k as 2-4k), inside [min, max] without piling. */
export function logUniformMinor(rng: Rng, lo: number, hi: number, min: number, max: number): number {
  const a = Math.max(lo, min);
  const b = Math.min(hi, max);
  if (a > b) return rng.between(min, max);
  return Math.round(a * Math.exp(rng.next() * Math.log(b / a)));
}

/** Round ATM notes (major units) with how often people pick each. */
export class NoteTable {
  private readonly notes: number[];
  private readonly weights: number[];
  private readonly total: number;
  readonly meanMinor: number;

  constructor(notes: readonly (readonly [number, number])[]) {
    this.notes = notes.map(([n]) => Math.round(n * 100));
    this.weights = notes.map(([, w]) => w);
    this.total = this.weights.reduce((a, b) => a + b, 0);
    this.meanMinor = this.notes.reduce((sum, n, i) => sum + n * (this.weights[i] as number), 0) / (this.total || 1);
  }

  /** a note amount inside [min, max]; ones outside are redrawn, the smallest fitting note last */
  draw(rng: Rng, min: number, max: number): number {
    for (let attempt = 0; attempt < 8; attempt++) {
      let x = rng.next() * this.total;
      let i = 0;
      while (i < this.notes.length - 1 && x >= (this.weights[i] as number)) x -= this.weights[i++] as number;
      const amount = this.notes[i] as number;
      if (amount >= min && amount <= max) return amount;
    }
    return this.notes.find((n) => n >= min && n <= max) ?? min;
  }
}

/** `base` moved by up to +-share, e.g. a utility bill that differs a little month to month; redrawn inside the bounds. */
export function jitterMinor(rng: Rng, base: number, share: number, min: number, max: number): number {
  for (let attempt = 0; attempt < 8; attempt++) {
    const x = Math.round(base * (1 + share * (2 * rng.next() - 1)));
    if (x >= min && x <= max) return x;
  }
  return Math.min(max, Math.max(min, base));
}
