import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SyntheticTransaction } from '../synth/types.js';
import { BinaryCopyEncoder, RUN_CONSTANT_COLUMNS, TRANSACTION_COPY_COLUMNS, type RunConstants } from './copy-encoding.js';
import { LedgerCollector } from './ledger.js';

/** What a COPY tells the run about its rows as they go by. */
export interface TransactionSink {
  /** called for every row before it is copied (stats, CSV); return a promise to apply backpressure */
  onRow(row: SyntheticTransaction): void | Promise<void>;
  /** called with the running row count every chunk */
  onProgress(rows: number): void;
  signal?: AbortSignal;
}

/**
 * The run's stream of rows, read by one COPY after another: a COPY that stops at a row of the next
 * table hands that row back, and the next COPY starts with it.
 */
export class RowSource {
  private pending: SyntheticTransaction | undefined;
  /** rows handed to COPYs so far, every table's */
  count = 0;
  /** those rows summed up per account */
  readonly ledger = new LedgerCollector();

  constructor(private readonly rows: Iterator<SyntheticTransaction>) {}

  next(): SyntheticTransaction | undefined {
    const pending = this.pending;
    if (pending) {
      this.pending = undefined;
      return pending;
    }
    const next = this.rows.next();
    return next.done ? undefined : next.value;
  }

  pushBack(row: SyntheticTransaction): void {
    this.pending = row;
  }

  /** A COPY took the row. */
  took(row: SyntheticTransaction): void {
    this.count++;
    this.ledger.add(row);
  }
}

const CHUNK_BYTES = 256 * 1024;

/** Where a COPY writes. */
export type CopyTarget =
  /**
   * A table created in the client's current transaction, with the run's constants as column
   * defaults (runConstantDefaults): FREEZE writes the rows already frozen, so no later vacuum pass
   * rewrites them.
   */
  | { table: string; fresh: true }
  /** A table with rows of earlier runs (raw.transactions): each row carries the run's constants. */
  | { table: string; run: RunConstants };

/**
 * COPYs rows from `source` into the target in PostgreSQL's binary format until the source ends or
 * `belongs(row)` says a row is not this table's (it is pushed back). Returns the server's count of
 * what it stored.
 */
export async function copyRows(
  client: pg.ClientBase,
  target: CopyTarget,
  source: RowSource,
  sink: TransactionSink,
  belongs: (row: SyntheticTransaction) => boolean = () => true,
): Promise<number> {
  const run = 'run' in target ? target.run : undefined;
  const columns = run ? [...TRANSACTION_COPY_COLUMNS, ...RUN_CONSTANT_COLUMNS] : TRANSACTION_COPY_COLUMNS;
  const stream = client.query(copyFrom(`COPY ${target.table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT binary${run ? '' : ', FREEZE'})`));
  let failure: Error | undefined;
  stream.on('error', (error: Error) => (failure ??= error));
  const finished = once(stream, 'finish');
  finished.catch(() => undefined); // the error is handled through `failure`

  const encoder = new BinaryCopyEncoder(run);
  // Rows go straight into a fresh buffer per chunk, which is handed to the stream as it is.
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = BinaryCopyEncoder.HEADER.copy(buffer, 0);
  const flush = async () => {
    if (failure) throw failure;
    sink.signal?.throwIfAborted();
    const ok = stream.write(buffer.subarray(0, used));
    buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    used = 0;
    sink.onProgress(source.count);
    if (!ok) await once(stream, 'drain');
  };
  try {
    for (let row = source.next(); row !== undefined; row = source.next()) {
      if (!belongs(row)) {
        source.pushBack(row);
        break;
      }
      const pending = sink.onRow(row);
      if (pending) await pending;
      const bytes = encoder.maxBytes(row);
      if (used + bytes > buffer.length) {
        if (used) await flush();
        if (bytes > buffer.length) buffer = Buffer.allocUnsafe(bytes);
      }
      used = encoder.encode(row, buffer, used);
      source.took(row);
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
  sink.onProgress(source.count);
  return (stream as unknown as { rowCount: number }).rowCount;
}
