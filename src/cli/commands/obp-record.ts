import path from 'node:path';
import type { Command } from 'commander';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['obpBaseUrl', 'banks', 'bankIds', 'obpConcurrency', 'obpTimeoutMs', 'logLevel'] as const;

export function registerObpRecord(program: Command): void {
  const command = addSettingOptions(
    program
      .command('obp-record')
      .description('extract from the live OBP API and save its raw responses (no token, no login) as a snapshot to replay offline')
      .requiredOption('--out <file>', 'snapshot file to write'),
    KEYS,
  );
  command.action(
    action(KEYS, async ({ config, log, signal }) => {
      const { recordSnapshot } = await import('../../obp/record.js');
      const out = path.resolve(command.opts<{ out: string }>().out);
      const { extraction, responses } = await recordSnapshot(config.obp, log, out, { signal });
      process.stdout.write(
        `Recorded ${responses} responses (${extraction.banks.length} banks, ${extraction.accounts.length} accounts) to ${out}.\n` +
          `Replay offline with: --obp-source snapshot --snapshot ${out}\n`,
      );
    }),
  );
}
