import type pg from 'pg';
import { escapeIdentifier, escapeLiteral } from 'pg';
import type { SyntheticTransaction } from '../synth/types.js';
import { runConstantDefaults } from './copy-encoding.js';
import { copyRows, RowSource, type TransactionSink } from './copy-rows.js';
import type { AccountLedger } from './ledger.js';
import { withLockRetries, type LockContext } from '../warehouse/locks.js';
import type { PartPlan } from './partition-plan.js';

/**
 * Builds the next state of raw.transactions for a run that loads every account (and carries the
 * rows of any others over), as partitions of its own, at COPY speed, without holding any lock a
 * reader waits for; `switchIn` then swaps them for the current ones under a short lock.
 *
 * raw.transactions is range-partitioned by transaction_id (migrations/0003_safe_loads.sql). Each
 * partition is a run of accounts, or a month of appended days of accounts the run does not load
 * (partition-plan.ts). Its rows are copied in by a second
 * connection, in a transaction of their own that creates the table (so COPY may FREEZE and no key
 * is checked row by row) and commits it, still detached and out of readers' way in raw_loads.
 * The run's own transaction then builds its primary key in bulk and checks its foreign keys with
 * one join each, while the next partition streams in: the server's key builds and checks, a third
 * of a load, overlap the stream instead of following it. Nothing is visible to others until the
 * run commits; a run that fails drops its partitions after its rollback (`dropParts`), and one
 * killed before it could is swept by the next (`dropAbandonedParts`).
 */
export interface StagedPartitions {
  parts: readonly StagedPart[];
  /** rows of this run, as the server counted them */
  rows: number;
  /** this run's rows per account, gathered from the stream */
  ledger: readonly AccountLedger[];
  /** rows of earlier runs this run replaces */
  replacedRows: number;
  /** rows of other accounts carried over unchanged */
  keptRows: number;
  /** ms streaming rows (other partitions' keys built meanwhile); ms of keys and checks left after it */
  timings: { copy: number; keys: number };
}

export interface StagedPart extends PartPlan {
  /** schema-qualified */
  table: string;
}

const PARENT = 'raw.transactions';
const SCHEMA = 'raw_loads';
const PART_NAME = /^transactions_[0-9a-f]{32}_p[0-9]+$/;

/** A partition of a run (in schema raw_loads): named by its load_id, so it says which run made it. */
export function partTableName(loadId: string, index: number): string {
  return `transactions_${loadId.replace(/-/g, '')}_p${index + 1}`;
}

/**
 * Whether raw.accounts has an account besides `replaced`. Every transaction has its account in
 * raw.accounts: when each account there is reloaded or pruned, no current row is kept and the
 * current rows need not even be read. An anti-join, not NOT IN: a million accounts do not fit the
 * hashed NOT IN's memory, and without it each account would be compared with every other.
 */
