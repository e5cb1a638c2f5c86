import type { Kysely } from 'kysely';
import { TOOL_VERSION } from '../core/version.js';
import { redactText } from '../log/redact.js';
import type { Database } from '../warehouse/schema.js';

/** raw.load_runs: one row per run, written before the run's transaction so a crash still leaves a trace. */
export async function recordRunStarted(db: Kysely<Database>, run: { loadId: string; startedAt: Date; params: unknown }): Promise<void> {
  await db
    .insertInto('raw.load_runs')
    .values({ load_id: run.loadId, started_at: run.startedAt, status: 'running', params: JSON.stringify(run.params), tool_version: TOOL_VERSION })
    .execute();
}

export interface RunOutcome {
  obpSource: 'live' | 'snapshot';
  obpOrigin: string;
  counts: { banks: number; accounts: number; transactions: number };
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
    .execute();
}

/** Runs left 'running' by a process that died (SIGKILL, power loss); called while holding the load lock. */
export async function closeAbandonedRuns(db: Kysely<Database>): Promise<number> {
  const result = await db
    .updateTable('raw.load_runs')
    .set({ status: 'failed', finished_at: new Date(), error: 'abandoned: the loading process died before finishing; nothing of it was committed' })
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
