import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { HybridbankError } from '../core/errors.js';
import type { LoadMode } from '../warehouse/schema.js';
import { SETTINGS, type Setting, type SettingKey, type SettingValues } from './settings.js';

export type ObpSourceMode = 'live' | 'snapshot' | 'auto';

/** The validated configuration, parsed once at the edge (the CLI) and passed down. */
export interface Config {
  projectRoot: string;
  logLevel: SettingValues['logLevel'];
  logFormat: SettingValues['logFormat'];
  warehouse: { url: string | undefined; port: number; dir: string };
  /** for `warehouse --create-reader`; never on the command line */
  readerPassword: string | undefined;
  obp: {
    baseUrl: string;
    apiVersion: string;
    credentials: { username: string; password: string; consumerKey: string } | undefined;
    source: ObpSourceMode;
    snapshotPath: string | undefined;
    banks: number;
    bankIds: string[];
    concurrency: number;
    timeoutMs: number;
    retries: number;
    maxResponseBytes: number;
  };
  /** mode: `full` rewrites the loaded accounts' histories, `append` continues them */
  load: { lockTimeoutMs: number; lockRetries: number; prune: boolean; mode: LoadMode };
  synth: {
    transactionsPerAccount: number | 'auto';
    days: number;
    asOf: string;
    seed: string;
    fraudRate: number;
    profilePath: string | undefined;
  };
  output: { csvDir: string | undefined; json: boolean; dryRun: boolean };
  /** `runs` */
  runsLimit: number;
  /** `realism` */
  realism: { accounts: number; generate: boolean };
  /** `obp-sandbox` */
  sandbox: { port: number; consumerKey: string; dataPath: string | undefined; rateLimit: number; unavailable: number; slowMs: number };
}

export interface ConfigSources {
  /** values from CLI flags, keyed by setting */
  flags?: Partial<Record<SettingKey, unknown>>;
  env?: NodeJS.ProcessEnv;
  projectRoot?: string;
  /** for tests: today's date */
  today?: Date;
}

/** Values named by secret settings, for the logger and error scrubbing. */
export function secretValues(config: Config): string[] {
  const out: string[] = [];
  if (config.obp.credentials) out.push(config.obp.credentials.password, config.obp.credentials.consumerKey);
  if (config.readerPassword) out.push(config.readerPassword);
  const dbPassword = config.warehouse.url ? passwordOfUrl(config.warehouse.url) : undefined;
  if (dbPassword) out.push(dbPassword);
  return out;
}

