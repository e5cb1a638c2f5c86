import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Config } from '../config/config.js';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { extract } from '../obp/extract.js';
import type { Extraction } from '../obp/types.js';
import { activityWarnings, continueHistories, epochDayOf, expectedRows, generateTransactions, isoDay, loadProfile, type AccountProfile, type GenerateOptions } from '../synth/index.js';
import type { AccountSeed, SyntheticTransaction } from '../synth/types.js';
import { kyselyOnClient, withWarehouse, type Warehouse } from '../warehouse/connection.js';
import type { Database } from '../warehouse/schema.js';
import { migrate } from '../warehouse/migrator.js';
import { accountSeeds } from './account-seeds.js';
import { CsvOutput } from './csv.js';
import { createProgress } from './progress.js';
import { withLockRetries, type LockContext } from '../warehouse/locks.js';
import { keptAppendedMonths, prepareAppendPartitions } from './append-partitions.js';
import { closeAbandonedRuns, recordRunExtracted, recordRunFailed, recordRunStarted, recordRunSucceeded } from './run-record.js';
import { TransactionStatsCollector } from './stats.js';
import { bankBreakdown, type LoadSummary } from './summary.js';
import { validateLineage } from './validate.js';
import { banksToWrite, inactiveAccounts, markVanished, markVanishedAccounts, markVanishedBanks, upsertAccounts, upsertBanks, type AccountFilter, type Vanished } from './write-sources.js';
import { StepTimer } from './step-timer.js';
import { mergeIn, type ForeignKeyPath } from './merge-in.js';
import { dropAbandonedParts, dropParts, otherAccountsExist, stagePartitions, switchIn, type StagedPart } from './stage-partitions.js';
import { monthsBetween, planParts } from './partition-plan.js';
import { compareAccounts } from '../synth/generator.js';
import type { TransactionSink } from './copy-rows.js';
import type { AccountLedger } from './ledger.js';
import { readHistories, type Histories } from './histories.js';
import { derivedRunGroup, inShard, type RunShard } from './shard.js';
import { acquireLoadLock, BANK_ROWS_LOCK_KEY, SHARED_ROWS_LOCK_KEY } from './load-lock.js';
import { isDistributed } from '../warehouse/citus.js';
import { writeAccountProfiles } from './write-profiles.js';

/**
 * `npm run load`: config -> migrate -> record the run as running -> extract -> upsert banks and
 * accounts, mark the vanished ones -> generate + COPY transactions into partitions of their own
 * -> keys -> validate lineage -> switch them in -> record the run -> summary. Everything a run
 * writes commits in one transaction, under an advisory lock so two loads never interleave;
 * readers keep reading the previous committed state meanwhile (see stage-partitions.ts and
 * locks.ts).
 *
 * An append, and a shard-run (`--shard I/N`, which loads only the accounts of its shard:
 * shard.ts), merge their rows in instead (`mergeIn`: COPY into raw.transactions, row locks on
 * their own accounts), so shard-runs of different shards run at the same time; so does every run
 * on Citus, where raw.transactions is distributed and not swapped.
 */
export interface LoadContext {
  config: Config;
  log: Logger;
  signal: AbortSignal;
  /** show a progress bar (stderr is a TTY and no --json) */
  progressBar: boolean;
}

/** Above this many rows a load says what it is about to cost before it starts. */
const ESTIMATE_ABOVE_ROWS = 10_000_000;

