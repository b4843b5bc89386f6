/** `nrr explain`: the explanation trail of one account. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { defaultAsOf } from '../core/as-of.js';
import type { Day } from '../core/dates.js';
import { explain } from '../core/explain.js';
import { addDataOptions, loadData } from './data.js';
import type { DataFlags } from './data.js';
import { renderExplanation } from './explain-view.js';
import { addDefinitionOptions, dayOption, resolveDefinitions, today } from './options.js';
import type { DefinitionFlags } from './options.js';

interface ExplainFlags extends DataFlags, DefinitionFlags {
  account: string;
  asOf?: Day;
  format: 'table' | 'json';
}

export function registerExplainCommand(program: Command): void {
  const command = program
    .command('explain')
    .description(
      'explain how one account counts: its lines, the rule applied to each, its movements and its share of NRR and GRR',
    )
    .argument('<files...>', 'CSV files to read')
    .requiredOption(
      '--account <id>',
      'account id to explain (as in the account or customer column)',
    );
  addDataOptions(command);
  addDefinitionOptions(command);
  command
    .option(
      '--as-of <date>',
      'last day of the window, YYYY-MM-DD (default: end of the month of the latest line start, not after today)',
      dayOption,
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(async (files: string[], flags: ExplainFlags) => {
      const definitions = resolveDefinitions(flags);
      const { dataset } = await loadData(files, flags);
      const asOf = flags.asOf ?? defaultAsOf(dataset, today());
      const explanation = explain(dataset, definitions, asOf, flags.account.trim());
      process.stdout.write(
        flags.format === 'json'
          ? JSON.stringify(explanation, null, 2) + '\n'
          : renderExplanation(explanation),
      );
    });
}
