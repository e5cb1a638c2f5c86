import type pg from 'pg';
import type { SyntheticTransaction } from '../synth/types.js';
import { runConstantDefaults } from './copy-encoding.js';
import { copyRows, RowSource, type TransactionSink } from './copy-rows.js';
import type { AccountLedger } from './ledger.js';

/**
 * Stages the rows of a run that merges into raw.transactions instead of replacing it (appends,
 * shard-runs, every run on Citus: see stage-partitions.ts for the runs that replace it): a fresh
 * table in the run's transaction (so COPY may FREEZE and no key is checked row by row) holding
 * just this run's rows, which `mergeIn` then inserts with row locks only, so neither readers nor
 * runs on other accounts wait for it.
 */
export interface StagedTransactions {
  /** the table holding this run's rows, schema-qualified */
  table: string;
  /** rows of this run, as the server counted them */
  rows: number;
  /** this run's rows per account, gathered from the stream */
  ledger: readonly AccountLedger[];
  /** ms spent streaming rows */
  timings: { copy: number };
}

const PARENT = 'raw.transactions';

/** The staging table of a run (in schema raw_loads): named by its load_id, so it says which run made it. */
export function stagingTableName(loadId: string): string {
  return `transactions_${loadId.replace(/-/g, '')}`;
}

export async function stageTransactions(
  client: pg.ClientBase,
  rows: Iterable<SyntheticTransaction>,
  run: { loadId: string; generatedAt: Date },
  sink: TransactionSink,
): Promise<StagedTransactions> {
  const started = Date.now();
  const table = `raw_loads.${stagingTableName(run.loadId)}`;
  // LIKE copies the columns in the parent's order (mergeIn inserts them as they are), the
  // defaults, NOT NULLs and CHECK constraints
  await client.query(`CREATE TABLE ${table} (LIKE ${PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  const defaults = runConstantDefaults(table, run);
  await client.query(defaults.set);
  const source = new RowSource(rows[Symbol.iterator]());
  const copied = await copyRows(client, table, source, sink);
  await client.query(defaults.drop);
  return { table, rows: copied, ledger: source.ledger.result(), timings: { copy: Date.now() - started } };
}

/** How `mergeIn` checked the foreign keys of the rows it inserted. */
export type ForeignKeyPath = 'bulk' | 'triggers';

/**
 * Merges a table staged by `stageTransactions` into raw.transactions: deletes the current rows of
 * `replaceAccounts` (none for an append), inserts the staged rows, drops the staged table. Row
 * locks only: readers keep reading the previous committed rows, and runs writing other accounts
 * go on at the same time. The live partitions' primary keys check every id as it is inserted (an
 * id already there fails the run); adding the foreign keys to the staged table instead would lock
 * raw.accounts against other runs until COMMIT.
 *
 * The foreign keys are checked in bulk where the session may do so (`bulkForeignKeys`): the
 * referenced rows are locked FOR KEY SHARE and counted, one query per key, then the rows go in
 * with the row-by-row foreign-key triggers off (about two thirds of the insert's time). The locks
 * are the ones the triggers would take, held until COMMIT, so the keys hold in the final table
 * even against a concurrent DELETE of a referenced row. Otherwise (or on Citus), or when a key is
 * missing, the triggers check the rows as they go in, and a missing key fails the run with the
 * server's own foreign-key error.
 */
export async function mergeIn(
  client: pg.ClientBase,
  staged: { table: string },
  options: { replaceAccounts: readonly { bankId: string; accountId: string }[]; distributed?: boolean },
): Promise<{ replacedRows: number; foreignKeys: ForeignKeyPath }> {
  const replaced = options.replaceAccounts.length
    ? await client.query(
        `DELETE FROM ${PARENT}
         WHERE (bank_id, account_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [options.replaceAccounts.map((a) => a.bankId), options.replaceAccounts.map((a) => a.accountId)],
      )
    : { rowCount: 0 };
  const foreignKeys = options.distributed ? undefined : await bulkForeignKeys(client);
  const bulk = foreignKeys !== undefined && (await lockReferencedRows(client, staged, foreignKeys));
  // the staged table was made LIKE the parent: same columns in the same order
  const insert = `INSERT INTO ${PARENT} SELECT * FROM ${staged.table}`;
  if (bulk) await withoutTriggers(client, insert);
  else await client.query(insert);
  await client.query(`DROP TABLE ${staged.table}`);
  return { replacedRows: replaced.rowCount ?? 0, foreignKeys: bulk ? 'bulk' : 'triggers' };
}

/** A foreign key of raw.transactions, its columns quoted. */
interface ForeignKey {
  name: string;
  columns: string[];
  referenced: string;
  referencedColumns: string[];
}

/**
 * The parent's foreign keys, when an insert may run without triggers and check them in bulk
 * instead; undefined when it may not: the session may not set session_replication_role (it takes
 * a superuser or, from PostgreSQL 15 on, GRANT SET ON PARAMETER), or the replica role would also
 * silence a trigger or rule of raw.transactions or its partition that fires on INSERT other than
 * the check triggers of these keys (a user's trigger; a key the bulk check does not stand in for:
 * MATCH FULL, one referencing a partitioned or inherited table, or a table whose rows the session
 * may not lock).
 */
async function bulkForeignKeys(client: pg.ClientBase): Promise<ForeignKey[] | undefined> {
  if (!(await maySetReplicationRole(client))) return undefined;
  const { rows } = await client.query<{ silenced: number; keys: ForeignKey[] }>(`
    WITH tables AS (
      SELECT '${PARENT}'::regclass AS oid
      UNION ALL SELECT inhrelid FROM pg_inherits WHERE inhparent = '${PARENT}'::regclass
    ), checkable AS (
      SELECT c.oid, c.conname, c.conrelid, c.conkey, c.confrelid, c.confkey FROM pg_constraint c
      WHERE c.conrelid = '${PARENT}'::regclass AND c.contype = 'f' AND c.confmatchtype = 's'
        AND (SELECT relkind = 'r' AND NOT relhassubclass FROM pg_class WHERE oid = c.confrelid)
        -- locking a row FOR KEY SHARE takes UPDATE on its table (the triggers run as its owner)
        AND has_table_privilege(c.confrelid, 'SELECT') AND has_table_privilege(c.confrelid, 'UPDATE')
    )
    SELECT
      (SELECT count(*) FROM pg_trigger t
        WHERE t.tgrelid IN (SELECT oid FROM tables) AND t.tgenabled = 'O' AND t.tgtype & 4 <> 0
          AND NOT (t.tgfoid = 'pg_catalog."RI_FKey_check_ins"'::regproc
                   AND t.tgconstraint IN (SELECT oid FROM checkable UNION ALL SELECT oid FROM pg_constraint WHERE conparentid IN (SELECT oid FROM checkable))))
      + (SELECT count(*) FROM pg_rewrite r WHERE r.ev_class IN (SELECT oid FROM tables) AND r.ev_enabled = 'O' AND r.ev_type = '3')
      + (SELECT count(*) FROM pg_constraint c WHERE c.conrelid = '${PARENT}'::regclass AND c.contype = 'f' AND c.oid NOT IN (SELECT oid FROM checkable))
      AS silenced,
      coalesce((SELECT json_agg(json_build_object(
          'name', c.conname,
          'columns', (SELECT json_agg(quote_ident(a.attname) ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY k (n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
          'referenced', c.confrelid::regclass::text,
          'referencedColumns', (SELECT json_agg(quote_ident(a.attname) ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY k (n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n)
        ) ORDER BY c.conname) FROM checkable c), '[]') AS keys`);
  const found = rows[0]!;
  return Number(found.silenced) === 0 ? found.keys : undefined;
}

/** Whether the session's role may set session_replication_role: a superuser, or granted SET on it (PostgreSQL 15+). */
async function maySetReplicationRole(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ superuser: boolean; version: number }>(
    `SELECT rolsuper AS superuser, current_setting('server_version_num')::int AS version FROM pg_roles WHERE rolname = current_user`,
  );
  const role = rows[0];
  if (!role || role.superuser) return role?.superuser ?? false;
  // has_parameter_privilege exists from 15 on; before, only a superuser may set it
  if (role.version < 150_000) return false;
  const granted = await client.query<{ granted: boolean }>(`SELECT has_parameter_privilege('session_replication_role', 'SET') AS granted`);
  return granted.rows[0]!.granted;
}

