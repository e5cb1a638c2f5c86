import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SyntheticTransaction } from '../synth/types.js';
import { CopyLineEncoder, runConstantDefaults, TRANSACTION_COPY_COLUMNS } from './copy-encoding.js';

/**
 * Replaces the transactions of the loaded accounts with a new stream of rows, at COPY speed.
 *
 * A foreign key checked row by row caps COPY at ~100k rows/s on this kind of machine; checked in
 * bulk after the copy it costs one join. So, inside the caller's transaction: the keys and indexes
 * of raw.transactions are dropped (read from the catalog, so later migrations are respected), the
 * rows are copied, then every key and index is re-created and validated in bulk before commit.
 * Nothing is visible to others until the caller commits; any failure rolls all of it back.
 */
export interface TransactionSink {
  /** called for every row before it is copied (stats, CSV); return a promise to apply backpressure */
  onRow(row: SyntheticTransaction): void | Promise<void>;
  /** called with the running row count every chunk */
  onProgress(rows: number): void;
  signal?: AbortSignal;
}

export interface ReplaceResult {
  rows: number;
  replacedRows: number;
  /** ms spent removing old rows, streaming rows, rebuilding keys */
  timings: { clear: number; copy: number; keys: number };
}

const CHUNK_BYTES = 256 * 1024;

export async function replaceTransactions(
  client: pg.ClientBase,
  accounts: readonly { bankId: string; accountId: string }[],
  rows: Iterable<SyntheticTransaction>,
  run: { loadId: string; generatedAt: Date },
  sink: TransactionSink,
): Promise<ReplaceResult> {
  let mark = Date.now();
  const lap = () => {
    const now = Date.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };

  const { replacedRows, truncated } = await clearLoadedAccounts(client, accounts);
  const keys = await suspendKeys(client);
  const clear = lap();

  const defaults = runConstantDefaults('raw.transactions', run);
  await client.query(defaults.set);
  const copied = await copyRows(client, rows, sink, truncated);
  await client.query(defaults.drop);
  const copy = lap();

  await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
  for (const statement of keys.restore) await client.query(statement);
  return { rows: copied, replacedRows, timings: { clear, copy, keys: lap() } };
}

async function clearLoadedAccounts(client: pg.ClientBase, accounts: readonly { bankId: string; accountId: string }[]) {
  await client.query(`CREATE TEMP TABLE loaded_accounts (bank_id text, account_id text, PRIMARY KEY (bank_id, account_id)) ON COMMIT DROP`);
  await client.query(`INSERT INTO loaded_accounts SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [
    accounts.map((a) => a.bankId),
    accounts.map((a) => a.accountId),
  ]);
  // Lock first: nobody may add rows between the check and the truncate.
  await client.query('LOCK TABLE raw.transactions IN ACCESS EXCLUSIVE MODE');
  const { rows } = await client.query<{ others: boolean; total: string }>(`
    SELECT EXISTS (
             SELECT 1 FROM raw.transactions t
             WHERE NOT EXISTS (SELECT 1 FROM loaded_accounts l WHERE l.bank_id = t.bank_id AND l.account_id = t.account_id)
           ) AS others,
           (SELECT count(*) FROM raw.transactions) AS total`);
  const { others, total } = rows[0]!;
  if (!others) {
    // Every stored row belongs to a reloaded account: TRUNCATE is instant and lets COPY FREEZE.
    await client.query('TRUNCATE raw.transactions');
    return { replacedRows: Number(total), truncated: true };
  }
  const deleted = await client.query(
    `DELETE FROM raw.transactions t USING loaded_accounts l WHERE t.bank_id = l.bank_id AND t.account_id = l.account_id`,
  );
  return { replacedRows: deleted.rowCount ?? 0, truncated: false };
}

/** Drops the primary, unique and foreign keys and the other indexes; returns the statements that restore them. */
async function suspendKeys(client: pg.ClientBase): Promise<{ restore: string[] }> {
  const constraints = await client.query<{ name: string; definition: string }>(`
    SELECT conname AS name, pg_get_constraintdef(oid) AS definition
    FROM pg_constraint
    WHERE conrelid = 'raw.transactions'::regclass AND contype IN ('p', 'u', 'f')
    ORDER BY contype DESC, conname`); // p and u first: keys before the foreign keys
  const indexes = await client.query<{ name: string; definition: string }>(`
    SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
    FROM pg_index i
    WHERE i.indrelid = 'raw.transactions'::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`);
  const restore: string[] = [];
  if (constraints.rows.length) {
    await client.query(`ALTER TABLE raw.transactions ${constraints.rows.map((c) => `DROP CONSTRAINT ${quote(c.name)}`).join(', ')}`);
    restore.push(`ALTER TABLE raw.transactions ${constraints.rows.map((c) => `ADD CONSTRAINT ${quote(c.name)} ${c.definition}`).join(', ')}`);
  }
  for (const index of indexes.rows) {
    await client.query(`DROP INDEX ${index.name}`);
    restore.push(index.definition);
  }
  return { restore };
}

async function copyRows(
  client: pg.ClientBase,
  rows: Iterable<SyntheticTransaction>,
  sink: TransactionSink,
  freeze: boolean,
): Promise<number> {
  const stream = client.query(
    copyFrom(`COPY raw.transactions (${TRANSACTION_COPY_COLUMNS.join(', ')}) FROM STDIN${freeze ? ' WITH (FREEZE)' : ''}`),
  );
  let failure: Error | undefined;
  stream.on('error', (error: Error) => (failure ??= error));
  const finished = once(stream, 'finish');
  finished.catch(() => undefined); // the error is handled through `failure`

  const encoder = new CopyLineEncoder();
  // Lines go straight into a fresh buffer per chunk: cheaper than concatenating strings and
  // converting them (the encoder, not PostgreSQL, bounds the loader).
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
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
      const line = encoder.encode(row);
      // UTF-8 takes at most 3 bytes per UTF-16 unit, so the line always fits after a flush
      if (used + line.length * 3 > buffer.length) {
        if (used) await flush();
        if (line.length * 3 > buffer.length) buffer = Buffer.allocUnsafe(line.length * 3);
      }
      used += buffer.write(line, used);
      count++;
    }
    if (failure) throw failure;
    stream.end(buffer.subarray(0, used));
    await finished;
    if (failure) throw failure;
  } catch (error) {
    // Abandon the COPY; the caller rolls the transaction back.
    stream.destroy(error as Error);
    throw failure ?? error;
  }
  sink.onProgress(count);
  return count;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
