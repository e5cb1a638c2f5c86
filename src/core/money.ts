/**
 * Money is handled in integer minor units (cents) everywhere; decimals only exist as strings at
 * the edges (OBP's JSON, COPY text, CSV). Integers below 2^53 are exact in a JS number, which
 * covers numeric(18,2) up to ~90 trillion, far beyond any synthetic account.
 */
const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** "6599.63" -> 659963. Throws on anything that is not a plain decimal with at most 2 places. */
export function parseMinorUnits(text: string): number {
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new RangeError(`not a decimal amount: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > 2 && !/^0*$/.test(fraction.slice(2))) {
    throw new RangeError(`amount has more than 2 decimal places: ${JSON.stringify(text)}`);
  }
  const minor = Number(whole) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount out of range: ${JSON.stringify(text)}`);
  return sign === '-' ? -minor : minor;
}

/** 659963 -> "6599.63", -5 -> "-0.05". */
export function formatMinorUnits(minor: number): string {
  const negative = minor < 0;
  const abs = negative ? -minor : minor;
  const whole = Math.floor(abs / 100);
  const cents = abs - whole * 100;
  return `${negative ? '-' : ''}${whole}.${cents < 10 ? '0' : ''}${cents}`;
}
