import type pg from 'pg';
import type { SyntheticTransaction } from '../synth/types.js';
import { runConstantDefaults } from './copy-encoding.js';
import { copyRows, RowSource, type TransactionSink } from './copy-rows.js';
import { LedgerCollector, type AccountLedger } from './ledger.js';

/**
 * Stages the rows of a run that merges into raw.transactions instead of replacing it (appends,
 * shard-runs, every run on Citus: see stage-partitions.ts for the runs that replace it): a fresh
 * table in the run's transaction (so COPY may FREEZE and no key is checked row by row) holding
 * just this run's rows, which `mergeIn` then inserts with row locks only, so neither readers nor
 * runs on other accounts wait for it.
 */
export interface StagedTransactions {
  /** the table holding this run's rows, schema-qualified */
  table: string;
  /** rows of this run, as the server counted them */
  rows: number;
  /** this run's rows per account, gathered from the stream */
  ledger: readonly AccountLedger[];
  /** ms spent streaming rows */
  timings: { copy: number };
}

const PARENT = 'raw.transactions';

/** The staging table of a run (in schema raw_loads): named by its load_id, so it says which run made it. */
export function stagingTableName(loadId: string): string {
  return `transactions_${loadId.replace(/-/g, '')}`;
}

export async function stageTransactions(
  client: pg.ClientBase,
  rows: Iterable<SyntheticTransaction>,
  run: { loadId: string; generatedAt: Date },
  sink: TransactionSink,
): Promise<StagedTransactions> {
  const started = Date.now();
  const table = `raw_loads.${stagingTableName(run.loadId)}`;
  // LIKE copies the columns in the parent's order (mergeIn inserts them as they are), the
  // defaults, NOT NULLs and CHECK constraints
  await client.query(`CREATE TABLE ${table} (LIKE ${PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  const defaults = runConstantDefaults(table, run);
  await client.query(defaults.set);
  const ledger = new LedgerCollector();
  const copied = await copyRows(client, table, new RowSource(rows[Symbol.iterator]()), {
    ...sink,
    onRow: (row) => {
      ledger.add(row);
      return sink.onRow(row);
    },
  });
  await client.query(defaults.drop);
  return { table, rows: copied, ledger: ledger.result(), timings: { copy: Date.now() - started } };
}

/**
 * Merges a table staged by `stageTransactions` into raw.transactions: deletes the current rows of
 * `replaceAccounts` (none for an append), inserts the staged rows, drops the staged table. Row
 * locks only: readers keep reading the previous committed rows, and runs writing other accounts
 * go on at the same time. The inserts check the keys and foreign keys of the live partition row
 * by row (a transaction_id already there fails the run); adding the foreign keys to the staged
 * table in bulk instead would lock raw.accounts against other runs until COMMIT.
 */
export async function mergeIn(
  client: pg.ClientBase,
  staged: { table: string },
  options: { replaceAccounts: readonly { bankId: string; accountId: string }[] },
): Promise<{ replacedRows: number }> {
  const replaced = options.replaceAccounts.length
    ? await client.query(
        `DELETE FROM ${PARENT}
         WHERE (bank_id, account_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [options.replaceAccounts.map((a) => a.bankId), options.replaceAccounts.map((a) => a.accountId)],
      )
    : { rowCount: 0 };
  // the staged table was made LIKE the parent: same columns in the same order
  await client.query(`INSERT INTO ${PARENT} SELECT * FROM ${staged.table}`);
  await client.query(`DROP TABLE ${staged.table}`);
  return { replacedRows: replaced.rowCount ?? 0 };
}
