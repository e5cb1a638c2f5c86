import type { Command } from 'commander';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['databaseUrl', 'warehousePort', 'logLevel'] as const;

export interface DbtCommandSpec {
  name: string;
  description: string;
  /** dbt arguments put before the user's, e.g. ['build'] */
  fixedArgs: readonly string[];
}

/**
 * A command that runs dbt on the warehouse. Our own settings (--database-url, ...) are read
 * before the first dbt option; everything else, from the first option commander does not know
 * on, goes to dbt unchanged (`npm run dbt -- build --select marts --full-refresh`).
 */
export function registerDbtCommand(program: Command, spec: DbtCommandSpec): void {
  addSettingOptions(
    program
      .command(spec.name)
      .description(spec.description)
      .argument('[dbt-args...]', 'arguments passed to dbt')
      .allowUnknownOption()
      .allowExcessArguments(),
    KEYS,
  ).action(
    action(KEYS, async ({ config, log, signal }, dbtArgs: string[] = []) => {
      const { runDbt } = await import('../../transform/dbt.js');
      await runDbt({ config, log, signal, args: [...spec.fixedArgs, ...dbtArgs], env: process.env });
    }),
  );
}

export function registerDbt(program: Command): void {
  registerDbtCommand(program, {
    name: 'dbt',
    description: 'run any dbt command on the warehouse (installs dbt into .venv-dbt/ on first use), e.g. dbt build, dbt docs generate',
    fixedArgs: [],
  });
}
