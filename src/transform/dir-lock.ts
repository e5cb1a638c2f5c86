import { mkdirSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.js';

export interface DirLockOptions {
  log: Logger;
  /** said once when another process holds the lock */
  waiting: string;
  /** a lock older than this was left by a process that died */
  staleMs: number;
  signal?: AbortSignal;
}

/**
 * One process at a time across processes (parallel test files, two terminals, cron next to a
 * user): mkdir is atomic, and the directory goes when the work ends, failed or not.
 */
export async function withDirLock<T>(lockDir: string, options: DirLockOptions, work: () => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > options.staleMs) rmSync(lockDir, { recursive: true, force: true });
      if (!announced) options.log.info(options.waiting);
      announced = true;
      await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
