import type { Command } from 'commander';
import type { Config } from '../../config/config.js';
import { SETTINGS } from '../../config/settings.js';
import { HybridbankError } from '../../core/errors.js';
import type { Logger } from '../../log/logger.js';
import { redactText } from '../../log/redact.js';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['databaseUrl', 'warehousePort', 'logLevel'] as const;
const READER_PASSWORD_ENV = SETTINGS.readerPassword.env;

interface WarehouseFlags {
  createReader?: string;
  detach?: boolean;
  status?: boolean;
  stop?: boolean;
}

export function registerWarehouse(program: Command): void {
  const command = addSettingOptions(
    program
      .command('warehouse')
      .description('start the warehouse and print how to connect; in the foreground until Ctrl-C, or in the background with --detach')
      .option('--detach', 'start the embedded warehouse in the background and return; it runs until `warehouse --stop`')
      .option('--status', 'say whether the embedded warehouse runs, on which port, and which processes use it')
      .option('--stop', 'stop the embedded warehouse started with --detach (once no command uses it)')
      .option('--create-reader <name>', `also create (or set the password of) a read-only login, schema marts only; password from ${READER_PASSWORD_ENV}`),
    KEYS,
  );
  command.action(
    action(KEYS, async ({ config, log, signal }) => {
      const flags = command.opts<WarehouseFlags>();
      if ([flags.detach, flags.status, flags.stop].filter(Boolean).length > 1) {
        throw new HybridbankError('CONFIG_INVALID', 'Give at most one of --detach, --status and --stop.');
      }
      if ((flags.status || flags.stop) && config.warehouse.url) {
        throw new HybridbankError('CONFIG_INVALID', `--${flags.status ? 'status' : 'stop'} is about the embedded warehouse, but DATABASE_URL is set.`, {
          hint: 'Unset DATABASE_URL (the embedded warehouse is used when it is unset); a PostgreSQL you run is managed by you.',
        });
      }
      if (flags.status) return printStatus(config);
      if (flags.stop) return stop(config, log);
      const [{ migrate }, { openWarehouse }, { createReader, readerConnectionHelp }] = await Promise.all([
        import('../../warehouse/migrator.js'),
        import('../../warehouse/connection.js'),
        import('../../warehouse/readers.js'),
      ]);
      // Checked before anything starts, so a missing password costs nothing.
      const readerPassword = flags.createReader === undefined ? undefined : requireReaderPassword(config.readerPassword);
      const warehouse = await openWarehouse(config.warehouse, log, { detach: Boolean(flags.detach) });
      try {
        await migrate(warehouse.pool, log);
        const reader =
          flags.createReader !== undefined && readerPassword !== undefined
            ? await createReader(warehouse.pool, { name: flags.createReader, password: readerPassword }, log)
            : undefined;
        const url = new URL(warehouse.url);
        const foreground = warehouse.embedded && !flags.detach;
        process.stdout.write(
          [
            '',
            `Warehouse ready${warehouse.embedded ? (warehouse.embedded.reused ? ' (embedded, already running)' : ' (embedded)') : ''}.`,
            `  DATABASE_URL=${warehouse.url}`,
            `  psql "${warehouse.url}"`,
            `  host ${url.hostname}  port ${url.port || 5432}  database ${url.pathname.slice(1)}  user ${url.username}`,
            ...(reader ? ['', ...readerConnectionHelp(warehouse.url, reader, READER_PASSWORD_ENV)] : []),
            flags.detach ? 'Running in the background until `hybridbank warehouse --stop`.' : '',
            foreground ? 'Press Ctrl-C to stop using it (it stops once no other command uses it).' : '',
            '',
          ].map((l) => (config.warehouse.url ? redactText(l) : l)).join('\n'),
        );
        if (foreground) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      } finally {
        await warehouse.close();
      }
    }),
  );
}

async function printStatus(config: Config): Promise<number> {
  const { embeddedStatus } = await import('../../warehouse/embedded.js');
  const status = embeddedStatus(config.warehouse.dir);
  if (!status.running || !status.state) {
    process.stdout.write(`The embedded warehouse in ${config.warehouse.dir} is not running.\n`);
    return 0;
  }
  const { state } = status;
  process.stdout.write(
    [
      `The embedded warehouse in ${config.warehouse.dir} is running on port ${state.port} since ${state.startedAt}${state.detached ? ' (detached: until `warehouse --stop`)' : ''}.`,
      `  supervisor pid ${state.supervisorPid}, PostgreSQL pid ${state.postgresPid}, data ${state.dataDir}`,
      `  used by ${status.users.length ? `process(es) ${status.users.join(', ')}` : 'no command right now'}`,
      status.url ? `  DATABASE_URL=${status.url}` : '',
      '',
    ].join('\n'),
  );
  return 0;
}

async function stop(config: Config, log: Logger): Promise<number> {
  const { stopEmbeddedWarehouse } = await import('../../warehouse/embedded.js');
  const result = await stopEmbeddedWarehouse(config.warehouse.dir, log);
  if (!result.wasRunning) process.stdout.write(`The embedded warehouse in ${config.warehouse.dir} is not running.\n`);
  else if (result.waitingFor.length) {
    process.stdout.write(`The embedded warehouse stops when the process(es) using it end: ${result.waitingFor.join(', ')}.\n`);
  } else process.stdout.write('The embedded warehouse stopped.\n');
  return 0;
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