/**
 * Locks FOR KEY SHARE every row the staged rows reference, as each foreign-key trigger would for
 * its row, one query per key; true when every referenced key is there (and now cannot go away
 * before COMMIT), false when one is missing.
 */
async function lockReferencedRows(client: pg.ClientBase, staged: { table: string }, foreignKeys: readonly ForeignKey[]): Promise<boolean> {
  for (const fk of foreignKeys) {
    const columns = fk.columns.join(', ');
    // MATCH SIMPLE: a row with a null in its key references nothing
    const { rows } = await client.query<{ referenced: number; locked: number }>(`
      WITH keys AS MATERIALIZED (
        SELECT DISTINCT ${columns} FROM ${staged.table} WHERE ${fk.columns.map((c) => `${c} IS NOT NULL`).join(' AND ')}
      )
      SELECT (SELECT count(*) FROM keys)::int AS referenced,
             (SELECT count(*) FROM (
                SELECT 1 FROM ONLY ${fk.referenced} r WHERE (${fk.referencedColumns.map((c) => `r.${c}`).join(', ')}) IN (SELECT * FROM keys) FOR KEY SHARE OF r
              ) AS locked)::int AS locked`);
    if (rows[0]!.locked !== rows[0]!.referenced) return false;
  }
  return true;
}

/** Runs `statement` with the session's ordinary triggers and rules off (session_replication_role = replica), then as before. */
async function withoutTriggers(client: pg.ClientBase, statement: string): Promise<void> {
  const { rows } = await client.query<{ previous: string }>(`SELECT current_setting('session_replication_role') AS previous`);
  await client.query(`SET LOCAL session_replication_role = replica`);
  await client.query(statement);
  // if the statement fails, the run's rollback restores the role
  await client.query(`SELECT set_config('session_replication_role', $1, true)`, [rows[0]!.previous]);
}