export async function runLoad(context: LoadContext): Promise<LoadSummary> {
  const { config, log, signal } = context;
  const timer = new StepTimer();
  const loadId = randomUUID();
  const startedAt = new Date();
  // Validate the profile before touching anything.
  const profile = loadProfile(config.synth.profilePath);
  const generateOptions: GenerateOptions = {
    seed: config.synth.seed,
    asOf: config.synth.asOf,
    days: config.synth.days,
    transactionsPerAccount: config.synth.transactionsPerAccount,
    fraudRate: config.synth.fraudRate,
    profile,
  };
  for (const warning of activityWarnings(generateOptions)) log.warn(warning);

  const shard = runShard(config, generateOptions);
  const owns = shard ? inShard(shard) : undefined;
  if (config.output.dryRun) {
    const extraction = ownedBy(await timer.step('extract', () => extract(config.obp, log, signal)), owns);
    const stats = new TransactionStatsCollector();
    const seeds = accountSeeds(extraction);
    announceEstimate(expectedRows(seeds.length, generateOptions), log);
    const progress = createProgress({ total: expectedRows(seeds.length, generateOptions), label: 'generate', log, tty: context.progressBar });
    await timer.step('generate', async () => {
      for (const row of generateTransactions(seeds, generateOptions)) {
        stats.add(row);
        if ((stats.count & 0xffff) === 0) {
          progress.tick(stats.count);
          signal.throwIfAborted();
        }
      }
    });
    progress.stop();
    return summarize({ loadId, status: 'dry-run', extraction, config, generateOptions, shard, stats, staged: undefined, vanished: undefined, lineage: [], timer, csvFiles: [] });
  }

  return withWarehouse(config.warehouse, log, async (warehouse) => {
    await timer.step('migrate', () => migrate(warehouse.pool, log, undefined, { policy: { timeoutMs: config.load.lockTimeoutMs, retries: config.load.lockRetries }, signal }));
    // One connection for the whole run: its session is the run's (raw.load_runs.backend_pid).
    const client = await warehouse.pool.connect();
    let lost: Error | undefined;
    const onLost = (error: Error) => (lost ??= error);
    client.on('error', onLost);
    const cancel = cancelOnAbort(warehouse.pool, client, signal);
    const distributed = await isDistributed(client);
    // Citus serializes every UPDATE of a replicated (reference) table against all other writes of
    // it until COMMIT, unless told the writes commute: two shard-runs would then wait for each
    // other on raw.load_runs and raw.accounts. Theirs do: each updates rows of its own (its run, its
    // shard's accounts) by key, and rows shared between runs are written one loader at a time
    // (SHARED_ROWS_LOCK_KEY).
    if (distributed) await client.query('SET citus.all_modifications_commutative TO on');
    try {
      await recordRunStarted(kyselyOnClient(client), {
        loadId,
        startedAt,
        mode: config.load.mode,
        params: runParams(config, undefined, generateOptions),
        shard,
        runGroup: shard?.runGroup ?? config.load.runGroup,
      });
      log.info({ loadId }, `load ${loadId} started`);
      try {
        const listed = await timer.step('extract', () => extract(config.obp, log, signal));
        signal.throwIfAborted();
        const extraction = ownedBy(listed, owns);
        const seeds = accountSeeds(extraction);
        announceEstimate(expectedRows(seeds.length, generateOptions), log);
        await recordRunExtracted(kyselyOnClient(client), loadId, runParams(config, extraction, generateOptions), extraction.setAside);
        await acquireLoadLock(client, log, shard);
        const swept = await dropAbandonedParts(client);
        if (swept) log.warn({ tables: swept }, `dropped ${swept} partition(s) of raw.transactions left detached by a load that was killed`);
        // under the load lock, so no other run moves the histories between this read and COMMIT
        const histories = config.load.mode === 'append' ? await timer.step('read_histories', () => readHistories(client, seeds, generateOptions.asOf)) : undefined;
        if (histories) {
          log.info({ continued: histories.continued.length, new: histories.fresh.length }, `appending: ${histories.continued.length} account(s) continue their history, ${histories.fresh.length} new one(s) get ${generateOptions.days} days`);
        }
        return await loadInTransaction({ context, warehouse, client, loadId, startedAt, listed, extraction, seeds, histories, generateOptions, timer, shard, owns, distributed });
      } catch (error) {
        const lostConnection = lost ?? connectionLost(error);
        // a lost connection first: what failed after it (a query on the dead client) says less
        const why = signal.aborted
          ? `interrupted: ${messageOf(signal.reason)}`
          : lostConnection
            ? `connection lost: ${lostConnection.message}`
            : error instanceof HybridbankError
              ? `${error.code}: ${error.message}`
              : messageOf(error);
        // through the pool: the run's own connection may be the thing that failed
        const failed = warehouse.db.transaction().execute(async (trx) => {
          if (distributed) await sql`SET LOCAL citus.all_modifications_commutative TO on`.execute(trx);
          await recordRunFailed(trx, loadId, why, timer.seconds());
        });
        await failed.catch((e: unknown) =>
          log.warn(`could not record the failure in raw.load_runs: ${messageOf(e)}`),
        );
        if (lostConnection && !signal.aborted) {
          throw new HybridbankError('LOAD_FAILED', `The connection to the warehouse was lost during the load (${lostConnection.message}); the run was rolled back and recorded as failed.`, {
            hint: 'Check the server (restarted? a DBA ended the session?) and load again.',
            cause: error,
          });
        }
        throw error;
      }
    } finally {
      cancel.dispose();
      if (!lost) {
        await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
        if (distributed) await client.query('RESET citus.all_modifications_commutative').catch(() => undefined);
      }
      client.off('error', onLost);
      client.release(lost ?? undefined);
    }
  });
}

