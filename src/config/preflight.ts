import { accessSync, constants, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Config } from './config.js';
import { SETTINGS, type SettingKey } from './settings.js';

/**
 * The checks that need the file system, run after parsing and before anything starts (no
 * warehouse, no OBP call), for the settings the command uses: a bad path fails in milliseconds
 * with the setting's name, not minutes later as an EACCES deep inside a load.
 */
export function preflight(config: Config, keys: readonly SettingKey[]): void {
  const uses = (key: SettingKey) => keys.includes(key);
  if (uses('databaseUrl') && !config.warehouse.url && !config.output.dryRun) {
    writableDirectory(config.warehouse.dir, 'warehouseDir', 'the embedded warehouse keeps its data there');
  }
  if (uses('csvDir') && config.output.csvDir && !config.output.dryRun) {
    writableDirectory(config.output.csvDir, 'csvDir', 'the CSV files are written there');
  }
  if (uses('snapshot') && config.obp.snapshotPath && config.obp.source !== 'live') readableFile(config.obp.snapshotPath, 'snapshot');
  if (uses('profile') && config.synth.profilePath) readableFile(config.synth.profilePath, 'profile');
  if (uses('sandboxData') && config.sandbox.dataPath) readableFile(config.sandbox.dataPath, 'sandboxData');
}

function names(key: SettingKey): string {
  const setting = SETTINGS[key];
  return 'flag' in setting ? `${setting.flag} (${setting.env})` : setting.env;
}

function fail(key: SettingKey, problem: string, cause?: unknown): never {
  throw new HybridbankError('CONFIG_INVALID', `${names(key)} ${problem}.`, {
    hint: `Point ${SETTINGS[key].env} at a usable path (for example ${SETTINGS[key].example}). Nothing was written.`,
    cause,
  });
}

/** A directory that exists and takes new files, or could be created: probed by creating (and removing) one. */
function writableDirectory(dir: string, key: SettingKey, why: string): void {
  let existing = dir;
  while (!statSync(existing, { throwIfNoEntry: false })) existing = path.dirname(existing);
  if (!statSync(existing).isDirectory()) fail(key, `${dir} is not a directory (${existing} is a file; ${why})`);
  try {
    rmdirSync(mkdtempSync(path.join(existing, '.hybridbank-probe-')));
  } catch (error) {
    fail(key, `${dir} cannot be written (${(error as NodeJS.ErrnoException).code ?? messageOf(error)} in ${existing}; ${why})`, error);
  }
}

function readableFile(file: string, key: SettingKey): void {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) fail(key, `${file} does not exist`);
  if (!stat.isFile()) fail(key, `${file} is not a file`);
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    fail(key, `${file} cannot be read`, error);
  }
}
