import { loadConfig, secretValues, type Config } from '../config/config.js';
import { preflight } from '../config/preflight.js';
import type { SettingKey } from '../config/settings.js';
import { isHybridbankError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { redactText, registerSecret } from '../log/redact.js';
import { flagsOf, withCommonKeys } from './options.js';

export interface CommandContext {
  config: Config;
  log: Logger;
  /** aborted on SIGINT / SIGTERM; long-running work watches it */
  signal: AbortSignal;
}

/** Exit codes, the same on every path (embedded warehouse or DATABASE_URL). */
export const EXIT = { ok: 0, failed: 1, bug: 2, SIGINT: 130, SIGTERM: 143 } as const;

/** After the work, the process ends by itself; a handle left open (a socket, a timer) must not keep it alive. */
const EXIT_GRACE_MS = 1_000;
/**
 * Work gets this long to wind down after a signal (roll back, record the run). Past it the process
 * exits anyway: a hung step never keeps Ctrl-C from working, and PostgreSQL rolls back what an
 * open connection had not committed (the next load closes the run as abandoned).
 */
const STOP_DEADLINE_MS = 5_000;

/**
 * Wraps a command action: parses and checks config once (before anything starts), creates the
 * logger, turns SIGINT/SIGTERM into an abort, and maps the outcome to an exit code: 0 success,
 * 1 expected failure (message + hint), 2 bug (with stack), 130/143 interrupted. A second signal
 * ends the process at once (PostgreSQL rolls back what an open connection had not committed).
 * Work that completes although a signal arrived (e.g. just after COMMIT) reports success.
 */
export function action<Args extends unknown[]>(
  keys: readonly SettingKey[],
  work: (context: CommandContext, ...args: Args) => Promise<number | void>,
): (...args: unknown[]) => Promise<void> {
  return async (...commanderArgs: unknown[]) => {
    const command = commanderArgs[commanderArgs.length - 1] as { opts(): Record<string, unknown> };
    const positional = commanderArgs.slice(0, -2) as Args;
    const controller = new AbortController();
    let interruptedBy: 'SIGINT' | 'SIGTERM' | undefined;
    const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
      if (interruptedBy) {
        process.stderr.write(`\n${signal} again: exiting now; anything not committed is rolled back by PostgreSQL.\n`);
        process.exit(EXIT[interruptedBy]);
      }
      interruptedBy = signal;
      process.stderr.write(`\n${signal} received: stopping (press Ctrl-C again to exit at once).\n`);
      controller.abort(new Error(`interrupted by ${signal}`));
      setTimeout(() => {
        process.stderr.write(
          `Still not stopped ${STOP_DEADLINE_MS / 1000} s after ${signal}: exiting now; PostgreSQL rolls back whatever was not committed (\`hybridbank runs\` shows the outcome).\n`,
        );
        process.exit(EXIT[signal]);
      }, STOP_DEADLINE_MS).unref();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let log: Logger | undefined;
    let code: number;
    try {
      const allKeys = withCommonKeys(keys);
      const config = loadConfig({ flags: flagsOf(command.opts(), allKeys) });
      for (const secret of secretValues(config)) registerSecret(secret);
      const { createLogger } = await import('../log/logger.js');
      log = createLogger({ level: config.logLevel, format: config.logFormat });
      preflight(config, allKeys);
      code = (await work({ config, log, signal: controller.signal }, ...positional)) ?? EXIT.ok;
    } catch (error) {
      code = reportFailure(error, interruptedBy);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      log?.flush();
    }
    process.exitCode = code;
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  };
}

/** Prints what went wrong (never a stack for an expected failure) and returns the exit code. */
export function reportFailure(error: unknown, interruptedBy?: 'SIGINT' | 'SIGTERM'): number {
  if (interruptedBy) {
    process.stderr.write(`Interrupted: nothing of the interrupted work was committed (${interruptedBy}).\n`);
    return EXIT[interruptedBy];
  }
  if (isHybridbankError(error)) {
    process.stderr.write(`Error: ${redactText(error.message)}\n${error.hint ? `Hint: ${redactText(error.hint)}\n` : ''}`);
    return EXIT.failed;
  }
  if (isConnectionLoss(error)) {
    process.stderr.write(
      `Error: the connection to the warehouse was lost (${redactText(String((error as { code?: string }).code ?? (error as Error).message))}); anything not committed was rolled back.\n` +
        'Hint: check the server is up (hybridbank doctor), then run the command again.\n',
    );
    return EXIT.failed;
  }
  process.stderr.write(`Unexpected error (a bug in hybridbank):\n${redactText((error as Error)?.stack ?? String(error))}\n`);
  return EXIT.bug;
}

/** A server gone away or a backend terminated: expected in operation, not a bug. */
export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08006', '08003', '08001'].includes(String(code)) ||
    /Connection terminated|terminating connection/i.test((error as Error | undefined)?.message ?? '')
  );
}
