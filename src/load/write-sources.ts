import { sql, type Insertable, type Kysely } from 'kysely';
import type { ExtractedAccount, ExtractedBank, Extraction, ObpDataSource } from '../obp/types.js';
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
    is_active: true,
    last_seen_at: b.extractedAt,
    last_seen_load_id: loadId,
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
    is_active: true,
    last_seen_at: a.extractedAt,
    last_seen_load_id: loadId,
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

export interface Vanished {
  banks: string[];
  accounts: { bankId: string; accountId: string }[];
}

/**
 * Marks what OBP no longer has as inactive, keeping the rows and their history:
 * - a bank OBP's bank list no longer has, or whose endpoints answered 404 in this run;
 * - every account of such a bank;
 * - an account of a bank extracted in this run that OBP no longer lists (set-aside records are
 *   still listed, so they stay as they were).
 * Banks this run did not ask for, and still listed, are left exactly as they were. A shard-run
 * marks only accounts it `owns` (its shard's); every shard-run sees the same banks.
 * Returns what became inactive in this run.
 */
export async function markVanished(db: Kysely<Database>, extraction: Extraction, owns?: AccountFilter): Promise<Vanished> {
  const banks = await markVanishedBanks(db, extraction);
  const accounts = await markVanishedAccounts(db, extraction, owns);
  return { banks, accounts };
}

export type AccountFilter = (account: { bankId: string; accountId: string }) => boolean;

export async function markVanishedBanks(db: Kysely<Database>, extraction: Extraction): Promise<string[]> {
  const banks = await sql<{ bank_id: string }>`
    UPDATE raw.banks
       SET is_active = false
     WHERE ${vanishedBank(extraction)}
    RETURNING bank_id`.execute(db);
  return banks.rows.map((b) => b.bank_id);
}

/** An active bank OBP's bank list no longer has, or whose endpoints answered 404 in this run. */
function vanishedBank(extraction: Extraction) {
  const gone = extraction.skippedBanks.map((b) => b.bankId);
  return sql`is_active AND (NOT bank_id = ANY (${extraction.listedBankIds}::text[]) OR bank_id = ANY (${gone}::text[]))`;
}

/**
 * The banks whose stored row is not what this extraction would write: new, changed at OBP (names,
 * website, logo, payload, source), back from inactive, or vanished. Lineage columns (load_id,
 * extracted_at, last_seen_*) are not compared: they differ on every run. Reads without locking.
 */
export async function banksToWrite(db: Kysely<Database>, extraction: Extraction): Promise<string[]> {
  const b = extraction.banks;
  const { rows } = await sql<{ bank_id: string }>`
    SELECT v.bank_id
      FROM unnest(${b.map((x) => x.bankId)}::text[], ${b.map((x) => x.bankName)}::text[], ${b.map((x) => x.shortName)}::text[],
                  ${b.map((x) => x.website)}::text[], ${b.map((x) => x.logoUrl)}::text[], ${b.map((x) => JSON.stringify(x.payload))}::jsonb[])
           AS v (bank_id, bank_name, short_name, website, logo_url, payload)
      LEFT JOIN raw.banks AS s USING (bank_id)
     WHERE s.bank_id IS NULL OR NOT s.is_active OR s.data_source <> ${extraction.dataSource}
        OR (s.bank_name, s.short_name, s.website, s.logo_url, s.payload) IS DISTINCT FROM (v.bank_name, v.short_name, v.website, v.logo_url, v.payload)
    UNION ALL
    SELECT bank_id FROM raw.banks WHERE ${vanishedBank(extraction)}`.execute(db);
  return rows.map((r) => r.bank_id);
}

export async function markVanishedAccounts(db: Kysely<Database>, extraction: Extraction, owns: AccountFilter = () => true): Promise<Vanished['accounts']> {
  const seen = [...extraction.accounts, ...extraction.setAside.filter((r) => r.accountId !== null)];
  // found first, marked second: the shard of an account is computed here, not in SQL
  const found = await sql<{ bank_id: string; account_id: string }>`
    SELECT a.bank_id, a.account_id
      FROM raw.accounts AS a
     WHERE a.is_active
       AND (a.bank_id IN (SELECT b.bank_id FROM raw.banks AS b WHERE NOT b.is_active)
            OR (a.bank_id = ANY (${extraction.banks.map((b) => b.bankId)}::text[])
                AND NOT EXISTS (SELECT 1
                                  FROM unnest(${seen.map((r) => r.bankId)}::text[], ${seen.map((r) => r.accountId)}::text[]) AS s (bank_id, account_id)
                                 WHERE s.bank_id = a.bank_id AND s.account_id = a.account_id)))`.execute(db);
  const accounts = found.rows.map((a) => ({ bankId: a.bank_id, accountId: a.account_id })).filter(owns);
  if (accounts.length) {
    await sql`
      UPDATE raw.accounts AS a
         SET is_active = false
        FROM unnest(${accounts.map((a) => a.bankId)}::text[], ${accounts.map((a) => a.accountId)}::text[]) AS v (bank_id, account_id)
       WHERE a.bank_id = v.bank_id AND a.account_id = v.account_id`.execute(db);
  }
  return accounts;
}

/** Accounts marked inactive, whatever run marked them: what --prune removes the transactions of. */
export async function inactiveAccounts(db: Kysely<Database>): Promise<{ bankId: string; accountId: string }[]> {
  const rows = await db.selectFrom('raw.accounts').select(['bank_id', 'account_id']).where('is_active', '=', false).execute();
  return rows.map((r) => ({ bankId: r.bank_id, accountId: r.account_id }));
}
