import type { Rng } from './prng.js';

/**
 * Amount distributions. Everything returns integer minor units: floats exist only inside a draw
 * and are rounded before any ledger arithmetic. Spending is log-normal (many small, few large
 * purchases, as in card data); cash comes out of ATMs in round notes.
 */
export interface LogNormal {
  medianMinor: number;
  spread: number;
}

/** the mean of a log-normal is median * e^(sigma^2 / 2) */
export function meanOf(d: LogNormal): number {
  return d.medianMinor * Math.exp((d.spread * d.spread) / 2);
}

/** A log-normal draw scaled by `scale`, inside [min, max]: redrawn a few times, then clamped. */
export function drawMinor(rng: Rng, d: LogNormal, scale: number, min: number, max: number): number {
  for (let attempt = 0; attempt < 4; attempt++) {
    const x = Math.round(d.medianMinor * scale * Math.exp(d.spread * rng.normal()));
    if (x >= min && x <= max) return x;
  }
  return Math.min(max, Math.max(min, Math.round(d.medianMinor * scale)));
}

/** Person-to-person transfers: rent shares, gifts, paying friends back. */
export const TRANSFER_AMOUNT: LogNormal = { medianMinor: 6000, spread: 0.9 };

/** Credits without a category (refunds, cash deposits): mostly near the type's minimum, rarely large. */
export function creditDistribution(min: number): LogNormal {
  return { medianMinor: min * 1.4, spread: 0.45 };
}

// Typical ATM withdrawals, in major units, and how often people pick each.
const NOTES = [20, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300];
const NOTE_WEIGHTS = [10, 3, 9, 10, 5, 6, 10, 3, 4, 5, 1.5, 1.5];
const NOTE_TOTAL = NOTE_WEIGHTS.reduce((a, b) => a + b, 0);
export const ATM_MEAN_MINOR = (NOTES.reduce((sum, n, i) => sum + n * (NOTE_WEIGHTS[i] as number), 0) / NOTE_TOTAL) * 100;

/** A round ATM amount scaled to the account's means (kept a multiple of 10), inside [min, max]. */
export function atmMinor(rng: Rng, scale: number, min: number, max: number): number {
  let x = rng.next() * NOTE_TOTAL;
  let i = 0;
  while (i < NOTES.length - 1 && x >= (NOTE_WEIGHTS[i] as number)) x -= NOTE_WEIGHTS[i++] as number;
  const amount = Math.max(1000, Math.round(((NOTES[i] as number) * scale) / 10) * 1000);
  return Math.min(max, Math.max(min, amount));
}

/** `base` moved by up to +-share, e.g. a utility bill that differs a little month to month. */
export function jitterMinor(rng: Rng, base: number, share: number, min: number, max: number): number {
  const x = Math.round(base * (1 + share * (2 * rng.next() - 1)));
  return Math.min(max, Math.max(min, x));
}

export function clampMinor(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(x)));
}
