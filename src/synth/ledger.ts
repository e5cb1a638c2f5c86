/**
 * The running balance, in integer minor units. balance_after of a row is the previous balance
 * plus its amount, exactly; when the real balance is known the history ends on it, so the opening
 * balance is derived; balances never go below -limit (the arranged overdraft).
 */

/** How far the ledger may deepen a random debit to keep earlier balances above the floor. */
const MAX_GROWTH = 3;
/** How many later rows one shortfall may look at: keeps a hopeless account linear, not quadratic. */
const LOOKAHEAD = 512;

export interface Settlement {
  openingMinor: number;
  /** the overdraft limit the history respects: the persona's, or deeper when the real balance is */
  limitMinor: number;
}

/**
 * History ending at `endMinor`: walks back from the end. Every balance before row i is
 * end - (sum of the amounts after it), so when one would dip below the floor the fix is a
 * smaller credit at row i (down to its type's minimum) or more spending after it: deepening a
 * later, unlocked debit (up to its type's maximum) lifts every balance before that debit and
 * changes none after it, and the end stays exact. Only if neither suffices does the account get
 * a deeper overdraft. `amounts`, `locked` and `bound` (per row: the credit's minimum or the
 * debit's maximum) are in chronological order; `amounts` is edited in place.
 */
export function settleToEnd(
  amounts: Float64Array, locked: Uint8Array, bound: Float64Array, n: number, endMinor: number, limitMinor: number, maxSlackMinor: number,
  /** per account, so that accounts do not share their repaired low points */
  salt: number,
): Settlement {
  let floor = Math.max(limitMinor, -endMinor);
  let after = endMinor;
  for (let i = n - 1; i >= 0; i--) {
    let before = after - (amounts[i] as number);
    // a repaired low point lands somewhere above the limit, not on it (balances piled on -500.00)
    const target = -floor + slackAt(i + salt, maxSlackMinor);
    if (before < target && !locked[i] && (amounts[i] as number) > 0) {
      // never all the way down to the type's minimum for every cut credit (a pile at 500.00)
      const room = (amounts[i] as number) - (bound[i] as number);
      const cut = Math.min(room - slackAt(i + salt, Math.max(1, room >> 2)), target - before);
      amounts[i] = (amounts[i] as number) - cut;
      before += cut;
    }
    if (before < -floor) {
      let deficit = target - before;
      for (let k = i + 1; k < n && k <= i + LOOKAHEAD && deficit > 0; k++) {
        const amount = amounts[k] as number;
        if (locked[k] || amount >= 0) continue;
        const room = Math.min((bound[k] as number) + amount, -amount * MAX_GROWTH);
        const take = Math.min(room, deficit);
        if (take <= 0) continue;
        amounts[k] = amount - take;
        deficit -= take;
        after += take;
      }
      before = after - (amounts[i] as number);
      if (before < -floor) floor = -before;
    }
    after = before;
  }
  return { openingMinor: after, limitMinor: floor };
}

/** History without a known end: the drawn opening balance, raised until no balance dips below -limit (plus a slack). */
export function settleFromOpening(amounts: Float64Array, n: number, openingMinor: number, limitMinor: number, maxSlackMinor: number, salt: number): Settlement {
  let running = 0;
  let lowest = 0;
  for (let i = 0; i < n; i++) {
    running += amounts[i] as number;
    if (running < lowest) lowest = running;
  }
  return openingAbove(lowest, openingMinor, limitMinor, maxSlackMinor, n + salt);
}

/** The drawn opening, or one that keeps the history's lowest point (`lowest`, from the opening) above -limit. */
export function openingAbove(lowest: number, openingMinor: number, limitMinor: number, maxSlackMinor: number, salt: number): Settlement {
  const needed = -limitMinor - lowest;
  return { openingMinor: openingMinor >= needed ? openingMinor : needed + slackAt(salt, maxSlackMinor), limitMinor };
}

/**
 * A deterministic spread in [0, max) by row index: cheap, and no random stream to disturb. A
 * non-linear integer mix, because consecutive low points of a linear hash differ by a constant
 * (which piled cut credits on one amount).
 */
function slackAt(i: number, max: number): number {
  if (max <= 0) return 0;
  let h = Math.imul((i + 1) ^ ((i + 1) >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return ((h ^ (h >>> 16)) >>> 0) % max;
}
