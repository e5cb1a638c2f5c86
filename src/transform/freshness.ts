import type pg from 'pg';

/**
 * How fresh the marts are, read from what a reader may see (schema marts only): marts_freshness
 * (written by the dbt build) and load_runs (a live view of the loader's audit). Shared by
 * `transform`, which warns after building, and the report, which shows it.
 */
export interface MartsFreshness {
  /** when the dbt invocation that built the marts started (ISO) */
  builtAt: string;
  /** the latest succeeded load when the marts were built; null when there was none */
  builtFromLoadId: string | null;
  builtFromLoadFinishedAt: string | null;
  /** the UTC day of the latest transaction in the marts */
  dataAsOfDate: string | null;
  /** the latest succeeded load now */
  latestLoadId: string | null;
  latestLoadFinishedAt: string | null;
  /** succeeded loads that finished after the load the marts were built from */
  loadsNotInMarts: number;
}

/** null when the marts are not built (or older than marts_freshness): there is nothing to date. */
export async function readMartsFreshness(db: Pick<pg.Pool, 'query'>): Promise<MartsFreshness | null> {
  try {
    const { rows } = await db.query<MartsFreshness>(`
      WITH latest AS (
        SELECT load_id, finished_at FROM marts.load_runs
        WHERE load_status = 'succeeded' ORDER BY finished_at DESC LIMIT 1)
      SELECT to_char(f.built_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "builtAt",
             f.built_from_load_id::text AS "builtFromLoadId",
             to_char(f.built_from_load_finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "builtFromLoadFinishedAt",
             f.data_as_of_date::text AS "dataAsOfDate",
             (SELECT load_id::text FROM latest) AS "latestLoadId",
             (SELECT to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM latest) AS "latestLoadFinishedAt",
             (SELECT count(*)::int FROM marts.load_runs r
               WHERE r.load_status = 'succeeded'
                 AND r.finished_at > coalesce(f.built_from_load_finished_at, '-infinity')) AS "loadsNotInMarts"
      FROM marts.marts_freshness f`);
    return rows[0] ?? null;
  } catch (error) {
    // undefined_table: dbt has not built these (yet)
    if ((error as { code?: string }).code === '42P01') return null;
    throw error;
  }
}

/** The warning to show when a succeeded load is newer than the marts, else null. */
export function stalenessWarning(freshness: MartsFreshness | null): string | null {
  if (!freshness || freshness.loadsNotInMarts === 0) return null;
  const loads = freshness.loadsNotInMarts === 1 ? 'a load' : `${freshness.loadsNotInMarts} loads`;
  const built = freshness.builtFromLoadFinishedAt ? `from the load that finished at ${freshness.builtFromLoadFinishedAt}` : 'before any load';
  return (
    `The marts are older than the last successful load: they were built at ${freshness.builtAt} ${built}, ` +
    `and ${loads} succeeded since (latest ${freshness.latestLoadId}, finished at ${freshness.latestLoadFinishedAt}). ` +
    `Run 'npm run transform' to bring them up to date.`
  );
}
