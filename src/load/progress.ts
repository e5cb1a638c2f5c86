import cliProgress from 'cli-progress';
import type { Logger } from '../log/logger.js';

/** Progress of the streaming generate + load step: a bar on a TTY, periodic log lines otherwise. */
export interface Progress {
  tick(rows: number): void;
  stop(): void;
}

const LOG_EVERY_MS = 2_000;

export function createProgress(options: { total: number; label: string; log: Logger; tty: boolean }): Progress {
  const started = Date.now();
  if (options.tty) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${options.label} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(options.total, 0, { rate: 0 });
    return {
      tick: (rows) => bar.update(rows, { rate: Math.round(rows / Math.max((Date.now() - started) / 1000, 0.001)) }),
      stop: () => bar.stop(),
    };
  }
  let lastLog = started;
  return {
    tick(rows) {
      const now = Date.now();
      if (now - lastLog < LOG_EVERY_MS) return;
      lastLog = now;
      const rate = rows / ((now - started) / 1000);
      const eta = rate > 0 ? Math.round((options.total - rows) / rate) : null;
      options.log.info({ rows, total: options.total, rowsPerSecond: Math.round(rate), etaSeconds: eta }, `${options.label}: ${rows}/${options.total} rows`);
    },
    stop: () => undefined,
  };
}
