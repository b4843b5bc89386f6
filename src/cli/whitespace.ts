/**
 * `nrr whitespace` lists the expansion white space of the workspace's active accounts, from a
 * product catalogue, and rolls it up per book next to the book's gap to its NRR target.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { formatDay, type Day } from '../core/dates.js';
import type { Dimension } from '../core/groups.js';
import { accountJson } from '../core/whitespace.js';
import { readCatalogueText, readPipelineText, readSeatsText } from '../ingest/whitespace.js';
import { whiteSpaceReport } from '../service/whitespace.js';
import { StoreError } from '../store/driver.js';
import { money, printableLines, table } from './format.js';
import { workspaceDefinitions } from './input.js';
import { addDefinitionOptions, dayOption, today, type DefinitionFlags } from './options.js';
import { addWorkspaceOption, withWorkspace, type WorkspaceFlags } from './workspace.js';

interface WhiteSpaceFlags extends WorkspaceFlags, DefinitionFlags {
  catalog: string;
  pipeline?: string;
  seats?: string;
  asOf?: Day;
  by?: Dimension;
  format: 'table' | 'json';
}

async function readText(file: string): Promise<{ text: string; name: string }> {
  return { text: await readFile(file, 'utf8'), name: path.basename(file) };
}

export function registerWhiteSpaceCommand(program: Command): void {
  const command = program
    .command('whitespace')
    .description(
      "list each active account's white space (account × product) and roll it up per book next to the book's gap to its NRR target",
    )
    .requiredOption(
      '--catalog <file>',
      'product catalogue CSV (product, price_per_seat or percent_of_arr, eligible_segments)',
    )
    .option('--pipeline <file>', 'open pipeline CSV (account_id, product, arr)')
    .option('--seats <file>', 'potential seat counts CSV (account_id, potential_seats)')
    .option('--as-of <date>', 'the day the accounts are read on (default: today)', dayOption)
    .addOption(
      new Option('--by <dimension>', 'roll up per book of this dimension').choices([
        'csm',
        'segment',
        'region',
        'sub-region',
      ]),
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    );
  addWorkspaceOption(command);
  addDefinitionOptions(command);
  command.action(async (flags: WhiteSpaceFlags) => {
    const catalogue = await readText(flags.catalog);
    const pipeline = flags.pipeline === undefined ? undefined : await readText(flags.pipeline);
    const seats = flags.seats === undefined ? undefined : await readText(flags.seats);
    const products = readCatalogueText(catalogue.text, catalogue.name);
    const seatCounts = seats === undefined ? [] : readSeatsText(seats.text, seats.name);
    await withWorkspace(flags, async (workspace) => {
      const { definitions } = await workspaceDefinitions(workspace, flags);
      const dataset = await workspace.loadDataset();
      if (dataset.lines.length === 0) {
        throw new StoreError(
          `the workspace ${workspace.location} has no contract lines yet; store files with nrr import`,
        );
      }
      const entries =
        pipeline === undefined
          ? []
          : readPipelineText(
              pipeline.text,
              pipeline.name,
              definitions.reportingCurrency,
              definitions.rounding,
            );
      const asOf = flags.asOf ?? today();
      const report = await whiteSpaceReport(workspace, {
        dataset,
        definitions,
        asOf,
        ...(flags.by === undefined ? {} : { by: flags.by }),
        catalogue: products,
        pipeline: entries,
        seats: seatCounts,
      });
      const { fiscalYear, books: rows, accounts } = report;

      if (flags.format === 'json') {
        process.stdout.write(
          JSON.stringify(
            {
              asOf: formatDay(asOf),
              currency: definitions.reportingCurrency,
              fiscalYear,
              books: rows,
              accounts: accounts.map(accountJson),
            },
            null,
            2,
          ) + '\n',
        );
        return;
      }
      const c = definitions.reportingCurrency;
      const out = [
        `White space as of ${formatDay(asOf)} (${c}), gap to the fiscal year ${fiscalYear} NRR target:`,
        table(
          [
            'book',
            'accounts',
            'gross',
            'in pipeline',
            'unpursued',
            'seat headroom',
            'potential',
            'ARR needed',
          ],
          rows.map((row) => [
            flags.by === undefined ? 'company' : row.book,
            String(row.accounts),
            money(row.gross, c),
            money(row.pipeline, c),
            money(row.unpursued, c),
            money(row.seatHeadroom, c),
            money(row.potential, c),
            row.needed === null ? 'no target' : money(Math.max(0, row.needed), c),
          ]),
        ),
        '',
        table(
          ['account', 'segment', ...products.map((product) => product.product), 'potential'],
          accounts
            .filter((account) => account.potential > 0)
            .sort((a, b) => b.potential - a.potential || a.account.localeCompare(b.account))
            .map((account) => [
              account.account,
              account.segment,
              ...account.cells.map((cell) => cell.status),
              money(account.potential, c),
            ]),
        ),
      ];
      process.stdout.write(printableLines(out.join('\n')) + '\n');
    });
  });
}
