/** `nrr compare`: ARR growth against NRR per book for one fiscal year. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { defaultAsOf } from '../core/as-of.js';
import { buildComparison, fiscalYearAnalysis } from '../core/compare.js';
import type { Comparison } from '../core/compare.js';
import { formatDay, MAX_YEAR, MIN_YEAR } from '../core/dates.js';
import type { Day } from '../core/dates.js';
import type { Dimension } from '../core/groups.js';
import { renderComparisonCsv, renderComparisonTable } from './compare-view.js';
import { addInputOptions, announceInput, loadInput, type InputFlags } from './input.js';
import { dayOption, integerOption, today } from './options.js';
import type { OutputFormat } from './report.js';

interface CompareFlags extends InputFlags {
  year: number;
  by: Dimension;
  asOf?: Day;
  format: OutputFormat;
}

export function registerCompareCommand(program: Command): void {
  const command = program
    .command('compare')
    .description(
      "compare each book's ARR growth with its cohort NRR, GRR, logo retention and renewal rates for one fiscal year, with ranks and the accounts that explain the difference",
    );
  addInputOptions(command)
    .requiredOption(
      '--year <year>',
      'fiscal year, named by the calendar year in which it ends (see --fiscal-year-start)',
      integerOption('--year', MIN_YEAR, MAX_YEAR),
    )
    .addOption(
      new Option('--by <book>', 'books to compare')
        .choices(['csm', 'segment', 'region', 'sub-region'])
        .default('csm'),
    )
    .option(
      '--as-of <date>',
      'day that decides whether renewals without a renewal line are still open, YYYY-MM-DD (default: end of the month of the latest line start, not after today)',
      dayOption,
    )
    .addOption(
      new Option(
        '--format <format>',
        'output format; json keeps money in minor units, csv writes decimal amounts',
      )
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .action(async (files: string[], flags: CompareFlags) => {
      const input = await loadInput(files, flags);
      announceInput(input, flags.format);
      const { dataset, definitions, workspaceVersion } = input;
      const asOf = flags.asOf ?? defaultAsOf(dataset, today());
      const analysis = fiscalYearAnalysis(dataset, definitions, flags.year);
      const built = buildComparison(analysis, dataset, flags.year, flags.by, asOf);
      const comparison: Comparison =
        workspaceVersion === undefined
          ? built
          : { ...built, definitions: { ...built.definitions, workspaceVersion } };
      if (flags.format === 'table' && analysis.asOf > asOf) {
        process.stderr.write(
          `Note: fiscal year ${flags.year} ends on ${comparison.window.end}, after the as-of date ${formatDay(asOf)}. Its end figures count only contracts already in the data, so renewals not signed yet show as churn.\n`,
        );
      }
      if (flags.format === 'json') {
        const output =
          input.summaries === undefined ? comparison : { ...comparison, sources: input.summaries };
        process.stdout.write(JSON.stringify(output, null, 2) + '\n');
      } else if (flags.format === 'csv') process.stdout.write(renderComparisonCsv(comparison));
      else process.stdout.write(renderComparisonTable(comparison));
    });
}
