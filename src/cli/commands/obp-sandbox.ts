import type { Command } from 'commander';
import { readSandboxData, withEmptyBank, withNonAsciiNames, withUserSeeingAllAccounts, type SandboxData } from '../../obp/sandbox/data.js';
import { startSandboxServer, type SandboxFaults } from '../../obp/sandbox/server.js';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['logLevel'] as const;

/** A user who sees every account, so a demo load gets all of them, like the bundled snapshot. */
const DEMO_USER = { email: 'hybridbank.demo@example.com', user_name: 'hybridbank.demo', password: 'hybridbank-demo' };

interface SandboxFlags {
  port: string;
  consumerKey: string;
  data?: string;
  rateLimit?: string;
  unavailable?: string;
  slow?: string;
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
      .option('--port <port>', 'port to listen on', '8090')
      .option('--consumer-key <key>', 'the consumer key DirectLogin accepts', 'hybridbank-sandbox-key')
      .option('--data <file>', "sandbox data in OBP's import format (default: OBP's sandbox example data)")
      .option('--rate-limit <n>', 'fault: answer the next n requests 429 with X-Rate-Limit headers')
      .option('--unavailable <n>', 'fault: answer the next n requests 503')
      .option('--slow <ms>', 'fault: hold every answer this long (beyond --obp-timeout-ms to see timeouts)')
      .option('--expire-token', 'fault: reject the first token-authenticated request with OBP-20003')
      .option('--gone-bank <id>', 'fault: list this bank but answer 404 OBP-30001 for it (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
      .option('--empty-bank', 'fault: add a bank where nobody has accounts')
      .option('--null-labels', 'fault: hide account labels (null), as a restricted view does')
      .option('--non-ascii', 'fault: non-ASCII bank and account names')
      .option('--v6', 'fault: answer in v6.0.0 shapes (bank_id / account_id instead of id)'),
    KEYS,
  );
  command.action(
    action(KEYS, async ({ log, signal }) => {
      const flags = command.opts<SandboxFlags>();
      let data: SandboxData = withUserSeeingAllAccounts(readSandboxData(flags.data), DEMO_USER);
      if (flags.emptyBank) data = withEmptyBank(data);
      if (flags.nonAscii) data = withNonAsciiNames(data);
      const faults: Partial<SandboxFaults> = {
        rateLimit: { times: Number(flags.rateLimit ?? 0), resetSeconds: 1 },
        unavailable: Number(flags.unavailable ?? 0),
        slow: { times: flags.slow ? Infinity : 0, ms: Number(flags.slow ?? 0) },
        expireToken: flags.expireToken ? 1 : 0,
        goneBanks: flags.goneBank,
        nullLabels: Boolean(flags.nullLabels),
        v6Shapes: Boolean(flags.v6),
      };
      const server = await startSandboxServer({ data, consumerKey: flags.consumerKey, port: Number(flags.port), faults });
      log.info({ url: server.url, banks: data.banks.length, accounts: data.accounts.length }, 'OBP sandbox listening');
      process.stdout.write(
        [
          `OBP-compatible sandbox on ${server.url}: ${data.banks.length} banks, ${data.accounts.length} accounts, ${data.users.length} users.`,
          'Load from it (this user sees every account):',
          `  OBP_BASE_URL=${server.url} OBP_USERNAME=${DEMO_USER.email} OBP_PASSWORD=${DEMO_USER.password} OBP_CONSUMER_KEY=${flags.consumerKey} npm run load`,
          `Other users (OBP's sandbox example data): ${data.users.filter((u) => u.email !== DEMO_USER.email).map((u) => u.email).join(', ')}`,
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await server.close();
      process.exitCode = 0;
    }),
  );
}
