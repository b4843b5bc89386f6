/** `nrr renewals`: the renewal calendar, renewal rates and timing effects of a period. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { defaultAsOf } from '../core/as-of.js';
import type { Day } from '../core/dates.js';
import {
  buildRenewalsReport,
  periodAnalysis,
  resolvePeriod,
  type RenewalsReport,
} from '../core/renewal-rates.js';
import {
  findRenewals,
  RENEWAL_OUTCOMES,
  RENEWAL_STATUSES,
  RENEWAL_TIMINGS,
  type RenewalFilter,
  type RenewalOutcome,
  type RenewalStatus,
  type RenewalTiming,
} from '../core/renewals.js';
import { buildTimingReport } from '../core/timing.js';
import type { TimingReport } from '../core/timing.js';
import { addInputOptions, announceInput, loadInput, type InputFlags } from './input.js';
import { dayOption, today } from './options.js';
import type { OutputFormat } from './report.js';
import { renderRenewalsCsv, renderRenewalsTable } from './renewals-view.js';

interface RenewalsFlags extends InputFlags {
  from?: Day;
  to?: Day;
  asOf?: Day;
  csm?: string;
  segment?: string;
  region?: string;
  subRegion?: string;
  outcome?: RenewalOutcome;
  timing?: RenewalTiming;
  status?: RenewalStatus;
  format: OutputFormat;
}

/** The renewals report of a period with its timing report, as the JSON output writes them. */
export type RenewalsOutput = RenewalsReport & { timing: TimingReport };

/** Builds the renewal filter of the flags; an empty book name filters nothing. */
function filterOf(flags: RenewalsFlags): RenewalFilter {
  const book = (value: string | undefined): string | undefined =>
    value === undefined || value.trim() === '' ? undefined : value.trim();
  return {
    csm: book(flags.csm),
    segment: book(flags.segment),
    region: book(flags.region),
    subRegion: book(flags.subRegion),
    outcome: flags.outcome,
    timing: flags.timing,
    status: flags.status,
  };
}

export function registerRenewalsCommand(program: Command): void {
  const command = program
    .command('renewals')
    .description(
      'list the renewals due in a period with their ARR, outcome and timing, the renewal rates on the ARR available to renew beside cohort NRR, and what early and late renewals did to ARR and NRR',
    );
  addInputOptions(command)
    .option(
      '--from <date>',
      'first renewal date listed, YYYY-MM-DD (default: one window before --to)',
      dayOption,
    )
    .option(
      '--to <date>',
      'last renewal date listed, YYYY-MM-DD (default: one window after --from, else the as-of date)',
      dayOption,
    )
    .option(
      '--as-of <date>',
      'day that decides which renewals are still upcoming or lapsed, YYYY-MM-DD (default: end of the month of the latest line start, not after today)',
      dayOption,
    )
    .option('--csm <name>', 'only renewals of this CSM on the renewal date')
    .option('--segment <name>', 'only renewals of this segment on the renewal date')
    .option('--region <name>', 'only renewals of this region on the renewal date')
    .option('--sub-region <name>', 'only renewals of this sub-region on the renewal date')
    .addOption(new Option('--outcome <outcome>', 'only this outcome').choices(RENEWAL_OUTCOMES))
    .addOption(new Option('--timing <timing>', 'only this timing').choices(RENEWAL_TIMINGS))
    .addOption(new Option('--status <status>', 'only this status').choices(RENEWAL_STATUSES))
    .addOption(
      new Option(
        '--format <format>',
        'output format; csv lists the renewals only, json keeps money in minor units',
      )
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .action(async (files: string[], flags: RenewalsFlags) => {
      const input = await loadInput(files, flags);
      announceInput(input, flags.format);
      const { dataset, definitions, workspaceVersion } = input;
      const asOf = flags.asOf ?? defaultAsOf(dataset, today());
      const period = resolvePeriod(asOf, definitions.windowMonths, flags.from, flags.to);
      const filter = filterOf(flags);
      const analysis = periodAnalysis(dataset, definitions, period);
      const renewals = findRenewals(analysis, dataset, asOf);
      const built = buildRenewalsReport(analysis, dataset, period, filter, renewals);
      const report: RenewalsReport =
        workspaceVersion === undefined
          ? built
          : { ...built, definitions: { ...built.definitions, workspaceVersion } };
      if (flags.format === 'csv') {
        process.stdout.write(renderRenewalsCsv(report));
        return;
      }
      const output: RenewalsOutput = {
        ...report,
        timing: buildTimingReport(analysis, dataset, renewals, period, filter),
      };
      process.stdout.write(
        flags.format === 'json'
          ? JSON.stringify(output, null, 2) + '\n'
          : renderRenewalsTable(output),
      );
    });
}
