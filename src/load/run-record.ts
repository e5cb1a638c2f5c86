import { sql, type Kysely } from 'kysely';
import { TOOL_VERSION } from '../core/version.js';
import { redactText } from '../log/redact.js';
import type { SetAsideRecord } from '../obp/types.js';
import type { Database, LoadMode } from '../warehouse/schema.js';
import type { Shard } from './shard.js';

/**
 * raw.load_runs: one row per run, written (and committed) before anything else of the run, even
 * before extraction, so every run leaves a trace: `running` while it runs (readable by anyone at
 * any time), then `succeeded` with the rows or `failed` with why.
 */
export async function recordRunStarted(
  db: Kysely<Database>,
  run: { loadId: string; startedAt: Date; mode: LoadMode; params: unknown; shard: Shard | undefined; runGroup: string | undefined },
): Promise<void> {
  // the session running the load: while it lives, the run is not abandoned. Read first, not in a
  // subquery of the INSERT: Citus takes no subqueries in an INSERT into raw.load_runs.
  const session = await sql<{ pid: number; backend_start: Date }>`
    SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()`.execute(db);
  await db
    .insertInto('raw.load_runs')
    .values({
      load_id: run.loadId,
      started_at: run.startedAt,
      status: 'running',
      load_mode: run.mode,
      params: JSON.stringify(run.params),
      tool_version: TOOL_VERSION,
      backend_pid: session.rows[0]!.pid,
      backend_start: session.rows[0]!.backend_start,
      shard_index: run.shard?.index ?? null,
      shard_count: run.shard?.count ?? null,
      run_group: run.runGroup ?? null,
    })
    .execute();
}

/** What extraction found out, known before the rows are written (the params of a run that fails later). */
export async function recordRunExtracted(db: Kysely<Database>, loadId: string, params: unknown, setAside: readonly SetAsideRecord[]): Promise<void> {
  await db
    .updateTable('raw.load_runs')
    .set({ params: JSON.stringify(params), set_aside: JSON.stringify(setAside) })
    .where('load_id', '=', loadId)
    .execute();
}

export interface RunOutcome {
  obpSource: 'live' | 'snapshot';
  obpOrigin: string;
  counts: { banks: number; accounts: number; transactions: number };
  /** the days the run wrote rows for (UTC, both included); null when it wrote none */
  days: { from: string; to: string } | null;
  stepTimings: Record<string, number>;
}

/** Written inside the run's transaction: 'succeeded' commits with the rows, or not at all. */
export async function recordRunSucceeded(db: Kysely<Database>, loadId: string, outcome: RunOutcome): Promise<void> {
  await db
    .updateTable('raw.load_runs')
    .set({
      status: 'succeeded',
      finished_at: new Date(),
      obp_source: outcome.obpSource,
      obp_base_url: outcome.obpOrigin,
      banks_count: outcome.counts.banks,
      accounts_count: outcome.counts.accounts,
      transactions_count: outcome.counts.transactions,
      days_from: outcome.days?.from ?? null,
      days_to: outcome.days?.to ?? null,
      step_timings: JSON.stringify(outcome.stepTimings),
    })
    .where('load_id', '=', loadId)
    .execute();
}

export async function recordRunFailed(db: Kysely<Database>, loadId: string, error: string, stepTimings: Record<string, number>): Promise<void> {
  await db
    .updateTable('raw.load_runs')
    .set({ status: 'failed', finished_at: new Date(), error: redactText(error), step_timings: JSON.stringify(stepTimings) })
    .where('load_id', '=', loadId)
    .where('status', '=', 'running')
    .execute();
}

/**
 * Runs left 'running' whose server session is gone (the process was killed, the machine lost
 * power): they can never finish. A run whose session lives (waiting for the load lock, say) is left alone.
 */
export async function closeAbandonedRuns(db: Kysely<Database>): Promise<number> {
  // Found first, closed by key second: on Citus raw.load_runs is a reference table whose copies
  // live on every node, and only this (the coordinator's) pg_stat_activity knows the loaders.
  const running = await db.selectFrom('raw.load_runs').select(['load_id', 'backend_pid', 'backend_start']).where('status', '=', 'running').execute();
  if (!running.length) return 0;
  const live = await sql<{ pid: number; backend_start: Date }>`SELECT pid, backend_start FROM pg_stat_activity`.execute(db);
  const alive = new Set(live.rows.map((a) => `${a.pid}@${a.backend_start?.getTime()}`));
  const dead = running.filter((r) => !alive.has(`${r.backend_pid}@${r.backend_start ? new Date(r.backend_start).getTime() : undefined}`)).map((r) => r.load_id);
  if (!dead.length) return 0;
  const result = await db
    .updateTable('raw.load_runs')
    .set({ status: 'failed', finished_at: new Date(), error: 'abandoned: the loading process died before finishing; nothing of it was committed' })
    .where('status', '=', 'running')
    .where('load_id', 'in', dead)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
