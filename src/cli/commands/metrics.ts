import type { Command } from 'commander';
import { registerDbtCommand } from './dbt.js';

export function registerMetrics(program: Command): void {
  registerDbtCommand(program, {
    name: 'metrics',
    description:
      'query the semantic layer with MetricFlow (mf), e.g. metrics query --saved-query daily_flows_by_currency, metrics list metrics; group money metrics by currency',
    runner: 'runMetrics',
  });
}
