import type { Config } from '../../src/config/config.js';
import type { Backoff } from '../../src/obp/client.js';
import { readSandboxData, withUserSeeingAllAccounts, type SandboxData } from '../../src/obp/sandbox/data.js';
import { startSandboxServer, type SandboxFaults, type SandboxServer } from '../../src/obp/sandbox/server.js';

export type { SandboxData, SandboxFaults, SandboxServer };

export const CONSUMER_KEY = 'test-consumer-key-7f3a9c';

/** Sees every account of whatever data the server holds. */
export const OWNER = { email: 'owner.all@example.com', user_name: 'owner.all', password: 'Owner!secret-91x' };

/** Susan of OBP's sandbox example data: one account at obp-bank-x-gh, none at obp-bank-y-gh. */
export const SUSAN = { email: 'susan.x.0.gh@example.com', password: 'X!90e4e3e4' };

/** Retry waits short enough for tests; the logic is the same as with the default backoff. */
export const FAST_BACKOFF: Backoff = { minMs: 5, maxMs: 40 };

/**
 * Starts the OBP-compatible sandbox on a free port. Default data: OBP's sandbox example data plus
 * OWNER, who sees all 14 accounts. Close it with `server.close()` (e.g. in `after`).
 */
export function startObpServer(options: { data?: SandboxData; faults?: Partial<SandboxFaults> } = {}): Promise<SandboxServer> {
  return startSandboxServer({ data: options.data ?? withUserSeeingAllAccounts(readSandboxData(), OWNER), consumerKey: CONSUMER_KEY, faults: options.faults });
}

/** The CLI's environment for a live load from a sandbox server, as OWNER, retrying once. */
export function liveObpEnv(server: { url: string }): Record<string, string> {
  return { OBP_BASE_URL: server.url, OBP_USERNAME: OWNER.email, OBP_PASSWORD: OWNER.password, OBP_CONSUMER_KEY: CONSUMER_KEY, OBP_RETRIES: '1' };
}

/** Live config against a sandbox server, as OWNER, with small timeouts and retries. */
export function obpConfig(server: { url: string }, overrides: Partial<Config['obp']> = {}): Config['obp'] {
  return {
    baseUrl: server.url,
    apiVersion: 'v5.1.0',
    credentials: { username: OWNER.email, password: OWNER.password, consumerKey: CONSUMER_KEY },
    source: 'auto',
    snapshotPath: undefined,
    banks: 10,
    bankIds: [],
    concurrency: 4,
    timeoutMs: 2_000,
    retries: 3,
    maxResponseBytes: 16 << 20,
    ...overrides,
  };
}

/** `count` banks with `accountsPerBank` accounts each, all owned by OWNER; balances differ per account. */
export function manyBanks(count: number, accountsPerBank: number): SandboxData {
  const banks = Array.from({ length: count }, (_, i) => ({
    id: `bank-${String(i + 1).padStart(2, '0')}`,
    short_name: `B${i + 1}`,
    full_name: `Bank number ${i + 1}`,
    logo: '',
    website: `https://bank${i + 1}.example.com`,
  }));
  const accounts = banks.flatMap((bank, b) =>
    Array.from({ length: accountsPerBank }, (_, a) => ({
      id: `acc-${b + 1}-${a + 1}`,
      bank: bank.id,
      label: `Account ${a + 1} at ${bank.full_name}`,
      number: `${b + 1}00${a + 1}`,
      type: a % 2 === 0 ? 'CURRENT PLUS' : 'BUSINESS CURRENT',
      balance: { currency: b % 2 === 0 ? 'EUR' : 'GBP', amount: `${1000 * (b + 1) + a}.0${a % 10}` },
      IBAN: `GB00 TEST ${b + 1} ${a + 1}`,
      owners: [OWNER.user_name],
    })),
  );
  return { banks, users: [OWNER], accounts };
}
