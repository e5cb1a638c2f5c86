import type pg from 'pg';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { APPENDED_ID_START } from '../synth/generator.js';
import { SHARED_ROWS_LOCK_KEY } from './load-lock.js';
import { withLockRetries, type LockContext } from '../warehouse/locks.js';
import { monthPart } from './partition-plan.js';
import { rangeBound } from './stage-partitions.js';

/**
 * Where an append's rows go on one PostgreSQL: partitions of raw.transactions of their own, one
 * per month of appended days (ids `synth~<YYYY-MM-DD>_…` sort after every initial history's, by
 * day). An append that starts a month creates its partition empty, so its rows go in as a full
 * load's do, without dirtying a page of the initial histories' primary key (a page per account,
 * each written whole to the WAL after a checkpoint: 3.7 kB of WAL a row for a day's 6,000 rows,
 * twice a full load's per row); later appends of the month add their days at its key's right
 * edge.
 *
 * A warehouse laid out before (its last partition running to MAXVALUE, as migration 0003 and
 * earlier full loads left it) has that partition cut at APPENDED_ID_START first, without a reader
 * waiting on a scan: a CHECK added NOT VALID (a moment's lock), validated while readers and
 * writers go on, then the partition re-attached with the shorter range (a moment's lock, no scan:
 * the CHECK proves it). Each step is a short transaction of its own, committed before the append's
 * own: they change the layout, not a row, so an append that fails after leaves a warehouse that
 * reads the same, and a run that was killed between steps leaves them for the next to finish.
 */

const PARENT = 'raw.transactions';
const SCHEMA = 'raw_loads';
/** The CHECK that lets the last partition of the initial histories be re-attached short of the appended days. */
const BELOW_APPENDED = 'transactions_below_appended';

interface Partition {
  /** schema-qualified */
  table: string;
  /** inclusive; null: MINVALUE */
  lower: string | null;
  /** exclusive; null: MAXVALUE */
  upper: string | null;
}

/** raw.transactions' partitions and their ranges of transaction_id. */
async function readPartitions(client: pg.ClientBase): Promise<Partition[]> {
  const { rows } = await client.query<{ table: string; bound: string }>(
    `SELECT c.oid::regclass::text AS table, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = '${PARENT}'::regclass`,
  );
  return rows.map((r) => ({ table: r.table, ...parseRangeBound(r.bound) }));
}

const LITERAL = `'(?:[^']|'')*'`;
const RANGE_BOUND = new RegExp(`^FOR VALUES FROM \\((MINVALUE|${LITERAL})\\) TO \\((MAXVALUE|${LITERAL})\\)$`);

/** A range partition's bound as pg_get_expr writes it: `FOR VALUES FROM ('a') TO (MAXVALUE)`. */
export function parseRangeBound(bound: string): { lower: string | null; upper: string | null } {
  const match = RANGE_BOUND.exec(bound);
  if (!match) throw new Error(`raw.transactions has a partition bound this version does not know: ${bound}`);
  const value = (text: string) => (text.endsWith('VALUE') ? null : text.slice(1, -1).replaceAll("''", "'"));
  return { lower: value(match[1]!), upper: value(match[2]!) };
}

/** Whether two ranges share an id (byte order: the column's C collation). */
export function overlaps(a: { lower: string | null; upper: string | null }, b: { lower: string | null; upper: string | null }): boolean {
  return (a.lower === null || b.upper === null || below(a.lower, b.upper)) && (b.lower === null || a.upper === null || below(b.lower, a.upper));
}

function below(a: string, b: string): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
}

/**
 * The months (YYYY-MM) of appended rows a full load keeps: none when it replaces every account's
 * rows (`othersExist` false: stage-partitions.ts' otherAccountsExist), else every month holding
 * appended rows (one index probe each; a month only the replaced accounts had stays as an empty
 * partition).
 */
export async function keptAppendedMonths(client: pg.ClientBase, othersExist: boolean): Promise<string[]> {
  if (!othersExist) return [];
  const { rows } = await client.query<{ month: string }>(
    `WITH RECURSIVE months (month) AS (
       SELECT (SELECT substr(min(transaction_id), $2, 7) FROM ${PARENT} WHERE transaction_id >= $1)
       UNION ALL
       SELECT (SELECT substr(min(t.transaction_id), $2, 7) FROM ${PARENT} t
               WHERE t.transaction_id >= $1 || to_char(to_date(m.month, 'YYYY-MM') + interval '1 month', 'YYYY-MM'))
       FROM months m WHERE m.month IS NOT NULL
     )
     SELECT month FROM months WHERE month IS NOT NULL`,
    [APPENDED_ID_START, APPENDED_ID_START.length + 1],
  );
  return rows.map((r) => r.month);
}

