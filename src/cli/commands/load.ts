import type { Command } from 'commander';
import { runLoad } from '../../load/pipeline.js';
import { renderSummary } from '../../load/summary.js';
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
      const summary = await runLoad({ config, log, signal, progressBar: Boolean(process.stderr.isTTY) && !config.output.json });
      process.stdout.write(config.output.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary));
      if (signal.aborted) {
        // The signal came after COMMIT: the run is complete and recorded; say so, and exit 0.
        process.stderr.write(`The signal arrived after load ${summary.loadId} committed: it succeeded and is kept.\n`);
        process.exitCode = 0;
      }
    }),
  );
}
