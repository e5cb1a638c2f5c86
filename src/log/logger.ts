import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redactDeep, redactText, REDACTED } from './redact.js';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** readable output instead of JSON lines; default: when stderr is a TTY */
  pretty?: boolean;
  /** where lines go; default stderr, so stdout stays free for summaries and --json */
  destination?: NodeJS.WritableStream;
}

/** Keys whose values never reach a log line, whatever their content. */
const SECRET_KEYS = ['password', 'token', 'consumerKey', 'consumer_key', 'authorization', 'directlogin', 'DirectLogin'];

export function createLogger(options: LoggerOptions): Logger {
  const usePretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const destination =
    options.destination ??
    (usePretty ? pretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname' }) : pino.destination({ fd: 2, sync: true }));
  return pino(
    {
      level: options.level,
      base: undefined,
      redact: {
        paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), ...SECRET_KEYS.map((k) => `*.*.${k}`)],
        censor: REDACTED,
      },
      formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
