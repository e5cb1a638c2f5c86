/**
 * The generator's contract with the loader. Money is integer minor units; time is epoch ms (UTC).
 */
/** How a transaction was made: the one list of channels (the profile's schema, the events, the loader, dbt's accepted_values). */
export const CHANNELS = ['POS', 'ATM', 'ONLINE', 'TRANSFER', 'BRANCH'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What the generator needs to know of a real account. */
export interface AccountSeed {
  bankId: string;
  accountId: string;
  /** ISO 4217 from OBP; the generator picks a stable fallback when null */
  currency: string | null;
  /** the real balance at extraction, in minor units; the history ends exactly here when given */
  balanceMinor: number | null;
  accountType: string | null;
  label: string | null;
  /**
   * ISO 3166 alpha-2 where OBP says the account is (its IBAN, else its bank's BIC or country
   * attribute); absent or null: its currency places it (see `regionOf`)
   */
  country?: string | null;
}

export interface SyntheticTransaction {
  transactionId: string;
  bankId: string;
  accountId: string;
  /** signed: debits negative */
  amountMinor: number;
  currency: string;
  transactionType: string;
  description: string;
  merchant: string | null;
  /** ISO 18245 MCC, four digits */
  merchantCategory: string | null;
  counterparty: string | null;
  channel: Channel;
  timestampMs: number;
  isWeekend: boolean;
  balanceAfterMinor: number;
  isFraud: boolean;
  fraudPattern: string | null;
}
