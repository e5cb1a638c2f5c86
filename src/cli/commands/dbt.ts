import type { Command } from 'commander';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['databaseUrl', 'warehousePort', 'logLevel'] as const;

type TransformModule = typeof import('../../transform/dbt.js');

export interface DbtCommandSpec {
  name: string;
  description: string;
  /** which runner of src/transform/dbt.ts the command calls with the user's extra arguments */
  runner: 'runDbt' | 'runTransform' | 'runMetrics';
}

/**
 * A command that runs dbt (or a tool of its venv) on the warehouse. Our own settings
 * (--database-url, ...) are read before the first option for the tool; everything else, from
 * the first option commander does not know on, goes to the tool unchanged
 * (`npm run dbt -- build --select marts --full-refresh`). The runner is imported when the
 * command runs, so other commands start without loading it.
 */
export function registerDbtCommand(program: Command, spec: DbtCommandSpec): void {
  addSettingOptions(
    program
      .command(spec.name)
      .description(spec.description)
      .argument('[args...]', 'arguments passed on')
      .allowUnknownOption()
      .allowExcessArguments(),
    KEYS,
  ).action(
    action(KEYS, async ({ config, log, signal }, args: string[] = []) => {
      const transform: TransformModule = await import('../../transform/dbt.js');
      await transform[spec.runner]({ config, log, signal, args, env: process.env });
    }),
  );
}

export function registerDbt(program: Command): void {
  registerDbtCommand(program, {
    name: 'dbt',
    description: 'run any dbt command on the warehouse (installs dbt into .venv-dbt/ on first use), e.g. dbt build, dbt docs generate',
    runner: 'runDbt',
  });
}
