import { sql, type Insertable, type Kysely } from 'kysely';
import type { ExtractedAccount, ExtractedBank, ObpDataSource } from '../obp/types.js';
import type { AccountsTable, BanksTable, Database } from '../warehouse/schema.js';

const BATCH = 1_000;

/** Upserts banks: a bank seen again is updated to its latest state and lineage, never duplicated. */
export function upsertBanks(db: Kysely<Database>, banks: readonly ExtractedBank[], dataSource: ObpDataSource, loadId: string): Promise<void> {
  const rows: Insertable<BanksTable>[] = banks.map((b) => ({
    bank_id: b.bankId,
    bank_name: b.bankName,
    short_name: b.shortName,
    website: b.website,
    logo_url: b.logoUrl,
    payload: JSON.stringify(b.payload),
    data_source: dataSource,
    extracted_at: b.extractedAt,
    load_id: loadId,
  }));
  return upsert(db, 'raw.banks', ['bank_id'], rows);
}

/** Upserts accounts on (bank_id, account_id), like banks. */
export function upsertAccounts(db: Kysely<Database>, accounts: readonly ExtractedAccount[], dataSource: ObpDataSource, loadId: string): Promise<void> {
  const rows: Insertable<AccountsTable>[] = accounts.map((a) => ({
    bank_id: a.bankId,
    account_id: a.accountId,
    account_label: a.label,
    account_type: a.accountType,
    account_number: a.accountNumber,
    iban: a.iban,
    currency: a.currency,
    balance: a.balance,
    payload: JSON.stringify(a.payload),
    data_source: dataSource,
    extracted_at: a.extractedAt,
    load_id: loadId,
  }));
  return upsert(db, 'raw.accounts', ['bank_id', 'account_id'], rows);
}

/** INSERT … ON CONFLICT (key) DO UPDATE every other column to the incoming value. */
async function upsert<T extends 'raw.banks' | 'raw.accounts'>(
  db: Kysely<Database>,
  table: T,
  key: readonly string[],
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  if (!rows.length) return;
  const updated = Object.keys(rows[0]!).filter((column) => !key.includes(column));
  // kysely cannot type a column list chosen at run time; the rows themselves are typed above
  const untyped = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const set = Object.fromEntries(updated.map((column) => [column, sql.ref(`excluded.${column}`)]));
  for (let i = 0; i < rows.length; i += BATCH) {
    await untyped
      .insertInto(table as string)
      .values(rows.slice(i, i + BATCH) as Record<string, unknown>[])
      .onConflict((oc) => oc.columns(key as string[]).doUpdateSet(set))
      .execute();
  }
}
