import type { Command } from 'commander';
import { SETTINGS } from '../../config/settings.js';
import { HybridbankError } from '../../core/errors.js';
import { redactText } from '../../log/redact.js';
import { migrate } from '../../warehouse/migrator.js';
import { openWarehouse } from '../../warehouse/connection.js';
import { createReader, readerConnectionHelp } from '../../warehouse/readers.js';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['databaseUrl', 'warehousePort', 'logLevel'] as const;
const READER_PASSWORD_ENV = SETTINGS.readerPassword.env;

export function registerWarehouse(program: Command): void {
  const command = addSettingOptions(
    program
      .command('warehouse')
      .description('start the embedded warehouse in the foreground and print how to connect, until Ctrl-C')
      .option('--create-reader <name>', `also create (or set the password of) a read-only login, schema marts only; password from ${READER_PASSWORD_ENV}`),
    KEYS,
  );
  command.action(
    action(KEYS, async ({ config, log, signal }) => {
      const readerName = command.opts<{ createReader?: string }>().createReader;
      // Checked before anything starts, so a missing password costs nothing.
      const readerPassword = readerName === undefined ? undefined : requireReaderPassword(config.readerPassword);
      const warehouse = await openWarehouse(config.warehouse, log);
      try {
        await migrate(warehouse.pool, log);
        const reader =
          readerName !== undefined && readerPassword !== undefined
            ? await createReader(warehouse.pool, { name: readerName, password: readerPassword }, log)
            : undefined;
        const url = new URL(warehouse.url);
        process.stdout.write(
          [
            '',
            `Warehouse ready${warehouse.embedded ? (warehouse.embedded.reused ? ' (already running)' : ' (embedded)') : ''}.`,
            `  DATABASE_URL=${warehouse.url}`,
            `  psql "${warehouse.url}"`,
            `  host ${url.hostname}  port ${url.port || 5432}  database ${url.pathname.slice(1)}  user ${url.username}`,
            ...(reader ? ['', ...readerConnectionHelp(warehouse.url, reader, READER_PASSWORD_ENV)] : []),
            warehouse.embedded && !warehouse.embedded.reused ? 'Press Ctrl-C to stop it.' : '',
            '',
          ].map((l) => (config.warehouse.url ? redactText(l) : l)).join('\n'),
        );
        if (warehouse.embedded && !warehouse.embedded.reused) {
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
          process.exitCode = 0;
        }
      } finally {
        await warehouse.close();
      }
    }),
  );
}

/** --create-reader needs a password; config has validated it when given, only its absence is left to say. */
function requireReaderPassword(password: string | undefined): string {
  if (!password) {
    throw new HybridbankError('CONFIG_INVALID', `--create-reader needs the reader's password in ${READER_PASSWORD_ENV}.`, {
      hint: `For example: ${READER_PASSWORD_ENV}="$(openssl rand -base64 24)" npm run warehouse -- --create-reader metabase`,
    });
  }
  return password;
}
