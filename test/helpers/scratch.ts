import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A directory of the test process's own in the temp directory (`prefix` then random characters),
 * removed when the process exits: test files that made their own and left them behind filled the
 * temp directory of every machine that ran the suite.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
