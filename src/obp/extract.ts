import pLimit from 'p-limit';
import type { Config } from '../config/config.js';
import { HybridbankError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { DEFAULT_BACKOFF, ObpClient, type Backoff } from './client.js';
import { isAccountNotFound, isBankNotFound } from './errors.js';
import { accountCountry, bankCountry } from './country.js';
import { checkId, normaliseBalance, normaliseCurrency, storableJson, storableOrNull, storableText } from './normalise.js';
import { accountDetailShape, accountListShape, banksShape, readShape, type AccountDetail, type AccountSummary } from './shapes.js';
import { BUNDLED_SNAPSHOT, readSnapshot, replayTransport, type SnapshotRecorder } from './snapshot.js';
import { httpTransport, pathSegment } from './transport.js';
import type { ExtractedAccount, ExtractedBank, Extraction, ObpDataSource, SetAsideRecord } from './types.js';

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
  const setAside: SetAsideRecord[] = [];
  const listed: ExtractedBank[] = [];
  const listedIds = new Set<string>();
  listedBanks.forEach((bank, i) => {
    const problem = listedIds.has(bank.id) ? `bank ${JSON.stringify(bank.id)} is listed more than once by ${listing.endpoint}; the first is loaded` : checkId('bank id', bank.id);
    listedIds.add(bank.id);
    if (problem) return void setAside.push({ kind: 'bank', bankId: storableText(bank.id), accountId: null, reason: problem });
    listed.push({
      bankId: bank.id,
      bankName: storableOrNull(bank.full_name),
      shortName: storableOrNull(bank.short_name),
      website: storableOrNull(bank.website),
      logoUrl: storableOrNull(bank.logo),
      country: bankCountry(bank.bank_routings ?? [], bank.attributes ?? []),
      payload: storableJson(rawBanks[i]),
      extractedAt: listing.receivedAt,
    });
  });

  const skippedBanks: Extraction['skippedBanks'] = [];
  const chosen = config.bankIds.length > 0 ? [] : listed.slice(0, config.banks);
  for (const bankId of new Set(config.bankIds)) {
    const bank = listed.find((b) => b.bankId === bankId);
    if (bank) chosen.push(bank);
    else skippedBanks.push({ bankId, reason: `OBP-30001: Bank not found (${listing.endpoint} does not list it)` });
  }
  if (config.bankIds.length > 0 && chosen.length === 0) {
    // Not one of them: a typo, not a bank that went away; loading nothing would look like success.
    const known = listed.slice(0, 5).map((b) => b.bankId).join(', ');
    throw new HybridbankError('CONFIG_INVALID', `--bank-id ${config.bankIds.join(', ')}: ${listing.endpoint} lists no such bank (it lists ${listed.length}${known ? `: ${known}${listed.length > 5 ? ', …' : ''}` : ''}).`, {
      hint: 'Check the id (HYBRIDBANK_BANK_IDS / --bank-id), or leave it out to take the first --banks N banks.',
    });
  }

  const perBank = await Promise.all(chosen.map((bank) => extractAccounts(client, bank, apiVersion, log)));
  const banks: ExtractedBank[] = [];
  const accounts: ExtractedAccount[] = [];
  const banksWithoutAccounts: string[] = [];
  perBank.forEach((result, i) => {
    const bank = chosen[i]!;
    if ('gone' in result) return void skippedBanks.push({ bankId: bank.bankId, reason: result.gone });
    banks.push(bank);
    accounts.push(...result.accounts);
    setAside.push(...result.setAside);
    if (result.accounts.length === 0 && !result.setAside.length) banksWithoutAccounts.push(bank.bankId);
  });

  for (const record of setAside) log.warn(record, `Set aside OBP ${record.kind} ${record.accountId ?? record.bankId}: ${record.reason}`);
  for (const { bankId, reason } of skippedBanks) log.warn({ bankId, reason }, `Skipping OBP bank ${bankId}: ${reason}`);
  if (banksWithoutAccounts.length > 0) {
    log.info({ banksWithoutAccounts }, `The OBP user sees no accounts at ${banksWithoutAccounts.join(', ')}; kept as banks without accounts`);
  }
  log.info({ banks: banks.length, accounts: accounts.length }, `Extracted ${banks.length} banks and ${accounts.length} accounts from ${source.origin}`);
  return {
    dataSource: source.dataSource,
    mode: source.mode,
    origin: source.origin,
    apiVersion,
    banks,
    accounts,
    skippedBanks,
    banksWithoutAccounts,
    listedBankIds: [...listedIds].map(storableText),
    setAside,
  };
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
    const client = new ObpClient({ ...common, transport: httpTransport(baseUrl, { maxBytes: config.maxResponseBytes }), origin: baseUrl, apiVersion, credentials, recorder: options.recorder });
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

interface BankAccounts {
  accounts: ExtractedAccount[];
  setAside: SetAsideRecord[];
}

/**
 * The accounts the user sees at one bank, each with its detail (balance, number, IBAN); or why the
 * bank is gone. An account whose detail is gone (404) or breaks a rule of normalise.ts is set aside.
 */
async function extractAccounts(client: ObpClient, of: ExtractedBank, apiVersion: string, log: Logger): Promise<BankAccounts | { gone: string }> {
  const { bankId } = of;
  const bank = pathSegment(bankId);
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
  const setAside: SetAsideRecord[] = [];
  const aside = (accountId: string, reason: string) => setAside.push({ kind: 'account', bankId, accountId: storableText(accountId), reason });
  const seen = new Set<string>();
  const unique = summaries.flatMap((summary, i) => {
    const problem = seen.has(summary.id) ? `account ${JSON.stringify(summary.id)} is listed more than once by ${list.endpoint}; the first is loaded` : checkId('account id', summary.id);
    seen.add(summary.id);
    if (problem) return aside(summary.id, problem), [];
    return [{ summary, raw: rawSummaries[i] }];
  });
  const accounts = await Promise.all(
    unique.map(async ({ summary, raw }) => {
      let detail;
      try {
        detail = await client.get(`/my/banks/${bank}/accounts/${pathSegment(summary.id)}/account`);
      } catch (error) {
        if (isAccountNotFound(error)) {
          log.warn({ bankId, accountId: summary.id }, `Skipping OBP account ${summary.id} at ${bankId}: ${error.message}`);
          return void aside(summary.id, `listed, but its detail answers 404: ${error.obpCode} (${error.endpoint})`);
        }
        throw error;
      }
      const parsedDetail = readShape(detail.endpoint, accountDetailShape, detail.json, apiVersion);
      const balance = normaliseBalance(parsedDetail.balance?.amount ?? null);
      const currency = normaliseCurrency(parsedDetail.balance?.currency ?? null);
      if (!balance.ok) return void aside(summary.id, balance.reason);
      if (!currency.ok) return void aside(summary.id, currency.reason);
      return toAccount(of, summary, parsedDetail, { balance: balance.value, currency: currency.value }, { summary: raw, detail: detail.json }, detail.receivedAt);
    }),
  );
  return { accounts: accounts.filter((a) => a !== undefined), setAside };
}

function toAccount(
  bank: ExtractedBank,
  summary: AccountSummary,
  detail: AccountDetail,
  money: { balance: string | null; currency: string | null },
  payload: unknown,
  extractedAt: Date,
): ExtractedAccount {
  const routings = [...(detail.account_routings ?? []), ...(summary.account_routings ?? [])];
  const routed = (scheme: string) => routings.find((r) => r.scheme.toUpperCase() === scheme)?.address ?? null;
  return {
    bankId: bank.bankId,
    accountId: summary.id,
    label: storableOrNull(detail.label ?? summary.label),
    accountType: storableOrNull(summary.account_type ?? detail.product_code),
    accountNumber: storableOrNull(detail.number ?? routed('ACCOUNTNUMBER')),
    iban: storableOrNull(routed('IBAN')),
    country: accountCountry(routings) ?? bank.country,
    currency: money.currency,
    balance: money.balance,
    payload: storableJson(payload),
    extractedAt,
  };
}
