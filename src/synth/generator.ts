import { planAccount } from './account.js';
import { DAY_MS } from './calendar.js';
import { generationContext, type GenerateOptions } from './context.js';
import { CHANNELS, EventBuffer } from './events.js';
import { FRAUD_PATTERNS } from './profile.js';
import type { AccountSeed, SyntheticTransaction } from './types.js';

/**
 * Synthetic transactions for the given accounts, as a lazy stream: ordered by (bankId, accountId),
 * then chronologically, exactly `transactionsPerAccount` rows per account. Memory is one
 * account's events (reused buffers) whatever the volume; rows depend only on (seed, asOf, days,
 * rates, profile, the account itself), never on the other accounts or how the stream is consumed.
 */
export function* generateTransactions(accounts: readonly AccountSeed[], options: GenerateOptions): Generator<SyntheticTransaction, void, undefined> {
  const ctx = generationContext(options);
  const events = new EventBuffer();
  const incidents: number[] = [];
  const n = options.transactionsPerAccount;
  const width = Math.max(4, String(n).length);
  const startMs = ctx.window.startMs;
  const ordered = [...accounts].sort((a, b) => compare(a.bankId, b.bankId) || compare(a.accountId, b.accountId));

  for (const account of ordered) {
    const plan = planAccount(account, ctx, events, incidents);
    const { bankId, accountId } = account;
    // OBP account ids are unique only within a bank (the sandbox reuses them across banks)
    const idPrefix = `synth_${bankId}_${accountId}_`;
    const { currency } = plan;
    const { order, chronoAmounts } = events;
    let balance = plan.openingMinor;
    for (let i = 0; i < n; i++) {
      const slot = order[i] as number;
      const type = ctx.types[events.types[slot] as number]!;
      const party = events.parties[slot] ?? null;
      const fraud = events.fraud[slot] as number;
      const amountMinor = chronoAmounts[i] as number;
      const timestampMs = startMs + events.secondOf(slot) * 1000;
      const dow = (Math.floor(timestampMs / DAY_MS) + 4) % 7;
      const isMerchant = party !== null && party.mcc !== null;
      balance += amountMinor;
      yield {
        transactionId: idPrefix + String(i + 1).padStart(width, '0'),
        bankId,
        accountId,
        amountMinor,
        currency,
        transactionType: type.name,
        description: type.withParty && party ? type.prefix + party.name + type.suffix : type.prefix,
        merchant: isMerchant ? party.name : null,
        merchantCategory: isMerchant ? party.mcc : null,
        counterparty: isMerchant ? null : (party?.name ?? null),
        channel: CHANNELS[events.channels[slot] as number]!,
        timestampMs,
        isWeekend: dow === 0 || dow === 6,
        balanceAfterMinor: balance,
        isFraud: fraud >= 0,
        fraudPattern: fraud >= 0 ? FRAUD_PATTERNS[fraud]! : null,
      };
    }
  }
}

/** What the generator decides for one account, for tests and reports: its rows follow from this. */
export interface AccountDescription {
  persona: string;
  currency: string;
  openingMinor: number;
  /** the overdraft the history respects: the persona's, or deeper when the real balance is below it */
  overdraftLimitMinor: number;
}

export function describeAccount(account: AccountSeed, options: GenerateOptions): AccountDescription {
  const plan = planAccount(account, generationContext(options), new EventBuffer(), []);
  return { persona: plan.persona.spec.name, currency: plan.currency, openingMinor: plan.openingMinor, overdraftLimitMinor: plan.limitMinor };
}

/** code-unit order, not locale order: the same on every machine */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
