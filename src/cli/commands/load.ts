import type { Command } from 'commander';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = [
  'databaseUrl', 'warehousePort', 'logLevel',
  'obpSource', 'snapshot', 'obpBaseUrl', 'obpConcurrency', 'obpTimeoutMs', 'banks', 'bankIds',
  'transactionsPerAccount', 'days', 'asOf', 'seed', 'fraudRate', 'profile',
  'lockTimeoutMs', 'lockRetries', 'prune',
  'csvDir', 'json', 'dryRun',
] as const;

export function registerLoad(program: Command): void {
  addSettingOptions(
    program
      .command('load')
      .description('extract OBP banks and accounts, generate synthetic transactions, load them atomically, validate lineage, print a summary'),
    KEYS,
  ).action(
    action(KEYS, async ({ config, log, signal }) => {
      // Imported when the command runs, so `--help` and a bad flag answer at once.
      const [{ runLoad }, { renderSummary }] = await Promise.all([import('../../load/pipeline.js'), import('../../load/summary.js')]);
      const summary = await runLoad({ config, log, signal, progressBar: Boolean(process.stderr.isTTY) && !config.output.json });
      process.stdout.write(config.output.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary));
    }),
  );
}