/** The error, or one of its causes, that says the server ended the session or the socket broke. */
function connectionLost(error: unknown): Error | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (/^(08|57P0)/.test(code) || code === 'ECONNRESET' || code === 'EPIPE')) return e;
    if (/Connection terminated|connection .*closed/i.test(e.message)) return e;
  }
  return undefined;
}

/**
 * On SIGINT/SIGTERM the statement in progress (a COPY, a key build, a lock wait) is cancelled
 * server-side, so the run stops within moments whatever it is doing, and rolls back.
 */
function cancelOnAbort(pool: pg.Pool, client: pg.PoolClient, signal: AbortSignal): { dispose(): void } {
  const pid = (client as pg.PoolClient & { processID?: number }).processID;
  const onAbort = () => void pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  return { dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** Rows, disk and time of a big load, said before it starts (rates measured by `npm run bench`). */
function announceEstimate(rows: number, log: Logger): void {
  if (rows <= ESTIMATE_ABOVE_ROWS) return;
  const BYTES_PER_ROW = 260; // heap + primary key of raw.transactions, measured
  const ROWS_PER_SECOND = 250_000;
  const gib = (rows * BYTES_PER_ROW) / 2 ** 30;
  const minutes = rows / ROWS_PER_SECOND / 60;
  log.warn(
    { rows, diskGiB: Number(gib.toFixed(1)), minutes: Number(minutes.toFixed(1)) },
    `this load will write about ${rows.toLocaleString('en-US')} rows: about ${gib.toFixed(1)} GiB in raw.transactions (twice that free while the next state is built) and about ${Math.ceil(minutes)} minute(s); Ctrl-C stops it with nothing written`,
  );
}

interface TransactionInput {
  context: LoadContext;
  warehouse: Warehouse;
  client: pg.PoolClient;
  loadId: string;
  startedAt: Date;
  extraction: Extraction;
  seeds: AccountSeed[];
  /** `--append`: which accounts continue and which are new; undefined for a full load */
  histories: Histories | undefined;
  generateOptions: GenerateOptions;
  timer: StepTimer;
  /** what OBP listed, every shard's accounts included (`extraction` holds this run's) */
  listed: Extraction;
  shard: RunShard | undefined;
  owns: AccountFilter | undefined;
  /** raw.transactions is distributed by Citus */
  distributed: boolean;
}

async function loadInTransaction(input: TransactionInput): Promise<LoadSummary> {
  const { context, warehouse, client, loadId, startedAt, listed, extraction, seeds, histories, generateOptions, timer, shard, owns, distributed } = input;
  // Appends (which never rewrite earlier rows), runs that may overlap (shard-runs) and every run
  // on Citus merge their rows in: row locks only.
  const merge = histories !== undefined || shard !== undefined || distributed;
  const { config, log, signal } = context;
  const csv = config.output.csvDir ? new CsvOutput({ dir: config.output.csvDir, startedAt, loadId, dataSource: extraction.dataSource }) : undefined;
  const stats = new TransactionStatsCollector();
  const progress = createProgress({ total: histories ? appendRows(histories, generateOptions) : expectedRows(seeds.length, generateOptions), label: 'generate + load', log, tty: context.progressBar });
  // what the generator decided per account, for raw.account_profiles
  const profiles: AccountProfile[] = [];
  const generated = { rows: 0, balancingRows: 0, balancedAccounts: 0 };
  // partitions committed (detached) by a run of every account, dropped if the run fails
  const committed: string[] = [];
  const locks: LockContext = { client, pool: warehouse.pool, policy: { timeoutMs: config.load.lockTimeoutMs, retries: config.load.lockRetries }, log, signal };
  try {
    const tx = kyselyOnClient(client);
    // Runs abandoned by dead processes, which any run may close, are closed one loader at a time
    // in a short transaction committed before the run's own: in it their row locks would make
    // shard-runs wait for each other.
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SHARED_ROWS_LOCK_KEY]);
    const abandoned = await closeAbandonedRuns(tx);
    if (abandoned) log.warn({ abandoned }, `marked ${abandoned} run(s) left 'running' by a dead process as failed`);
    if (shard) await refuseOtherShardCounts(tx, loadId, shard);
    await client.query('COMMIT');
    const appended = histories ? appendedDays(histories, generateOptions) : undefined;
    if (appended) {
      // Citus keeps the partition that runs to MAXVALUE: its shards spread the rows instead
      const created = await timer.step('append_partitions', () => prepareAppendPartitions(locks, monthsBetween(appended.from, appended.to), loadId, { distributed }));
      if (created.length) log.info({ partitions: created }, `created ${created.length} partition(s) of raw.transactions for the appended days`);
    }

    await client.query('BEGIN');
    const vanishedBanks = shard ? await timer.step('upsert_banks', () => writeSharedBanks(tx, locks, listed, loadId)) : undefined;
    const vanished = await timer.step('upsert_banks_accounts', () =>
      withLockRetries(locks, 'update raw.banks and raw.accounts', async () => {
        if (vanishedBanks) {
          await upsertAccounts(tx, extraction.accounts, extraction.dataSource, loadId);
          return { banks: vanishedBanks, accounts: await markVanishedAccounts(tx, listed, owns) };
        }
        await upsertBanks(tx, extraction.banks, extraction.dataSource, loadId);
        await upsertAccounts(tx, extraction.accounts, extraction.dataSource, loadId);
        return markVanished(tx, extraction);
      }),
    );
    if (vanished.banks.length || vanished.accounts.length) {
      log.warn(vanished, `OBP no longer has ${vanished.banks.length} bank(s) and ${vanished.accounts.length} account(s): marked inactive, history kept`);
    }
    const pruned = config.load.prune ? (await inactiveAccounts(tx)).filter(owns ?? (() => true)) : [];
    csv?.writeBanks(extraction.banks);
    csv?.writeAccounts(extraction.accounts);
    signal.throwIfAborted();

    const fresh = (p: AccountProfile) => {
      profiles.push(p);
      generated.rows += p.rows;
    };
    const rows = histories
      ? chain(
          generateTransactions(histories.fresh, generateOptions, fresh),
          continueHistories(histories.continued, generateOptions, (c) => {
            profiles.push(c.profile);
            generated.rows += c.newRows;
            generated.balancingRows += c.balancingRows;
            if (c.balancingRows) generated.balancedAccounts++;
          }),
        )
      : generateTransactions(seeds, generateOptions, fresh);
    const sink: TransactionSink = {
      onRow: (row: SyntheticTransaction) => {
        stats.add(row);
        if (csv && !csv.writeTransaction(row)) return csv.drain();
      },
      onProgress: (rows) => progress.tick(rows),
      signal,
    };
    // an append replaces nothing (but pruned accounts): earlier rows are never rewritten
    const staged: Staged = merge
      ? await mergeRows(client, log, timer, rows, { loadId, generatedAt: startedAt }, { replaceAccounts: histories ? pruned : [...seeds, ...pruned], distributed }, sink)
      : await stageToSwitch({ warehouse, main: client, rows, seeds, loadId, generatedAt: startedAt, pruned, locks, committed, sink, timer, expected: expectedRows(seeds.length, generateOptions) });
    progress.stop();
    await timer.step('account_profiles', () => writeAccountProfiles(client, profiles, { loadId, generatedAt: startedAt, asOf: generateOptions.asOf }));
    warnMissedRecurring(profiles, log);
    if (generated.balancingRows) {
      log.warn(
        { accounts: generated.balancedAccounts, rows: generated.balancingRows },
        `${generated.balancedAccounts} account(s) needed ${generated.balancingRows} extra transfer(s) to reach OBP's balance: more than their new days' own rows could absorb (each appended day ends on its step towards it; with a balance that did not move, where it began)`,
      );
    }
    signal.throwIfAborted();

    const lineage = await timer.step('validate_lineage', () =>
      validateLineage(client, { tables: stagedTables(staged), rows: staged.rows, ledger: staged.ledger }, loadId, extraction.dataSource, {
        banksShared: shard !== undefined,
        bankIds: extraction.banks.map((b) => b.bankId),
        banks: extraction.banks.length,
        accounts: extraction.accounts.length,
        transactions: generated.rows,
      }, histories?.continued.map((c) => ({ bankId: c.seed.bankId, accountId: c.seed.accountId, closingMinor: c.profile.closingMinor }))),
    );
    signal.throwIfAborted();
    if ('parts' in staged) await timer.step('switch', () => withLockRetries(locks, 'switch the new transactions in', () => switchIn(client, staged)));
    await recordRunSucceeded(tx, loadId, {
      obpSource: extraction.mode,
      obpOrigin: extraction.origin,
      counts: { banks: extraction.banks.length, accounts: extraction.accounts.length, transactions: staged.rows },
      days: staged.rows === 0 ? null : daysWritten(generateOptions, histories, appended),
      stepTimings: timer.seconds(),
    });
    signal.throwIfAborted();
    await timer.step('commit', () => client.query('COMMIT'));
    // Committed: whatever happens now (a signal included), the run succeeded.
    const csvFiles = csv ? await csv.commit() : [];
    log.info({ loadId, rows: staged.rows }, `load ${loadId} succeeded`);
    const append = histories
      ? { continued: histories.continued.length, behind: behind(histories, generateOptions).length, fresh: histories.fresh.length, balancingRows: generated.balancingRows }
      : undefined;
    return summarize({ loadId, status: 'succeeded', extraction, config, generateOptions, shard, stats, staged, vanished, lineage, timer, csvFiles, append });
  } catch (error) {
    progress.stop();
    await client.query('ROLLBACK').catch(() => undefined);
    await dropParts(warehouse.pool, committed).catch((e: unknown) => log.warn(`could not drop the run's detached partitions (the next load will): ${messageOf(e)}`));
    await csv?.abort();
    if (error instanceof HybridbankError || signal.aborted) throw error;
    throw new HybridbankError('LOAD_FAILED', `The load failed and was rolled back; nothing of it is visible: ${messageOf(error)}`, { cause: error });
  }
}

