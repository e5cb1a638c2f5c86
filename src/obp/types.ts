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
  /** ISO 4217 code as OBP gave it, or null */
  currency: string | null;
  /** balance exactly as OBP gave it (a decimal string, e.g. "6599.63"), or null */
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
}