function passwordOfUrl(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

/** A rejected value as the message shows it: secrets hidden, a URL with its password blanked. */
function shown(setting: Setting, value: unknown): string {
  if (!setting.secret) return JSON.stringify(value);
  try {
    const url = new URL(String(value));
    if (url.password) url.password = 'hidden';
    return JSON.stringify(url.toString());
  } catch {
    return '(a secret, not shown)';
  }
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const projectRoot = sources.projectRoot ?? process.cwd();
  const env = sources.env ?? process.env;
  const dotenvPath = path.join(projectRoot, '.env');
  const dotenv = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};

  const raw: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [SettingKey, (typeof SETTINGS)[SettingKey]][]) {
    const flagValue = sources.flags?.[key];
    const envValue = env[setting.env] ?? dotenv[setting.env];
    if (flagValue !== undefined && !(Array.isArray(flagValue) && flagValue.length === 0)) {
      raw[key] = flagValue;
      origin[key] = 'flag' in setting ? setting.flag : setting.env;
    } else if (envValue !== undefined && envValue !== '') {
      raw[key] = 'repeatable' in setting ? envValue.split(',').map((s) => s.trim()).filter(Boolean) : envValue;
      origin[key] = env[setting.env] !== undefined ? setting.env : `${setting.env} (in .env)`;
    }
  }

  const shape = Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.schema])) as {
    [K in SettingKey]: (typeof SETTINGS)[K]['schema'];
  };
  const parsed = z.object(shape).safeParse(raw);
  if (!parsed.success) {
    // One sentence per setting (its first problem), naming where the value came from and a good one.
    const seen = new Set<SettingKey>();
    const lines: string[] = [];
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as SettingKey;
      if (seen.has(key)) continue;
      seen.add(key);
      const setting: Setting = SETTINGS[key];
      const where = origin[key] ?? setting.env;
      const flag = setting.flag ? ` or ${setting.arg ? `${setting.flag} ${setting.example}` : setting.flag}` : '';
      lines.push(`${where} ${issue.message.replace(/^Invalid input: /, '')} (got ${shown(setting, raw[key])}); for example ${setting.env}=${setting.example}${flag}.`);
    }
    throw new HybridbankError('CONFIG_INVALID', `Invalid configuration: ${lines.join(' ')}`, {
      hint: 'Fix the value in the flag, the environment or .env, then run again. Nothing was written.',
    });
  }
  const v = parsed.data as SettingValues;

  const credentialParts = [v.obpUsername, v.obpPassword, v.obpConsumerKey];
  const credentialsGiven = credentialParts.filter((p) => p !== undefined).length;
  if (credentialsGiven > 0 && credentialsGiven < 3) {
    throw new HybridbankError(
      'CONFIG_INVALID',
      'Invalid configuration: OBP credentials are incomplete; set all of OBP_USERNAME, OBP_PASSWORD and OBP_CONSUMER_KEY, or none of them to use the bundled snapshot.',
      { hint: 'For example OBP_USERNAME=susan.x.0.gh@example.com OBP_PASSWORD=... OBP_CONSUMER_KEY=...' },
    );
  }
  if (v.obpSource === 'live' && credentialsGiven === 0) {
    throw new HybridbankError(
      'CONFIG_INVALID',
      'Invalid configuration: --obp-source live needs OBP_USERNAME, OBP_PASSWORD and OBP_CONSUMER_KEY.',
      { hint: 'Set them (in the environment or .env), or use --obp-source snapshot to replay the bundled snapshot.' },
    );
  }

  if (v.append && v.dryRun) {
    throw new HybridbankError(
      'CONFIG_INVALID',
      'Invalid configuration: --dry-run cannot preview an --append: what an append adds depends on the histories in the warehouse, which a dry run does not read.',
      { hint: 'Drop --dry-run (an append is one transaction: Ctrl-C leaves nothing), or drop --append to preview a full load.' },
    );
  }

  const today = (sources.today ?? new Date()).toISOString().slice(0, 10);
  return {
    projectRoot,
    logLevel: v.logLevel,
    logFormat: v.logFormat,
    warehouse: { url: v.databaseUrl, port: v.warehousePort, dir: path.resolve(projectRoot, v.warehouseDir) },
    readerPassword: v.readerPassword,
    obp: {
      baseUrl: v.obpBaseUrl,
      apiVersion: v.obpApiVersion,
      credentials:
        v.obpUsername && v.obpPassword && v.obpConsumerKey
          ? { username: v.obpUsername, password: v.obpPassword, consumerKey: v.obpConsumerKey }
          : undefined,
      source: v.obpSource,
      snapshotPath: v.snapshot ? path.resolve(projectRoot, v.snapshot) : undefined,
      banks: v.banks,
      bankIds: v.bankIds,
      concurrency: v.obpConcurrency,
      timeoutMs: v.obpTimeoutMs,
      retries: v.obpRetries,
      maxResponseBytes: v.obpMaxResponseMb * 1024 * 1024,
    },
    load: { lockTimeoutMs: v.lockTimeoutMs, lockRetries: v.lockRetries, prune: v.prune, mode: v.append ? 'append' : 'full' },
    synth: {
      transactionsPerAccount: v.transactionsPerAccount,
      days: v.days,
      asOf: v.asOf ?? today,
      seed: v.seed,
      fraudRate: v.fraudRate,
      profilePath: v.profile ? path.resolve(projectRoot, v.profile) : undefined,
    },
    output: { csvDir: v.csvDir ? path.resolve(projectRoot, v.csvDir) : undefined, json: v.json, dryRun: v.dryRun },
    runsLimit: v.runsLimit,
    realism: { accounts: v.realismAccounts, generate: v.realismGenerate },
    sandbox: {
      port: v.sandboxPort,
      consumerKey: v.sandboxConsumerKey,
      dataPath: v.sandboxData ? path.resolve(projectRoot, v.sandboxData) : undefined,
      rateLimit: v.sandboxRateLimit,
      unavailable: v.sandboxUnavailable,
      slowMs: v.sandboxSlowMs,
    },
  };
}