export async function otherAccountsExist(client: pg.ClientBase, replaced: readonly { bankId: string; accountId: string }[]): Promise<boolean> {
  const { rows } = await client.query<{ any: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM raw.accounts a
       WHERE NOT EXISTS (
         SELECT 1 FROM unnest($1::text[], $2::text[]) AS r (bank_id, account_id)
         WHERE r.bank_id = a.bank_id AND r.account_id = a.account_id)
     ) AS any`,
    [replaced.map((a) => a.bankId), replaced.map((a) => a.accountId)],
  );
  return rows[0]!.any;
}

export async function stagePartitions(
  main: pg.ClientBase,
  side: pg.ClientBase,
  input: {
    /** the run's accounts in generation order, and the parts they fall into */
    accounts: readonly { bankId: string; accountId: string }[];
    plan: readonly PartPlan[];
    rows: Iterable<SyntheticTransaction>;
    loadId: string;
    generatedAt: Date;
    /** inactive accounts pruned by this run: their rows are not carried over */
    dropAccounts: readonly { bankId: string; accountId: string }[];
    /** whether raw.accounts has accounts beside `accounts` and `dropAccounts` (otherAccountsExist): their rows are carried over */
    othersExist: boolean;
    locks: LockContext;
    /** the partitions committed so far, filled in as they are: what to drop if the run fails */
    committed: string[];
  },
  sink: TransactionSink,
): Promise<StagedPartitions> {
  const { plan, loadId } = input;
  const started = Date.now();
  const partOf = new Map<string, number>();
  for (let k = 0, i = 0; i < input.accounts.length; i++) {
    while (k + 1 < plan.length && plan[k + 1]!.first <= i) k++;
    partOf.set(accountKey(input.accounts[i]!), k);
  }

  // The run's transaction: what stays of the current rows, then each partition's keys in turn,
  // while the stream goes on; a failure there stops the stream.
  const failed = new AbortController();
  const carry = { others: input.othersExist, kept: 0, replaced: 0 };
  let keyed = Promise.resolve();
  const onMain = (work: () => Promise<void>) => {
    keyed = keyed.then(work);
    keyed.catch((error: unknown) => failed.abort(error));
  };
  onMain(async () => {
    await markAccounts(main, 'loaded_accounts', input.accounts);
    await markAccounts(main, 'dropped_accounts', input.dropAccounts);
    carry.replaced = Number((await main.query<{ n: string }>(`SELECT count(*) AS n FROM ${PARENT}`)).rows[0]!.n);
  });

  const source = new RowSource(input.rows[Symbol.iterator]());
  const signal = sink.signal ? AbortSignal.any([sink.signal, failed.signal]) : failed.signal;
  const partSink: TransactionSink = { ...sink, signal };
  const parts: StagedPart[] = [];
  let rows = 0;
  let current = -1; // the part of the account last seen, looked up once per account
  let lastAccount: { bankId: string; accountId: string } | undefined;
  for (const [k, part] of plan.entries()) {
    const table = `${SCHEMA}.${partTableName(loadId, k)}`;
    const belongs = (row: SyntheticTransaction) => {
      if (row.accountId !== lastAccount?.accountId || row.bankId !== lastAccount.bankId) {
        const part = partOf.get(accountKey(row));
        if (part === undefined) throw new Error(`a generated row of account ${row.bankId}/${row.accountId}, which the run does not load`);
        lastAccount = row;
        current = part;
      }
      return current === k;
    };
    signal.throwIfAborted();
    await side.query('BEGIN');
    try {
      // LIKE copies the columns (with the C collation of transaction_id), defaults, NOT NULLs
      // and the CHECK constraints under their own names, which ATTACH PARTITION requires; the
      // range check lets ATTACH skip its scan of the rows.
      await side.query(`CREATE TABLE ${table} (LIKE ${PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS${rangeCheck(table, part)})`);
      const defaults = runConstantDefaults(table, { loadId, generatedAt: input.generatedAt });
      await side.query(defaults.set);
      rows += await copyRows(side, { table, fresh: true }, source, partSink, belongs);
      await side.query(defaults.drop);
      await side.query('COMMIT');
    } catch (error) {
      await side.query('ROLLBACK').catch(() => undefined);
      throw failed.signal.aborted && !sink.signal?.aborted ? failed.signal.reason : error;
    }
    input.committed.push(table);
    parts.push({ ...part, table });
    onMain(() => keyPart(main, table, part, carry, input.locks));
  }
  if (source.next() !== undefined) throw new Error('generated rows out of the order of the partitions (the generator writes accounts in order)');
  const copy = Date.now() - started;
  await keyed;
  return { parts, rows, ledger: source.ledger.result(), replacedRows: carry.replaced - carry.kept, keptRows: carry.kept, timings: { copy, keys: Date.now() - started - copy } };
}

/** A partition's rows of other accounts carried over, its primary key, its foreign keys: in the run's transaction. */
async function keyPart(main: pg.ClientBase, table: string, part: PartPlan, carry: { others: boolean; kept: number }, locks: LockContext): Promise<void> {
  if (carry.others) {
    const kept = await main.query(
      `INSERT INTO ${table}
       SELECT t.* FROM ${PARENT} t
       WHERE ${inRange('t.transaction_id', part)}
         AND NOT EXISTS (SELECT 1 FROM loaded_accounts l WHERE l.bank_id = t.bank_id AND l.account_id = t.account_id)
         AND NOT EXISTS (SELECT 1 FROM dropped_accounts d WHERE d.bank_id = t.bank_id AND d.account_id = t.account_id)`,
    );
    carry.kept += kept.rowCount ?? 0;
  }
  await main.query(`SET LOCAL maintenance_work_mem = '256MB'`);
  await main.query(`ALTER TABLE ${table} ADD CONSTRAINT ${escapeIdentifier(`${table.slice(SCHEMA.length + 1)}_pkey`)} PRIMARY KEY (transaction_id)`);
  await withLockRetries(locks, 'check the foreign keys of the new transactions', () => checkForeignKeys(main, table));
}

/**
 * Checks the parent's foreign keys on a staged table, one join each, named as on the parent so
 * ATTACH adopts them instead of checking again. Locks raw.accounts and raw.load_runs against
 * writes (not reads) until COMMIT.
 */
async function checkForeignKeys(client: pg.ClientBase, table: string): Promise<void> {
  const foreignKeys = await client.query<{ name: string; definition: string }>(`
    SELECT conname AS name, pg_get_constraintdef(oid) AS definition
    FROM pg_constraint
    WHERE conrelid = '${PARENT}'::regclass AND contype = 'f'
    ORDER BY conname`);
  for (const fk of foreignKeys.rows) {
    await client.query(`ALTER TABLE ${table} ADD CONSTRAINT ${escapeIdentifier(fk.name)} ${fk.definition}`);
  }
}

/**
 * Swaps the partitions: DETACH the current ones, ATTACH the staged ones (their range checks,
 * which spared ATTACH its scan, then go), DROP the old. Only DETACH takes a lock readers wait for,
 * and only for the moments until COMMIT. Metadata only, so cheap to retry under lock retries;
 * all-or-nothing.
 */
export async function switchIn(client: pg.ClientBase, staged: { parts: readonly StagedPart[] }): Promise<void> {
  const current = await client.query<{ partition: string }>(
    `SELECT inhrelid::regclass::text AS partition FROM pg_inherits WHERE inhparent = '${PARENT}'::regclass`,
  );
  for (const { partition } of current.rows) await client.query(`ALTER TABLE ${PARENT} DETACH PARTITION ${partition}`);
  for (const part of staged.parts) {
    await client.query(`ALTER TABLE ${PARENT} ATTACH PARTITION ${part.table} ${rangeBound(part)}`);
    if (part.lower !== null || part.upper !== null) await client.query(`ALTER TABLE ${part.table} DROP CONSTRAINT ${escapeIdentifier(rangeCheckName(part.table))}`);
  }
  for (const { partition } of current.rows) await client.query(`DROP TABLE ${partition}`);
}

/** After a failed run's rollback: its committed partitions go (none of them was ever attached). */
export async function dropParts(pool: pg.Pool, committed: readonly string[]): Promise<void> {
  for (const table of committed) await pool.query(`DROP TABLE IF EXISTS ${table}`);
}

/**
 * Partitions left detached by runs killed before they could drop them. Called under the load
 * lock: no other run that stages partitions is running (shard-runs and appends, which may run
 * alongside, stage inside their own transactions, out of sight).
 */
export async function dropAbandonedParts(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
     WHERE c.relnamespace = '${SCHEMA}'::regnamespace AND c.relkind = 'r' AND NOT c.relispartition`,
  );
  const abandoned = rows.filter((r) => PART_NAME.test(r.name));
  for (const { name } of abandoned) await client.query(`DROP TABLE IF EXISTS ${SCHEMA}.${escapeIdentifier(name)}`);
  return abandoned.length;
}

