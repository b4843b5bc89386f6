/**
 * The steps of reading files that the whole-file readers and the batched import reader share:
 * decoding, parsing into tables, reading each table with its preset, and the checks across files.
 */
import type { ContractLine, Dataset } from '../core/model.js';
import { AccountRegistry } from './accounts.js';
import { isCanonicalSupportFile, readCanonicalFile } from './canonical.js';
import { looksLikeJson, parseJsonTable } from './json-table.js';
import { readMappedFile } from './mapped.js';
import type { ReadOptions } from './options.js';
import type { FilePart } from './part.js';
import { ProblemList, type RowProblem } from './problems.js';
import { readSalesforceFile, SALESFORCE_LAYOUT } from './salesforce.js';
import { readStripeFile } from './stripe.js';
import type { ImportSummary } from './summary.js';
import { parseTable, tableFromRecords, type Table } from './table.js';
import { readFirstSheet } from './xlsx.js';
import {
  readZuoraCharges,
  readZuoraRatePlans,
  readZuoraSubscriptions,
  ZuoraContext,
  zuoraFileKind,
} from './zuora.js';

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

/** Decodes a file: a workbook when the name ends in `.xlsx`, UTF-8 text otherwise. */
export async function loadSource(
  data: Buffer,
  fileName: string,
  problems: ProblemList,
): Promise<Source> {
  if (/\.xlsx$/i.test(fileName)) return loadWorkbook(data, fileName, problems);
  return { fileName, text: data.toString('utf8') };
}

/** Skipping keeps every problem, because each names a row written to the rejected-rows file. */
export function newProblemList(options: ReadOptions): ProblemList {
  return new ProblemList(options.skipInvalid === true ? Infinity : undefined);
}

/** A file's content: text, or the cells of a worksheet (none when it could not be read). */
export type Source =
  | { readonly fileName: string; readonly text: string }
  | { readonly fileName: string; readonly records: readonly (readonly string[])[] | undefined };

async function loadWorkbook(data: Buffer, path: string, problems: ProblemList): Promise<Source> {
  const invalid = (message: string): Source => {
    problems.add({ file: path, row: 1, column: '', value: '', message });
    return { fileName: path, records: undefined };
  };
  let sheet;
  try {
    sheet = await readFirstSheet(data);
  } catch (error) {
    return invalid(
      `the file is not a readable XLSX workbook (${(error as Error).message}); save it again as .xlsx, or export it as CSV`,
    );
  }
  if (sheet === undefined)
    return invalid('the workbook has no worksheet; add the data as its first sheet');
  return { fileName: `${path} sheet ${JSON.stringify(sheet.sheetName)}`, records: sheet.records };
}

