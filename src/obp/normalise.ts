/**
 * The rules that turn what OBP sent into what the warehouse stores. A record that a rule cannot
 * repair is set aside with the rule's reason (see SetAsideRecord); one bad record never fails a run.
 *
 * - Text (names, labels, every string in the raw payload): a NUL becomes U+FFFD and a lone UTF-16
 *   surrogate becomes U+FFFD, since PostgreSQL text and jsonb can hold neither. An id holding one
 *   cannot be repaired without naming another record: the record is set aside.
 * - Balance: a plain decimal ("6599.63", "-12", "+3.5", "1.500") is kept as an exact 2-decimal
 *   amount. Anything else is set aside: a decimal comma ("12,50"), an exponent ("1e400"),
 *   "NaN", "Infinity", an empty string, more than 2 significant decimals ("1.005", which no rounding
 *   keeps exact), or more than numeric(18,2) / exact integer cents hold ("90071992547409.93").
 *   A balance OBP hides (null) stays null.
 * - Currency: trimmed, upper case, € -> EUR, £ -> GBP, ¥ -> JPY; it must then be an ISO 4217 code
 *   (the list of Intl), else the account is set aside. A hidden currency (null) stays null.
 * - Duplicates: a bank listed twice, or an account listed twice in one bank, loads once (the first);
 *   each repeat is set aside.
 */
import { formatMinorUnits, parseMinorUnits } from '../core/money.js';

// numeric(18, 2): 16 digits before the point
const MAX_BALANCE_MINOR = 10 ** 18 - 1;
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));
const CURRENCY_SYMBOLS: Record<string, string> = { '€': 'EUR', '£': 'GBP', '¥': 'JPY' };
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export type Normalised<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The text PostgreSQL can store: NUL and lone surrogates become U+FFFD. */
export function storableText(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, '\ufffd') : text;
}

export function storableOrNull(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : storableText(text);
}

/** Every string (keys too) of a JSON value made storable, for jsonb. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)]));
  }
  return value;
}

/** An id must be stored exactly as OBP has it: one PostgreSQL cannot store is a reason to set the record aside. */
export function checkId(what: string, id: string): string | undefined {
  return UNSTORABLE.test(id) ? `${what} ${JSON.stringify(id)} holds a NUL or a lone surrogate, which PostgreSQL cannot store` : undefined;
}

export function normaliseBalance(amount: string | null): Normalised<string | null> {
  if (amount === null) return { ok: true, value: null };
  let minor: number;
  try {
    minor = parseMinorUnits(amount);
  } catch (error) {
    return { ok: false, reason: `balance ${JSON.stringify(amount)} is not an exact amount with at most 2 decimals (${(error as Error).message})` };
  }
  if (Math.abs(minor) > MAX_BALANCE_MINOR) return { ok: false, reason: `balance ${JSON.stringify(amount)} is beyond numeric(18,2)` };
  return { ok: true, value: formatMinorUnits(minor) };
}

export function normaliseCurrency(currency: string | null): Normalised<string | null> {
  if (currency === null) return { ok: true, value: null };
  const trimmed = currency.trim();
  const code = CURRENCY_SYMBOLS[trimmed] ?? trimmed.toUpperCase();
  if (ISO_4217.has(code)) return { ok: true, value: code };
  return { ok: false, reason: `currency ${JSON.stringify(currency)} is not an ISO 4217 code` };
}