/** A run's rows: staged as partitions to switch in, or already merged into raw.transactions. */
type Staged = { rows: number; ledger: readonly AccountLedger[]; replacedRows: number; keptRows: number } & (
  | { parts: readonly StagedPart[] }
  | { merged: ForeignKeyPath }
);

/** The tables holding the run's rows until it commits. */
function stagedTables(staged: Staged): string[] {
  return 'parts' in staged ? staged.parts.map((p) => p.table) : ['raw.transactions'];
}

/**
 * The merge path (appends, shard-runs, Citus). Says so when the foreign keys were checked row by
 * row on a single node, where the COPY with the bulk check is three to four times faster (a
 * 30-day append's 172k rows in psql: 0.7-1.0 s against 2.6-3.6 s): what the operator can change
 * is the loader role's right to set session_replication_role.
 */
async function mergeRows(
  client: pg.PoolClient,
  log: Logger,
  timer: StepTimer,
  rows: Iterable<SyntheticTransaction>,
  run: { loadId: string; generatedAt: Date },
  options: Parameters<typeof mergeIn>[3],
  sink: TransactionSink,
): Promise<Staged> {
  const merged = await mergeIn(client, rows, run, options, sink);
  timer.record('generate_and_copy', merged.timings.copy);
  timer.record('merge', merged.timings.merge);
  if (merged.foreignKeys === 'triggers' && !options.distributed) {
    log.info(
      'merged the rows through the row-by-row foreign-key triggers (three to four times the COPY time of the bulk check): this role may not set session_replication_role (a superuser may; on PostgreSQL 15+, GRANT SET ON PARAMETER session_replication_role TO it), or raw.transactions has a trigger or foreign key of its own that the bulk check would silence',
    );
  }
  return { merged: merged.foreignKeys, rows: merged.rows, ledger: merged.ledger, replacedRows: merged.replacedRows, keptRows: 0 };
}