export function readSources(
  sources: readonly Source[],
  options: ReadOptions,
  problems: ProblemList,
): MultiImportResult {
  const parts = readParts(sources, options, problems);
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

/** Parses each source and reads the files that parse, in order, reporting into `problems`. */
export function readParts(
  sources: readonly Source[],
  options: ReadOptions,
  problems: ProblemList,
): FilePart[] {
  const tables: { table: Table; dialect: 'api' | 'dashboard' }[] = [];
  for (const source of sources) {
    const parsed = parseSource(source, options, problems);
    if (parsed) tables.push(parsed);
  }
  return options.preset === 'zuora'
    ? readZuoraTables(
        tables.map(({ table }) => table),
        options,
        problems,
      )
    : tables.flatMap(({ table, dialect }) => readPart(table, dialect, options, problems) ?? []);
}

export function parseSource(
  source: Source,
  options: ReadOptions,
  problems: ProblemList,
): { table: Table; dialect: 'api' | 'dashboard' } | undefined {
  const { fileName } = source;
  const layout = options.preset === 'salesforce-opportunities' ? SALESFORCE_LAYOUT : {};
  if (!('text' in source)) {
    const table = source.records && tableFromRecords(source.records, fileName, problems, layout);
    return table ? { table, dialect: 'dashboard' } : undefined;
  }
  const { text } = source;
  if (options.preset === 'stripe-subscriptions' && looksLikeJson(text)) {
    const table = parseJsonTable(text, fileName, problems);
    return table ? { table, dialect: 'api' } : undefined;
  }
  const encodingProblem = describeEncoding(text);
  if (encodingProblem !== undefined) {
    problems.add({ file: fileName, row: 1, column: '', value: '', message: encodingProblem });
    return undefined;
  }
  const table = parseTable(text, fileName, problems, layout);
  return table ? { table, dialect: 'dashboard' } : undefined;
}

function readPart(
  table: Table,
  dialect: 'api' | 'dashboard',
  options: ReadOptions,
  problems: ProblemList,
): FilePart | undefined {
  if (options.preset === 'canonical') return readCanonicalFile(table, options, problems);
  if (isCanonicalSupportFile(table)) return readSupportFile(table, options, problems);
  switch (options.preset) {
    case 'stripe-subscriptions':
      return readStripeFile(table, dialect, options, problems);
    case 'salesforce-opportunities':
      return readSalesforceFile(table, options, problems);
    case 'zuora':
      throw new Error('Zuora files are read together by readZuoraTables');
    default:
      return readMappedFile(table, options.preset, options, problems);
  }
}

/** Reads a canonical accounts, assignments, segments or FX rates file given with another preset. */
function readSupportFile(
  table: Table,
  options: ReadOptions,
  problems: ProblemList,
): FilePart | undefined {
  // Column overrides and the end-date option describe the line files of the preset.
  const supportOptions: ReadOptions = {
    preset: 'canonical',
    ...(options.currency === undefined ? {} : { currency: options.currency }),
  };
  return readCanonicalFile(table, supportOptions, problems);
}

/**
 * Reads the files of a Zuora import: subscription and rate plan exports first, so that the
 * charge exports can use them, whatever the order the files were given in. Parts keep the order
 * of the files.
 */
function readZuoraTables(
  tables: readonly Table[],
  options: ReadOptions,
  problems: ProblemList,
): FilePart[] {
  const context = new ZuoraContext();
  const parts = new Map<Table, FilePart>();
  const kinds = tables.map((table) => zuoraFileKind(table));
  tables.forEach((table, index) => {
    if (kinds[index] === 'subscriptions') {
      parts.set(table, readZuoraSubscriptions(table, context, options, problems));
    } else if (kinds[index] === 'rate-plans') {
      parts.set(table, readZuoraRatePlans(table, context, options, problems));
    }
  });
  tables.forEach((table, index) => {
    if (kinds[index] === 'charges') {
      parts.set(table, readZuoraCharges(table, context, options, problems));
    } else if (kinds[index] === undefined) {
      if (isCanonicalSupportFile(table)) {
        const part = readSupportFile(table, options, problems);
        if (part) parts.set(table, part);
        return;
      }
      problems.add({
        file: table.file,
        row: 1,
        column: '',
        value: '',
        message:
          'the header is not that of a Zuora rate plan charge, subscription or rate plan export (no Charge Number, MRR, Effective Start Date, Subscription Start Date, Term Type or Product Rate Plan ID column); check that the file belongs to this import',
      });
    }
  });
  return tables.flatMap((table) => parts.get(table) ?? []);
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

export function reportLineIdsAcrossFiles(parts: readonly FilePart[], problems: ProblemList): void {
  const lineParts = parts.filter((part) => part.lines.length > 0);
  // A single file whose reader already checked its ids has nothing to report.
  if (lineParts.length === 0 || (lineParts.length === 1 && lineParts[0]?.uniqueLineIds === true)) {
    return;
  }
  // Each id maps to its position in the lines of all files together, a small integer, which
  // costs less memory than an object per line.
  const firstPosition = new Map<string, number>();
  const partStarts: number[] = [];
  let position = 0;
  for (const part of lineParts) {
    partStarts.push(position);
    for (const line of part.lines) {
      const earlier = firstPosition.get(line.id);
      if (earlier === undefined) {
        firstPosition.set(line.id, position++);
        continue;
      }
      position++;
      const earlierPart = partAt(lineParts, partStarts, earlier);
      const earlierRow = earlierPart.lines[earlier - earlierPart.start]?.source?.row ?? 0;
      problems.add({
        file: part.file,
        row: line.source?.row ?? 0,
        column: part.lineIdHeader ?? 'line_id',
        value: line.id,
        message: `is a line id already used in ${earlierPart.file} row ${earlierRow}; give each line its own id across all files`,
      });
    }
  }
}

/** Finds the part that holds the line at `position` among the lines of all parts together. */
function partAt(
  parts: readonly FilePart[],
  partStarts: readonly number[],
  position: number,
): { file: string; lines: readonly ContractLine[]; start: number } {
  let index = partStarts.length - 1;
  while (index > 0 && (partStarts[index] ?? 0) > position) index--;
  const part = parts[index];
  if (part === undefined) throw new Error(`no file holds line ${position}`);
  return { file: part.file, lines: part.lines, start: partStarts[index] ?? 0 };
}
