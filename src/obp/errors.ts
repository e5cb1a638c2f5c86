import { HybridbankError } from '../core/errors.js';
import type { ObpResponse } from './transport.js';

/** OBP's error body: `{"code": 404, "message": "OBP-30001: Bank not found. ..."}`. */
export interface ObpErrorBody {
  /** e.g. OBP-30001, when the message starts with one */
  obpCode: string | undefined;
  /** OBP's own text, or the start of whatever body came back */
  message: string;
}

export function obpErrorOf(response: ObpResponse): ObpErrorBody {
  let message = response.body.slice(0, 300).trim() || `HTTP ${response.status} with an empty body`;
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string') {
      message = (parsed as { message: string }).message;
    }
  } catch {
    // not JSON (a proxy's HTML page, say): the raw start of the body is the most useful thing to quote
  }
  return { obpCode: /^OBP-\d+/.exec(message)?.[0], message };
}

/** OBP answered with an error status; the extractor inspects `status`/`obpCode` to skip gone banks. */
export class ObpResponseError extends HybridbankError {
  readonly status: number;
  readonly obpCode: string | undefined;
  readonly endpoint: string;

  constructor(endpoint: string, response: ObpResponse, options: { hint?: string; auth?: boolean } = {}) {
    const { obpCode, message } = obpErrorOf(response);
    super(options.auth ? 'OBP_AUTH' : 'OBP_HTTP', `OBP answered ${response.status} to ${endpoint}: "${message}"`, { hint: options.hint });
    this.name = 'ObpResponseError';
    this.status = response.status;
    this.obpCode = obpCode;
    this.endpoint = endpoint;
  }
}

export function isBankNotFound(error: unknown): error is ObpResponseError {
  return error instanceof ObpResponseError && error.status === 404 && error.obpCode === 'OBP-30001';
}

/** An account's detail is gone: OBP-30018 (account not found), or OBP-30001 for its bank, on a 404. */
export function isAccountNotFound(error: unknown): error is ObpResponseError {
  return error instanceof ObpResponseError && error.status === 404 && (error.obpCode === 'OBP-30018' || error.obpCode === 'OBP-30001');
}

/** What a person can do about an HTTP status OBP kept answering. */
export function statusHint(status: number): string | undefined {
  if (status === 429) return 'OBP kept rate-limiting after every retry: lower --obp-concurrency, raise OBP_RETRIES, or try again later.';
  if (status >= 500) return 'OBP is failing on its side: try again later, or work offline with --obp-source snapshot.';
  if (status === 403) return 'The OBP user lacks a view on this resource; use a user who owns the accounts.';
  return undefined;
}