/** A run of every account (single node): partitions streamed in on a second connection, keyed and checked on the run's. */
async function stageToSwitch(input: {
  warehouse: Warehouse;
  main: pg.PoolClient;
  rows: Iterable<SyntheticTransaction>;
  seeds: readonly AccountSeed[];
  loadId: string;
  generatedAt: Date;
  pruned: readonly { bankId: string; accountId: string }[];
  locks: LockContext;
  committed: string[];
  sink: TransactionSink;
  timer: StepTimer;
  expected: number;
}): Promise<Staged> {
  const accounts = [...input.seeds].sort(compareAccounts);
  const side = await input.warehouse.pool.connect();
  const cancel = cancelOnAbort(input.warehouse.pool, side, input.locks.signal);
  let broken: Error | undefined;
  // a connection that breaks while idle says so as an event; its next query then fails the run
  const onBroken = (error: Error) => (broken ??= error);
  side.on('error', onBroken);
  try {
    const othersExist = await otherAccountsExist(input.main, [...accounts, ...input.pruned]);
    const staged = await stagePartitions(
      input.main,
      side,
      { accounts, plan: planParts(accounts, input.expected, await keptAppendedMonths(input.main, othersExist)), rows: input.rows, loadId: input.loadId, generatedAt: input.generatedAt, dropAccounts: input.pruned, othersExist, locks: input.locks, committed: input.committed },
      input.sink,
    );
    input.timer.record('generate_and_copy', staged.timings.copy);
    input.timer.record('keys_and_checks', staged.timings.keys);
    return { parts: staged.parts, rows: staged.rows, ledger: staged.ledger, replacedRows: staged.replacedRows, keptRows: staged.keptRows };
  } catch (error) {
    broken ??= connectionLost(error);
    throw error;
  } finally {
    cancel.dispose();
    side.off('error', onBroken);
    side.release(broken);
  }
}

