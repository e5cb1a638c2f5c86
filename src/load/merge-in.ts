import type pg from 'pg';
import { escapeIdentifier } from 'pg';
import type { SyntheticTransaction } from '../synth/types.js';
import { RUN_CONSTANT_COLUMNS, runConstantValues, type RunConstantColumn, type RunConstants } from './copy-encoding.js';
import { copyRows, RowSource, type TransactionSink } from './copy-rows.js';
import type { AccountLedger } from './ledger.js';

/**
 * The rows of a run that merges into raw.transactions instead of replacing it (appends,
 * shard-runs, every run on Citus: see stage-partitions.ts for the runs that replace it), COPYed
 * straight into raw.transactions in the run's transaction: row locks only, so neither readers nor
 * runs on other accounts wait for it, and nothing is visible before the run commits. First the
 * current rows of `replaceAccounts` (none for an append) are deleted, so their ids may come back.
 * The live partitions' primary keys check every id as it goes in (an id already there fails the
 * run).
 *
 * The foreign keys are checked in bulk where the session may do so (`bulkForeignKeys`): the rows
 * go in with the row-by-row foreign-key triggers off (session_replication_role = replica; with
 * them, the COPY takes three to four times as long), then the rows they reference, known from the
 * run's ledger (every account it wrote, and the run's own constants), are locked FOR KEY SHARE and
 * counted, one query per key.
 * Those are the locks the triggers would take, held until COMMIT: a referenced row deleted before
 * is missing and fails the run; one deleted concurrently is waited for, then missing; one deleted
 * after waits for the run, then fails its own key check. Otherwise (or on Citus) the triggers
 * check each row as it goes in, and a missing key fails the run with the server's own error.
 */
export interface MergedTransactions {
  /** rows of this run, as the server counted them */
  rows: number;
  /** this run's rows per account, gathered from the stream */
  ledger: readonly AccountLedger[];
  /** rows of earlier runs deleted (`replaceAccounts`) */
  replacedRows: number;
  foreignKeys: ForeignKeyPath;
  /** ms streaming rows; ms of the rest (the delete, the bulk key check) */
  timings: { copy: number; merge: number };
}

/** How `mergeIn` checked the foreign keys of the rows it inserted. */
export type ForeignKeyPath = 'bulk' | 'triggers';

const PARENT = 'raw.transactions';

