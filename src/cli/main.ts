#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerDbt } from './commands/dbt.js';
import { registerMigrate } from './commands/migrate.js';
import { registerObpRecord } from './commands/obp-record.js';
import { registerObpSandbox } from './commands/obp-sandbox.js';
import { registerReport } from './commands/report.js';
import { registerTransform } from './commands/transform.js';
import { registerWarehouse } from './commands/warehouse.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('hybridbank')
  .description('Real OBP banks and accounts + synthetic, labelled transactions, loaded into PostgreSQL.')
  .version(version)
  .showHelpAfterError();

registerDbt(program);
registerMigrate(program);
registerObpRecord(program);
registerObpSandbox(program);
registerReport(program);
registerTransform(program);
registerWarehouse(program);

await program.parseAsync();
