import { spawn } from 'node:child_process';

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
  return new Promise((resolve, reject) => {
    const child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'inherit', 'inherit'] });
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
