import { createHash } from 'node:crypto';

/**
 * Which loader loads an account when N loaders split the work (`npm run load -- --shard I/N`).
 *
 * The shard of an account is the first 4 bytes of sha256(bank_id + '\0' + account_id), read as
 * an unsigned big-endian integer, modulo N, plus one (shards are numbered 1..N, like Jest's and
 * Playwright's --shard). It depends on the account's ids and N only: the same on every machine
 * and in every run, whatever else OBP lists. '\0' cannot occur in either id (PostgreSQL text
 * holds no NUL), so no two (bank, account) pairs hash the same bytes. The generator's rows of an
 * account depend on that account only, so the N shard-runs together write exactly the rows of
 * one unsharded run with the same flags.
 */
export interface Shard {
  /** 1..count */
  index: number;
  count: number;
}

/** The shard of a run as raw.load_runs records it. */
export interface RunShard extends Shard {
  runGroup: string;
}

/** Upper bound of N: the per-shard advisory lock packs (index, count) into one int4. */
export const MAX_SHARDS = 1024;

export function shardOf(bankId: string, accountId: string, count: number): number {
  const digest = createHash('sha256').update(bankId).update('\0').update(accountId).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

export function inShard(shard: Shard): (account: { bankId: string; accountId: string }) => boolean {
  return (account) => shardOf(account.bankId, account.accountId, shard.count) === shard.index;
}

/** `I/N` as written on the command line; undefined when it is not of that shape. */
export function parseShard(text: string): Shard | undefined {
  const match = /^(\d{1,9})\/(\d{1,9})$/.exec(text.trim());
  return match ? { index: Number(match[1]), count: Number(match[2]) } : undefined;
}

/**
 * The run group of a shard-run without --run-group: one hash of what decides the rows (generation
 * flags, source, banks) and N, so the N loaders of one job, started with the same flags on
 * different machines, agree on it without talking to each other.
 */
export function derivedRunGroup(shardCount: number, rowFlags: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(rowFlags)).digest('hex').slice(0, 12);
  return `shards-${shardCount}-${digest}`;
}