export async function mergeIn(
  client: pg.ClientBase,
  rows: Iterable<SyntheticTransaction>,
  run: RunConstants,
  options: { replaceAccounts: readonly { bankId: string; accountId: string }[]; distributed?: boolean },
  sink: TransactionSink,
): Promise<MergedTransactions> {
  const started = Date.now();
  const replaced = options.replaceAccounts.length
    ? await client.query(
        `DELETE FROM ${PARENT}
         WHERE (bank_id, account_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [options.replaceAccounts.map((a) => a.bankId), options.replaceAccounts.map((a) => a.accountId)],
      )
    : { rowCount: 0 };
  const foreignKeys = options.distributed ? undefined : await bulkForeignKeys(client);
  const source = new RowSource(rows[Symbol.iterator]());
  const streaming = Date.now();
  const copy = () => copyRows(client, { table: PARENT, run }, source, sink);
  const copied = foreignKeys ? await withoutTriggers(client, copy) : await copy();
  const streamed = Date.now();
  const ledger = source.ledger.result();
  if (foreignKeys) await lockReferencedRows(client, foreignKeys, ledger, run);
  return {
    rows: copied,
    ledger,
    replacedRows: replaced.rowCount ?? 0,
    foreignKeys: foreignKeys ? 'bulk' : 'triggers',
    timings: { copy: streamed - streaming, merge: streaming - started + (Date.now() - streamed) },
  };
}

/** The columns of raw.transactions whose value the bulk check knows for every row of an account; and RUN_CONSTANT_COLUMNS, per run. */
const ACCOUNT_COLUMNS: Record<string, (account: AccountLedger) => string> = {
  bank_id: (account) => account.bankId,
  account_id: (account) => account.accountId,
};
const KNOWN_COLUMNS: readonly string[] = [...Object.keys(ACCOUNT_COLUMNS), ...RUN_CONSTANT_COLUMNS];

/** A foreign key of raw.transactions (column names as they are, not quoted). */
interface ForeignKey {
  name: string;
  columns: string[];
  referenced: string;
  referencedColumns: string[];
  /** the referenced columns' types (format_type), which the keys are cast to */
  referencedTypes: string[];
}

/**
 * The parent's foreign keys, when the rows may go in without triggers and be checked in bulk
 * instead; undefined when they may not: the session may not set session_replication_role (it takes
 * a superuser or, from PostgreSQL 15 on, GRANT SET ON PARAMETER), or the replica role would also
 * silence a trigger or rule of raw.transactions or its partitions that fires on INSERT other than
 * the check triggers of these keys (a user's trigger; a key the bulk check does not stand in for:
 * MATCH FULL, one on a column whose values it does not know (KNOWN_COLUMNS), one referencing a
 * partitioned or inherited table, or a table whose rows the session may not lock).
 */
async function bulkForeignKeys(client: pg.ClientBase): Promise<ForeignKey[] | undefined> {
  if (!(await maySetReplicationRole(client))) return undefined;
  const { rows } = await client.query<{ silenced: number; keys: ForeignKey[] }>(
    `
    WITH tables AS (
      SELECT '${PARENT}'::regclass AS oid
      UNION ALL SELECT inhrelid FROM pg_inherits WHERE inhparent = '${PARENT}'::regclass
    ), checkable AS (
      SELECT c.oid, c.conname, c.conrelid, c.conkey, c.confrelid, c.confkey FROM pg_constraint c
      WHERE c.conrelid = '${PARENT}'::regclass AND c.contype = 'f' AND c.confmatchtype = 's'
        AND (SELECT relkind = 'r' AND NOT relhassubclass FROM pg_class WHERE oid = c.confrelid)
        AND (SELECT bool_and(a.attname = ANY ($1::text[])) FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey))
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
          'columns', (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY k (n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
          'referenced', c.confrelid::regclass::text,
          'referencedColumns', (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY k (n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n),
          'referencedTypes', (SELECT json_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY k (n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n)
        ) ORDER BY c.conname) FROM checkable c), '[]') AS keys`,
    [KNOWN_COLUMNS],
  );
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
 * Locks FOR KEY SHARE every row the run's rows reference, as each foreign-key trigger would for
 * its row, one query per key: the distinct keys of the ledger's accounts (a null references
 * nothing: MATCH SIMPLE). A key that is missing fails the run, with the server's words for it.
 */
async function lockReferencedRows(client: pg.ClientBase, foreignKeys: readonly ForeignKey[], ledger: readonly AccountLedger[], run: RunConstants): Promise<void> {
  const constants = runConstantValues(run);
  for (const fk of foreignKeys) {
    const values = fk.columns.map((c) => ACCOUNT_COLUMNS[c] ?? (() => constants[c as RunConstantColumn].text));
    const keys = new Map<string, string[]>();
    for (const account of ledger) {
      const key = values.map((value) => value(account));
      keys.set(JSON.stringify(key), key);
    }
    if (keys.size === 0) continue;
    const referenced = fk.referencedColumns.map(escapeIdentifier);
    const keyColumns = referenced.map((_, i) => `k${i}`);
    const { rows } = await client.query<{ missing: string[] | null }>(
      `
      WITH keys AS MATERIALIZED (
        SELECT * FROM unnest(${fk.referencedTypes.map((type, i) => `$${i + 1}::${type}[]`).join(', ')}) AS k (${keyColumns.join(', ')})
      ), locked AS MATERIALIZED (
        SELECT ${referenced.map((c) => `r.${c}`).join(', ')} FROM ONLY ${fk.referenced} r
        WHERE (${referenced.map((c) => `r.${c}`).join(', ')}) IN (SELECT * FROM keys)
        FOR KEY SHARE OF r
      )
      SELECT (SELECT array[${keyColumns.map((k) => `${k}::text`).join(', ')}] FROM (SELECT * FROM keys EXCEPT SELECT * FROM locked) AS m LIMIT 1) AS missing`,
      fk.columns.map((_, i) => [...keys.values()].map((key) => key[i])),
    );
    const missing = rows[0]!.missing;
    if (missing) throw new ForeignKeyViolation(fk.name, `Key (${fk.columns.join(', ')})=(${missing.join(', ')}) is not present in table "${fk.referenced}"`);
  }
}

/** A key of the run's rows whose referenced row is missing: the server's words for what its trigger would have raised (the run wraps it as LOAD_FAILED). */
export class ForeignKeyViolation extends Error {
  constructor(
    readonly constraint: string,
    readonly detail: string,
  ) {
    super(`insert or update on table "transactions" violates foreign key constraint "${constraint}": ${detail}`);
    this.name = 'ForeignKeyViolation';
  }
}

/** Runs `write` with the session's ordinary triggers and rules off (session_replication_role = replica), then as before. */
async function withoutTriggers<T>(client: pg.ClientBase, write: () => Promise<T>): Promise<T> {
  const { rows } = await client.query<{ previous: string }>(`SELECT current_setting('session_replication_role') AS previous`);
  await client.query(`SET LOCAL session_replication_role = replica`);
  const result = await write();
  // if the write fails, the run's rollback restores the role
  await client.query(`SELECT set_config('session_replication_role', $1, true)`, [rows[0]!.previous]);
  return result;
}
