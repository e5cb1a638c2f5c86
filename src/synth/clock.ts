import { DAY_MS, type HistoryWindow } from './calendar.js';

/**
 * Local time without building a Date per row: per time zone, the UTC offset of every day of the
 * window (taken at UTC noon, so a DST switch moves at most the night hours of its own day) is
 * computed once with Intl. Events are planned on local days and hours and stored as seconds from
 * the window's UTC start.
 */
export interface LocalClock {
  timezone: string;
  /** offset in seconds (local = UTC + offset) of window day d at index d + 1 (one day of margin each side) */
  offsets: Int32Array;
}

const cache = new Map<string, LocalClock>();
/** one formatter per time zone: building one costs more than the offsets of a year (appends ask per zone and day) */
const formats = new Map<string, Intl.DateTimeFormat>();

export function localClock(timezone: string, window: HistoryWindow): LocalClock {
  const key = `${timezone}|${window.firstDay}|${window.days}`;
  let clock = cache.get(key);
  if (!clock) {
    let format = formats.get(timezone);
    if (!format) {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
      });
      formats.set(timezone, format);
    }
    const offsets = new Int32Array(window.days + 2);
    for (let d = -1; d <= window.days; d++) {
      const utc = (window.firstDay + d) * DAY_MS + DAY_MS / 2;
      const parts = Object.fromEntries(format.formatToParts(new Date(utc)).map((p) => [p.type, p.value]));
      const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
      offsets[d + 1] = Math.round((local - utc) / 1000);
    }
    if (cache.size > 256) cache.clear();
    cache.set(key, (clock = { timezone, offsets }));
  }
  return clock;
}

/**
 * Seconds from the window's UTC start of a local (day index, hour, second in the hour). An instant
 * that a time zone pushes out of the window (the first local hours east of UTC, the last evening
 * west of it) is clamped when `clamp` (recurring rows keep their day), else moved by the window's
 * length, which keeps its local hour.
 */
export function secondOfLocal(clock: LocalClock, window: HistoryWindow, localDay: number, hour: number, second: number, clamp: boolean): number {
  const windowSeconds = window.days * 86400;
  let s = localDay * 86400 + hour * 3600 + second - (clock.offsets[localDay + 1] as number);
  if (s >= 0 && s < windowSeconds) return s;
  if (clamp) return Math.max(0, Math.min(windowSeconds - 1, s));
  s %= windowSeconds;
  return s < 0 ? s + windowSeconds : s;
}

/** Local epoch day of a second from the window start (for weekday and weekend flags). */
export function localEpochDay(clock: LocalClock, window: HistoryWindow, second: number): number {
  const d = Math.floor(second / 86400);
  return window.firstDay + Math.floor((second + (clock.offsets[d + 1] as number)) / 86400);
}

/** days per block of the clocks `dayClock` slices: one Intl pass per zone and block instead of per zone and day */
const CLOCK_BLOCK = 64;

/**
 * The local clock of a one-day window (an appended day): a view into the offsets of the 64-day
 * block holding it, computed once per time zone and block, so day after day costs no Intl call.
 * The same offsets as `localClock(timezone, historyWindow(<the next day>, 1))`.
 */
export function dayClock(timezone: string, epochDay: number): LocalClock {
  const block = Math.floor(epochDay / CLOCK_BLOCK);
  const first = block * CLOCK_BLOCK;
  const whole = localClock(timezone, { startMs: first * DAY_MS, endMs: (first + CLOCK_BLOCK) * DAY_MS, firstDay: first, lastDay: first + CLOCK_BLOCK - 1, days: CLOCK_BLOCK });
  // offsets[i] of the block is day first + i - 1; the day's window needs its days - 1 .. + 1
  return { timezone, offsets: whole.offsets.subarray(epochDay - first, epochDay - first + 3) };
}
