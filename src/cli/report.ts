/** `nrr report`: the bridge, NRR, GRR and logo retention from files. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { analyse } from '../core/analysis.js';
import { defaultAsOf } from '../core/as-of.js';
import { formatDay } from '../core/dates.js';
import type { Day } from '../core/dates.js';
import type { Definitions } from '../core/definitions.js';
import type { Dataset } from '../core/model.js';
import { buildReport } from '../core/report.js';
import type { Report, ReportBy } from '../core/report.js';
import type { ImportSummary } from '../ingest/index.js';
import { addDataOptions } from './data.js';
import { announceInput, loadInput, type InputFlags } from './input.js';
import { addDefinitionOptions, dayOption, today } from './options.js';
import { addWorkspaceOption } from './workspace.js';
import { renderReportCsv, renderReportTable } from './report-view.js';

export type OutputFormat = 'table' | 'json' | 'csv';

interface ReportFlags extends InputFlags {
  asOf?: Day;
  by?: ReportBy;
  format: OutputFormat;
}

/** Computes and renders a report of a loaded dataset. */
export function renderReport(options: {
  dataset: Dataset;
  definitions: Definitions;
  asOf: Day;
  by?: ReportBy;
  format: OutputFormat;
  summaries?: readonly ImportSummary[];
  workspaceVersion?: number;
}): string {
  const analysis = analyse(options.dataset, options.definitions, options.asOf);
  const built: Report = buildReport(analysis, options.dataset, options.by);
  const report: Report =
    options.workspaceVersion === undefined
      ? built
      : {
          ...built,
          definitions: { ...built.definitions, workspaceVersion: options.workspaceVersion },
        };
  if (options.format === 'json') {
    const output =
      options.summaries === undefined ? report : { ...report, sources: options.summaries };
    return JSON.stringify(output, null, 2) + '\n';
  }
  return options.format === 'csv' ? renderReportCsv(report) : renderReportTable(report);
}

export function registerReportCommand(program: Command): void {
  const command = program
    .command('report')
    .description(
      'report ARR, the ARR bridge, NRR, GRR and logo retention from contract or subscription files, or from the workspace when no file is given',
    )
    .argument('[files...]', 'files to read (default: the workspace)');
  addDataOptions(command);
  addWorkspaceOption(command);
  addDefinitionOptions(command);
  command
    .option(
      '--as-of <date>',
      'date the figures are measured on, YYYY-MM-DD (default: end of the month of the latest line start, not after today)',
      dayOption,
    )
    .addOption(
      new Option('--by <grouping>', 'break the figures down by book or by period').choices([
        'csm',
        'segment',
        'region',
        'sub-region',
        'month',
        'year',
      ]),
    )
    .addOption(
      new Option(
        '--format <format>',
        'output format; json and csv keep money in minor units and decimals respectively',
      )
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .action(async (files: string[], flags: ReportFlags) => {
      const input = await loadInput(files, flags);
      const { dataset, summaries, definitions, workspaceVersion } = input;
      announceInput(input, flags.format);
      const asOf = flags.asOf ?? defaultAsOf(dataset, today());
      if (flags.asOf === undefined && flags.format === 'table') {
        process.stderr.write(
          `As of ${formatDay(asOf)}: the end of the month of the latest line start, not after today; pass --as-of to choose the date.\n`,
        );
      }
      process.stdout.write(
        renderReport({
          dataset,
          definitions,
          asOf,
          format: flags.format,
          ...(summaries === undefined ? {} : { summaries }),
          ...(workspaceVersion === undefined ? {} : { workspaceVersion }),
          ...(flags.by === undefined ? {} : { by: flags.by }),
        }),
      );
    });
}
