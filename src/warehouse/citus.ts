import type pg from 'pg';

/**
 * Citus: whether this warehouse is a Citus coordinator whose raw layer is distributed
 * (migrations/0006_citus_and_shards.sql). Loads then always merge their rows in (row locks,
 * replicated reference tables) instead of switching a partition.
 */
export async function isDistributed(client: pg.ClientBase | pg.Pool): Promise<boolean> {
  const { rows } = await client.query<{ distributed: boolean }>(`
    SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS distributed`);
  if (!rows[0]?.distributed) return false;
  const table = await client.query<{ distributed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'raw.transactions'::regclass) AS distributed`,
  );
  return table.rows[0]?.distributed ?? false;
}

/**
 * Distributes the raw layer when the citus extension was created after migration 0006 ran
 * (raw.citus_distribute() is idempotent and a no-op without citus). Returns whether it did.
 */
export async function distributeIfCitus(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>(`SELECT to_regprocedure('raw.citus_distribute()') IS NOT NULL AS present`);
  if (!rows[0]?.present) return false;
  const result = await client.query<{ changed: boolean }>('SELECT raw.citus_distribute() AS changed');
  return result.rows[0]?.changed ?? false;
}
