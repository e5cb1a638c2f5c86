/**
 * What extraction hands to the rest of the pipeline. Everything OBP-specific (HTTP, DirectLogin,
 * response shapes, snapshots) stays inside src/obp/; the loader only sees these records.
 */
export type ObpDataSource = 'REAL_API' | 'OBP_SNAPSHOT';

export interface ExtractedBank {
  bankId: string;
  bankName: string | null;
  shortName: string | null;
  website: string | null;
  logoUrl: string | null;
  /** ISO 3166 alpha-2 where OBP says the bank is: its BIC, else a country attribute (obp/country.ts); null when it does not say */
  country: string | null;
  /** the bank object exactly as the API returned it */
  payload: unknown;
  /** when the response carrying this bank arrived */
  extractedAt: Date;
}

export interface ExtractedAccount {
  bankId: string;
  accountId: string;
  label: string | null;
  accountType: string | null;
  accountNumber: string | null;
  iban: string | null;
  /** ISO 3166 alpha-2 where OBP says the account is held: its IBAN's country, else its bank's; null when neither says */
  country: string | null;
  /** ISO 4217 code, upper case (normalised, see normalise.ts), or null when OBP gave none */
  currency: string | null;
  /** balance as an exact 2-decimal string (normalised, e.g. "6599.63"), or null when OBP gave none */
  balance: string | null;
  /** the account object(s) exactly as the API returned them */
  payload: unknown;
  extractedAt: Date;
}

export interface Extraction {
  dataSource: ObpDataSource;
  mode: 'live' | 'snapshot';
  /** the OBP server root (live) or the snapshot file (snapshot) */
  origin: string;
  apiVersion: string;
  /** in the order the API listed them */
  banks: ExtractedBank[];
  accounts: ExtractedAccount[];
  /** asked-for banks that are gone (404 OBP-30001) */
  skippedBanks: { bankId: string; reason: string }[];
  /** stored banks where the user sees no accounts */
  banksWithoutAccounts: string[];
  /** every bank id OBP's bank list has now (all of it, whatever was asked for): a bank missing here has vanished */
  listedBankIds: string[];
  /** records that could not be loaded as OBP sent them, with why; the rest loads */
  setAside: SetAsideRecord[];
}

export const SET_ASIDE_KINDS = ['bank', 'account'] as const;

/** One OBP record not loaded: which, and the rule it broke. */
export interface SetAsideRecord {
  kind: (typeof SET_ASIDE_KINDS)[number];
  bankId: string;
  /** null for a bank */
  accountId: string | null;
  reason: string;
}
