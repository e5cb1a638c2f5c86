import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Config } from '../config/config.js';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { extract } from '../obp/extract.js';
import type { Extraction } from '../obp/types.js';
import { activityWarnings, expectedRows, generateTransactions, loadProfile, type AccountProfile, type GenerateOptions } from '../synth/index.js';
import type { AccountSeed, SyntheticTransaction } from '../synth/types.js';
import { kyselyOnClient, withWarehouse, type Warehouse } from '../warehouse/connection.js';
import { migrate } from '../warehouse/migrator.js';
import { accountSeeds } from './account-seeds.js';
import { CsvOutput } from './csv.js';
import { createProgress } from './progress.js';
import { closeAbandonedRuns, recordRunFailed, recordRunStarted, recordRunSucceeded } from './run-record.js';
import { TransactionStatsCollector } from './stats.js';
import { bankBreakdown, type LoadSummary } from './summary.js';
import { validateLineage } from './validate.js';
import { upsertAccounts, upsertBanks } from './write-sources.js';
import { StepTimer } from './step-timer.js';
import { replaceTransactions } from './write-transactions.js';
import { writeAccountProfiles } from './write-profiles.js';

/**
 * `npm run load`: config -> migrate -> extract -> upsert banks and accounts -> generate + COPY
 * transactions -> validate lineage -> record the run -> summary. Everything a run writes commits
 * in one transaction, under an advisory lock so two loads never interleave.
 */
export interface LoadContext {
  config: Config;
  log: Logger;
  signal: AbortSignal;
  /** show a progress bar (stderr is a TTY and no --json) */
  progressBar: boolean;
}

const LOAD_LOCK_KEY = 72_690_002;

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

  if (config.output.dryRun) {
    const extraction = await timer.step('extract', () => extract(config.obp, log, signal));
    const stats = new TransactionStatsCollector();
    const seeds = accountSeeds(extraction, log);
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
    return summarize({ loadId, status: 'dry-run', extraction, config, generateOptions, stats, replacedRows: 0, lineage: [], timer, csvFiles: [] });
  }

  return withWarehouse(config.warehouse, log, async (warehouse) => {
    await timer.step('migrate', () => migrate(warehouse.pool, log));
    const extraction = await timer.step('extract', () => extract(config.obp, log, signal));
    signal.throwIfAborted();
    const seeds = accountSeeds(extraction, log);
    const params = runParams(config, extraction, generateOptions);

    const client = await warehouse.pool.connect();
    try {
      await acquireLoadLock(client, log);
      const abandoned = await closeAbandonedRuns(warehouse.db);
      if (abandoned) log.warn({ abandoned }, `marked ${abandoned} run(s) left 'running' by a dead process as failed`);
      await recordRunStarted(warehouse.db, { loadId, startedAt, params });
      log.info({ loadId }, `load ${loadId} started`);
      try {
        return await loadInTransaction({ context, warehouse, client, loadId, startedAt, extraction, seeds, generateOptions, timer, params });
      } catch (error) {
        await recordRunFailed(warehouse.db, loadId, signal.aborted ? `interrupted: ${messageOf(signal.reason)}` : messageOf(error), timer.seconds()).catch(
          (e: unknown) => log.warn(`could not record the failure in raw.load_runs: ${messageOf(e)}`),
        );
        throw error;
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOAD_LOCK_KEY]).catch(() => undefined);
      client.release();
    }
  });
}

interface TransactionInput {
  context: LoadContext;
  warehouse: Warehouse;
  client: pg.PoolClient;
  loadId: string;
  startedAt: Date;
  extraction: Extraction;
  seeds: AccountSeed[];
  generateOptions: GenerateOptions;
  timer: StepTimer;
  params: Record<string, unknown>;
}

