/** `nrr demo`: generate the sample company and report on it, with no data of the user's. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { analyse } from '../core/analysis.js';
import { dayFromCivil } from '../core/dates.js';
import { buildReport } from '../core/report.js';
import { generateCompany } from '../generate/index.js';
import { addDefinitionOptions, integerOption, resolveDefinitions } from './options.js';
import type { DefinitionFlags } from './options.js';
import { renderReportTable } from './report-view.js';

interface DemoFlags extends DefinitionFlags {
  accounts?: number;
  seed?: number;
  format: 'table' | 'json';
}

const START_YEAR = 2023;
const YEARS = 3;

export function registerDemoCommand(program: Command): void {
  const command = program
    .command('demo')
    .description(
      'generate a sample company (3,000 accounts, new logos from 2023 to 2025) and report on it as of the end of 2025',
    )
    .option(
      '--accounts <count>',
      'number of accounts, up to 500,000 (default 3000)',
      integerOption('--accounts', 1, 500_000),
    )
    .option('--seed <seed>', 'random seed (default 42)', integerOption('--seed', 0, 2 ** 31 - 1))
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    );
  addDefinitionOptions(command);
  command.action((flags: DemoFlags) => {
    const definitions = resolveDefinitions(flags);
    const started = performance.now();
    const dataset = generateCompany({
      startYear: START_YEAR,
      years: YEARS,
      ...(flags.accounts === undefined ? {} : { accounts: flags.accounts }),
      ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    });
    const asOf = dayFromCivil(START_YEAR + YEARS - 1, 12, 31);
    const analysis = analyse(dataset, definitions, asOf);
    const company = buildReport(analysis, dataset);
    const bySegment = buildReport(analysis, dataset, 'segment');
    const byRegion = buildReport(analysis, dataset, 'region');
    const byCsm = buildReport(analysis, dataset, 'csm');
    const elapsed = ((performance.now() - started) / 1000).toFixed(1);
    if (flags.format === 'json') {
      process.stdout.write(
        JSON.stringify(
          { company, bySegment: bySegment.groups, byRegion: byRegion.groups, byCsm: byCsm.groups },
          null,
          2,
        ) + '\n',
      );
      return;
    }
    const out = [
      `Sample company: ${dataset.accounts.length} accounts, ${dataset.lines.length} contract lines, generated and reported in ${elapsed} s.`,
      '',
      renderReportTable(company),
      section(renderReportTable(bySegment)),
      section(renderReportTable(byRegion)),
      section(renderReportTable(byCsm)),
      'Next: write the sample as CSV with `npx nrr generate --out sample/`, then try',
      '`npx nrr report sample/*.csv --as-of 2025-12-31 --by csm` and',
      '`npx nrr explain sample/*.csv --as-of 2025-12-31 --account A000042`.',
      '',
    ];
    process.stdout.write(out.join('\n'));
  });
}

/** Keeps only the breakdown table of a grouped report (the company figures are printed once). */
function section(text: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('By '));
  return lines.slice(start).join('\n');
}
