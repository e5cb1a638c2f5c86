import type { Command } from 'commander';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = [
  'databaseUrl', 'warehousePort', 'logLevel', 'realismGenerate', 'realismAccounts',
  'transactionsPerAccount', 'days', 'asOf', 'seed', 'fraudRate', 'profile', 'json',
] as const;

export function registerRealism(program: Command): void {
  addSettingOptions(
    program
      .command('realism')
      .description('score how realistic the synthetic data is (incomes, pile-ups, refunds, local time, fraud learnability) against targets; exit 1 on a miss'),
    KEYS,
  ).action(
    action(KEYS, async ({ config, log }) => {
      // Imported when the command runs, so other commands start without the scorecard's model.
      const [{ generatedInput, warehouseInput }, { renderScorecard, scorecard }, { loadProfile }, { withWarehouse }] = await Promise.all([
        import('../../realism/source.js'),
        import('../../realism/scorecard.js'),
        import('../../synth/index.js'),
        import('../../warehouse/connection.js'),
      ]);
      const { accounts, generate } = config.realism;
      const input = generate
        ? generatedInput({ ...config.synth, profile: loadProfile(config.synth.profilePath) }, accounts)
        : await withWarehouse(config.warehouse, log, (warehouse) => warehouseInput(warehouse.pool, accounts));
      const card = scorecard(input);
      process.stdout.write(config.output.json ? `${JSON.stringify(card, null, 2)}\n` : renderScorecard(card));
      return card.passed ? 0 : 1;
    }),
  );
}
