#!/usr/bin/env node
import { Command } from 'commander';
import { TOOL_VERSION } from '../core/version.js';
import { registerDbt } from './commands/dbt.js';
import { registerDoctor } from './commands/doctor.js';
import { registerLoad } from './commands/load.js';
import { registerMetrics } from './commands/metrics.js';
import { registerMigrate } from './commands/migrate.js';
import { registerObpRecord } from './commands/obp-record.js';
import { registerObpSandbox } from './commands/obp-sandbox.js';
import { registerRealism } from './commands/realism.js';
import { registerReport } from './commands/report.js';
import { registerRuns } from './commands/runs.js';
import { registerTransform } from './commands/transform.js';
import { registerWarehouse } from './commands/warehouse.js';
import { reportFailure } from './run.js';

// Last line of defence: an 'error' event nobody listens to (a socket reset under a pg client) or a
// stray rejection ends the command with a message and the right exit code, never a bare stack.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => process.exit(reportFailure(error)));
}

const program = new Command('hybridbank')
  .description('Real OBP banks and accounts + synthetic, labelled transactions, loaded into PostgreSQL.')
  .version(TOOL_VERSION)
  .showHelpAfterError('(run `hybridbank <command> --help` to see its options)');

registerDbt(program);
registerDoctor(program);
registerLoad(program);
registerMetrics(program);
registerMigrate(program);
registerObpRecord(program);
registerObpSandbox(program);
registerRealism(program);
registerReport(program);
registerRuns(program);
registerTransform(program);
registerWarehouse(program);

await program.parseAsync();
