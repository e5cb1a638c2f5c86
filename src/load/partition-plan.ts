import { APPENDED_ID_START, transactionIdPrefix } from '../synth/generator.js';

/**
 * How a full load splits the next state of raw.transactions into partitions (stage-partitions.ts):
 * runs of accounts in the order the generator writes them, each partition a range of
 * transaction_id. Pure, so it is tested without a database.
 *
 * A transaction's id is its account's prefix `synth_<bank>_<account>_` and a suffix, compared
 * byte by byte (the column's C collation). A partition starting at account b takes the ids from
 * the lowest prefix of the accounts from b on. That bound separates the accounts before b only if
 * each of their prefixes sorts below it and is not a prefix of it: `synth_b_a_` is a prefix of
 * `synth_b_a_1_`, and the ids of account `a` (`synth_b_a_200000`) reach past those of account
 * `a_1`. Such a boundary is moved to a neighbouring account, or dropped.
 *
 * The accounts' parts end where appended days' ids begin (`synth~<YYYY-MM-DD>_…`, APPENDED_ID_START):
 * those live in a partition per month (`monthPart`), which an append creates empty and fills
 * without touching the keys of the initial histories; a full load carries the months that hold
 * rows of accounts it does not load.
 */

/** A partition: the accounts from `first` (an index in generation order) to the next part's first. */
export interface PartPlan {
  first: number;
  /** lowest transaction_id of the part, inclusive; null: from MINVALUE */
  lower: string | null;
  /** the next part's lower bound, exclusive; null: to MAXVALUE */
  upper: string | null;
}

/**
 * About this many rows a partition: on two cores, one partition's key and foreign-key checks run
 * while the next one streams in, and the last one's are all that is left after the stream.
 */
export const ROWS_PER_PART = 250_000;
/** More partitions gain little more overlap and make every scan of raw.transactions an append of more. */
export const MAX_PARTS = 8;

/**
 * Partitions for `accounts` (in generation order) expected to get `expectedRows` rows in all, then
 * one for each month (YYYY-MM) of appended days in `months`, which no generated row goes to.
 */
export function planParts(accounts: readonly { bankId: string; accountId: string }[], expectedRows: number, months: readonly string[] = []): PartPlan[] {
  const monthParts = months.map((month) => ({ first: accounts.length, ...monthPart(month) }));
  return [...accountParts(accounts, expectedRows), ...monthParts];
}

/** The transaction_id range of appended days in a month (YYYY-MM): `synth~<month>` up to the next month's. */
export function monthPart(month: string): { lower: string; upper: string } {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  const next = mm === 12 ? `${year + 1}-01` : `${year}-${String(mm + 1).padStart(2, '0')}`;
  return { lower: `${APPENDED_ID_START}${month}`, upper: `${APPENDED_ID_START}${next}` };
}

/** The months (YYYY-MM) from one day (YYYY-MM-DD) to another, both included. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = from.slice(0, 7); month <= to.slice(0, 7); month = monthPart(month).upper.slice(APPENDED_ID_START.length)) months.push(month);
  return months;
}

function accountParts(accounts: readonly { bankId: string; accountId: string }[], expectedRows: number): PartPlan[] {
  const wanted = Math.min(MAX_PARTS, accounts.length, Math.round(expectedRows / ROWS_PER_PART));
  if (wanted <= 1) return [{ first: 0, lower: null, upper: APPENDED_ID_START }];

  const prefixes = accounts.map((a) => Buffer.from(transactionIdPrefix(a)));
  const n = prefixes.length;
  // lowest prefix from each index on, highest before it
  const lowestFrom: number[] = new Array(n);
  lowestFrom[n - 1] = n - 1;
  for (let i = n - 2; i >= 0; i--) lowestFrom[i] = Buffer.compare(prefixes[i]!, prefixes[lowestFrom[i + 1]!]!) < 0 ? i : lowestFrom[i + 1]!;
  const highestBefore: number[] = new Array(n);
  for (let i = 1; i < n; i++) highestBefore[i] = i === 1 || Buffer.compare(prefixes[i - 1]!, prefixes[highestBefore[i - 1]!]!) > 0 ? i - 1 : highestBefore[i - 1]!;
  // where each prefix first appears, to find an earlier account's prefix at the start of a bound
  const firstIndex = new Map<string, number>();
  prefixes.forEach((p, i) => {
    const key = p.toString('latin1');
    if (!firstIndex.has(key)) firstIndex.set(key, i);
  });
  const UNDERSCORE = 0x5f;
  const separates = (b: number): boolean => {
    const bound = prefixes[lowestFrom[b]!]!;
    if (Buffer.compare(prefixes[highestBefore[b]!]!, bound) >= 0) return false;
    for (let end = 0; end < bound.length - 1; end++) {
      if (bound[end] !== UNDERSCORE) continue;
      const earlier = firstIndex.get(bound.subarray(0, end + 1).toString('latin1'));
      if (earlier !== undefined && earlier < b) return false;
    }
    return true;
  };

  const firsts: number[] = [0];
  const reach = Math.max(1, Math.floor(n / wanted / 2));
  for (let k = 1; k < wanted; k++) {
    const target = Math.round((k * n) / wanted);
    for (let shift = 0; shift < reach; shift++) {
      const candidate = [target + shift, target - shift].find((b) => b > firsts[firsts.length - 1]! && b < n && separates(b));
      if (candidate !== undefined) {
        firsts.push(candidate);
        break;
      }
    }
  }
  const lowers = firsts.map((b) => (b === 0 ? null : prefixes[lowestFrom[b]!]!));
  return firsts.map((first, k) => ({
    first,
    lower: k === 0 ? null : lowers[k]!.toString('utf8'),
    upper: k === firsts.length - 1 ? APPENDED_ID_START : lowers[k + 1]!.toString('utf8'),
  }));
}
