import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxAccount, SandboxBank, SandboxData, SandboxUser } from './data.js';

/**
 * A local server that speaks OBP's DirectLogin and the endpoints the extractor uses, in OBP's real
 * shapes and error codes (see /work/shared/obp/README.md), backed by sandbox data. Faults are
 * switched on per instance; counted faults (`times`) are used up by the requests they hit.
 */
export interface SandboxFaults {
  /** answer the next n requests 429 OBP-10018 with X-Rate-Limit-* headers (and Retry-After, if set) */
  rateLimit: { times: number; resetSeconds: number; retryAfterSeconds?: number };
  /** answer the next n requests 503 */
  unavailable: number;
  /** hold the next n answers for ms before replying */
  slow: { times: number; ms: number };
  /** answer the next n token-authenticated requests 401 OBP-20003, as if the token had expired */
  expireToken: number;
  /** banks still listed by /banks but whose own endpoints answer 404 OBP-30001 */
  goneBanks: string[];
  /** labels come back null, as from a view that hides them */
  nullLabels: boolean;
  /** v6.0.0 field names: bank_id / account_id instead of id */
  v6Shapes: boolean;
  /** account lists as bare arrays, as /banks/B/accounts answers */
  bareAccountLists: boolean;
  /** account id -> the balance amount its detail answers instead of the real one (e.g. "12,50", "NaN") */
  balances: Record<string, string>;
  /** account id -> the currency its detail answers instead of the real one (e.g. "eur", "€", "") */
  currencies: Record<string, string>;
  /** account id -> a label sent instead of the real one (e.g. with a NUL or a lone surrogate) */
  labels: Record<string, string>;
  /** accounts still listed whose detail answers 404 OBP-30018 */
  goneAccounts: string[];
  /** /banks lists the first bank twice */
  duplicateBank: boolean;
  /** account lists repeat their first account */
  duplicateAccount: boolean;
  /** banks no longer in /banks at all (their endpoints answer 404 OBP-30001 too) */
  unlistedBanks: string[];
  /** accounts no longer in their bank's account list */
  unlistedAccounts: string[];
  /** pad the /banks answer to at least this many bytes, as a runaway server would */
  banksAnswerBytes: number;
}

export interface SandboxOptions {
  data: SandboxData;
  /** the consumer key DirectLogin accepts */
  consumerKey: string;
  port?: number;
  faults?: Partial<SandboxFaults>;
}

export interface SandboxServer {
  url: string;
  /** mutable: tests switch faults on between extractions */
  faults: SandboxFaults;
  /** every request seen, as `METHOD /path` */
  requests: string[];
  logins: number;
  /** every token handed out, so tests can check none leaks */
  tokens: string[];
  /** the most requests ever in progress at once */
  maxInFlight: number;
  close(): Promise<void>;
}

export const NO_FAULTS: SandboxFaults = {
  rateLimit: { times: 0, resetSeconds: 1 },
  unavailable: 0,
  slow: { times: 0, ms: 0 },
  expireToken: 0,
  goneBanks: [],
  nullLabels: false,
  v6Shapes: false,
  bareAccountLists: false,
  balances: {},
  currencies: {},
  labels: {},
  goneAccounts: [],
  duplicateBank: false,
  duplicateAccount: false,
  unlistedBanks: [],
  unlistedAccounts: [],
  banksAnswerBytes: 0,
};

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const obpError = (status: number, message: string, headers?: Record<string, string>): Answer => ({ status, body: { code: status, message }, headers });

const OWNER_VIEW = { id: 'owner', short_name: 'Owner', description: 'The owner of the account', is_public: false };

