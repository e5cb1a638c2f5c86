import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { HybridbankError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';

/**
 * The loader and the migrations never wait forever on a reader. Every step that needs a lock a
 * reader's session could hold runs under `lock_timeout` inside a savepoint: on a timeout the step is rolled back
 * to the savepoint, the blocking sessions are named, and the step is tried again after a pause
 * (which lets the readers queued behind the loader through). After the last try the run fails,
 * saying who blocked it and what to do.
 */
export interface LockPolicy {
  /** longest single wait for a lock, ms: also the longest a reader queued behind the loader waits */
  timeoutMs: number;
  /** tries after the first */
  retries: number;
}

/** --lock-timeout-ms and --lock-retries by default, and the migrations' policy outside a load */
export const DEFAULT_LOCK_POLICY: LockPolicy = { timeoutMs: 1_000, retries: 20 };

export interface BlockingSession {
  pid: number;
  user: string | null;
  application: string | null;
  state: string | null;
  /** seconds since its transaction (or query) started */
  ageSeconds: number | null;
  query: string | null;
}

/** SQLSTATE of a lock wait that ran out of lock_timeout */
export const LOCK_NOT_AVAILABLE = '55P03';

export interface LockContext {
  /** the load's own connection, inside its transaction */
  client: pg.ClientBase & { processID?: number };
  /** another connection, to see who blocks the load's */
  pool: pg.Pool;
  policy: LockPolicy;
  log: Logger;
  signal: AbortSignal;
  /** who gives up, and what is left as it was then (the load's transaction by default) */
  failure?: { actor: string; unchanged: string };
}

const LOAD_FAILURE = { actor: 'The load', unchanged: 'Nothing of this run was committed; the warehouse is unchanged.' };

export async function withLockRetries<T>(context: LockContext, what: string, work: () => Promise<T>): Promise<T> {
  const { client, pool, policy, log, signal, failure = LOAD_FAILURE } = context;
  for (let attempt = 0; ; attempt++) {
    await client.query('SAVEPOINT lock_retry');
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(policy.timeoutMs))}`);
    // Asked while the wait is on (pg_blocking_pids only answers for a session that is waiting),
    // so asked a few times per lock_timeout while the step runs; the last answer naming someone wins.
    let blockers: BlockingSession[] = [];
    let asking = false;
    const probe = setInterval(() => {
      if (asking) return;
      asking = true;
      blockingSessions(pool, client.processID)
        .then((found) => (blockers = found.length ? found : blockers))
        .catch(() => undefined)
        .finally(() => (asking = false));
    }, Math.max(20, policy.timeoutMs / 3));
    try {
      const result = await work();
      clearInterval(probe);
      await client.query('RELEASE SAVEPOINT lock_retry');
      await client.query('SET LOCAL lock_timeout = 0');
      return result;
    } catch (error) {
      clearInterval(probe);
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE || signal.aborted) throw error;
      await client.query('ROLLBACK TO SAVEPOINT lock_retry');
      const who = blockers.length ? blockers.map(describeSession).join('; ') : 'a session that ended before it could be named';
      if (attempt >= policy.retries) {
        throw new HybridbankError(
          'LOAD_LOCKED',
          `${failure.actor} could not ${what}: ${policy.retries + 1} waits of ${policy.timeoutMs} ms for a lock all timed out. Blocking: ${who}. ${failure.unchanged}`,
          {
            hint:
              `End that session's transaction (commit or roll back; an "idle in transaction" session holds its locks until it does), ` +
              `or end the session: SELECT pg_terminate_backend(${blockers[0]?.pid ?? 'pid'}); then run it again. ` +
              'To wait longer, raise --lock-timeout-ms or --lock-retries.',
          },
        );
      }
      const pauseMs = Math.min(5_000, 100 * 2 ** attempt);
      log.warn(
        { step: what, attempt: attempt + 1, retriesLeft: policy.retries - attempt, blockers },
        `waited ${policy.timeoutMs} ms to ${what}, blocked by ${who}; trying again in ${pauseMs} ms (readers are not held meanwhile)`,
      );
      await sleep(pauseMs, undefined, { signal });
    }
  }
}

/** The sessions `pid` waits for, as a person would want them named. */
export async function blockingSessions(pool: pg.Pool, pid: number | undefined): Promise<BlockingSession[]> {
  if (!pid) return [];
  const { rows } = await pool.query<BlockingSession>(
    `SELECT a.pid, a.usename AS "user", a.application_name AS application, a.state,
            floor(extract(epoch FROM now() - coalesce(a.xact_start, a.query_start)))::int AS "ageSeconds",
            left(a.query, 120) AS query
       FROM pg_stat_activity a
      WHERE a.pid = ANY (pg_blocking_pids($1))
      ORDER BY a.xact_start`,
    [pid],
  );
  return rows;
}

export function describeSession(s: BlockingSession): string {
  const age = s.ageSeconds === null ? '' : ` for ${s.ageSeconds} s`;
  const query = s.query ? `, last query ${JSON.stringify(s.query)}` : '';
  return `session pid ${s.pid} (user ${s.user ?? '?'}, application ${JSON.stringify(s.application ?? '')}, ${s.state ?? 'state unknown'}${age}${query})`;
}
