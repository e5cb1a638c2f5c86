import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log/logger.js';

export function silentLogger(): Logger {
  return createLogger({ level: 'silent', format: 'json' });
}

/** A JSON logger whose lines are kept in memory, to assert on what would have been logged. */
export function capturingLogger(level = 'trace'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  return { log: createLogger({ level, format: 'json', destination }), lines };
}
