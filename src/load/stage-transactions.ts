import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SyntheticTransaction } from '../synth/types.js';
import { BinaryCopyEncoder, runConstantDefaults, TRANSACTION_COPY_COLUMNS } from './copy-encoding.js';
import { LedgerCollector, type AccountLedger } from './ledger.js';

/**
 * Builds the next state of raw.transactions in a table of its own, at COPY speed, without holding
 * any lock a reader waits for.
 *
 * raw.transactions is partitioned (migrations/0003_safe_loads.sql) with one partition holding
 * every row. Inside the caller's transaction a fresh table is created (so COPY may FREEZE and no
 * key is checked row by row), the new rows are copied in, the rows of accounts this run does not
 * reload are copied over from the current partition, and the primary key is built in bulk. The
 * caller validates it, then `switchIn` checks the foreign keys in one join each and swaps the
 * partitions under a short lock. Nothing is visible to others until the caller commits.
 *
 * Runs that write only some accounts' rows next to others that may be loading at the same time
 * (appends, shards) stage just their own rows (`carryOver: false`) and `mergeIn` instead: row
 * locks only, so neither readers nor runs on other accounts wait for them.
 */
export interface TransactionSink {
  /** called for every row before it is copied (stats, CSV); return a promise to apply backpressure */
  onRow(row: SyntheticTransaction): void | Promise<void>;
  /** called with the running row count every chunk */
  onProgress(rows: number): void;
  signal?: AbortSignal;
}

export interface StagedTransactions {
  /** the table holding the next state, schema-qualified */
  table: string;
  /** rows of this run, as the server counted them */
  rows: number;
  /** this run's rows per account, gathered from the stream */
  ledger: readonly AccountLedger[];
  /** rows of earlier runs this run replaces */
  replacedRows: number;
  /** rows of other accounts carried over unchanged */
  keptRows: number;
  /** ms spent streaming rows, carrying over the others, building keys */
  timings: { copy: number; keep: number; keys: number };
}

const CHUNK_BYTES = 256 * 1024;
const PARENT = 'raw.transactions';

/** The staging table of a run (in schema raw_loads): named by its load_id, so it says which run made it. */
export function stagingTableName(loadId: string): string {
  return `transactions_${loadId.replace(/-/g, '')}`;
}

