import type pg from 'pg';
import type { Logger } from '../log/logger.js';
import { MAX_SHARDS, type Shard } from './shard.js';

/**
 * Loads of one warehouse, one session-level advisory lock each (on Citus: on the coordinator,
 * where every loader connects). Released when the run's session ends, whatever happened.
 */
export const LOAD_LOCK_KEY = 72_690_002;
/** Held (per transaction) while a run closes runs abandoned by dead processes, which any run may close. */
export const SHARED_ROWS_LOCK_KEY = 72_690_004;
/**
 * Held (per transaction, until COMMIT or ROLLBACK) by a shard-run that writes banks: the bank rows
 * are part of its atomic run, so another shard-run that must write banks too waits for its outcome.
 */
export const BANK_ROWS_LOCK_KEY = 72_690_005;
/** First key of the per-shard advisory lock (two-int4 form); the second is `shardLockKey`. */
export const SHARD_LOCK_CLASS = 72_690_003;

/** (index, count) packed into one int4: 1/2 and 1/4 are different shards. */
export function shardLockKey(shard: Shard): number {
  return shard.count * (MAX_SHARDS + 1) + shard.index;
}

/**
 * A run of every account holds the load lock alone. A shard-run shares it with the other
 * shard-runs (so a full load waits for them, and they for it) and holds its shard's own lock
 * alone (so the same shard twice waits). Session locks: released when the run's session ends.
 */
export async function acquireLoadLock(client: pg.ClientBase, log: Logger, shard: Shard | undefined): Promise<void> {
  const global = shard ? 'pg_advisory_lock_shared' : 'pg_advisory_lock';
  const tryGlobal = shard ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
  const { rows } = await client.query<{ locked: boolean }>(`SELECT ${tryGlobal}($1) AS locked`, [LOAD_LOCK_KEY]);
  if (!rows[0]?.locked) {
    log.warn(shard ? 'a load of every account is running on this warehouse; waiting for it to finish' : 'another load is running on this warehouse; waiting for it to finish');
    await client.query(`SELECT ${global}($1)`, [LOAD_LOCK_KEY]);
  }
  if (!shard) return;
  const key = shardLockKey(shard);
  const mine = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [SHARD_LOCK_CLASS, key]);
  if (mine.rows[0]?.locked) return;
  log.warn(`another load of shard ${shard.index}/${shard.count} is running on this warehouse; waiting for it to finish`);
  await client.query('SELECT pg_advisory_lock($1, $2)', [SHARD_LOCK_CLASS, key]);
}
