import type { Command } from 'commander';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['databaseUrl', 'warehousePort', 'logLevel'] as const;

export function registerMigrate(program: Command): void {
  addSettingOptions(
    program.command('migrate').description('apply the SQL migrations in migrations/ to the warehouse (safe to run again)'),
    KEYS,
  ).action(
    action(KEYS, async ({ config, log }) => {
      const [{ migrate }, { withWarehouse }] = await Promise.all([import('../../warehouse/migrator.js'), import('../../warehouse/connection.js')]);
      await withWarehouse(config.warehouse, log, (warehouse) => migrate(warehouse.pool, log));
    }),
  );
}