/** The continued accounts whose history ends before the as-of day: the ones an append gives new days. */
function behind(histories: Histories, options: GenerateOptions): Histories['continued'] {
  const asOfDay = epochDayOf(options.asOf);
  return histories.continued.filter((c) => c.historyEndDay < asOfDay);
}

/** The days an append continues histories over, if any. */
function appendedDays(histories: Histories, options: GenerateOptions): { from: string; to: string } | undefined {
  // a loop, not Math.min(...): a spread of a million accounts overflows the stack
  let first = Number.POSITIVE_INFINITY;
  for (const c of behind(histories, options)) first = Math.min(first, c.historyEndDay);
  return Number.isFinite(first) ? { from: isoDay(first), to: isoDay(epochDayOf(options.asOf) - 1) } : undefined;
}

/** The days a run wrote rows for: a full load its window; an append from the earliest history end (`appended`, its appendedDays) or new account's window on. */
function daysWritten(options: GenerateOptions, histories: Histories | undefined, appended: { from: string } | undefined): { from: string; to: string } {
  const to = isoDay(epochDayOf(options.asOf) - 1);
  const window = !histories || histories.fresh.length ? isoDay(epochDayOf(options.asOf) - options.days) : to;
  return { from: appended && appended.from < window ? appended.from : window, to };
}

