import { sql, type Kysely } from 'kysely';
import type { ExtractedAccount, ExtractedBank, Extraction, ObpDataSource } from '../obp/types.js';
import type { Database } from '../warehouse/schema.js';

/** Upserts banks: a bank seen again is updated to its latest state and lineage, never duplicated. */
export function upsertBanks(db: Kysely<Database>, banks: readonly ExtractedBank[], dataSource: ObpDataSource, loadId: string): Promise<void> {
  const rows = banks.map((b) => ({
    bank_id: b.bankId,
    bank_name: b.bankName,
    short_name: b.shortName,
    website: b.website,
    logo_url: b.logoUrl,
    payload: b.payload,
    extracted_at: b.extractedAt,
  }));
  return upsert(db, 'raw.banks', ['bank_id'], rows, BANK_TYPES, { dataSource, loadId });
}

const BANK_TYPES = { bank_id: 'text', bank_name: 'text', short_name: 'text', website: 'text', logo_url: 'text', payload: 'jsonb', extracted_at: 'timestamptz' } as const;

/** Upserts accounts on (bank_id, account_id), like banks. */
export function upsertAccounts(db: Kysely<Database>, accounts: readonly ExtractedAccount[], dataSource: ObpDataSource, loadId: string): Promise<void> {
  const rows = accounts.map((a) => ({
    bank_id: a.bankId,
    account_id: a.accountId,
    account_label: a.label,
    account_type: a.accountType,
    account_number: a.accountNumber,
    iban: a.iban,
    currency: a.currency,
    balance: a.balance,
    payload: a.payload,
    extracted_at: a.extractedAt,
  }));
  return upsert(db, 'raw.accounts', ['bank_id', 'account_id'], rows, ACCOUNT_TYPES, { dataSource, loadId });
}

const ACCOUNT_TYPES = {
  bank_id: 'text', account_id: 'text', account_label: 'text', account_type: 'text', account_number: 'text', iban: 'text',
  currency: 'text', balance: 'numeric', payload: 'jsonb', extracted_at: 'timestamptz',
} as const;

/**
 * INSERT … ON CONFLICT (key) DO UPDATE every other column to the incoming value, every row in one
 * statement: the rows go as one JSON document read by jsonb_to_recordset (a payload stays the
 * object it is, not a string escaped into an array literal; 3,000 accounts' payloads as text[]
 * took the server several times as long). The run's lineage columns are constants: the row is
 * active, last seen by this run, when it was extracted.
 */
async function upsert<Row extends Record<string, unknown>>(
  db: Kysely<Database>,
  table: 'raw.banks' | 'raw.accounts',
  key: readonly (keyof Row & string)[],
  rows: readonly Row[],
  /** the SQL type of every column of a row (the same keys: the compiler holds the two together) */
  types: { readonly [C in keyof Row]: string },
  run: { dataSource: ObpDataSource; loadId: string },
): Promise<void> {
  if (!rows.length) return;
  const given = Object.keys(types) as (keyof Row & string)[];
  const names = [...given, 'data_source', 'load_id', 'is_active', 'last_seen_at', 'last_seen_load_id'];
  const set = names.filter((column) => !(key as readonly string[]).includes(column)).map((column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`);
  await sql`
    INSERT INTO ${sql.table(table)} (${sql.join(names.map((column) => sql.ref(column)))})
    SELECT ${sql.join(given.map((column) => sql`r.${sql.ref(column)}`))}, ${run.dataSource}, ${run.loadId}::uuid, true, r.extracted_at, ${run.loadId}::uuid
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r (${sql.join(given.map((column) => sql`${sql.ref(column)} ${sql.raw(types[column])}`))})
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
                -- NOT IN over an uncorrelated list: one hashed set, not a scan of the list per account
                -- (under the OR, NOT EXISTS stayed a correlated subplan: 3,000 accounts x 3,000 ids)
                AND (a.bank_id, a.account_id) NOT IN (SELECT s.bank_id, s.account_id
                                  FROM unnest(${seen.map((r) => r.bankId)}::text[], ${seen.map((r) => r.accountId)}::text[]) AS s (bank_id, account_id))))`.execute(db);
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
