import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redactDeep, redactText, REDACTED } from './redact.js';

export type { Logger };

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  level: string;
  /** readable one-line text (default, with or without a TTY) or JSON lines for log shippers */
  format?: LogFormat;
  /** where lines go; default stderr, so stdout stays free for summaries and --json */
  destination?: NodeJS.WritableStream;
}

/** Keys whose values never reach a log line, whatever their content. */
const SECRET_KEYS = ['password', 'token', 'consumerKey', 'consumer_key', 'authorization', 'directlogin', 'DirectLogin'];

export function createLogger(options: LoggerOptions): Logger {
  const format = options.format ?? 'text';
  const destination =
    options.destination ??
    (format === 'text'
      ? pretty({
          destination: 2,
          sync: true,
          // One line per event: the message says it all; the structured fields are for --log-format json.
          // (singleLine is left off: with hideObject it drops the line end.)
          hideObject: true,
          colorize: Boolean(process.stderr.isTTY),
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname',
        })
      : pino.destination({ fd: 2, sync: true }));
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
