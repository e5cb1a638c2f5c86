import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './scratch.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The CLI as users run it: the `hybridbank` bin, compiled to JavaScript by `npm install` / `npm run build`. */
export const CLI_BIN = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');

/** Fails fast when dist/ is missing or older than the sources (`npm test` builds first). */
function assertBuilt(): void {
  const built = statSync(CLI_BIN, { throwIfNoEntry: false })?.mtimeMs;
  const newest = newestSource(path.join(PROJECT_ROOT, 'src'));
  if (built === undefined || newest > built) {
    throw new Error(`${path.relative(PROJECT_ROOT, CLI_BIN)} is ${built === undefined ? 'missing' : 'older than src/'}: run \`npm run build\` (npm test does).`);
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

/** OBP settings a developer's shell may carry; tests choose their own. */
const OBP_ENV = ['OBP_USERNAME', 'OBP_PASSWORD', 'OBP_CONSUMER_KEY', 'OBP_BASE_URL', 'OBP_SOURCE', 'OBP_SNAPSHOT'];

let dbtScratch: string | undefined;

/**
 * dbt writes its artifacts to dbt/target by default, and `metrics` reads the semantic manifest
 * from there: a test file's build (of its own database) must not replace what another file's
 * `metrics` run reads. Each test process gets its own target and log directories, unless the
 * test names them.
 */
function dbtArtifacts(): Record<string, string> {
  if (!dbtScratch) {
    dbtScratch = scratchDir('hbtest-dbt-artifacts-');
  }
  return { DBT_TARGET_PATH: path.join(dbtScratch, 'target'), DBT_LOG_PATH: path.join(dbtScratch, 'logs') };
}

/** Starts the real CLI (the compiled bin) in a child process, with a controlled environment. */
export function startCli(args: string[], options: CliOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  assertBuilt();
  const env: Record<string, string> = {};
  const base = { ...process.env, LOG_LEVEL: 'info', ...dbtArtifacts(), ...Object.fromEntries(OBP_ENV.map((k) => [k, undefined])), ...options.env };
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}
