/**
 * `nrr targets import FILE` stores NRR and GRR targets per book and fiscal year in the workspace;
 * `nrr targets` lists them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { MAX_YEAR, MIN_YEAR } from '../core/dates.js';
import { formatDecimal, type Decimal } from '../core/money.js';
import { readTargetsText } from '../ingest/targets.js';
import { listTargets, storeTargets, type StoredTarget } from '../store/targets.js';
import { currentUser } from '../store/workspace.js';
import { count, printableLines, table } from './format.js';
import { addWorkspaceOption, withWorkspace, type WorkspaceFlags } from './workspace.js';

/** Parses a `--fiscal-year` value. */
export function fiscalYearOption(text: string): number {
  const year = /^\d{4}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(year >= MIN_YEAR && year <= MAX_YEAR)) {
    throw new InvalidArgumentError(
      `"${text}" is not a fiscal year; write the calendar year in which it ends, e.g. 2026`,
    );
  }
  return year;
}

export function percentText(value: Decimal | null): string {
  return value === null ? '' : `${formatDecimal(value)}%`;
}

function targetJson(target: StoredTarget) {
  return {
    scope: target.scope,
    book: target.book,
    fiscalYear: target.fiscalYear,
    nrrTarget: target.nrr === null ? null : formatDecimal(target.nrr),
    grrTarget: target.grr === null ? null : formatDecimal(target.grr),
    source: target.source,
    importedAt: target.importedAt,
    importedBy: target.importedBy,
  };
}

export function registerTargetCommands(program: Command): void {
  const targets = program
    .command('targets')
    .description('list or import NRR and GRR targets per book and fiscal year');

  const list = targets
    .command('list', { isDefault: true })
    .description('list the stored targets (the default)')
    .option('--fiscal-year <year>', 'only this fiscal year', fiscalYearOption)
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    );
  addWorkspaceOption(list);
  list.action(async (flags: WorkspaceFlags & { fiscalYear?: number; format: 'table' | 'json' }) => {
    await withWorkspace(flags, async (workspace) => {
      const stored = await listTargets(workspace.db, flags.fiscalYear);
      if (flags.format === 'json') {
        process.stdout.write(JSON.stringify(stored.map(targetJson), null, 2) + '\n');
        return;
      }
      if (stored.length === 0) {
        process.stdout.write('No targets are stored; import a file with nrr targets import.\n');
        return;
      }
      const rows = stored.map((target) => [
        String(target.fiscalYear),
        target.scope,
        target.book,
        percentText(target.nrr),
        percentText(target.grr),
        target.source,
      ]);
      process.stdout.write(
        printableLines(
          table(['fiscal year', 'scope', 'book', 'NRR target', 'GRR target', 'source'], rows),
        ) + '\n',
      );
    });
  });

  const importCommand = targets
    .command('import')
    .description(
      'store the targets of a CSV file (scope, book, fiscal_year, nrr_target, grr_target)',
    )
    .argument('<file>', 'targets CSV file');
  addWorkspaceOption(importCommand);
  importCommand.action(async (file: string, flags: WorkspaceFlags) => {
    const text = await readFile(file, 'utf8');
    const name = path.basename(file);
    const parsed = readTargetsText(text, name);
    await withWorkspace(flags, async (workspace) => {
      const outcome = await storeTargets(workspace.db, parsed, name, currentUser());
      process.stdout.write(
        `Stored ${count(parsed.length, 'target')} from ${name}: ${outcome.added} new, ${outcome.replaced} replaced.\n`,
      );
    });
  });
}
