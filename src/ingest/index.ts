/**
 * Importers: read CSV files into the canonical model (`Dataset`), checking every row. A file
 * with any bad row raises one `ImportError` listing all problems, and nothing is returned.
 *
 * All functions here are synchronous.
 */
import { readFileSync } from 'node:fs';

import type { Dataset } from '../core/model.js';
import { AccountRegistry } from './accounts.js';
import { isCanonicalSupportFile, readCanonicalFile } from './canonical.js';
import { readMappedFile } from './mapped.js';
import { validateReadOptions, type ReadOptions } from './options.js';
import type { FilePart } from './part.js';
import { ProblemList, type RowProblem } from './problems.js';
import type { ImportSummary } from './summary.js';
import { parseTable } from './table.js';

export {
  ImportOptionsError,
  PRESET_NAMES,
  ROLES,
  isPresetName,
  isRole,
  parseColumnOverrides,
  type EndDateConvention,
  type PresetName,
  type ReadOptions,
  type Role,
} from './options.js';
export { ImportError, MAX_PROBLEMS, formatProblem, type RowProblem } from './problems.js';
export type { FileKind, ImportSummary } from './summary.js';

export interface ImportResult {
  readonly dataset: Dataset;
  readonly summary: ImportSummary;
}

export interface MultiImportResult {
  readonly dataset: Dataset;
  /** One summary per file, in the order the files were given. */
  readonly summaries: readonly ImportSummary[];
  /** Rows left out with `skipInvalid`, one problem each (a row may have several). */
  readonly rejected: readonly RowProblem[];
}

/**
 * Recognises text that is not comma-separated UTF-8: UTF-16 (NUL bytes between characters) and
 * semicolon- or tab-separated files, whose header would otherwise read as one unknown column.
 */
function describeEncoding(text: string): string | undefined {
  const start = text.slice(0, 4096);
  let nulls = 0;
  for (const character of start) if (character === '\u0000') nulls++;
  // In UTF-16 text read as UTF-8, every other byte of ASCII characters is NUL.
  if (start.length > 0 && nulls / start.length > 0.25) {
    return 'the file looks like UTF-16 text (a quarter or more of its first characters are NUL); save it as UTF-8 CSV';
  }
  const header = start.split(/\r?\n/, 1)[0] ?? '';
  if (!header.includes(',') && (header.includes(';') || header.includes('\t'))) {
    const separator = header.includes(';') ? 'semicolons' : 'tabs';
    return `the header has no commas but has ${separator}; save the file as comma-separated CSV`;
  }
  return undefined;
}

/**
 * Reads CSV text as one file of the preset in `options`. `fileName` names the file in problems
 * and in generated line ids.
 *
 * @throws ImportOptionsError for invalid options.
 * @throws ImportError when any row, cell or header is invalid.
 */
export function readText(text: string, fileName: string, options: ReadOptions): ImportResult {
  const { dataset, summaries } = readTexts([{ text, fileName }], options);
  const summary = summaries[0];
  if (summary === undefined) throw new Error(`no summary was produced for ${fileName}`);
  return { dataset, summary };
}

/**
 * Reads one CSV file (UTF-8, with or without a byte order mark). Problems name the file by
 * `path` as given.
 *
 * @throws ImportOptionsError for invalid options.
 * @throws ImportError when any row, cell or header is invalid.
 * @throws the file system error when the file cannot be read.
 */
export function readFile(path: string, options: ReadOptions): ImportResult {
  return readText(readFileSync(path, 'utf8'), path, options);
}

/**
 * Reads several files with the same options into one dataset, for a canonical import split by
 * kind. A line id used in two files, and an account given two names or parents, are problems.
 * Problems from all files are reported together.
 */
export function readFiles(paths: readonly string[], options: ReadOptions): MultiImportResult {
  validateReadOptions(options);
  const inputs = paths.map((path) => ({ text: readFileSync(path, 'utf8'), fileName: path }));
  return readTexts(inputs, options);
}

/** Reads several texts as files with the same options; see `readFiles`. */
export function readTexts(
  inputs: readonly { readonly text: string; readonly fileName: string }[],
  options: ReadOptions,
): MultiImportResult {
  validateReadOptions(options);
  // Skipping keeps every problem, because each names a row written to the rejected-rows file.
  const problems = new ProblemList(options.skipInvalid === true ? Infinity : undefined);
  const parts: FilePart[] = [];
  for (const { text, fileName } of inputs) {
    const encodingProblem = describeEncoding(text);
    if (encodingProblem !== undefined) {
      problems.add({ file: fileName, row: 1, column: '', value: '', message: encodingProblem });
      continue;
    }
    const part = readPart(text, fileName, options, problems);
    if (part) parts.push(part);
  }
  let rejected: readonly RowProblem[] = [];
  let remaining = problems;
  if (options.skipInvalid === true && problems.problems.every((problem) => problem.row > 1)) {
    rejected = problems.problems;
    remaining = new ProblemList();
  }
  const dataset = combineParts(parts, remaining);
  remaining.throwIfAny();
  return { dataset, summaries: parts.map((part) => part.summary), rejected };
}

function readPart(
  text: string,
  file: string,
  options: ReadOptions,
  problems: ProblemList,
): FilePart | undefined {
  const table = parseTable(text, file, problems);
  if (!table) return undefined;
  if (options.preset === 'canonical') return readCanonicalFile(table, options, problems);
  if (isCanonicalSupportFile(table)) {
    // Column overrides and the end-date option describe the line files of the preset.
    const supportOptions: ReadOptions = {
      preset: 'canonical',
      ...(options.currency === undefined ? {} : { currency: options.currency }),
    };
    return readCanonicalFile(table, supportOptions, problems);
  }
  return readMappedFile(table, options.preset, options, problems);
}

/** Merges the parts into one dataset, reporting ids and accounts that conflict across files. */
function combineParts(parts: readonly FilePart[], problems: ProblemList): Dataset {
  const registry = new AccountRegistry(problems);
  for (const part of parts) {
    for (const draft of part.accountDrafts) registry.add(draft);
  }
  reportLineIdsAcrossFiles(parts, problems);
  return {
    accounts: registry.accounts(),
    lines: parts.flatMap((part) => part.lines),
    assignments: parts.flatMap((part) => part.assignments),
    segments: parts.flatMap((part) => part.segments),
    fxRates: parts.flatMap((part) => part.fxRates),
  };
}

function reportLineIdsAcrossFiles(parts: readonly FilePart[], problems: ProblemList): void {
  const firstFile = new Map<string, { file: string; row: number }>();
  for (const part of parts) {
    for (const line of part.lines) {
      const earlier = firstFile.get(line.id);
      const row = line.source?.row ?? 0;
      if (earlier === undefined) {
        firstFile.set(line.id, { file: part.file, row });
        continue;
      }
      problems.add({
        file: part.file,
        row,
        column: part.lineIdHeader ?? 'line_id',
        value: line.id,
        message: `is a line id already used in ${earlier.file} row ${earlier.row}; give each line its own id across all files`,
      });
    }
  }
}
