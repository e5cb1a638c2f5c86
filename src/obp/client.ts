import { setTimeout as sleep } from 'node:timers/promises';
import type { LimitFunction } from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { isTokenRejected, LOGIN_PATH, loginHeaders, tokenHeaders, tokenOf, TokenSession, type Credentials } from './directlogin.js';
import { ObpResponseError, obpErrorOf, statusHint } from './errors.js';
import type { SnapshotRecorder } from './snapshot.js';
import { endpointOf, type ObpRequest, type ObpResponse, type Transport } from './transport.js';

/** Exponential backoff between retries (p-retry doubles from minMs, with jitter, up to maxMs). */
export interface Backoff {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { minMs: 500, maxMs: 30_000 };

export interface ClientOptions {
  transport: Transport;
  /** for messages: the server root or the snapshot file */
  origin: string;
  apiVersion: string;
  /** absent: anonymous requests (snapshot replay) */
  credentials?: Credentials;
  timeoutMs: number;
  retries: number;
  backoff: Backoff;
  /** bounds requests in flight; applied per attempt so waiting for a re-login never holds a slot */
  limit: LimitFunction;
  log: Logger;
  signal?: AbortSignal;
  recorder?: SnapshotRecorder;
}

export interface ObpJson {
  endpoint: string;
  json: unknown;
  receivedAt: Date;
}

/** A failure worth retrying: 429, 5xx, a timeout or a network error. */
class Transient extends Error {
  constructor(
    message: string,
    readonly kind: 'http' | 'timeout' | 'network',
    readonly response?: ObpResponse,
    /** what Retry-After / X-Rate-Limit-Reset asked for */
    readonly waitMs = 0,
  ) {
    super(message);
  }
}

export class ObpClient {
  private readonly session: TokenSession | undefined;

  constructor(private readonly options: ClientOptions) {
    const { credentials } = options;
    this.session = credentials
      ? new TokenSession(async () => tokenOf(`POST ${LOGIN_PATH}`, await this.exchange('POST', LOGIN_PATH, loginHeaders(credentials))))
      : undefined;
  }

  /** GET /obp/<version><apiPath>, authenticated when we have credentials; JSON body or a typed error. */
  async get(apiPath: string): Promise<ObpJson> {
    const path = `/obp/${this.options.apiVersion}${apiPath}`;
    const endpoint = endpointOf('GET', path);
    let token = await this.session?.token();
    let response = await this.exchange('GET', path, token ? tokenHeaders(token) : {});
    if (this.session && token && isTokenRejected(response)) {
      this.options.log.info({ endpoint }, `OBP no longer accepts the DirectLogin token ("${obpErrorOf(response).message}"): logging in again`);
      token = await this.session.renew(token);
      response = await this.exchange('GET', path, tokenHeaders(token));
    }
    this.options.recorder?.record(endpoint, response);
    if (response.status >= 400) {
      throw new ObpResponseError(endpoint, response, { auth: Boolean(token) && isTokenRejected(response), hint: statusHint(response.status) });
    }
    return { endpoint, json: parseBody(endpoint, response), receivedAt: response.receivedAt };
  }

  /** One request with timeout, retries (backoff + jitter, honouring rate-limit headers) and the concurrency bound. */
  private async exchange(method: ObpRequest['method'], path: string, headers: Record<string, string>): Promise<ObpResponse> {
    const { retries, backoff, log, signal } = this.options;
    const endpoint = endpointOf(method, path);
    try {
      return await pRetry(() => this.attempt({ method, path, headers }), {
        retries,
        factor: 2,
        minTimeout: backoff.minMs,
        maxTimeout: backoff.maxMs,
        randomize: true,
        signal,
        shouldRetry: ({ error }) => error instanceof Transient,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (!(error instanceof Transient) || retriesLeft === 0) return;
          log.warn({ endpoint, attempt: attemptNumber, retriesLeft, waitMs: error.waitMs }, `OBP ${error.message} on ${endpoint}: retrying`);
          // p-retry's own backoff follows this wait, so the server's reset time is a floor, never cut short
          if (error.waitMs > 0) await sleep(Math.min(error.waitMs, backoff.maxMs), undefined, { signal });
        },
      });
    } catch (error) {
      if (!(error instanceof Transient)) throw error;
      // retries exhausted on an HTTP status: let the caller quote OBP's own message
      if (error.response) return error.response;
      const attempts = `${retries + 1} attempt${retries === 0 ? '' : 's'}`;
      throw new HybridbankError('OBP_UNREACHABLE', `Cannot reach OBP at ${this.options.origin}: ${error.message} on ${endpoint} (${attempts}).`, {
        hint: `Check OBP_BASE_URL and the network${error.kind === 'timeout' ? ', or raise --obp-timeout-ms' : ''}; or work offline with --obp-source snapshot.`,
        cause: error,
      });
    }
  }

  private async attempt(request: Omit<ObpRequest, 'signal'>): Promise<ObpResponse> {
    const { transport, timeoutMs, limit, signal } = this.options;
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: ObpResponse;
    try {
      response = await limit(() => transport.send({ ...request, signal: signal ? AbortSignal.any([signal, timeout]) : timeout }));
    } catch (error) {
      if (signal?.aborted) throw new AbortError(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      if (error instanceof HybridbankError) throw new AbortError(error);
      if (timeout.aborted) throw new Transient(`did not answer within ${timeoutMs} ms`, 'timeout');
      const code = (error as { code?: unknown }).code;
      throw new Transient(typeof code === 'string' ? code : messageOf(error), 'network');
    }
    if (response.status === 429 || response.status >= 500) {
      throw new Transient(`answered ${response.status}`, 'http', response, waitRequested(response));
    }
    return response;
  }
}

/** Retry-After (seconds or an HTTP date) and OBP's X-Rate-Limit-Reset (seconds), whichever is later. */
function waitRequested(response: ObpResponse): number {
  const seconds = (value: string | undefined): number => {
    if (!value) return 0;
    const n = Number(value);
    if (Number.isFinite(n)) return Math.max(0, n * 1000);
    const date = Date.parse(value);
    return Number.isNaN(date) ? 0 : Math.max(0, date - Date.now());
  };
  return Math.max(seconds(response.header('retry-after')), seconds(response.header('x-rate-limit-reset')));
}

function parseBody(endpoint: string, response: ObpResponse): unknown {
  try {
    return JSON.parse(response.body);
  } catch {
    throw new HybridbankError('OBP_SHAPE', `Unexpected response from ${endpoint}: the body is not JSON (starts with ${JSON.stringify(response.body.slice(0, 80))}).`, {
      hint: 'Check OBP_BASE_URL: it should be the OBP server root, e.g. https://apisandbox.openbankproject.com.',
    });
  }
}
