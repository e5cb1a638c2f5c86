import type { Command } from 'commander';
import { sql } from 'kysely';
import { LoadModeSchema, type LoadMode } from '../../warehouse/schema.js';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['databaseUrl', 'warehousePort', 'runsLimit', 'json'] as const;

/** One load run as `runs` shows it (the columns are selected by name: later migrations may add more). */
export interface RunRow {
  loadId: string;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  mode: LoadMode;
  /** the days the run wrote rows for (UTC, both included) */
  days: { from: string; to: string } | null;
  obpSource: string | null;
  banks: number | null;
  accounts: number | null;
  transactions: number | null;
  durationSeconds: number | null;
  error: string | null;
}

export function registerRuns(program: Command): void {
  addSettingOptions(
    program
      .command('runs')
      .description('list the last load runs (raw.load_runs): when, status, banks/accounts/transactions, duration, error'),
    KEYS,
  ).action(
    action(KEYS, async ({ config, log }) => {
      const limit = config.runsLimit;
      const { withWarehouse } = await import('../../warehouse/connection.js');
      const runs = await withWarehouse(config.warehouse, log, async ({ db }) => {
        const { rows } = await sql<{ exists: boolean }>`SELECT to_regclass('raw.load_runs') IS NOT NULL AS exists`.execute(db);
        if (!rows[0]?.exists) return [];
        const found = await db
          .selectFrom('raw.load_runs')
          .select([
            'load_id', 'started_at', 'finished_at', 'status',
            // through to_jsonb: a warehouse not yet migrated to 0005 (no load ran since the upgrade) has no such columns
            sql<string | null>`to_jsonb(load_runs) ->> 'load_mode'`.as('load_mode'),
            sql<string | null>`to_jsonb(load_runs) ->> 'days_from'`.as('days_from'),
            sql<string | null>`to_jsonb(load_runs) ->> 'days_to'`.as('days_to'),
            'obp_source', 'banks_count', 'accounts_count', 'transactions_count', 'error'])
          .orderBy('started_at', 'desc')
          .limit(limit)
          .execute();
        return found.map(
          (r): RunRow => ({
            loadId: r.load_id,
            startedAt: new Date(r.started_at).toISOString(),
            finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
            status: r.status,
            mode: LoadModeSchema.parse(r.load_mode ?? 'full'),
            days: r.days_from && r.days_to ? { from: r.days_from, to: r.days_to } : null,
            obpSource: r.obp_source,
            banks: r.banks_count,
            accounts: r.accounts_count,
            transactions: r.transactions_count === null ? null : Number(r.transactions_count),
            durationSeconds: r.finished_at ? (new Date(r.finished_at).getTime() - new Date(r.started_at).getTime()) / 1000 : null,
            error: r.error,
          }),
        );
      });
      process.stdout.write(config.output.json ? `${JSON.stringify(runs, null, 2)}\n` : renderRuns(runs));
    }),
  );
}

export function renderRuns(runs: readonly RunRow[]): string {
  if (runs.length === 0) return 'No load runs yet: run `npm run load` (or `npx hybridbank load`).\n';
  const header = ['started (UTC)', 'status', 'mode', 'days', 'source', 'banks', 'accounts', 'transactions', 'duration', 'load_id', 'error'];
  const rows = runs.map((r) => [
    r.startedAt.slice(0, 19).replace('T', ' '),
    r.status,
    r.mode,
    r.days ? (r.days.from === r.days.to ? r.days.from : `${r.days.from}..${r.days.to}`) : '-',
    r.obpSource ?? '-',
    count(r.banks),
    count(r.accounts),
    count(r.transactions),
    r.durationSeconds === null ? '-' : `${r.durationSeconds.toFixed(1)} s`,
    r.loadId,
    r.error ? oneLine(r.error, 70) : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 5 && i <= 8 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

const count = (n: number | null) => (n === null ? '-' : n.toLocaleString('en-US'));
const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