function rangeCheckName(table: string): string {
  return `${table.slice(SCHEMA.length + 1)}_range`;
}

/** The partition's range as a CHECK that implies its partition constraint (C collation, like the key). */
function rangeCheck(table: string, part: PartPlan): string {
  if (part.lower === null && part.upper === null) return '';
  return `, CONSTRAINT ${escapeIdentifier(rangeCheckName(table))} CHECK (${inRange('transaction_id', part)})`;
}

function inRange(column: string, part: PartPlan): string {
  const sides = [part.lower === null ? null : `${column} >= ${escapeLiteral(part.lower)}`, part.upper === null ? null : `${column} < ${escapeLiteral(part.upper)}`];
  return sides.filter((s) => s !== null).join(' AND ') || 'true';
}

/** A range partition's bound as ATTACH PARTITION takes it (null: MINVALUE below, MAXVALUE above). */
export function rangeBound(range: { lower: string | null; upper: string | null }): string {
  const bound = (value: string | null, open: 'MINVALUE' | 'MAXVALUE') => (value === null ? open : escapeLiteral(value));
  return `FOR VALUES FROM (${bound(range.lower, 'MINVALUE')}) TO (${bound(range.upper, 'MAXVALUE')})`;
}

function accountKey(account: { bankId: string; accountId: string }): string {
  return `${account.bankId}\u0000${account.accountId}`;
}

async function markAccounts(client: pg.ClientBase, name: string, accounts: readonly { bankId: string; accountId: string }[]): Promise<void> {
  await client.query(`CREATE TEMP TABLE ${name} (bank_id text, account_id text, PRIMARY KEY (bank_id, account_id)) ON COMMIT DROP`);
  await client.query(`INSERT INTO ${name} SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [
    accounts.map((a) => a.bankId),
    accounts.map((a) => a.accountId),
  ]);
  await client.query(`ANALYZE ${name}`);
}
