import pLimit from 'p-limit';
import type { Config } from '../config/config.js';
import { HybridbankError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { DEFAULT_BACKOFF, ObpClient, type Backoff } from './client.js';
import { isBankNotFound } from './errors.js';
import { accountDetailShape, accountListShape, banksShape, readShape, type AccountDetail, type AccountSummary } from './shapes.js';
import { BUNDLED_SNAPSHOT, readSnapshot, replayTransport, type SnapshotRecorder } from './snapshot.js';
import { httpTransport } from './transport.js';
import type { ExtractedAccount, ExtractedBank, Extraction, ObpDataSource } from './types.js';

export interface ExtractOptions {
  /** collects the raw responses of a live extraction, for `obp:record` */
  recorder?: SnapshotRecorder;
  /** retry backoff; tests shorten it */
  backoff?: Backoff;
}

interface Source {
  client: ObpClient;
  dataSource: ObpDataSource;
  mode: Extraction['mode'];
  origin: string;
  apiVersion: string;
}

/**
 * Extracts the chosen banks (first N in API order, or the --bank-id ones) and every account the
 * user can see there, from the live API or a replayed snapshot. Logs which source on one info line.
 */
export async function extract(config: Config['obp'], log: Logger, signal?: AbortSignal, options: ExtractOptions = {}): Promise<Extraction> {
  const source = openSource(config, log, signal, options);
  const { client, apiVersion } = source;

  const listing = await client.get('/banks');
  const { banks: listedBanks } = readShape(listing.endpoint, banksShape, listing.json, apiVersion);
  const rawBanks = (listing.json as { banks: unknown[] }).banks;
  const listed = listedBanks.map((bank, i): ExtractedBank => ({
    bankId: bank.id,
    bankName: bank.full_name ?? null,
    shortName: bank.short_name ?? null,
    website: bank.website ?? null,
    logoUrl: bank.logo ?? null,
    payload: rawBanks[i],
    extractedAt: listing.receivedAt,
  }));

  const skippedBanks: Extraction['skippedBanks'] = [];
  const chosen = config.bankIds.length > 0 ? [] : listed.slice(0, config.banks);
  for (const bankId of new Set(config.bankIds)) {
    const bank = listed.find((b) => b.bankId === bankId);
    if (bank) chosen.push(bank);
    else skippedBanks.push({ bankId, reason: `OBP-30001: Bank not found (${listing.endpoint} does not list it)` });
  }

  const perBank = await Promise.all(chosen.map((bank) => extractAccounts(client, bank.bankId, apiVersion)));
  const banks: ExtractedBank[] = [];
  const accounts: ExtractedAccount[] = [];
  const banksWithoutAccounts: string[] = [];
  perBank.forEach((result, i) => {
    const bank = chosen[i]!;
    if ('gone' in result) return void skippedBanks.push({ bankId: bank.bankId, reason: result.gone });
    banks.push(bank);
    accounts.push(...result.accounts);
    if (result.accounts.length === 0) banksWithoutAccounts.push(bank.bankId);
  });

  for (const { bankId, reason } of skippedBanks) log.warn({ bankId, reason }, `Skipping OBP bank ${bankId}: ${reason}`);
  if (banksWithoutAccounts.length > 0) {
    log.info({ banksWithoutAccounts }, `The OBP user sees no accounts at ${banksWithoutAccounts.join(', ')}; kept as banks without accounts`);
  }
  log.info({ banks: banks.length, accounts: accounts.length }, `Extracted ${banks.length} banks and ${accounts.length} accounts from ${source.origin}`);
  return { dataSource: source.dataSource, mode: source.mode, origin: source.origin, apiVersion, banks, accounts, skippedBanks, banksWithoutAccounts };
}

function openSource(config: Config['obp'], log: Logger, signal: AbortSignal | undefined, options: ExtractOptions): Source {
  const common = {
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    limit: pLimit(config.concurrency),
    log,
    signal,
  };
  const { credentials, baseUrl, apiVersion } = config;
  if (config.source === 'live' || (config.source === 'auto' && credentials)) {
    if (!credentials) {
      throw new HybridbankError('CONFIG_INVALID', '--obp-source live needs OBP_USERNAME, OBP_PASSWORD and OBP_CONSUMER_KEY.', {
        hint: 'Set them, or use --obp-source snapshot.',
      });
    }
    log.info({ obpSource: 'live', dataSource: 'REAL_API', origin: baseUrl, apiVersion }, `OBP source: live API at ${baseUrl} (${apiVersion}, DirectLogin)`);
    const client = new ObpClient({ ...common, transport: httpTransport(baseUrl), origin: baseUrl, apiVersion, credentials, recorder: options.recorder });
    return { client, dataSource: 'REAL_API', mode: 'live', origin: baseUrl, apiVersion };
  }
  const file = config.snapshotPath ?? BUNDLED_SNAPSHOT;
  const snapshot = readSnapshot(file);
  const why = config.source === 'auto' ? ' (auto: no OBP credentials set)' : '';
  log.info(
    { obpSource: 'snapshot', dataSource: 'OBP_SNAPSHOT', origin: file, apiVersion: snapshot.apiVersion, recordedAt: snapshot.recordedAt, recordedFrom: snapshot.recordedFrom },
    `OBP source: snapshot ${file}, recorded ${snapshot.recordedAt} from ${snapshot.recordedFrom}, replayed offline${why}`,
  );
  // the recorded paths carry the recorded version, so replay speaks that version whatever OBP_API_VERSION says
  const client = new ObpClient({ ...common, transport: replayTransport(snapshot, file), origin: file, apiVersion: snapshot.apiVersion });
  return { client, dataSource: 'OBP_SNAPSHOT', mode: 'snapshot', origin: file, apiVersion: snapshot.apiVersion };
}

/** The accounts the user sees at one bank, each with its detail (balance, number, IBAN); or why the bank is gone. */
async function extractAccounts(client: ObpClient, bankId: string, apiVersion: string): Promise<{ accounts: ExtractedAccount[] } | { gone: string }> {
  const bank = encodeURIComponent(bankId);
  let list;
  try {
    list = await client.get(`/banks/${bank}/accounts/private`);
  } catch (error) {
    if (isBankNotFound(error)) return { gone: error.message };
    throw error;
  }
  const parsed = readShape(list.endpoint, accountListShape, list.json, apiVersion);
  const summaries = Array.isArray(parsed) ? parsed : parsed.accounts;
  const rawSummaries = (Array.isArray(list.json) ? list.json : (list.json as { accounts: unknown[] }).accounts) as unknown[];
  const accounts = await Promise.all(
    summaries.map(async (summary, i) => {
      const detail = await client.get(`/my/banks/${bank}/accounts/${encodeURIComponent(summary.id)}/account`);
      const parsedDetail = readShape(detail.endpoint, accountDetailShape, detail.json, apiVersion);
      return toAccount(bankId, summary, parsedDetail, { summary: rawSummaries[i], detail: detail.json }, detail.receivedAt);
    }),
  );
  return { accounts };
}

function toAccount(bankId: string, summary: AccountSummary, detail: AccountDetail, payload: unknown, extractedAt: Date): ExtractedAccount {
  const routings = [...(detail.account_routings ?? []), ...(summary.account_routings ?? [])];
  const routed = (scheme: string) => routings.find((r) => r.scheme.toUpperCase() === scheme)?.address ?? null;
  return {
    bankId,
    accountId: summary.id,
    label: detail.label ?? summary.label ?? null,
    accountType: summary.account_type ?? detail.product_code ?? null,
    accountNumber: detail.number ?? routed('ACCOUNTNUMBER'),
    iban: routed('IBAN'),
    currency: detail.balance?.currency ?? null,
    balance: detail.balance?.amount ?? null,
    payload,
    extractedAt,
  };
}
