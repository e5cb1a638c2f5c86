import type { Command } from 'commander';
import type { Config } from '../../config/config.js';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = [
  'databaseUrl', 'warehousePort', 'logLevel',
  'obpSource', 'snapshot', 'obpBaseUrl', 'obpConcurrency', 'obpTimeoutMs', 'banks', 'bankIds',
  'transactionsPerAccount', 'days', 'asOf', 'seed', 'fraudRate', 'profile',
  'lockTimeoutMs', 'lockRetries', 'prune', 'append',
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
      process.stdout.write(config.output.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary) + nextSteps(config));
      if (signal.aborted) {
        // The signal came after COMMIT: the run is complete and recorded; say so, and exit 0.
        process.stderr.write(`The signal arrived after load ${summary.loadId} committed: it succeeded and is kept.\n`);
        process.exitCode = 0;
      }
    }),
  );
}

/** What a new user does after a load: the same commands on both paths, connecting differs. */
export function nextSteps(config: Config): string {
  if (config.output.dryRun) return 'Nothing was written. Run again without --dry-run to load.\n';
  const connect = config.warehouse.url
    ? ['  psql "$DATABASE_URL"             query raw.* (and marts.* after transform) yourself']
    : [
        '  npm run warehouse -- --detach     keep the embedded warehouse running and print its DATABASE_URL,',
        '                                    for psql, Metabase or a notebook (stop: npm run warehouse -- --stop)',
      ];
  return [
    'Next:',
    '  npm run transform                 build the star schema and semantic layer with dbt (schema marts)',
    '  npm run report                    an HTML report with charts from the marts',
    ...connect,
    '  npx hybridbank runs               this run and the ones before it',
    '',
  ].join('\n');
}