/**
 * Makes raw.transactions ready for an append's rows of `months` (YYYY-MM): the last partition of
 * the initial histories cut where appended ids begin (when it still runs to MAXVALUE) and a
 * partition for each month no partition covers yet. Returns the partitions it created. Each step
 * under the lock that orders the runs' shared rows (shard-runs may append alongside each other),
 * and the lock retries of the run. On Citus the open partition stays as it is (a cluster's one
 * partition covers every id); a warehouse distributed after a full load of this
 * version, whose partitions end where appended ids begin, gets its months as one PostgreSQL does
 * (Citus distributes a partition attached to a distributed table).
 */
export async function prepareAppendPartitions(locks: LockContext, months: readonly string[], loadId: string, options: { distributed: boolean }): Promise<string[]> {
  const { client } = locks;
  for (;;) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SHARED_ROWS_LOCK_KEY]);
      // Citus distributes each attached partition over its own connections, unless told to use one
      if (options.distributed) await client.query(`SET LOCAL citus.multi_shard_modify_mode TO 'sequential'`);
      const partitions = await readPartitions(client);
      const open = options.distributed ? undefined : partitions.find((p) => p.upper === null && (p.lower === null || below(p.lower, APPENDED_ID_START)));
      if (open && (await cutStep(locks, open))) {
        await client.query('COMMIT');
        continue;
      }
      const created: string[] = [];
      for (const month of months) {
        const range = monthPart(month);
        // an open partition that cannot be cut (it holds appended rows) takes them as before
        if (partitions.some((p) => overlaps(p, range))) continue;
        const table = `${SCHEMA}.${escapeIdentifier(`transactions_${loadId.replace(/-/g, '')}_${month.replace('-', '')}`)}`;
        await client.query(`CREATE TABLE ${table} (LIKE ${PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
        await withLockRetries(locks, 'attach a partition for the appended days', () => client.query(`ALTER TABLE ${PARENT} ATTACH PARTITION ${table} ${rangeBound(range)}`));
        created.push(table);
      }
      await client.query('COMMIT');
      return created;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}

/**
 * Takes the next step of cutting the open partition at APPENDED_ID_START, to be committed on its
 * own; false when it cannot be cut (it holds appended rows already, and keeps taking them).
 */
async function cutStep(locks: LockContext, open: Partition): Promise<boolean> {
  const { client } = locks;
  const check = await client.query<{ validated: boolean }>(`SELECT convalidated AS validated FROM pg_constraint WHERE conrelid = $1::regclass AND conname = $2`, [open.table, BELOW_APPENDED]);
  const state = check.rows[0];
  if (!state) {
    const appended = await client.query(`SELECT 1 FROM ${open.table} WHERE transaction_id >= $1 LIMIT 1`, [APPENDED_ID_START]);
    if (appended.rowCount) return false;
    await withLockRetries(locks, 'prepare raw.transactions for appended days', () =>
      client.query(`ALTER TABLE ${open.table} ADD CONSTRAINT ${BELOW_APPENDED} CHECK (transaction_id < ${escapeLiteral(APPENDED_ID_START)}) NOT VALID`),
    );
  } else if (!state.validated) {
    // SHARE UPDATE EXCLUSIVE: readers and writers go on while it scans
    await withLockRetries(locks, 'prepare raw.transactions for appended days', () => client.query(`ALTER TABLE ${open.table} VALIDATE CONSTRAINT ${BELOW_APPENDED}`));
  } else {
    await withLockRetries(locks, 'prepare raw.transactions for appended days', async () => {
      await client.query(`ALTER TABLE ${PARENT} DETACH PARTITION ${open.table}`);
      await client.query(`ALTER TABLE ${PARENT} ATTACH PARTITION ${open.table} ${rangeBound({ lower: open.lower, upper: APPENDED_ID_START })}`);
      await client.query(`ALTER TABLE ${open.table} DROP CONSTRAINT ${BELOW_APPENDED}`);
    });
  }
  return true;
}
