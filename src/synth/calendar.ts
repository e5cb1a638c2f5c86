/**
 * The history window as integer epoch days and milliseconds, so the hot path never builds a Date.
 * Day 0 of the epoch (1970-01-01) was a Thursday.
 */
export const DAY_MS = 86_400_000;

export interface HistoryWindow {
  /** 00:00 UTC of the first day */
  startMs: number;
  /** 00:00 UTC of the as-of day: the history ends there, so no row is dated after a run on that day starts */
  endMs: number;
  /** epoch days of the first and the last day of the history (the day before the as-of day) */
  firstDay: number;
  lastDay: number;
  days: number;
}

/** The `days` whole days before the as-of day (UTC calendar; accounts live them in local time). */
export function historyWindow(asOf: string, days: number): HistoryWindow {
  const asOfMs = /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? Date.parse(`${asOf}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(asOfMs)) throw new RangeError(`asOf must be a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a positive integer, got ${days}`);
  // small integers, not the doubles a division of Date.parse gives: day arithmetic downstream stays in integers
  const lastDay = (asOfMs / DAY_MS - 1) | 0;
  const firstDay = lastDay - days + 1;
  return { startMs: firstDay * DAY_MS, endMs: asOfMs, firstDay, lastDay, days };
}

const isoDays = new Map<number, string>();

/** YYYY-MM-DD of an epoch day; cached: every account asks for the same few days */
export function isoDay(epochDay: number): string {
  let text = isoDays.get(epochDay);
  if (text === undefined) {
    if (isoDays.size > 4096) isoDays.clear();
    isoDays.set(epochDay, (text = new Date(epochDay * DAY_MS).toISOString().slice(0, 10)));
  }
  return text;
}

/** 0 = Sunday ... 6 = Saturday */
export function dayOfWeek(epochDay: number): number {
  // `| 0` keeps this an integer modulo: on a double (a Date.UTC division gives one) `%` is an fmod call, and every row asks
  return ((((epochDay | 0) + 4) % 7) + 7) % 7;
}

/**
 * The epoch days inside the window on which something due on `dayOfMonth` (1-28) is booked:
 * moved back to the previous business day (Friday) when it falls on a weekend, as payroll and
 * direct-debit collections are. The array is shared between callers (cached): never modify it.
 */
export function monthlyBusinessDays(window: HistoryWindow, dayOfMonth: number): readonly number[] {
  // every account of a run asks for the same few (window, day of month): an append asks per
  // account, day and kind, for one-day windows, keyed by a small integer (a key above 2^30 is a
  // heap number, hashed far more slowly)
  const oneDay = window.days === 1;
  const cache = oneDay ? oneDayBusinessDays : businessDays;
  const key = oneDay ? window.firstDay * 32 + dayOfMonth : (window.firstDay * 100_000 + window.days) * 32 + dayOfMonth;
  let days = cache.get(key);
  if (!days) {
    if (cache.size > 4096) cache.clear();
    cache.set(key, (days = computeMonthlyBusinessDays(window, dayOfMonth)));
  }
  return days;
}

const businessDays = new Map<number, readonly number[]>();
const oneDayBusinessDays = new Map<number, readonly number[]>();

/** the days of the month a monthly schedule may name (Date.UTC rolls the days past a month's end over, as the schedule does) */
const DAYS_OF_MONTH = 31;

/**
 * Bit `d` (1-31) is set when something due on day of month `d` is booked on `epochDay` (as
 * monthlyBusinessDays books it): an append asks per account and day whether any of its monthly
 * schedules falls due, and most days none does.
 */
export function monthlyDueMask(epochDay: number): number {
  let mask = dueMasks.get(epochDay);
  if (mask === undefined) {
    if (dueMasks.size > 4096) dueMasks.clear();
    const day = historyWindow(isoDay(epochDay + 1), 1);
    mask = 0;
    for (let d = 1; d <= DAYS_OF_MONTH; d++) if (computeMonthlyBusinessDays(day, d).length > 0) mask |= dayOfMonthBit(d);
    dueMasks.set(epochDay, mask);
  }
  return mask;
}

/** the bit of a day of the month in monthlyDueMask; every bit for a day no schedule can name (never skipped) */
export function dayOfMonthBit(dayOfMonth: number): number {
  return Number.isInteger(dayOfMonth) && dayOfMonth >= 1 && dayOfMonth <= DAYS_OF_MONTH ? 1 << (dayOfMonth - 1) : -1;
}

const dueMasks = new Map<number, number>();

function computeMonthlyBusinessDays(window: HistoryWindow, dayOfMonth: number): number[] {
  const first = new Date(window.firstDay * DAY_MS);
  const last = new Date(window.lastDay * DAY_MS);
  const out: number[] = [];
  // one month past the end: a due date early next month can roll back into the window
  let year = first.getUTCFullYear();
  let month = first.getUTCMonth();
  const endKey = last.getUTCFullYear() * 12 + last.getUTCMonth() + 1;
  while (year * 12 + month <= endKey) {
    let day = Date.UTC(year, month, dayOfMonth) / DAY_MS;
    const dow = dayOfWeek(day);
    if (dow === 6) day -= 1;
    else if (dow === 0) day -= 2;
    if (day >= window.firstDay && day <= window.lastDay) out.push(day);
    month += 1;
    if (month === 12) {
      month = 0;
      year += 1;
    }
  }
  return out;
}
