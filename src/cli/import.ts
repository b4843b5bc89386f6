/** `nrr import` and `nrr imports`: store files in the workspace, and list what was stored. */
import { accessSync, constants, existsSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  formatProblem,
  ImportOptionsError,
  type ReadOptions,
  type RowProblem,
} from '../ingest/index.js';
import type { FileOutcome, ImportRecord, Workspace } from '../store/workspace.js';
import {
  importFiles,
  readInputs,
  type FileInput,
  type ImportRun,
  type ImportStage,
} from '../service/import.js';
import { addDataOptions, readOptionsFrom, type DataFlags } from './data.js';
import { count, csv, printable, printableLines, table } from './format.js';
import { Progress } from './progress.js';
import { addWorkspaceOption, withWorkspace, type WorkspaceFlags } from './workspace.js';

interface ImportFlags extends DataFlags, WorkspaceFlags {
  source?: string;
  skipInvalid?: boolean;
  rejectedFile?: string;
  format: 'table' | 'json';
}

/**
 * Imports with progress bars on a terminal, and one line per stage otherwise (for logs); see
 * `importFiles`.
 */
export async function importInputs(
  workspace: Workspace,
  inputs: readonly FileInput[],
  readOptions: ReadOptions,
): Promise<ImportRun> {
  let progress: Progress | undefined;
  let stage: ImportStage | undefined;
  let started = performance.now();
  const rate = (done: number) => {
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? `${Math.round(done / seconds).toLocaleString('en-US')} rows/s` : '';
  };
  try {
    const run = await importFiles(workspace, inputs, readOptions, (next, done, total) => {
      if (next !== stage) {
        progress?.stop();
        stage = next;
        started = performance.now();
        const label = next === 'checking' ? 'Checking' : 'Storing';
        progress = new Progress(label, total, 'rows');
        if (!process.stderr.isTTY) {
          process.stderr.write(`${label} ${total.toLocaleString('en-US')} rows\n`);
        }
      }
      progress?.update(done, rate(done));
    });
    progress?.stop();
    progress = undefined;
    const written = run.outcomes.reduce((sum, outcome) => sum + outcome.records, 0);
    if (written > 0) {
      process.stderr.write(
        `Stored ${written.toLocaleString('en-US')} records (lines, accounts, owners, segments and FX rates) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
    }
    return run;
  } finally {
    progress?.stop();
  }
}

/**
 * Checks before the import that the rejected-rows file can be written and is not an input, so a
 * committed import never ends without its rejected rows.
 */
function checkRejectedFile(target: string, inputs: readonly FileInput[]): void {
  const folder = dirname(resolve(target));
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new ImportOptionsError(
      `--rejected-file ${target}: the folder ${folder} does not exist or cannot be written; create it or choose another path`,
    );
  }
  const real = existsSync(target) ? realpathSync(target) : resolve(target);
  if (inputs.some((input) => realpathSync(input.path) === real)) {
    throw new ImportOptionsError(
      `--rejected-file ${target} is one of the files being imported; choose another path`,
    );
  }
}

function rejectedCsv(problems: readonly RowProblem[]): string {
  return csv(
    ['file', 'row', 'column', 'value', 'problem'],
    problems.map((problem) => [
      problem.file,
      String(problem.row),
      problem.column,
      problem.value,
      problem.message,
    ]),
  );
}

function describeOutcome(outcome: FileOutcome): string {
  const parts = [
    `import #${outcome.importId}: ${outcome.path} stored as ${printable(outcome.source)}`,
  ];
  parts.push(count(outcome.records, 'record'));
  if (outcome.replaced) {
    parts.push(
      `replacing the earlier version: ${outcome.added} lines added, ${outcome.changed} changed, ${outcome.removed} removed, ${outcome.unchanged} unchanged`,
    );
  }
  if (outcome.shared > 0)
    parts.push(`${count(outcome.shared, 'line')} already stored identically from another file`);
  if (outcome.rejected > 0) parts.push(`${count(outcome.rejected, 'row')} rejected`);
  return parts.join(', ');
}

export function registerImportCommands(program: Command): void {
  const command = program
    .command('import')
    .description(
      'store files in the workspace in one transaction: a failed import changes nothing, the same file twice adds nothing, a changed file replaces its earlier version',
    )
    .argument('<files...>', 'files to store');
  addDataOptions(command);
  addWorkspaceOption(command);
  command
    .option(
      '--source <name>',
      'name to store the file under (default: its base name); a later import under the same name replaces it',
    )
    .option(
      '--skip-invalid',
      'store the valid rows and list the rejected ones with their problems in a CSV file (file, row, column, value, problem), instead of failing the import',
    )
    .option(
      '--rejected-file <path>',
      'where --skip-invalid lists the rejected rows (default: nrr-rejected-<import>.csv in the current folder)',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(async (files: string[], flags: ImportFlags) => {
      const readOptions: ReadOptions = {
        ...readOptionsFrom(flags),
        ...(flags.skipInvalid === true ? { skipInvalid: true } : {}),
      };
      const inputs = readInputs(files, flags.source);
      if (flags.rejectedFile !== undefined) checkRejectedFile(flags.rejectedFile, inputs);
      await withWorkspace(flags, async (workspace) => {
        const { stored, unchanged, outcomes, rejected } = await importInputs(
          workspace,
          inputs,
          readOptions,
        );
        const messages = unchanged.map(
          (input) =>
            `${input.path}: unchanged since import #${stored.get(input.source)?.importId ?? '?'} of ${printable(input.source)}; nothing added`,
        );
        let rejectedPath: string | undefined;
        if (rejected.length > 0) {
          rejectedPath =
            flags.rejectedFile ?? `nrr-rejected-${outcomes[0]?.importId ?? 'import'}.csv`;
          writeFileSync(rejectedPath, rejectedCsv(rejected));
        }
        if (flags.format === 'json') {
          process.stdout.write(
            JSON.stringify(
              {
                workspace: workspace.location,
                unchanged: unchanged.map((input) => ({
                  path: input.path,
                  source: input.source,
                  importId: stored.get(input.source)?.importId ?? null,
                })),
                imports: outcomes,
                rejected,
                rejectedFile: rejectedPath ?? null,
              },
              null,
              2,
            ) + '\n',
          );
          return;
        }
        const lines = [...messages, ...outcomes.map(describeOutcome)];
        if (rejected.length > 0) {
          lines.push(
            `${count(rejected.length, 'rejected row problem')} written to ${rejectedPath ?? ''}; the first ones:`,
            ...rejected.slice(0, 10).map((problem) => `  ${formatProblem(problem)}`),
          );
        }
        lines.push(`Workspace: ${workspace.location}`);
        process.stdout.write(printableLines(lines.join('\n')) + '\n');
      });
    });

  const list = program
    .command('imports')
    .description(
      'list the imports stored in the workspace, with what each added, changed or removed',
    )
    .option('--changes <id>', 'list the line ids one import added, changed and removed');
  addWorkspaceOption(list);
  list
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(async (flags: WorkspaceFlags & { changes?: string; format: 'table' | 'json' }) => {
      await withWorkspace(flags, async (workspace) => {
        const records = await workspace.imports();
        if (flags.changes !== undefined) {
          if (!/^\d{1,15}$/.test(flags.changes.trim())) {
            throw new ImportOptionsError(
              `--changes ${JSON.stringify(flags.changes)} is not an import number; nrr imports lists them`,
            );
          }
          const wanted = Number(flags.changes);
          const record = records.find((item) => item.id === wanted);
          if (record === undefined) {
            throw new ImportOptionsError(
              `no import #${flags.changes} in this workspace; nrr imports lists them`,
            );
          }
          process.stdout.write(
            flags.format === 'json'
              ? JSON.stringify(record, null, 2) + '\n'
              : describeChanges(record),
          );
          return;
        }
        if (flags.format === 'json') {
          process.stdout.write(JSON.stringify(records, null, 2) + '\n');
          return;
        }
        if (records.length === 0) {
          process.stdout.write(
            `No imports yet in ${workspace.location}; store files with nrr import.\n`,
          );
          return;
        }
        process.stdout.write(
          table(
            [
              '#',
              'source',
              'preset',
              'kind',
              'rows',
              'stored',
              'rejected',
              'added',
              'changed',
              'removed',
              'by',
              'finished',
              'current',
            ],
            records.map((record) => [
              String(record.id),
              record.source,
              record.preset,
              record.fileKind,
              String(record.rows),
              String(record.records),
              String(record.rejected),
              String(record.added),
              String(record.changed),
              String(record.removed),
              record.importedBy,
              record.finishedAt.slice(0, 19).replace('T', ' '),
              record.current ? 'yes' : 'replaced',
            ]),
          ) + '\n',
        );
      });
    });
}

function describeChanges(record: ImportRecord): string {
  const lines = [
    `Import #${record.id} of ${printable(record.source)} (${printable(record.path)}), sha256 ${record.checksum}, by ${record.importedBy} at ${record.finishedAt}`,
  ];
  for (const [label, ids, total] of [
    ['added', record.changes.added, record.added],
    ['changed', record.changes.changed, record.changed],
    ['removed', record.changes.removed, record.removed],
  ] as const) {
    lines.push(
      `${count(total, 'line')} ${label}${ids.length < total ? ` (first ${ids.length} listed)` : ''}`,
    );
    for (const id of ids) lines.push(`  ${printable(id)}`);
  }
  return printableLines(lines.join('\n')) + '\n';
}
