/**
 * Errors the product expects to happen (bad config, unreachable services, bad API answers).
 * Each carries a stable `code`, a message a person can act on, an optional `hint`, and the
 * underlying `cause`. The CLI prints message + hint and exits non-zero; anything that is not a
 * HybridbankError is a bug and is printed with its stack.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'WAREHOUSE_UNREACHABLE'
  | 'WAREHOUSE_START_FAILED'
  | 'WAREHOUSE_PORT_IN_USE'
  | 'WAREHOUSE_LOCKED'
  | 'MIGRATION_FAILED'
  | 'LOAD_LOCKED'
  | 'LOAD_FAILED'
  | 'LINEAGE_VIOLATION'
  | 'OBP_AUTH'
  | 'OBP_UNREACHABLE'
  | 'OBP_HTTP'
  | 'OBP_SHAPE'
  | 'OBP_SNAPSHOT'
  | 'PROFILE_INVALID'
  | 'DBT_FAILED'
  | 'REALISM_NO_DATA'
  | 'INTERRUPTED';

export class HybridbankError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HybridbankError';
    this.code = code;
    this.hint = options.hint;
  }
}

export function isHybridbankError(error: unknown): error is HybridbankError {
  return error instanceof HybridbankError;
}

/** The message of any thrown value, without assuming it is an Error. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
