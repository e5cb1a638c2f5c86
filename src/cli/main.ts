#!/usr/bin/env node
import { Command } from 'commander';
import { TOOL_VERSION } from '../core/version.js';
import { registerDbt } from './commands/dbt.js';
import { registerLoad } from './commands/load.js';
import { registerMigrate } from './commands/migrate.js';
import { registerObpRecord } from './commands/obp-record.js';
import { registerObpSandbox } from './commands/obp-sandbox.js';
import { registerRealism } from './commands/realism.js';
import { registerReport } from './commands/report.js';
import { registerTransform } from './commands/transform.js';
import { registerWarehouse } from './commands/warehouse.js';

const program = new Command('hybridbank')
  .description('Real OBP banks and accounts + synthetic, labelled transactions, loaded into PostgreSQL.')
  .version(TOOL_VERSION)
  .showHelpAfterError();

registerDbt(program);
registerLoad(program);
registerMigrate(program);
registerObpRecord(program);
registerObpSandbox(program);
registerRealism(program);
registerReport(program);
registerTransform(program);
registerWarehouse(program);

await program.parseAsync();
