import type { Kysely } from 'kysely';
import type { ExtractedAccount, ExtractedBank, ObpDataSource } from '../obp/types.js';
import type { Database } from '../warehouse/schema.js';

const BATCH = 1_000;

/** Upserts banks: a bank seen again is updated to its latest state and lineage, never duplicated. */
export async function upsertBanks(db: Kysely<Database>, banks: readonly ExtractedBank[], dataSource: ObpDataSource, loadId: string): Promise<void> {
  for (let i = 0; i < banks.length; i += BATCH) {
    const values = banks.slice(i, i + BATCH).map((b) => ({
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
    await db
      .insertInto('raw.banks')
      .values(values)
      .onConflict((oc) =>
        oc.column('bank_id').doUpdateSet((eb) => ({
          bank_name: eb.ref('excluded.bank_name'),
          short_name: eb.ref('excluded.short_name'),
          website: eb.ref('excluded.website'),
          logo_url: eb.ref('excluded.logo_url'),
          payload: eb.ref('excluded.payload'),
          data_source: eb.ref('excluded.data_source'),
          extracted_at: eb.ref('excluded.extracted_at'),
          load_id: eb.ref('excluded.load_id'),
        })),
      )
      .execute();
  }
}

/** Upserts accounts on (bank_id, account_id), like banks. */
export async function upsertAccounts(db: Kysely<Database>, accounts: readonly ExtractedAccount[], dataSource: ObpDataSource, loadId: string): Promise<void> {
  for (let i = 0; i < accounts.length; i += BATCH) {
    const values = accounts.slice(i, i + BATCH).map((a) => ({
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
    await db
      .insertInto('raw.accounts')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['bank_id', 'account_id']).doUpdateSet((eb) => ({
          account_label: eb.ref('excluded.account_label'),
          account_type: eb.ref('excluded.account_type'),
          account_number: eb.ref('excluded.account_number'),
          iban: eb.ref('excluded.iban'),
          currency: eb.ref('excluded.currency'),
          balance: eb.ref('excluded.balance'),
          payload: eb.ref('excluded.payload'),
          data_source: eb.ref('excluded.data_source'),
          extracted_at: eb.ref('excluded.extracted_at'),
          load_id: eb.ref('excluded.load_id'),
        })),
      )
      .execute();
  }
}
