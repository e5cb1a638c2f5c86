import type { Command } from 'commander';
import { registerDbtCommand } from './dbt.js';

export function registerTransform(program: Command): void {
  registerDbtCommand(program, {
    name: 'transform',
    description:
      'build the star schema: dbt source freshness (warn), then dbt build (seeds, snapshots, models, tests); extra arguments go to dbt build; warns when the marts are older than the last load',
    runner: 'runTransform',
  });
}
