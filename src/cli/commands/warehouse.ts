import type { Command } from 'commander';
import { redactText } from '../../log/redact.js';
import { migrate } from '../../warehouse/migrator.js';
import { openWarehouse } from '../../warehouse/connection.js';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['databaseUrl', 'warehousePort', 'logLevel'] as const;

export function registerWarehouse(program: Command): void {
  addSettingOptions(
    program
      .command('warehouse')
      .description('start the embedded warehouse in the foreground and print how to connect, until Ctrl-C'),
    KEYS,
  ).action(
    action(KEYS, async ({ config, log, signal }) => {
      const warehouse = await openWarehouse(config.warehouse, log);
      try {
        await migrate(warehouse.pool, log);
        const url = new URL(warehouse.url);
        process.stdout.write(
          [
            '',
            `Warehouse ready${warehouse.embedded ? (warehouse.embedded.reused ? ' (already running)' : ' (embedded)') : ''}.`,
            `  DATABASE_URL=${warehouse.url}`,
            `  psql "${warehouse.url}"`,
            `  host ${url.hostname}  port ${url.port || 5432}  database ${url.pathname.slice(1)}  user ${url.username}`,
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
