import { sql, type Kysely } from 'kysely';
import { TOOL_VERSION } from '../core/version.js';
import { redactText } from '../log/redact.js';
import type { SetAsideRecord } from '../obp/types.js';
import type { Database, LoadMode } from '../warehouse/schema.js';

/**
 * raw.load_runs: one row per run, written (and committed) before anything else of the run, even
 * before extraction, so every run leaves a trace: `running` while it runs (readable by anyone at
 * any time), then `succeeded` with the rows or `failed` with why.
 */
export async function recordRunStarted(db: Kysely<Database>, run: { loadId: string; startedAt: Date; mode: LoadMode; params: unknown }): Promise<void> {
  await db
    .insertInto('raw.load_runs')
    .values((eb) => ({
      load_id: run.loadId,
      started_at: run.startedAt,
      status: 'running',
      load_mode: run.mode,
      params: JSON.stringify(run.params),
      tool_version: TOOL_VERSION,
      // the session running the load: while it lives, the run is not abandoned
      backend_pid: sql<number>`pg_backend_pid()`,
      backend_start: eb.selectFrom(sql`pg_stat_activity`.as('a')).select(sql<Date>`backend_start`.as('backend_start')).where(sql`pid`, '=', sql`pg_backend_pid()`),
    }))
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
  const result = await db
    .updateTable('raw.load_runs as r')
    .set({ status: 'failed', finished_at: new Date(), error: 'abandoned: the loading process died before finishing; nothing of it was committed' })
    .where('r.status', '=', 'running')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom(sql`pg_stat_activity`.as('a'))
            .select(sql`1`.as('one'))
            .where(sql`a.pid`, '=', sql.ref('r.backend_pid'))
            .where(sql`a.backend_start`, '=', sql.ref('r.backend_start')),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
