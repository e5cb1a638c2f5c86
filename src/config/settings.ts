import { z } from 'zod';
import { MAX_SHARDS, parseShard } from '../load/shard.js';
import { DEFAULT_LOCK_POLICY } from '../warehouse/locks.js';

/**
 * Every setting the product reads, in one table: its environment variable, its CLI flag, how it is
 * validated and an example of a good value. Flags win over the environment, which wins over `.env`.
 * Commands pick the settings they expose as flags; all settings are validated on every run, before
 * anything is written.
 */
export interface Setting {
  env: string;
  flag?: string;
  /** commander's value placeholder, e.g. `<n>`; absent for boolean switches */
  arg?: string;
  repeatable?: boolean;
  description: string;
  example: string;
  secret?: boolean;
  schema: z.ZodType;
}

const numberIn = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a number' }).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const intIn = (min: number, max: number) => numberIn(min, max).int('must be a whole number');
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])], { error: 'must be true or false' })
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
/** A real calendar day (2024-02-30 is refused, not rolled over to March) from 1900 on. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD', abort: true })
  .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), { error: 'is not a day of the calendar', abort: true })
  .refine((s) => s >= '1900-01-01', 'must be 1900-01-01 or later');
/** No control characters (a CR/LF would break the DirectLogin header) and no surrounding spaces. */
const headerSafe = z
  .string()
  .min(1, 'must not be empty')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters (a stray CR/LF from a Windows .env?)')
  .refine((s) => s.trim() === s, 'must not start or end with spaces');
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s):// URL' })
  .refine((u) => !new URL(u).username && !new URL(u).password, 'must not contain credentials; set OBP_USERNAME, OBP_PASSWORD and OBP_CONSUMER_KEY instead')
  .transform((u) => u.replace(/\/+$/, ''));
const postgresUrl = z
  .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
  // node-postgres decodes the database name with decodeURI: %2F, %23, %3F ... would stay encoded.
  .refine((u) => {
    const name = new URL(u).pathname.slice(1);
    return decodeURI(name) === decodeURIComponent(name);
  }, 'must name the database without percent-encoded reserved characters (%2F, %23, %3F, ...)');
/** `I/N`: shard I of N, 1 <= I <= N <= MAX_SHARDS. */
const shardSpec = z
  .string()
  .transform((text, ctx) => {
    const shard = parseShard(text);
    if (!shard) {
      ctx.addIssue({ code: 'custom', message: 'must be I/N, shard I of N loaders (1/2 and 2/2 for two)' });
      return z.NEVER;
    }
    if (shard.count < 1 || shard.count > MAX_SHARDS) {
      ctx.addIssue({ code: 'custom', message: `must have N from 1 to ${MAX_SHARDS} loaders` });
      return z.NEVER;
    }
    if (shard.index < 1 || shard.index > shard.count) {
      ctx.addIssue({ code: 'custom', message: `must have I from 1 to N (shards are numbered 1/${shard.count} to ${shard.count}/${shard.count})` });
      return z.NEVER;
    }
    return shard;
  });