export async function startSandboxServer(options: SandboxOptions): Promise<SandboxServer> {
  const { data, consumerKey } = options;
  const sessions = new Map<string, SandboxUser>();
  const closing = new AbortController();
  let inFlight = 0;

  const state: SandboxServer = {
    url: '',
    faults: { ...NO_FAULTS, ...options.faults },
    requests: [],
    logins: 0,
    tokens: [],
    maxInFlight: 0,
    close: async () => {
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  // read through state so a test may replace the whole faults object
  const faults = (): SandboxFaults => state.faults;

  const login = (request: IncomingMessage): Answer => {
    const params = directLoginParams(request);
    if (!params) return obpError(400, 'OBP-20082: DirectLogin header missing.');
    const missing = ['username', 'password', 'consumer_key'].filter((p) => !params.has(p));
    if (missing.length > 0) return obpError(400, `OBP-20002: These DirectLogin parameters are missing: ${missing.join(', ')}`);
    if (params.get('consumer_key') !== consumerKey) return obpError(401, 'OBP-20008: Invalid Consumer Key.');
    const username = params.get('username');
    const user = data.users.find((u) => (u.email === username || u.user_name === username) && u.password === params.get('password'));
    if (!user) return obpError(401, 'OBP-20004: Invalid login credentials. Check username/password.');
    const token = `eyJ${randomBytes(24).toString('base64url')}`;
    sessions.set(token, user);
    state.logins += 1;
    state.tokens.push(token);
    return { status: 201, body: { token } };
  };

  const authenticate = (request: IncomingMessage): SandboxUser | Answer => {
    const token = directLoginParams(request)?.get('token');
    if (!token) return obpError(401, 'OBP-20001: User not logged in. Authentication is required!');
    const user = sessions.get(token);
    if (!user) return obpError(401, 'OBP-20003: This DirectLogin token is invalid or expired.');
    if (faults().expireToken > 0) {
      faults().expireToken -= 1;
      sessions.delete(token);
      return obpError(401, 'OBP-20003: This DirectLogin token is invalid or expired.');
    }
    return user;
  };

  const bankOr404 = (bankId: string): SandboxBank | Answer =>
    data.banks.find((b) => b.id === bankId && !faults().goneBanks.includes(bankId) && !faults().unlistedBanks.includes(bankId)) ??
    obpError(404, `OBP-30001: Bank not found. Please specify a valid value for BANK_ID. Current BANK_ID=${bankId}`);

  const idKey = (): string => (faults().v6Shapes ? 'bank_id' : 'id');
  const renderBank = (b: SandboxBank) => ({
    [idKey()]: b.id,
    short_name: b.short_name,
    full_name: b.full_name,
    logo: b.logo,
    website: b.website,
    bank_routings: [{ scheme: 'OBP', address: b.id }, ...(b.bank_routings ?? [])],
    attributes: b.attributes ?? [],
  });
  const routings = (a: SandboxAccount) => [
    { scheme: 'AccountNumber', address: a.number },
    { scheme: 'IBAN', address: a.IBAN },
  ];
  const accountId = (a: SandboxAccount) => ({ [faults().v6Shapes ? 'account_id' : 'id']: a.id });
  const label = (a: SandboxAccount) => (faults().nullLabels ? null : (faults().labels[a.id] ?? a.label));
  const listedBanks = () => {
    const banks = data.banks.filter((b) => !faults().unlistedBanks.includes(b.id));
    return faults().duplicateBank && banks.length ? [banks[0]!, ...banks] : banks;
  };
  const padding = (body: object) => {
    const missing = faults().banksAnswerBytes - JSON.stringify(body).length;
    return missing > 0 ? { ...body, padding: 'x'.repeat(missing) } : body;
  };

  const route = (request: IncomingMessage, path: string[]): Answer => {
    if (request.method === 'POST' && path.join('/') === 'my/logins/direct') return login(request);
    if (request.method !== 'GET' || path[0] !== 'obp' || path.length < 3) return obpError(404, 'OBP-10404: 404 Not Found.');
    const rest = path.slice(2);
    if (rest.length === 1 && rest[0] === 'banks') return { status: 200, body: padding({ banks: listedBanks().map(renderBank) }) };

    const privateAccounts = rest.length === 4 && rest[0] === 'banks' && rest[2] === 'accounts' && rest[3] === 'private';
    const accountDetail = rest.length === 6 && rest[0] === 'my' && rest[1] === 'banks' && rest[3] === 'accounts' && rest[5] === 'account';
    if (!privateAccounts && !accountDetail) return obpError(404, 'OBP-10404: 404 Not Found.');
    const user = authenticate(request);
    if ('status' in user) return user;
    const bank = bankOr404(privateAccounts ? rest[1]! : rest[2]!);
    if ('status' in bank) return bank;
    const visible = data.accounts.filter((a) => a.bank === bank.id && a.owners.includes(user.user_name));

    if (privateAccounts) {
      const listed = visible.filter((a) => !faults().unlistedAccounts.includes(a.id));
      const list = (faults().duplicateAccount && listed.length ? [listed[0]!, ...listed] : listed).map((a) => ({ ...accountId(a), label: label(a), bank_id: a.bank, account_type: a.type, account_routings: routings(a), views: [OWNER_VIEW] }));
      return { status: 200, body: faults().bareAccountLists ? list : { accounts: list } };
    }
    const account = data.accounts.find((a) => a.bank === bank.id && a.id === rest[4] && !faults().goneAccounts.includes(a.id));
    if (!account) return obpError(404, `OBP-30018: Bank Account not found. Please specify valid values for BANK_ID and ACCOUNT_ID. Current ACCOUNT_ID=${rest[4]}`);
    if (!visible.includes(account)) return obpError(403, 'OBP-20017: Current user does not have access to the view. Please specify a valid value for VIEW_ID.');
    return {
      status: 200,
      body: {
        ...accountId(account),
        bank_id: account.bank,
        label: label(account),
        number: account.number,
        product_code: account.type,
        balance: { currency: faults().currencies[account.id] ?? account.balance.currency, amount: faults().balances[account.id] ?? account.balance.amount },
        account_routings: routings(account),
        views_basic: ['owner'],
      },
    };
  };

  /** Faults that hit any request before it is routed, in the order a real stack would produce them. */
  const injected = async (): Promise<Answer | undefined> => {
    if (faults().slow.times > 0) {
      faults().slow.times -= 1;
      await sleep(faults().slow.ms, undefined, { signal: closing.signal }).catch(() => undefined);
    }
    if (faults().rateLimit.times > 0) {
      faults().rateLimit.times -= 1;
      const { resetSeconds, retryAfterSeconds } = faults().rateLimit;
      return obpError(429, 'OBP-10018: Too Many Requests. We only allow 10 requests per minute for this Consumer.', {
        'X-Rate-Limit-Limit': '10',
        'X-Rate-Limit-Remaining': '0',
        'X-Rate-Limit-Reset': String(resetSeconds),
        ...(retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) }),
      });
    }
    if (faults().unavailable > 0) {
      faults().unavailable -= 1;
      return obpError(503, 'OBP-50000: Unknown Error. Service Unavailable.');
    }
    return undefined;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    try {
      // split by hand: URL parsing would resolve `.` / `..` / `%2E%2E` segments, which OBP takes literally
      const pathname = (request.url ?? '/').split('?')[0]!;
      state.requests.push(`${request.method} ${pathname}`);
      const path = pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const answer = (await injected()) ?? route(request, path);
      if (response.destroyed) return;
      response.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', ...answer.headers });
      response.end(JSON.stringify(answer.body));
    } finally {
      inFlight -= 1;
    }
  };

  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () =>
      handle(request, response).catch((error: unknown) => {
        // e.g. a malformed %-escape in the path: answer like a server would instead of crashing the test run
        if (!response.headersSent) response.writeHead(400, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ code: 400, message: `OBP-10001: Incorrect json format. ${String(error)}` }));
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** DirectLogin parameters from `DirectLogin: a=b, c=d` or `Authorization: DirectLogin a="b",c="d"`, as OBP splits them. */
function directLoginParams(request: IncomingMessage): Map<string, string> | undefined {
  const direct = request.headers.directlogin;
  const authorization = request.headers.authorization;
  const raw = typeof direct === 'string' ? direct : authorization?.startsWith('DirectLogin ') ? authorization.slice('DirectLogin '.length) : undefined;
  if (raw === undefined) return undefined;
  const params = new Map<string, string>();
  for (const part of raw.split(',')) {
    const at = part.indexOf('=');
    if (at > 0) params.set(part.slice(0, at).trim(), part.slice(at + 1).trim().replace(/^"|"$/g, ''));
  }
  return params;
}