export async function stageTransactions(
  client: pg.ClientBase,
  accounts: readonly { bankId: string; accountId: string }[],
  rows: Iterable<SyntheticTransaction>,
  run: {
    loadId: string;
    generatedAt: Date;
    dropAccounts?: readonly { bankId: string; accountId: string }[];
    /** copy the rows of accounts this run does not load into the staged table (true: for `switchIn`; false: for `mergeIn`) */
    carryOver?: boolean;
  },
  sink: TransactionSink,
): Promise<StagedTransactions> {
  let mark = Date.now();
  const lap = () => {
    const now = Date.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  const name = stagingTableName(run.loadId);
  const table = `raw_loads.${name}`;
  // LIKE copies the columns (with the C collation of transaction_id), defaults, NOT NULLs and the
  // CHECK constraints under their own names, which ATTACH PARTITION requires.
  await client.query(`CREATE TABLE ${table} (LIKE ${PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  await markAccounts(client, 'loaded_accounts', accounts);
  await markAccounts(client, 'dropped_accounts', run.dropAccounts ?? []);

  const defaults = runConstantDefaults(table, run);
  await client.query(defaults.set);
  const ledger = new LedgerCollector();
  const copied = await copyRows(client, table, rows, {
    ...sink,
    onRow: (row) => {
      ledger.add(row);
      return sink.onRow(row);
    },
  });
  await client.query(defaults.drop);
  const copy = lap();

  // Everything of other accounts stays as it was (history of vanished accounts included, unless
  // pruned). Every transaction has its account in raw.accounts, so when each account there is
  // reloaded or pruned there is nothing to keep, and the old rows need not even be read.
  const carryOver = run.carryOver ?? true;
  const others = !carryOver
    ? { rows: [{ any: false }] }
    : await client.query<{ any: boolean }>(`
    SELECT EXISTS (
      SELECT 1 FROM raw.accounts a
      WHERE NOT EXISTS (SELECT 1 FROM loaded_accounts l WHERE l.bank_id = a.bank_id AND l.account_id = a.account_id)
        AND NOT EXISTS (SELECT 1 FROM dropped_accounts d WHERE d.bank_id = a.bank_id AND d.account_id = a.account_id)
    ) AS any`);
  const kept = others.rows[0]!.any
    ? await client.query(
        `INSERT INTO ${table}
         SELECT t.* FROM ${PARENT} t
         WHERE NOT EXISTS (SELECT 1 FROM loaded_accounts l WHERE l.bank_id = t.bank_id AND l.account_id = t.account_id)
           AND NOT EXISTS (SELECT 1 FROM dropped_accounts d WHERE d.bank_id = t.bank_id AND d.account_id = t.account_id)`,
      )
    : { rowCount: 0 };
  const keptRows = kept.rowCount ?? 0;
  // what switchIn will replace; mergeIn counts what it deletes itself
  const replacedRows = carryOver ? Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${PARENT}`)).rows[0]!.n) - keptRows : 0;
  const keep = lap();

  // The switch attaches the table, so it needs the key; a merge checks every id as it inserts
  // into the live partition, so a key here would be built only to be checked again.
  if (carryOver) {
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    await client.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quote(`${name}_pkey`)} PRIMARY KEY (transaction_id)`);
  }
  return { table, rows: copied, ledger: ledger.result(), replacedRows, keptRows, timings: { copy, keep, keys: lap() } };
}

/**
 * Checks the parent's foreign keys on the staged table, one join each, named as on the parent so
 * ATTACH adopts them instead of checking again. Locks raw.accounts and raw.load_runs against
 * writes (not reads) until COMMIT.
 */
export async function checkForeignKeys(client: pg.ClientBase, staged: { table: string }): Promise<void> {
  const foreignKeys = await client.query<{ name: string; definition: string }>(`
    SELECT conname AS name, pg_get_constraintdef(oid) AS definition
    FROM pg_constraint
    WHERE conrelid = '${PARENT}'::regclass AND contype = 'f'
    ORDER BY conname`);
  for (const fk of foreignKeys.rows) {
    await client.query(`ALTER TABLE ${staged.table} ADD CONSTRAINT ${quote(fk.name)} ${fk.definition}`);
  }
}

/**
 * Swaps the partitions: DETACH the current one, ATTACH the staged one, DROP the old. Only DETACH
 * takes a lock readers wait for, and only for the moments until COMMIT. Metadata only, so cheap
 * to retry under lock retries; all-or-nothing.
 */
export async function switchIn(client: pg.ClientBase, staged: { table: string }): Promise<void> {
  const current = await client.query<{ partition: string }>(
    `SELECT inhrelid::regclass::text AS partition FROM pg_inherits WHERE inhparent = '${PARENT}'::regclass`,
  );
  for (const { partition } of current.rows) await client.query(`ALTER TABLE ${PARENT} DETACH PARTITION ${partition}`);
  await client.query(`ALTER TABLE ${PARENT} ATTACH PARTITION ${staged.table} FOR VALUES FROM (MINVALUE) TO (MAXVALUE)`);
  for (const { partition } of current.rows) await client.query(`DROP TABLE ${partition}`);
}

/**
 * Merges a table staged with `carryOver: false` into raw.transactions: deletes the current rows of
 * `replaceAccounts` (none for an append), inserts the staged rows, drops the staged table. Row
 * locks only: readers keep reading the previous committed rows, and runs writing other accounts
 * go on at the same time. The inserts check the keys and foreign keys of the live partition row
 * by row (a transaction_id already there fails the run), so this path skips `checkForeignKeys`:
 * adding a foreign key to the staged table locks raw.accounts against other runs until COMMIT.
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

async function markAccounts(client: pg.ClientBase, name: string, accounts: readonly { bankId: string; accountId: string }[]): Promise<void> {
  await client.query(`CREATE TEMP TABLE ${name} (bank_id text, account_id text, PRIMARY KEY (bank_id, account_id)) ON COMMIT DROP`);
  await client.query(`INSERT INTO ${name} SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [
    accounts.map((a) => a.bankId),
    accounts.map((a) => a.accountId),
  ]);
  await client.query(`ANALYZE ${name}`);
}

async function copyRows(client: pg.ClientBase, table: string, rows: Iterable<SyntheticTransaction>, sink: TransactionSink): Promise<number> {
  // the table was created in this transaction: FREEZE writes the rows already frozen, no later vacuum pass
  const stream = client.query(copyFrom(`COPY ${table} (${TRANSACTION_COPY_COLUMNS.join(', ')}) FROM STDIN WITH (FORMAT binary, FREEZE)`));
  let failure: Error | undefined;
  stream.on('error', (error: Error) => (failure ??= error));
  const finished = once(stream, 'finish');
  finished.catch(() => undefined); // the error is handled through `failure`

  const encoder = new BinaryCopyEncoder();
  // Rows go straight into a fresh buffer per chunk, which is handed to the stream as it is.
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = BinaryCopyEncoder.HEADER.copy(buffer, 0);
  let count = 0;
  const flush = async () => {
    if (failure) throw failure;
    sink.signal?.throwIfAborted();
    const ok = stream.write(buffer.subarray(0, used));
    buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    used = 0;
    sink.onProgress(count);
    if (!ok) await once(stream, 'drain');
  };
  try {
    for (const row of rows) {
      const pending = sink.onRow(row);
      if (pending) await pending;
      const bytes = encoder.maxBytes(row);
      if (used + bytes > buffer.length) {
        if (used) await flush();
        if (bytes > buffer.length) buffer = Buffer.allocUnsafe(bytes);
      }
      used = encoder.encode(row, buffer, used);
      count++;
    }
    if (failure) throw failure;
    if (used + BinaryCopyEncoder.TRAILER.length > buffer.length) await flush();
    used += BinaryCopyEncoder.TRAILER.copy(buffer, used);
    stream.end(buffer.subarray(0, used));
    await finished;
    if (failure) throw failure;
  } catch (error) {
    // Abandon the COPY; the caller rolls the transaction back.
    stream.destroy(error as Error);
    throw failure ?? error;
  }
  sink.onProgress(count);
  // the server's count of what it stored, not ours of what we sent
  return (stream as unknown as { rowCount: number }).rowCount;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
