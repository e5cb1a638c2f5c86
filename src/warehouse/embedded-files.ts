import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What the processes sharing one embedded warehouse agree on, on disk in WAREHOUSE_DIR:
 * - `lock/`          one process at a time decides to start or stop the server (mkdir is atomic);
 * - `users/<pid>`    every process using the server; a dead pid no longer counts;
 * - `server.json`    the running server: its supervisor's pid, port, data directory, detached or not;
 * - `password`       the superuser's random password (0600);
 * - `server.log`     PostgreSQL's own log;
 * - `DATA_LOCATION`  as root only: where the data directory is (outside WAREHOUSE_DIR).
 * The supervisor (embedded-supervisor.ts) stops the server when no live user is left, unless detached.
 */
export interface WarehouseFiles {
  dir: string;
  lockDir: string;
  usersDir: string;
  stateFile: string;
  passwordFile: string;
  logFile: string;
  /** as root: where the data directory is, outside WAREHOUSE_DIR */
  dataLocationFile: string;
}

export interface ServerState {
  supervisorPid: number;
  postgresPid: number;
  port: number;
  dataDir: string;
  detached: boolean;
  /** set by the supervisor once it decided to stop; a new user then waits and starts a fresh one */
  stopping: boolean;
  startedAt: string;
}

export function filesOf(dir: string): WarehouseFiles {
  return {
    dir,
    lockDir: path.join(dir, 'lock'),
    usersDir: path.join(dir, 'users'),
    stateFile: path.join(dir, 'server.json'),
    passwordFile: path.join(dir, 'password'),
    logFile: path.join(dir, 'server.log'),
    dataLocationFile: path.join(dir, 'DATA_LOCATION'),
  };
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a live process (Linux); undefined where /proc is missing. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

export function readState(files: WarehouseFiles): ServerState | undefined {
  try {
    return JSON.parse(readFileSync(files.stateFile, 'utf8')) as ServerState;
  } catch {
    return undefined;
  }
}

export function writeState(files: WarehouseFiles, state: ServerState): void {
  const temp = `${files.stateFile}.${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  renameSync(temp, files.stateFile);
}

export function removeState(files: WarehouseFiles): void {
  rmSync(files.stateFile, { force: true });
}

/** The state of a server whose supervisor is still alive; a leftover file of a dead one is ignored. */
export function liveState(files: WarehouseFiles): ServerState | undefined {
  const state = readState(files);
  if (!state || !isAlive(state.supervisorPid)) return undefined;
  const cmdline = commandLineOf(state.supervisorPid);
  return cmdline === undefined || cmdline.includes('embedded-supervisor') ? state : undefined;
}

export function registerUser(files: WarehouseFiles, pid = process.pid): void {
  mkdirSync(files.usersDir, { recursive: true });
  writeFileSync(path.join(files.usersDir, String(pid)), '');
}

export function unregisterUser(files: WarehouseFiles, pid = process.pid): void {
  rmSync(path.join(files.usersDir, String(pid)), { force: true });
}

/** Pids of live processes using the server; entries of dead ones are removed on the way. */
export function liveUsers(files: WarehouseFiles): number[] {
  let names: string[];
  try {
    names = readdirSync(files.usersDir);
  } catch {
    return [];
  }
  const live: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (isAlive(pid)) live.push(pid);
    else rmSync(path.join(files.usersDir, name), { force: true });
  }
  return live;
}

/** Takes the lock if free (or held by a dead process); false when a live process holds it. */
export function tryLock(files: WarehouseFiles): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(files.lockDir);
      writeFileSync(path.join(files.lockDir, 'pid'), String(process.pid));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = lockOwner(files);
      // No pid yet: its owner is between mkdir and writing it, or died there (then the lock is old).
      const held = owner === undefined ? Date.now() - (statSync(files.lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 5_000 : isAlive(owner);
      if (held) return false;
      rmSync(files.lockDir, { recursive: true, force: true });
    }
  }
  return false;
}

export function lockOwner(files: WarehouseFiles): number | undefined {
  try {
    return Number(readFileSync(path.join(files.lockDir, 'pid'), 'utf8')) || undefined;
  } catch {
    return undefined;
  }
}

export function unlock(files: WarehouseFiles): void {
  rmSync(files.lockDir, { recursive: true, force: true });
}

/** Waits for the lock (another process starting or stopping the server takes seconds). */
export async function withLock<T>(files: WarehouseFiles, timeoutMs: number, onWait: (owner: number | undefined) => void, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  while (!tryLock(files)) {
    if (Date.now() > deadline) throw new Error(`the warehouse lock ${files.lockDir} is held by process ${lockOwner(files)}`);
    if (!announced) onWait(lockOwner(files));
    announced = true;
    await sleep(100);
  }
  try {
    return await work();
  } finally {
    unlock(files);
  }
}