/** Rows an append will write, for the progress bar: new accounts' histories, the others' new days at the profile's rates. */
function appendRows(histories: Histories, options: GenerateOptions): number {
  const asOfDay = epochDayOf(options.asOf);
  const newDays = histories.continued.reduce((sum, c) => sum + c.profile.dailyRate * Math.max(0, asOfDay - c.historyEndDay), 0);
  return expectedRows(histories.fresh.length, options) + Math.round(newDays);
}

function* chain<T>(...parts: Iterable<T>[]): Generator<T, void, undefined> {
  for (const part of parts) yield* part;
}

function warnMissedRecurring(profiles: readonly AccountProfile[], log: Logger): void {
  const short = profiles.filter((p) => p.missedRecurring > 0);
  if (short.length === 0) return;
  const missed = short.reduce((sum, p) => sum + p.missedRecurring, 0);
  log.warn(
    { accounts: short.length, missedRows: missed },
    `${short.length} of ${profiles.length} account(s) lost ${missed} recurring row(s) (salary, bills) that --transactions-per-account could not hold; raise it or use auto`,
  );
}

/**
 * A shard-run's banks, written in its own transaction so a failed shard-run leaves them as they
 * were. Every shard-run lists every bank, so it writes only the banks whose stored row is not what
 * OBP says now (new, changed, vanished, back): shard-runs of a job that find the banks as stored
 * write nothing and take no row lock, so they never wait for each other. One that must write
 * waits first for any other shard-run writing banks to commit or roll back (BANK_ROWS_LOCK_KEY: a
 * bank row it wrote is part of that run), then writes what still differs. The first job on an
 * empty warehouse, or after OBP changed a bank, therefore runs the bank-writing shard-runs one
 * after another.
 */
async function writeSharedBanks(tx: Kysely<Database>, locks: LockContext, listed: Extraction, loadId: string): Promise<string[]> {
  const { client, log } = locks;
  if ((await banksToWrite(tx, listed)).length === 0) return [];
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [BANK_ROWS_LOCK_KEY]);
  if (!rows[0]?.locked) {
    log.warn("another shard-run is writing OBP's new bank data; waiting for it to commit or roll back");
    await client.query('SELECT pg_advisory_xact_lock($1)', [BANK_ROWS_LOCK_KEY]);
  }
  return withLockRetries(locks, 'update raw.banks', async () => {
    const stale = new Set(await banksToWrite(tx, listed));
    await upsertBanks(tx, listed.banks.filter((b) => stale.has(b.bankId)), listed.dataSource, loadId);
    return markVanishedBanks(tx, listed);
  });
}

/**
 * Shard-runs with different N split the accounts differently: a 1/2 and a 1/3 share accounts, and
 * the second to write one would wait for the first, then fail on its rows. Said up front instead.
 * (Two such runs starting in the same instant may both see the other and both stop: also clear.)
 */
async function refuseOtherShardCounts(db: Kysely<Database>, loadId: string, shard: RunShard): Promise<void> {
  const other = await db
    .selectFrom('raw.load_runs')
    .select(['load_id', 'shard_index', 'shard_count'])
    .where('status', '=', 'running')
    .where('shard_count', 'is not', null)
    .where('shard_count', '<>', shard.count)
    .where('load_id', '<>', loadId)
    .executeTakeFirst();
  if (!other) return;
  throw new HybridbankError(
    'LOAD_FAILED',
    `Load ${other.load_id} (--shard ${other.shard_index}/${other.shard_count}) is running and splits the accounts into ${other.shard_count} shards; this run asks for ${shard.count}, so the two would load some of the same accounts. Nothing of this run was written.`,
    { hint: `Give every loader of one job the same N (--shard I/${other.shard_count}), or wait until that run has finished.` },
  );
}

