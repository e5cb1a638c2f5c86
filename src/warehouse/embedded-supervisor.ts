/**
 * The embedded warehouse's supervisor: a small detached process (its own session, so a Ctrl-C
 * meant for a command never reaches it) that runs PostgreSQL and stops it when the last process
 * using it is gone, whether that process ended normally, was interrupted or was killed with -9.
 * A server started with `warehouse --detach` keeps running until `warehouse --stop`.
 * Started by embedded.ts with one argument: the JSON of a SupervisorSpec.
 */
import { spawn } from 'node:child_process';
import { filesOf, liveUsers, readState, removeState, tryLock, unlock, writeState } from './embedded-files.js';

export interface SupervisorSpec {
  dir: string;
  postgres: string;
  dataDir: string;
  port: number;
  detached: boolean;
  /** as root: the unprivileged account PostgreSQL runs as */
  uid?: number;
  gid?: number;
}

const POLL_MS = 200;
const SHUTDOWN_GRACE_MS = 30_000;

function main(spec: SupervisorSpec): void {
  const files = filesOf(spec.dir);
  const server = spawn(
    spec.postgres,
    [
      '-D', spec.dataDir, '-p', String(spec.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=',
      // Nothing replicates a warehouse on one's own machine: with minimal WAL, rows a load COPYs
      // into the table it created and keys it builds there are written once (synced at COMMIT,
      // as durable as before) instead of twice; and no checkpoint is forced in the middle of a load.
      '-c', 'wal_level=minimal', '-c', 'max_wal_senders=0', '-c', 'max_wal_size=4GB',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, LC_MESSAGES: 'C' }, ...(spec.uid === undefined ? {} : { uid: spec.uid, gid: spec.gid }) },
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.kill('SIGINT'); // PostgreSQL's fast shutdown: roll back open transactions, checkpoint, exit
    setTimeout(() => server.kill('SIGQUIT'), SHUTDOWN_GRACE_MS).unref();
  };
  server.once('error', (error) => {
    process.stderr.write(`supervisor: could not start PostgreSQL: ${error.message}\n`);
    removeState(files);
    process.exit(1);
  });
  server.once('exit', (code, signal) => {
    removeState(files);
    process.stderr.write(`supervisor: PostgreSQL exited (${signal ?? code}); supervisor ${process.pid} ends\n`);
    process.exit(stopping ? 0 : 1);
  });
  writeState(files, {
    supervisorPid: process.pid,
    postgresPid: server.pid ?? 0,
    port: spec.port,
    dataDir: spec.dataDir,
    detached: spec.detached,
    stopping: false,
    startedAt: new Date().toISOString(),
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);

  setInterval(() => {
    if (stopping) return;
    const state = readState(files);
    if (state?.detached || liveUsers(files).length > 0) return;
    // Decide under the lock, so a command registering right now either sees `stopping` or keeps us alive.
    if (!tryLock(files)) return;
    try {
      const now = readState(files);
      if (now?.detached || liveUsers(files).length > 0) return;
      if (now) writeState(files, { ...now, stopping: true });
      stop();
    } finally {
      unlock(files);
    }
  }, POLL_MS);
}

main(JSON.parse(process.argv[2] ?? '{}') as SupervisorSpec);
