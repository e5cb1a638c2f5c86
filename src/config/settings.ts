import { z } from 'zod';

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

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'must be a real calendar date');
const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));
const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' });

export const SETTINGS = {
  databaseUrl: {
    env: 'DATABASE_URL', flag: '--database-url', arg: '<url>', secret: true,
    description: 'PostgreSQL to use; unset = start the embedded warehouse',
    example: 'postgres://postgres@127.0.0.1:5432/hybridbank',
    schema: postgresUrl.optional(),
  },
  warehousePort: {
    env: 'WAREHOUSE_PORT', flag: '--warehouse-port', arg: '<port>',
    description: 'port of the embedded warehouse', example: '54329',
    schema: intIn(1, 65535).default(54329),
  },
  warehouseDir: {
    env: 'WAREHOUSE_DIR', description: 'data directory of the embedded warehouse', example: '.warehouse',
    schema: z.string().min(1).default('.warehouse'),
  },
  logLevel: {
    env: 'LOG_LEVEL', flag: '--log-level', arg: '<level>', description: 'pino log level', example: 'info',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
    schema: z.string().min(1).optional(),
  },
  obpPassword: {
    env: 'OBP_PASSWORD', secret: true, description: 'OBP DirectLogin password (no commas: DirectLogin cannot carry them)',
    example: 'X!90e4e3e4',
    schema: z.string().min(1).refine((s) => !s.includes(','), 'cannot contain a comma (DirectLogin splits on commas)').optional(),
  },
  obpConsumerKey: {
    env: 'OBP_CONSUMER_KEY', secret: true, description: 'OBP consumer key', example: 'abcd1234efgh5678',
    schema: z.string().min(1).optional(),
  },
  obpSource: {
    env: 'OBP_SOURCE', flag: '--obp-source', arg: '<mode>',
    description: 'live | snapshot | auto (live when credentials are set)', example: 'auto',
    schema: z.enum(['live', 'snapshot', 'auto']).default('auto'),
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
    example: '0.005', schema: z.coerce.number().min(0).max(0.5).default(0.005),
  },
  profile: {
    env: 'HYBRIDBANK_PROFILE', flag: '--profile', arg: '<file>', description: 'generation profile (JSON or YAML)',
    example: 'profiles/default.json', schema: z.string().min(1).optional(),
  },
  csvDir: {
    env: 'HYBRIDBANK_CSV_DIR', flag: '--csv-dir', arg: '<dir>', description: "also write the original pipeline's CSVs here",
    example: 'out', schema: z.string().min(1).optional(),
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
} satisfies Record<string, Setting>;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValues = { [K in SettingKey]: z.output<(typeof SETTINGS)[K]['schema']> };