async function loadInTransaction(input: TransactionInput): Promise<LoadSummary> {
  const { context, client, loadId, startedAt, extraction, seeds, generateOptions, timer } = input;
  const { config, log, signal } = context;
  const csv = config.output.csvDir ? new CsvOutput({ dir: config.output.csvDir, startedAt, loadId, dataSource: extraction.dataSource }) : undefined;
  const stats = new TransactionStatsCollector();
  const progress = createProgress({ total: expectedRows(seeds.length, generateOptions), label: 'generate + load', log, tty: context.progressBar });
  // what the generator decided per account, for raw.account_profiles (and the exact row count with `auto`)
  const profiles: AccountProfile[] = [];
  try {
    await client.query('BEGIN');
    const tx = kyselyOnClient(client);
    await timer.step('upsert_banks_accounts', async () => {
      await upsertBanks(tx, extraction.banks, extraction.dataSource, loadId);
      await upsertAccounts(tx, extraction.accounts, extraction.dataSource, loadId);
    });
    csv?.writeBanks(extraction.banks);
    csv?.writeAccounts(extraction.accounts);

    const rows = generateTransactions(seeds, generateOptions, (p) => profiles.push(p));
    const replaced = await replaceTransactions(client, seeds, rows, { loadId, generatedAt: startedAt }, {
      onRow: (row: SyntheticTransaction) => {
        stats.add(row);
        if (csv && !csv.writeTransaction(row)) return csv.drain();
      },
      onProgress: (rows) => progress.tick(rows),
      signal,
    });
    progress.stop();
    timer.record('clear_old_transactions', replaced.timings.clear);
    timer.record('generate_and_copy', replaced.timings.copy);
    timer.record('keys_and_constraints', replaced.timings.keys);
    await timer.step('account_profiles', () => writeAccountProfiles(client, profiles, { loadId, generatedAt: startedAt }));
    warnMissedRecurring(profiles, log);

    const lineage = await timer.step('validate_lineage', () =>
      validateLineage(client, loadId, extraction.dataSource, {
        banks: extraction.banks.length,
        accounts: extraction.accounts.length,
        transactions: profiles.reduce((sum, p) => sum + p.rows, 0),
      }),
    );
    await recordRunSucceeded(tx, loadId, {
      obpSource: extraction.mode,
      obpOrigin: extraction.origin,
      counts: { banks: extraction.banks.length, accounts: extraction.accounts.length, transactions: replaced.rows },
      stepTimings: timer.seconds(),
    });
    signal.throwIfAborted();
    await timer.step('commit', () => client.query('COMMIT'));
    const csvFiles = csv ? await csv.commit() : [];
    log.info({ loadId, rows: replaced.rows }, `load ${loadId} succeeded`);
    return summarize({ loadId, status: 'succeeded', extraction, config, generateOptions, stats, replacedRows: replaced.replacedRows, lineage, timer, csvFiles });
  } catch (error) {
    progress.stop();
    await client.query('ROLLBACK').catch(() => undefined);
    await csv?.abort();
    if (error instanceof HybridbankError || signal.aborted) throw error;
    throw new HybridbankError('LOAD_FAILED', `The load failed and was rolled back; nothing of it is visible: ${messageOf(error)}`, { cause: error });
  }
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

async function acquireLoadLock(client: pg.ClientBase, log: Logger): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [LOAD_LOCK_KEY]);
  if (rows[0]?.locked) return;
  log.warn('another load is running on this warehouse; waiting for it to finish');
  await client.query('SELECT pg_advisory_lock($1)', [LOAD_LOCK_KEY]);
}

/** Everything needed to reproduce the run (never credentials). */
function runParams(config: Config, extraction: Extraction, generate: GenerateOptions): Record<string, unknown> {
  return {
    obp: {
      requestedSource: config.obp.source,
      mode: extraction.mode,
      origin: extraction.origin,
      apiVersion: extraction.apiVersion,
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
  };
}

interface SummaryInput {
  loadId: string;
  status: LoadSummary['status'];
  extraction: Extraction;
  config: Config;
  generateOptions: GenerateOptions;
  stats: TransactionStatsCollector;
  replacedRows: number;
  lineage: LoadSummary['lineage'];
  timer: StepTimer;
  csvFiles: string[];
}

function summarize(input: SummaryInput): LoadSummary {
  const { extraction, generateOptions: g } = input;
  const transactions = { ...input.stats.result(), replacedRows: input.replacedRows };
  const timings = input.timer.seconds();
  const streamSeconds = timings.generate_and_copy ?? timings.generate ?? 0;
  const totalSeconds = Object.values(timings).reduce((a, b) => a + b, 0);
  return {
    loadId: input.loadId,
    status: input.status,
    source: { mode: extraction.mode, dataSource: extraction.dataSource, origin: extraction.origin, apiVersion: extraction.apiVersion },
    params: { seed: g.seed, asOf: g.asOf, days: g.days, transactionsPerAccount: g.transactionsPerAccount, fraudRate: g.fraudRate, banks: input.config.obp.banks, bankIds: input.config.obp.bankIds },
    banks: bankBreakdown(extraction),
    accounts: extraction.accounts.length,
    skippedBanks: extraction.skippedBanks,
    banksWithoutAccounts: extraction.banksWithoutAccounts,
    transactions,
    lineage: input.lineage,
    timings,
    rowsPerSecond: streamSeconds > 0 ? Math.round(transactions.rows / streamSeconds) : transactions.rows,
    endToEndRowsPerSecond: totalSeconds > 0 ? Math.round(transactions.rows / totalSeconds) : transactions.rows,
    csvFiles: input.csvFiles,
  };
}
