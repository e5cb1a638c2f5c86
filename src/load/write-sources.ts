import { sql, type Insertable, type Kysely } from 'kysely';
import type { ExtractedAccount, ExtractedBank, Extraction, ObpDataSource } from '../obp/types.js';
import type { Database } from '../warehouse/schema.js';

/** Upserts banks: a bank seen again is updated to its latest state and lineage, never duplicated. */
export function upsertBanks(db: Kysely<Database>, banks: readonly ExtractedBank[], dataSource: ObpDataSource, loadId: string): Promise<void> {
  return upsert(db, 'raw.banks', ['bank_id'], {
    bank_id: ['text', banks.map((b) => b.bankId)],
    bank_name: ['text', banks.map((b) => b.bankName)],
    short_name: ['text', banks.map((b) => b.shortName)],
    website: ['text', banks.map((b) => b.website)],
    logo_url: ['text', banks.map((b) => b.logoUrl)],
    payload: ['jsonb', banks.map((b) => JSON.stringify(b.payload))],
    extracted_at: ['timestamptz', banks.map((b) => b.extractedAt)],
  }, { dataSource, loadId });
}

/** Upserts accounts on (bank_id, account_id), like banks. */
export function upsertAccounts(db: Kysely<Database>, accounts: readonly ExtractedAccount[], dataSource: ObpDataSource, loadId: string): Promise<void> {
  return upsert(db, 'raw.accounts', ['bank_id', 'account_id'], {
    bank_id: ['text', accounts.map((a) => a.bankId)],
    account_id: ['text', accounts.map((a) => a.accountId)],
    account_label: ['text', accounts.map((a) => a.label)],
    account_type: ['text', accounts.map((a) => a.accountType)],
    account_number: ['text', accounts.map((a) => a.accountNumber)],
    iban: ['text', accounts.map((a) => a.iban)],
    currency: ['text', accounts.map((a) => a.currency)],
    balance: ['numeric', accounts.map((a) => a.balance)],
    payload: ['jsonb', accounts.map((a) => JSON.stringify(a.payload))],
    extracted_at: ['timestamptz', accounts.map((a) => a.extractedAt)],
  }, { dataSource, loadId });
}

/**
 * INSERT … ON CONFLICT (key) DO UPDATE every other column to the incoming value, for every row in
 * one statement over unnest()ed arrays (one parameter a column, not one a value: 3,000 accounts
 * were 45,000 parameters in three statements). The run's lineage columns are constants: the row
 * is active, last seen by this run, when it was extracted.
 */
async function upsert<T extends 'raw.banks' | 'raw.accounts'>(
  db: Kysely<Database>,
  table: T,
  key: readonly (keyof Insertable<Database[T]> & string)[],
  columns: Partial<Record<keyof Insertable<Database[T]> & string, [type: string, values: unknown[]]>>,
  run: { dataSource: ObpDataSource; loadId: string },
): Promise<void> {
  const given = Object.entries(columns) as [string, [string, unknown[]]][];
  if (!given[0]?.[1][1].length) return;
  const names = [...given.map(([column]) => column), 'data_source', 'load_id', 'is_active', 'last_seen_at', 'last_seen_load_id'];
  const arrays = given.map(([column, [type, values]]) => sql`${values}::${sql.raw(type)}[]`);
  const set = names.filter((column) => !key.includes(column as never)).map((column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`);
  await sql`
    INSERT INTO ${sql.table(table)} (${sql.join(names.map((column) => sql.ref(column)))})
    SELECT u.*, ${run.dataSource}, ${run.loadId}::uuid, true, u.extracted_at, ${run.loadId}::uuid
    FROM unnest(${sql.join(arrays)}) AS u (${sql.join(given.map(([column]) => sql.ref(column)))})
    ON CONFLICT (${sql.join(key.map((column) => sql.ref(column)))}) DO UPDATE SET ${sql.join(set)}`.execute(db);
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
  const gone = extraction.skippedBanks.map((b) => b.bankId);
  const banks = await sql<{ bank_id: string }>`
    UPDATE raw.banks
       SET is_active = false
     WHERE is_active
       AND (NOT bank_id = ANY (${extraction.listedBankIds}::text[]) OR bank_id = ANY (${gone}::text[]))
    RETURNING bank_id`.execute(db);
  return banks.rows.map((b) => b.bank_id);
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
