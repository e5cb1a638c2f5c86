import { loadConfig, secretValues, type Config } from '../config/config.js';
import type { SettingKey } from '../config/settings.js';
import { isHybridbankError } from '../core/errors.js';
import { createLogger, type Logger } from '../log/logger.js';
import { redactText, registerSecret } from '../log/redact.js';
import { flagsOf } from './options.js';

export interface CommandContext {
  config: Config;
  log: Logger;
  /** aborted on SIGINT / SIGTERM; long-running work watches it */
  signal: AbortSignal;
}

/**
 * Wraps a command action: parses config once, creates the logger, turns SIGINT/SIGTERM into an
 * abort, and maps errors to a short message, a hint and a non-zero exit (1 expected failure,
 * 2 bug, 130/143 interrupted).
 */
export function action<Args extends unknown[]>(
  keys: readonly SettingKey[],
  work: (context: CommandContext, ...args: Args) => Promise<number | void>,
): (...args: unknown[]) => Promise<void> {
  return async (...commanderArgs: unknown[]) => {
    const command = commanderArgs[commanderArgs.length - 1] as { opts(): Record<string, unknown> };
    const positional = commanderArgs.slice(0, -2) as Args;
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`\n${signal} received: stopping; work in progress is rolled back.\n`);
      process.exitCode = signal === 'SIGINT' ? 130 : 143;
      controller.abort(new Error(`interrupted by ${signal}`));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let log: Logger | undefined;
    try {
      const config = loadConfig({ flags: flagsOf(command.opts(), keys) });
      for (const secret of secretValues(config)) registerSecret(secret);
      log = createLogger({ level: config.logLevel });
      const code = await work({ config, log, signal: controller.signal }, ...positional);
      if (process.exitCode === undefined) process.exitCode = code ?? 0;
    } catch (error) {
      if (controller.signal.aborted) {
        process.stderr.write('Interrupted: nothing of the interrupted work was committed.\n');
      } else if (isHybridbankError(error)) {
        process.stderr.write(`Error: ${redactText(error.message)}\n${error.hint ? `Hint: ${redactText(error.hint)}\n` : ''}`);
        process.exitCode = 1;
      } else {
        process.stderr.write(`Unexpected error (a bug in hybridbank):\n${redactText((error as Error)?.stack ?? String(error))}\n`);
        process.exitCode = 2;
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      log?.flush();
    }
  };
}
