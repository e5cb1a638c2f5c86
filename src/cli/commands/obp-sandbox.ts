import type { Command } from 'commander';
import type { SandboxData } from '../../obp/sandbox/data.js';
import type { SandboxFaults } from '../../obp/sandbox/server.js';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['logLevel', 'sandboxPort', 'sandboxConsumerKey', 'sandboxData', 'sandboxRateLimit', 'sandboxUnavailable', 'sandboxSlowMs'] as const;

/** A user who sees every account, so a demo load gets all of them, like the bundled snapshot. */
const DEMO_USER = { email: 'hybridbank.demo@example.com', user_name: 'hybridbank.demo', password: 'hybridbank-demo' };

interface SandboxFlags {
  expireToken?: boolean;
  goneBank: string[];
  emptyBank?: boolean;
  nullLabels?: boolean;
  nonAscii?: boolean;
  v6?: boolean;
}

export function registerObpSandbox(program: Command): void {
  const command = addSettingOptions(
    program
      .command('obp-sandbox')
      .description('serve a local OBP-compatible API (DirectLogin, banks, accounts) on 127.0.0.1 for offline demos, until Ctrl-C')
      .option('--expire-token', 'fault: reject the first token-authenticated request with OBP-20003')
      .option('--gone-bank <id>', 'fault: list this bank but answer 404 OBP-30001 for it (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
      .option('--empty-bank', 'fault: add a bank where nobody has accounts')
      .option('--null-labels', 'fault: hide account labels (null), as a restricted view does')
      .option('--non-ascii', 'fault: non-ASCII bank and account names')
      .option('--v6', 'fault: answer in v6.0.0 shapes (bank_id / account_id instead of id)'),
    KEYS,
  );
  command.action(
    action(KEYS, async ({ config, log, signal }) => {
      const { sandbox } = config;
      const [{ readSandboxData, withEmptyBank, withNonAsciiNames, withUserSeeingAllAccounts }, { startSandboxServer }] = await Promise.all([
        import('../../obp/sandbox/data.js'),
        import('../../obp/sandbox/server.js'),
      ]);
      const flags = command.opts<SandboxFlags>();
      let data: SandboxData = withUserSeeingAllAccounts(readSandboxData(sandbox.dataPath), DEMO_USER);
      if (flags.emptyBank) data = withEmptyBank(data);
      if (flags.nonAscii) data = withNonAsciiNames(data);
      const faults: Partial<SandboxFaults> = {
        rateLimit: { times: sandbox.rateLimit, resetSeconds: 1 },
        unavailable: sandbox.unavailable,
        slow: { times: sandbox.slowMs ? Infinity : 0, ms: sandbox.slowMs },
        expireToken: flags.expireToken ? 1 : 0,
        goneBanks: flags.goneBank,
        nullLabels: Boolean(flags.nullLabels),
        v6Shapes: Boolean(flags.v6),
      };
      const server = await startSandboxServer({ data, consumerKey: sandbox.consumerKey, port: sandbox.port, faults });
      log.info({ url: server.url, banks: data.banks.length, accounts: data.accounts.length }, 'OBP sandbox listening');
      process.stdout.write(
        [
          `OBP-compatible sandbox on ${server.url}: ${data.banks.length} banks, ${data.accounts.length} accounts, ${data.users.length} users.`,
          'Load from it (this user sees every account):',
          `  OBP_BASE_URL=${server.url} OBP_USERNAME=${DEMO_USER.email} OBP_PASSWORD=${DEMO_USER.password} OBP_CONSUMER_KEY=${sandbox.consumerKey} npm run load`,
          `Other users (OBP's sandbox example data): ${data.users.filter((u) => u.email !== DEMO_USER.email).map((u) => u.email).join(', ')}`,
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await server.close();
    }),
  );
}
