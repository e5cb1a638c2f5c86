import type { SyntheticTransaction } from '../synth/index.js';

/**
 * What a bank sees of a transaction when it must decide on it, computed only from the account's
 * earlier rows (no look-ahead, no label, no id or text): the baseline model's features.
 */
export const FEATURES = [
  'amount', 'is_credit', 'transaction_type', 'channel', 'mcc', 'local_hour', 'local_weekday',
  'log_seconds_since_previous', 'count_previous_hour', 'count_previous_day', 'amount_to_account_median',
  'party_seen_before', 'balance_before',
] as const;
export type Feature = (typeof FEATURES)[number];

export interface FeatureTable {
  /** one column per feature, in FEATURES order */
  columns: Float64Array[];
  label: Uint8Array;
  /** account index of each row: folds are grouped by it */
  group: Uint32Array;
  rows: number;
}

const offsets = new Map<string, number>();
const formats = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds to add to UTC for local time in `timeZone` (cached per zone and UTC hour). */
export function localOffsetMs(timeZone: string, ms: number): number {
  const hour = Math.floor(ms / 3_600_000);
  const key = `${timeZone}|${hour}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    let f = formats.get(timeZone);
    if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })));
    const p = Object.fromEntries(f.formatToParts(new Date(hour * 3_600_000)).map((x) => [x.type, x.value]));
    offset = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - hour * 3_600_000;
    if (offsets.size > 500_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** Local hour (0-23) and weekday (0 = Sunday) of an instant in a time zone. */
export function localTime(timeZone: string, ms: number): { hour: number; weekday: number } {
  const local = ms + localOffsetMs(timeZone, ms);
  return { hour: Math.floor(local / 3_600_000) % 24, weekday: (Math.floor(local / 86_400_000) + 4) % 7 };
}

const CHANNEL_CODES: Record<string, number> = { POS: 0, ATM: 1, ONLINE: 2, TRANSFER: 3, BRANCH: 4 };
const MEDIAN_WINDOW = 64;

/** Features of every row; `accounts` are each one account's rows in time order, with its time zone. */
export function featureTable(accounts: readonly { rows: readonly SyntheticTransaction[]; timezone: string }[]): FeatureTable {
  const total = accounts.reduce((sum, a) => sum + a.rows.length, 0);
  const columns = FEATURES.map(() => new Float64Array(total));
  const label = new Uint8Array(total);
  const group = new Uint32Array(total);
  const typeCodes = new Map<string, number>();
  const recent = new Float64Array(MEDIAN_WINDOW);
  const sorted = new Float64Array(MEDIAN_WINDOW);
  let i = 0;
  accounts.forEach((account, g) => {
    const rows = account.rows;
    const seen = new Set<string>();
    let hourStart = 0;
    let dayStart = 0;
    let kept = 0;
    rows.forEach((r, k) => {
      while (rows[hourStart]!.timestampMs < r.timestampMs - 3_600_000) hourStart++;
      while (rows[dayStart]!.timestampMs < r.timestampMs - 86_400_000) dayStart++;
      const abs = Math.abs(r.amountMinor) / 100;
      const { hour, weekday } = localTime(account.timezone, r.timestampMs);
      let typeCode = typeCodes.get(r.transactionType);
      if (typeCode === undefined) typeCodes.set(r.transactionType, (typeCode = typeCodes.size));
      const n = Math.min(kept, MEDIAN_WINDOW);
      let median = -1;
      if (n > 0) {
        const view = sorted.subarray(0, n);
        view.set(recent.subarray(0, n));
        view.sort();
        median = view[n >> 1] as number;
      }
      const party = r.merchant ?? r.counterparty;
      const values = [
        abs,
        r.amountMinor > 0 ? 1 : 0,
        typeCode,
        CHANNEL_CODES[r.channel] ?? -1,
        r.merchantCategory === null ? -1 : Number(r.merchantCategory),
        hour,
        weekday,
        k === 0 ? -1 : Math.log10(1 + (r.timestampMs - rows[k - 1]!.timestampMs) / 1000),
        k - hourStart,
        k - dayStart,
        median > 0 ? abs / median : -1,
        party !== null && seen.has(party) ? 1 : 0,
        (r.balanceAfterMinor - r.amountMinor) / 100,
      ];
      for (let f = 0; f < values.length; f++) columns[f]![i] = values[f]!;
      label[i] = r.isFraud ? 1 : 0;
      group[i] = g;
      if (party !== null) seen.add(party);
      recent[kept % MEDIAN_WINDOW] = abs;
      kept++;
      i++;
    });
  });
  return { columns, label, group, rows: total };
}
