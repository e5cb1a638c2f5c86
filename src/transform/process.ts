import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** A child process to run with its output going straight to our own stdout/stderr. */
export interface ChildSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** aborting sends SIGTERM to the child (dbt then cancels its queries) */
  signal?: AbortSignal;
}

/** Runs the child with inherited stdio; resolves to its exit code (128 + n when killed by signal n). */
export function runInherited(spec: ChildSpec): Promise<number> {
  // Into a pipe or a file, no colour codes (dbt reads DBT_USE_COLORS; most tools NO_COLOR).
  const env = process.stdout.isTTY ? spec.env : { ...spec.env, DBT_USE_COLORS: 'false', NO_COLOR: '1' };
  return run({ ...spec, env }, ['ignore', 'inherit', 'inherit']);
}

/** Runs the child with its stdout and stderr appended to `logFile` (pip: pages of output nobody reads unless it fails). */
export async function runLogged(spec: ChildSpec, logFile: string): Promise<number> {
  const fd = openSync(logFile, 'a');
  try {
    return await run(spec, ['ignore', fd, fd]);
  } finally {
    closeSync(fd);
  }
}

function run(spec: ChildSpec, stdio: ['ignore', 'inherit' | number, 'inherit' | number]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: spec.env, stdio });
    const onAbort = () => child.kill('SIGTERM');
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      spec.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.once('close', (code, signal) => {
      spec.signal?.removeEventListener('abort', onAbort);
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
    });
  });
}
