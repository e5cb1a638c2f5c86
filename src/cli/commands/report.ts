import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { addSettingOptions } from '../options.js';
import { action } from '../run.js';

const KEYS = ['databaseUrl', 'warehousePort', 'logLevel'] as const;

export function registerReport(program: Command): void {
  const command = addSettingOptions(
    program
      .command('report')
      .description('write a self-contained HTML report with charts from the marts (opens offline)')
      .option('--out <file>', 'where to write the report', 'report.html'),
    KEYS,
  );
  command.action(
    action(KEYS, async ({ config, log }) => {
      const [{ collectReportData }, { chartLibrarySource, renderReport }, { withWarehouse }] = await Promise.all([
        import('../../report/data.js'),
        import('../../report/render.js'),
        import('../../warehouse/connection.js'),
      ]);
      const out = path.resolve(config.projectRoot, command.opts<{ out: string }>().out);
      const data = await withWarehouse(config.warehouse, log, (warehouse) => collectReportData(warehouse.pool));
      const html = renderReport(data, { generatedAt: new Date(), chartJs: chartLibrarySource() });
      writeFileSync(out, html);
      log.info({ out, bytes: html.length }, 'report written');
      process.stdout.write(`Report written to ${out} (${Math.round(html.length / 1024)} KB); open it in a browser, no network needed.\n`);
    }),
  );
}
