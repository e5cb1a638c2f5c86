import type { Command } from 'commander';
import { generatedInput, warehouseInput } from '../../realism/source.js';
import { renderScorecard, scorecard } from '../../realism/scorecard.js';
import { loadProfile } from '../../synth/index.js';
import { withWarehouse } from '../../warehouse/connection.js';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['databaseUrl', 'warehousePort', 'logLevel', 'transactionsPerAccount', 'days', 'asOf', 'seed', 'fraudRate', 'profile', 'json'] as const;

export function registerRealism(program: Command): void {
  const command = addSettingOptions(
    program
      .command('realism')
      .description('score how realistic the synthetic data is (incomes, pile-ups, refunds, local time, fraud learnability) against targets; exit 1 on a miss')
      .option('--generate', 'score histories generated in memory from the profile and the generation flags (writes nothing)')
      .option('--accounts <n>', 'accounts to score (generated, or sampled from the warehouse)', '2000'),
    KEYS,
  );
  command.action(
    action(KEYS, async ({ config, log }) => {
      const opts = command.opts<{ generate?: boolean; accounts: string }>();
      const count = Number(opts.accounts);
      if (!Number.isInteger(count) || count < 1) {
        process.stderr.write(`Error: --accounts must be a positive whole number (got ${JSON.stringify(opts.accounts)}).\n`);
        return 1;
      }
      const input = opts.generate
        ? generatedInput({ ...config.synth, profile: loadProfile(config.synth.profilePath) }, count)
        : await withWarehouse(config.warehouse, log, (warehouse) => warehouseInput(warehouse.pool, count));
      const card = scorecard(input);
      process.stdout.write(config.output.json ? `${JSON.stringify(card, null, 2)}\n` : renderScorecard(card));
      return card.passed ? 0 : 1;
    }),
  );
}