/** The shard of this run and its run group, or undefined for a run of every account. */
function runShard(config: Config, generate: GenerateOptions): RunShard | undefined {
  const shard = config.load.shard;
  if (!shard) return undefined;
  // what decides the rows, machine-independent (no paths): the N loaders of one job agree on it
  const rowFlags = {
    obp: { source: config.obp.source, baseUrl: config.obp.baseUrl, banks: config.obp.banks, bankIds: config.obp.bankIds },
    synth: { seed: generate.seed, asOf: generate.asOf, days: generate.days, perAccount: generate.transactionsPerAccount, fraudRate: generate.fraudRate, profile: generate.profile },
    prune: config.load.prune,
  };
  return { ...shard, runGroup: config.load.runGroup ?? derivedRunGroup(shard.count, rowFlags) };
}

/** The extraction as this run loads it: only the accounts it owns (its shard's). */
function ownedBy(extraction: Extraction, owns: AccountFilter | undefined): Extraction {
  return owns ? { ...extraction, accounts: extraction.accounts.filter(owns) } : extraction;
}

/** Everything needed to reproduce the run (never credentials). */
function runParams(config: Config, extraction: Extraction | undefined, generate: GenerateOptions): Record<string, unknown> {
  return {
    obp: {
      requestedSource: config.obp.source,
      mode: extraction?.mode ?? null,
      origin: extraction?.origin ?? null,
      apiVersion: extraction?.apiVersion ?? config.obp.apiVersion,
      banks: config.obp.banks,
      bankIds: config.obp.bankIds,
    },
    synth: {
      seed: generate.seed,
      asOf: generate.asOf,
      days: generate.days,
      transactionsPerAccount: generate.transactionsPerAccount,
      fraudRate: generate.fraudRate,
      profilePath: config.synth.profilePath ?? null,
      profile: generate.profile,
    },
    csvDir: config.output.csvDir ?? null,
    prune: config.load.prune,
    shard: config.load.shard ?? null,
  };
}

interface SummaryInput {
  loadId: string;
  status: LoadSummary['status'];
  extraction: Extraction;
  config: Config;
  generateOptions: GenerateOptions;
  shard: RunShard | undefined;
  stats: TransactionStatsCollector;
  staged: Pick<Staged, 'replacedRows' | 'keptRows'> | undefined;
  vanished: Vanished | undefined;
  lineage: LoadSummary['lineage'];
  timer: StepTimer;
  csvFiles: string[];
  append?: LoadSummary['append'];
}

function summarize(input: SummaryInput): LoadSummary {
  const { extraction, generateOptions: g } = input;
  const transactions = { ...input.stats.result(), replacedRows: input.staged?.replacedRows ?? 0, keptRows: input.staged?.keptRows ?? 0 };
  const timings = input.timer.seconds();
  const streamSeconds = timings.generate_and_copy ?? timings.generate ?? 0;
  const totalSeconds = Object.values(timings).reduce((a, b) => a + b, 0);
  return {
    loadId: input.loadId,
    status: input.status,
    shard: input.shard ?? null,
    source: { mode: extraction.mode, dataSource: extraction.dataSource, origin: extraction.origin, apiVersion: extraction.apiVersion },
    loadMode: input.config.load.mode,
    append: input.append ?? null,
    params: { seed: g.seed, asOf: g.asOf, days: g.days, transactionsPerAccount: g.transactionsPerAccount, fraudRate: g.fraudRate, banks: input.config.obp.banks, bankIds: input.config.obp.bankIds },
    banks: bankBreakdown(extraction),
    accounts: extraction.accounts.length,
    skippedBanks: extraction.skippedBanks,
    banksWithoutAccounts: extraction.banksWithoutAccounts,
    setAside: extraction.setAside,
    inactive: input.vanished ?? { banks: [], accounts: [] },
    transactions,
    lineage: input.lineage,
    timings,
    rowsPerSecond: streamSeconds > 0 ? Math.round(transactions.rows / streamSeconds) : transactions.rows,
    endToEndRowsPerSecond: totalSeconds > 0 ? Math.round(transactions.rows / totalSeconds) : transactions.rows,
    csvFiles: input.csvFiles,
  };
}
