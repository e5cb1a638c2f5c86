import { z } from 'zod';
import type { Config } from '../config/config.js';
import { HybridbankError } from '../core/errors.js';
import { registerSecret } from '../log/redact.js';
import { ObpResponseError, obpErrorOf, statusHint } from './errors.js';
import type { ObpResponse } from './transport.js';

export type Credentials = NonNullable<Config['obp']['credentials']>;

/** At the server root, not under /obp/vX. */
export const LOGIN_PATH = '/my/logins/direct';

export function loginHeaders({ username, password, consumerKey }: Credentials): Record<string, string> {
  return { DirectLogin: `username=${username}, password=${password}, consumer_key=${consumerKey}`, 'Content-Type': 'application/json' };
}

export function tokenHeaders(token: string): Record<string, string> {
  return { DirectLogin: `token=${token}` };
}

const LOGIN_HINTS: Record<string, string> = {
  'OBP-20004': 'Check OBP_USERNAME and OBP_PASSWORD (the user must exist on this OBP server).',
  'OBP-20008': 'Check OBP_CONSUMER_KEY: it must be the key of a consumer registered on this OBP server.',
  'OBP-20013': 'The user is locked after repeated failed logins; unlock it on the OBP server or use another user.',
};

/** Reads the token out of a login answer (201 {"token": ...}) and registers it as a secret at once. */
export function tokenOf(endpoint: string, response: ObpResponse): string {
  if (response.status === 200 || response.status === 201) {
    const parsed = z.object({ token: z.string().min(1) }).safeParse(safeJson(response.body));
    if (parsed.success) {
      registerSecret(parsed.data.token);
      return parsed.data.token;
    }
    throw new HybridbankError('OBP_AUTH', `DirectLogin at ${endpoint} answered ${response.status} without a token.`, {
      hint: 'Check OBP_BASE_URL: it should be the OBP server root, e.g. https://apisandbox.openbankproject.com.',
    });
  }
  // 429 and 5xx here mean OBP kept failing through every retry: not a credentials problem
  if (response.status === 429 || response.status >= 500) throw new ObpResponseError(endpoint, response, { hint: statusHint(response.status) });
  const { obpCode } = obpErrorOf(response);
  throw new ObpResponseError(endpoint, response, {
    auth: true,
    hint: (obpCode && LOGIN_HINTS[obpCode]) ?? 'Check OBP_USERNAME, OBP_PASSWORD and OBP_CONSUMER_KEY.',
  });
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** OBP-20003 (400 or 401), or any 401 once we hold a token: the token is no longer accepted. */
export function isTokenRejected(response: ObpResponse): boolean {
  return response.status === 401 || (response.status === 400 && obpErrorOf(response).obpCode === 'OBP-20003');
}

/**
 * One DirectLogin token shared by every request, and at most one re-login per extraction: if
 * OBP rejects the fresh token too, something other than expiry is wrong and retrying would loop.
 * Concurrent requests that saw the old token rejected all wait for the same re-login.
 */
export class TokenSession {
  private current: Promise<string> | undefined;
  private renewal: Promise<string> | undefined;

  constructor(private readonly login: () => Promise<string>) {}

  token(): Promise<string> {
    this.current ??= this.login();
    return this.current;
  }

  renew(rejected: string): Promise<string> {
    if (!this.renewal) {
      this.renewal = this.login();
      this.current = this.renewal;
      return this.renewal;
    }
    return this.renewal.then((token) => {
      if (token !== rejected) return token;
      throw new HybridbankError('OBP_AUTH', 'OBP rejected the DirectLogin token again right after a fresh login.', {
        hint: 'The user may lack access, or the server invalidates tokens at once; check the user on the OBP server.',
      });
    });
  }
}
