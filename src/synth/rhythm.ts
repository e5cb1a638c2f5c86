import { dayOfWeek, type HistoryWindow } from './calendar.js';
import { WeightedTable } from './prng.js';

/**
 * When people do things: hour-of-day and day-of-week weights per activity. Shops peak at lunch and
 * after work and on Saturdays; online spending peaks in the evening; branches keep office hours
 * and close on Sundays; fraudsters drain accounts while their owners sleep.
 */
export type Rhythm = 'shop' | 'online' | 'atm' | 'branch' | 'night';
export const RHYTHMS: readonly Rhythm[] = ['shop', 'online', 'atm', 'branch', 'night'];

const HOURS: Record<Rhythm, readonly number[]> = {
  //      0    1    2    3    4    5    6    7    8    9   10   11   12   13   14   15   16   17   18   19   20   21   22   23
  shop: [0.15, 0.08, 0.04, 0.03, 0.03, 0.08, 0.3, 0.9, 1.3, 1.4, 1.5, 1.8, 2.3, 2.1, 1.5, 1.4, 1.7, 2.1, 2.2, 1.8, 1.3, 0.9, 0.5, 0.3],
  online: [0.5, 0.3, 0.15, 0.08, 0.06, 0.1, 0.3, 0.6, 0.9, 1, 1.1, 1.2, 1.4, 1.3, 1.1, 1.1, 1.2, 1.4, 1.7, 2, 2.3, 2.3, 1.8, 1],
  atm: [0.3, 0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 0.8, 1.2, 1.3, 1.4, 1.6, 2, 1.8, 1.4, 1.4, 1.6, 2, 2, 1.6, 1.2, 1, 0.8, 0.5],
  branch: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1.2, 1.4, 1.5, 1.6, 1.5, 1.3, 1.2, 1, 0, 0, 0, 0, 0, 0, 0],
  night: [1.2, 1.5, 1.8, 1.8, 1.5, 1, 0.3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.6],
};

//                                   Sun  Mon   Tue   Wed   Thu   Fri   Sat
const WEEKDAYS: Record<Rhythm, readonly number[]> = {
  shop: [0.85, 0.8, 0.85, 0.9, 0.95, 1.2, 1.45],
  online: [1.15, 0.95, 0.95, 0.95, 0.95, 1, 1.05],
  atm: [0.7, 0.85, 0.85, 0.9, 1, 1.35, 1.35],
  branch: [0, 1, 1, 1, 1, 1.1, 0.5],
  night: [1, 1, 1, 1, 1, 1, 1],
};

export interface RhythmTables {
  /** per rhythm: over the window's days (index 0 = first day) */
  days: Record<Rhythm, WeightedTable>;
  /** per rhythm: over 24 hours */
  hours: Record<Rhythm, WeightedTable>;
}

/**
 * Tables for one window and one persona's hour shift (office hours and the night never shift).
 * The tables are shared: hour tables by rhythm and shift, a one-day window's day tables by rhythm
 * and weekday. An append builds a context per day and picks from these for every row; a table of
 * its own per day and persona scattered them over memory, and the picks waited on cache misses.
 */
export function rhythmTables(window: HistoryWindow, hourShift: number): RhythmTables {
  const days = {} as Record<Rhythm, WeightedTable>;
  const hours = {} as Record<Rhythm, WeightedTable>;
  for (const rhythm of RHYTHMS) {
    days[rhythm] =
      window.days === 1
        ? shared(`day|${rhythm}|${dayOfWeek(window.firstDay)}`, () => [WEEKDAYS[rhythm][dayOfWeek(window.firstDay)] as number])
        : new WeightedTable(Array.from({ length: window.days }, (_, d) => WEEKDAYS[rhythm][dayOfWeek(window.firstDay + d)] as number));
    const shift = rhythm === 'branch' || rhythm === 'night' ? 0 : hourShift;
    hours[rhythm] = shared(`hour|${rhythm}|${shift}`, () => Array.from({ length: 24 }, (_, h) => HOURS[rhythm][(((h - shift) % 24) + 24) % 24] as number));
  }
  return { days, hours };
}

/** Tables that depend only on their key, made once: the code's own weights, never a profile's. */
const sharedTables = new Map<string, WeightedTable>();
function shared(key: string, weights: () => number[]): WeightedTable {
  let table = sharedTables.get(key);
  if (!table) sharedTables.set(key, (table = new WeightedTable(weights())));
  return table;
}

/** each rhythm's mean weekday weight */
const WEEK_MEANS = Object.fromEntries(RHYTHMS.map((r) => [r, WEEKDAYS[r].reduce((sum, w) => sum + w, 0) / WEEKDAYS[r].length])) as Record<Rhythm, number>;

/** How busy a day is for `rhythm` against the week's mean (1 = an average day): an append books day by day. */
export function weekdayFactor(rhythm: Rhythm, epochDay: number): number {
  return (WEEKDAYS[rhythm][dayOfWeek(epochDay)] as number) / WEEK_MEANS[rhythm];
}