const logFormat = z.enum(['text', 'json'], { error: 'must be text or json' });
export const SETTINGS = {
  databaseUrl: {
    env: 'DATABASE_URL', flag: '--database-url', arg: '<url>', secret: true,
    description: 'PostgreSQL to use; unset = start the embedded warehouse',
    example: 'postgres://postgres@127.0.0.1:5432/hybridbank',
    schema: postgresUrl.optional(),
  },
  warehousePort: {
    env: 'WAREHOUSE_PORT', flag: '--warehouse-port', arg: '<port>',
    // below Linux's ephemeral range (32768-60999), so no outgoing connection can be holding it
    description: 'port of the embedded warehouse', example: '28432',
    schema: intIn(1, 65535).default(28432),
  },
  warehouseDir: {
    env: 'WAREHOUSE_DIR', description: 'data directory of the embedded warehouse', example: '.warehouse',
    schema: z.string().min(1).default('.warehouse'),
  },
  logLevel: {
    env: 'LOG_LEVEL', flag: '--log-level', arg: '<level>', description: 'fatal | error | warn | info | debug | trace | silent', example: 'info',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  },
  logFormat: {
    env: 'LOG_FORMAT', flag: '--log-format', arg: '<format>', description: 'text (one readable line per event) | json (JSON lines)',
    example: 'json', schema: logFormat.default('text'),
  },
  obpBaseUrl: {
    env: 'OBP_BASE_URL', flag: '--obp-base-url', arg: '<url>', description: 'OBP API server root',
    example: 'https://apisandbox.openbankproject.com',
    schema: httpUrl.default('https://apisandbox.openbankproject.com'),
  },
  obpApiVersion: {
    env: 'OBP_API_VERSION', description: 'OBP API version to pin', example: 'v5.1.0',
    schema: z.string().regex(/^v\d+\.\d+\.\d+$/, 'must look like v5.1.0').default('v5.1.0'),
  },
  obpUsername: {
    env: 'OBP_USERNAME', description: 'OBP DirectLogin username', example: 'susan.x.0.gh@example.com',
    schema: headerSafe.optional(),
  },
  obpPassword: {
    env: 'OBP_PASSWORD', secret: true, description: 'OBP DirectLogin password (no commas: DirectLogin cannot carry them)',
    example: 'X!90e4e3e4',
    schema: headerSafe.refine((s) => !s.includes(','), 'cannot contain a comma (DirectLogin splits on commas)').optional(),
  },
  obpConsumerKey: {
    env: 'OBP_CONSUMER_KEY', secret: true, description: 'OBP consumer key', example: 'abcd1234efgh5678',
    schema: headerSafe.optional(),
  },
  obpSource: {
    env: 'OBP_SOURCE', flag: '--obp-source', arg: '<mode>',
    description: 'live | snapshot | auto (live when credentials are set)', example: 'auto',
    schema: z.enum(['live', 'snapshot', 'auto'], { error: 'must be live, snapshot or auto' }).default('auto'),
  },
  snapshot: {
    env: 'OBP_SNAPSHOT', flag: '--snapshot', arg: '<file>', description: 'recorded OBP responses to replay',
    example: 'data/obp-snapshot.json', schema: z.string().min(1).optional(),
  },
  obpConcurrency: {
    env: 'OBP_CONCURRENCY', flag: '--obp-concurrency', arg: '<n>', description: 'banks extracted at once',
    example: '4', schema: intIn(1, 64).default(4),
  },
  obpTimeoutMs: {
    env: 'OBP_TIMEOUT_MS', flag: '--obp-timeout-ms', arg: '<ms>', description: 'per-request timeout',
    example: '15000', schema: intIn(100, 600_000).default(15_000),
  },
  obpMaxResponseMb: {
    env: 'OBP_MAX_RESPONSE_MB', description: 'largest OBP answer accepted, in MB (larger ones fail before exhausting memory)',
    example: '16', schema: intIn(1, 1024).default(16),
  },
  obpRetries: {
    env: 'OBP_RETRIES', description: 'retries per request on 429, 5xx, timeouts', example: '5',
    schema: intIn(0, 20).default(5),
  },
  banks: {
    env: 'HYBRIDBANK_BANKS', flag: '--banks', arg: '<n>', description: 'how many banks, in API order',
    example: '10', schema: intIn(1, 100_000).default(10),
  },
  bankIds: {
    env: 'HYBRIDBANK_BANK_IDS', flag: '--bank-id', arg: '<id>', repeatable: true,
    description: 'exact bank(s) instead of the first N (repeatable; env: comma-separated)',
    example: 'obp-bank-x-gh', schema: z.array(z.string().min(1)).default([]),
  },
  transactionsPerAccount: {
    env: 'HYBRIDBANK_TRANSACTIONS_PER_ACCOUNT', flag: '--transactions-per-account', arg: '<n>',
    description: "synthetic transactions per account, or auto: each account's persona sets its count over --days", example: '100',
    schema: z.union([z.literal('auto'), intIn(1, 10_000_000)], { error: 'must be a whole number from 1 to 10000000, or auto' }).default(100),
  },
  days: {
    env: 'HYBRIDBANK_DAYS', flag: '--days', arg: '<d>', description: 'history window in days before --as-of',
    example: '90', schema: intIn(1, 3650).default(90),
  },
  asOf: {
    env: 'HYBRIDBANK_AS_OF', flag: '--as-of', arg: '<date>', description: 'the history ends when this day begins (default: today, UTC)',
    example: '2026-11-24',
    // a future day would date rows after the run; today is fine: the history ends at its first second
    schema: isoDate
      .refine((s) => s <= new Date().toISOString().slice(0, 10), { error: () => `must not be in the future (today is ${new Date().toISOString().slice(0, 10)}, UTC)` })
      .optional(),
  },
  seed: {
    env: 'HYBRIDBANK_SEED', flag: '--seed', arg: '<seed>', description: 'random seed; same seed, same rows',
    example: '42', schema: z.string().min(1).max(200).default('42'),
  },
  fraudRate: {
    env: 'HYBRIDBANK_FRAUD_RATE', flag: '--fraud-rate', arg: '<rate>', description: 'share of fraudulent transactions',
    example: '0.005', schema: numberIn(0, 0.5).default(0.005),
  },
  profile: {
    env: 'HYBRIDBANK_PROFILE', flag: '--profile', arg: '<file>', description: 'generation profile (JSON or YAML)',
    example: 'profiles/default.json', schema: z.string().min(1).optional(),
  },
  csvDir: {
    env: 'HYBRIDBANK_CSV_DIR', flag: '--csv-dir', arg: '<dir>', description: "also write the original pipeline's CSVs here",
    example: 'out', schema: z.string().min(1).optional(),
  },
  lockTimeoutMs: {
    env: 'HYBRIDBANK_LOCK_TIMEOUT_MS', flag: '--lock-timeout-ms', arg: '<ms>',
    description: 'longest single wait of a load for a lock a reader holds (and of a reader queued behind it)',
    example: '1000', schema: intIn(10, 60_000).default(DEFAULT_LOCK_POLICY.timeoutMs),
  },
  lockRetries: {
    env: 'HYBRIDBANK_LOCK_RETRIES', flag: '--lock-retries', arg: '<n>',
    description: 'lock waits a load retries (with a pause between) before failing, naming the blocking session',
    example: '20', schema: intIn(0, 1_000).default(DEFAULT_LOCK_POLICY.retries),
  },
  prune: {
    env: 'HYBRIDBANK_PRUNE', flag: '--prune', description: "delete the synthetic transactions of inactive (vanished) accounts",
    example: 'true', schema: bool.default(false),
  },
  append: {
    env: 'HYBRIDBANK_APPEND', flag: '--append',
    description: "continue each loaded account's history up to --as-of instead of rewriting it (earlier rows untouched; new accounts get --days of history)",
    example: 'true', schema: bool.default(false),
  },
  shard: {
    env: 'HYBRIDBANK_SHARD', flag: '--shard', arg: '<I/N>',
    description: 'load only shard I of N (the accounts whose hash of bank and account id falls in it); N loaders with 1/N .. N/N split the work',
    example: '1/2', schema: shardSpec.optional(),
  },
  runGroup: {
    env: 'HYBRIDBANK_RUN_GROUP', flag: '--run-group', arg: '<id>',
    description: 'the job the shard-runs of one load share in raw.load_runs (default: derived from the generation flags and N)',
    example: 'nightly-2026-11-24',
    schema: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, 'must be 1 to 100 letters, digits, ".", "_", ":" or "-", starting with a letter or digit').optional(),
  },
  json: {
    env: 'HYBRIDBANK_JSON', flag: '--json', description: 'print the summary as one JSON document on stdout',
    example: 'true', schema: bool.default(false),
  },
  dryRun: {
    env: 'HYBRIDBANK_DRY_RUN', flag: '--dry-run', description: 'extract and generate, write nothing',
    example: 'true', schema: bool.default(false),
  },
  readerPassword: {
    // No flag on purpose: a password on the command line lands in shell history and `ps`.
    env: 'HYBRIDBANK_READER_PASSWORD', secret: true,
    description: 'password for the reader that `warehouse --create-reader NAME` creates',
    example: 'correct-horse-battery-staple',
    // Printable ASCII only: PostgreSQL SASLpreps passwords, which leaves exactly these unchanged,
    // so the SCRAM verifier computed client-side (src/warehouse/readers.ts) matches the server's.
    schema: z.string().min(12, 'must be at least 12 characters').regex(/^[\x20-\x7e]+$/, 'must be printable ASCII').optional(),
  },
  runsLimit: {
    env: 'HYBRIDBANK_RUNS_LIMIT', flag: '--limit', arg: '<n>', description: '`runs`: how many load runs to list, newest first',
    example: '20', schema: intIn(1, 10_000).default(10),
  },
  realismAccounts: {
    env: 'HYBRIDBANK_REALISM_ACCOUNTS', flag: '--accounts', arg: '<n>',
    description: '`realism`: accounts to score (generated, or sampled from the warehouse)',
    example: '2000', schema: intIn(1, 1_000_000).default(2_000),
  },
  realismGenerate: {
    env: 'HYBRIDBANK_REALISM_GENERATE', flag: '--generate',
    description: '`realism`: score histories generated in memory from the profile and the generation flags (writes nothing)',
    example: 'true', schema: bool.default(false),
  },
  // `obp-sandbox`: the local OBP-compatible server and the faults it can inject.
  sandboxPort: {
    env: 'OBP_SANDBOX_PORT', flag: '--port', arg: '<port>', description: 'port the OBP sandbox listens on (127.0.0.1)',
    example: '8090', schema: intIn(1, 65535).default(8090),
  },
  sandboxConsumerKey: {
    env: 'OBP_SANDBOX_CONSUMER_KEY', flag: '--consumer-key', arg: '<key>', description: 'the consumer key the sandbox accepts',
    example: 'hybridbank-sandbox-key', schema: headerSafe.default('hybridbank-sandbox-key'),
  },
  sandboxData: {
    env: 'OBP_SANDBOX_DATA', flag: '--data', arg: '<file>', description: "sandbox data in OBP's import format (default: OBP's sandbox example data)",
    example: 'obp-sandbox-example-import.json', schema: z.string().min(1).optional(),
  },
  sandboxRateLimit: {
    env: 'OBP_SANDBOX_RATE_LIMIT', flag: '--rate-limit', arg: '<n>', description: 'fault: answer the next n requests 429',
    example: '3', schema: intIn(0, 1_000_000).default(0),
  },
  sandboxUnavailable: {
    env: 'OBP_SANDBOX_UNAVAILABLE', flag: '--unavailable', arg: '<n>', description: 'fault: answer the next n requests 503',
    example: '2', schema: intIn(0, 1_000_000).default(0),
  },
  sandboxSlowMs: {
    env: 'OBP_SANDBOX_SLOW_MS', flag: '--slow', arg: '<ms>', description: 'fault: hold every answer this long',
    example: '2000', schema: intIn(0, 600_000).default(0),
  },
} satisfies Record<string, Setting>;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValues = { [K in SettingKey]: z.output<(typeof SETTINGS)[K]['schema']> };
