import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { withDirLock } from './dir-lock.js';
import { runLogged } from './process.js';

/** Where dbt lives: a Python virtualenv in the project, pinned by dbt/requirements.txt. */
export interface DbtVenv {
  dir: string;
  requirements: string;
  /** the dbt executable inside the venv */
  dbt: string;
  /** MetricFlow's CLI (dbt-metricflow), for the semantic layer */
  mf: string;
  /** the SQL linter of the models (dbt/.sqlfluff) */
  sqlfluff: string;
}

export function dbtVenvOf(projectRoot: string): DbtVenv {
  const dir = path.join(projectRoot, '.venv-dbt');
  return { dir, requirements: path.join(projectRoot, 'dbt', 'requirements.txt'), dbt: path.join(dir, 'bin', 'dbt'), mf: path.join(dir, 'bin', 'mf'), sqlfluff: path.join(dir, 'bin', 'sqlfluff') };
}

/** Written after a successful install; a different hash means requirements.txt changed since. */
const STAMP_FILE = '.hybridbank-requirements.sha256';

export interface EnsureVenvOptions {
  venv: DbtVenv;
  log: Logger;
  signal?: AbortSignal;
  /** the interpreter that creates the venv */
  python?: string;
  /** the environment the installer runs in (pip honours its PIP_* settings, e.g. an index mirror) */
  env: NodeJS.ProcessEnv;
}

/**
 * Creates the venv on first use and (re)installs the pinned dbt when requirements.txt changed
 * since the last successful install; otherwise does nothing, so a dbt run costs no pip call.
 */
export async function ensureDbtVenv(options: EnsureVenvOptions): Promise<void> {
  const { venv, log } = options;
  const hash = createHash('sha256').update(readFileSync(venv.requirements)).digest('hex');
  const stampPath = path.join(venv.dir, STAMP_FILE);
  const current = () => existsSync(venv.dbt) && existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === hash;
  if (current()) return;
  await withDirLock(`${venv.dir}.lock`, { log, waiting: 'another process is installing dbt; waiting for it', staleMs: STALE_LOCK_MS, signal: options.signal }, async () => {
    if (!current()) await install(options, stampPath, hash); // another process may have just done it
  });
}

async function install(options: EnsureVenvOptions, stampPath: string, hash: string): Promise<void> {
  const { venv, log } = options;
  const python = path.join(venv.dir, 'bin', 'python');
  if (!existsSync(python)) {
    log.info({ dir: venv.dir }, 'creating the Python virtualenv for dbt (first run)');
    await step(options, options.python ?? 'python3', ['-m', 'venv', venv.dir], 'create the virtualenv');
  }
  log.info({ requirements: venv.requirements }, `installing dbt into the virtualenv (first run or requirements changed; takes a minute; pip's output goes to ${installLogOf(venv)})`);
  await step(options, python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-color', '-r', venv.requirements], 'install dbt');
  writeFileSync(stampPath, `${hash}\n`);
}

/** Installs are minutes long; a lock older than this was left by a process that died. */
const STALE_LOCK_MS = 20 * 60_000;

/** Where the installers' output goes: beside the venv (*.log is ignored by git). */
export function installLogOf(venv: DbtVenv): string {
  return `${venv.dir}-install.log`;
}

async function step(options: EnsureVenvOptions, command: string, args: string[], what: string): Promise<void> {
  const logFile = installLogOf(options.venv);
  let code: number;
  try {
    code = await runLogged({ command, args, cwd: path.dirname(options.venv.dir), env: options.env, signal: options.signal }, logFile);
  } catch (error) {
    throw venvError(what, messageOf(error), error);
  }
  if (code !== 0) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join(' | ');
    throw venvError(what, `${path.basename(command)} exited with code ${code}; the end of ${logFile}: ${tail}`);
  }
}

function venvError(what: string, detail: string, cause?: unknown): HybridbankError {
  return new HybridbankError('DBT_FAILED', `Could not ${what} for dbt: ${detail}.`, {
    hint: 'dbt needs Python 3.9+ with venv and pip, and access to PyPI (or a mirror set with PIP_INDEX_URL). Delete .venv-dbt/ to start over.',
    cause,
  });
}
