import type { Command } from 'commander';
import { migrate } from '../../warehouse/migrator.js';
import { withWarehouse } from '../../warehouse/connection.js';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['databaseUrl', 'warehousePort', 'logLevel'] as const;

export function registerMigrate(program: Command): void {
  addSettingOptions(
    program.command('migrate').description('apply the SQL migrations in migrations/ to the warehouse (safe to run again)'),
    KEYS,
  ).action(
    action(KEYS, async ({ config, log }) => {
      await withWarehouse(config.warehouse, log, (warehouse) => migrate(warehouse.pool, log));
    }),
  );
}
