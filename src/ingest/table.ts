/**
 * CSV parsing into a header and trimmed rows, and column lookup by header name.
 */
import { CsvError, parse } from 'csv-parse/sync';

import { scanCsv } from './csv.js';
import type { Role } from './options.js';
import type { ProblemList, RowProblem } from './problems.js';

/** One data row. `row` is the 1-based record number in the file, counting the header as row 1. */
export interface TableRow {
  /** Position among the table's data rows, from 0. */
  readonly index: number;
  readonly row: number;
  /** Cells with outer whitespace trimmed, one per header column. */
  readonly cells: readonly string[];
}

/**
 * The data rows of a table, in file order. A CSV table keeps only where each record starts and
 * builds a row's cells each time the row is read, so a large file is not held as millions of
 * strings.
 */
export interface TableRows extends Iterable<TableRow> {
  readonly length: number;
  /** Returns the row at `index` (from 0). */
  get(index: number): TableRow;
}

export interface Table {
  readonly file: string;
  /** Header names with a byte order mark and outer whitespace removed. */
  readonly headers: readonly string[];
  readonly rows: TableRows;
  /** Rows whose cells are all blank; they are skipped. */
  readonly blankRows: number;
  /** Trailing report footer lines (and blank rows among them) that were dropped. */
  readonly footerRows?: number;
}

/** Rows already built, such as those of a JSON export. */
export function listedRows(rows: readonly TableRow[]): TableRows {
  return {
    length: rows.length,
    get: (index) => {
      const row = rows[index];
      if (row === undefined) throw new RangeError(`no table row ${index}`);
      return row;
    },
    [Symbol.iterator]: () => rows[Symbol.iterator](),
  };
}

/**
 * Parses CSV text into a table. Row numbers count CSV records, so a quoted cell that spans lines
 * does not shift them. Rows with a different number of cells than the header are reported as
 * problems and left out; extra cells that are blank are ignored. Returns undefined when the text
 * is not valid CSV or has no header.
 */
export function parseTable(
  text: string,
  file: string,
  problems: ProblemList,
  layout: TableLayout = {},
): Table | undefined {
  const scanned = scanCsv(text);
  if (scanned) return buildTable(scanned, file, problems, layout);
  let records: string[][];
  try {
    // Every record is returned, blank ones included, so record i (from 0) is file row i + 1
    // even when a quoted cell spans several lines. `scanCsv` reads the same records.
    const parsed: string[][] = parse(text, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
    });
    records = parsed;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    problems.add(csvSyntaxProblem(error, file));
    return undefined;
  }
  return tableFromRecords(records, file, problems, layout);
}

/** Layout rules of a preset that apply before columns are looked up. */
export interface TableLayout {
  /**
   * Recognises a line of a report footer, such as `Grand Totals (12 records)`. Footer lines and
   * blank rows at the end of the file are dropped and counted as `footerRows`.
   */
  readonly isFooterLine?: (text: string) => boolean;
}

/** Records whose index i is file row i + 1 (the header is record 0), with trimmed cells. */
interface RecordSource {
  readonly length: number;
  cells(index: number): readonly string[];
  width(index: number): number;
  /** Index of the last non-blank cell, or -1 when every cell is blank. */
  lastFilledCell(index: number): number;
}

/** Records given as arrays of cells, trimmed once. */
class ListedRecords implements RecordSource {
  private readonly records: readonly (readonly string[])[];

  constructor(records: readonly (readonly string[])[]) {
    this.records = records.map((record) => record.map((cell) => cell.trim()));
  }

  get length(): number {
    return this.records.length;
  }

  cells(index: number): readonly string[] {
    return this.records[index] ?? [];
  }

  width(index: number): number {
    return this.cells(index).length;
  }

  lastFilledCell(index: number): number {
    return this.cells(index).findLastIndex((cell) => cell !== '');
  }
}

/** Rows built from a record source when they are read. */
class SourceRows implements TableRows {
  readonly length: number;

  constructor(
    private readonly source: RecordSource,
    private readonly recordIndexes: Int32Array,
    private readonly headerCount: number,
  ) {
    this.length = recordIndexes.length;
  }

  get(index: number): TableRow {
    const record = this.recordIndexes[index];
    if (record === undefined) throw new RangeError(`no table row ${index}`);
    const cells = this.source.cells(record);
    return {
      index,
      row: record + 1,
      cells: cells.length > this.headerCount ? cells.slice(0, this.headerCount) : cells,
    };
  }

  *[Symbol.iterator](): Iterator<TableRow> {
    for (let index = 0; index < this.length; index++) yield this.get(index);
  }
}

/**
 * Builds a table from records whose index i is file row i + 1 (the header is record 0). Cells
 * are trimmed; see `parseTable` for how rows of the wrong width are reported.
 */
export function tableFromRecords(
  records: readonly (readonly string[])[],
  file: string,
  problems: ProblemList,
  layout: TableLayout = {},
): Table | undefined {
  return buildTable(new ListedRecords(records), file, problems, layout);
}

function buildTable(
  records: RecordSource,
  file: string,
  problems: ProblemList,
  layout: TableLayout,
): Table | undefined {
  const headerRecord = records.length > 0 ? records.cells(0) : [];
  const headers = headerRecord.map((cell) => cell.replace(/^\uFEFF/, '').trim());
  if (headers.every((header) => header === '')) {
    problems.add({
      file,
      row: 1,
      column: '',
      value: '',
      message: 'the file has no header; the first row must name the columns',
    });
    return undefined;
  }

  const dataEnd = findFooterStart(records, layout);
  const recordIndexes = new Int32Array(Math.max(0, dataEnd - 1));
  let rowCount = 0;
  let blankRows = 0;
  for (let index = 1; index < dataEnd; index++) {
    const lastFilled = records.lastFilledCell(index);
    if (lastFilled < 0) {
      blankRows += 1;
      continue;
    }
    const fits = records.width(index) >= headers.length && lastFilled < headers.length;
    if (fits || hasValidWidth(records.cells(index), headers, file, index + 1, problems)) {
      recordIndexes[rowCount++] = index;
    }
  }
  const rows = new SourceRows(records, recordIndexes.slice(0, rowCount), headers.length);
  return { file, headers, rows, blankRows, footerRows: records.length - dataEnd };
}

/**
 * Returns the index of the first record of the footer: the trailing records that are blank or
 * have one non-blank cell that the layout recognises as a footer line. A footer needs at least
 * one recognised line; trailing blank records alone stay in the data and count as blank rows.
 */
function findFooterStart(records: RecordSource, layout: TableLayout): number {
  const isFooterLine = layout.isFooterLine;
  if (isFooterLine === undefined) return records.length;
  let start = records.length;
  let recognised = false;
  while (start > 1) {
    const cells = records.cells(start - 1).filter((cell) => cell !== '');
    if (cells.length === 0) {
      start -= 1;
      continue;
    }
    if (cells.length === 1 && isFooterLine(cells[0] as string)) {
      recognised = true;
      start -= 1;
      continue;
    }
    break;
  }
  return recognised ? start : records.length;
}

function csvSyntaxProblem(error: CsvError, file: string): RowProblem {
  const records = typeof error.records === 'number' ? error.records : 0;
  const line = typeof error.lines === 'number' ? ` near line ${error.lines}` : '';
  return {
    file,
    row: records + 1,
    column: '',
    value: '',
    message: `the file is not valid CSV${line} (${error.message}); check the quoting on this row`,
  };
}

function hasValidWidth(
  cells: readonly string[],
  headers: readonly string[],
  file: string,
  row: number,
  problems: ProblemList,
): boolean {
  if (cells.length < headers.length) {
    problems.add({
      file,
      row,
      column: headers[cells.length] ?? '',
      value: '',
      message: `the row has ${cells.length} cells but the header has ${headers.length}; check the quoting and delimiters on this row`,
    });
    return false;
  }
  const extra = cells.findIndex((cell, index) => index >= headers.length && cell !== '');
  if (extra >= 0) {
    problems.add({
      file,
      row,
      column: `(column ${extra + 1}, no header)`,
      value: cells[extra] ?? '',
      message: `is in a cell past the last of the ${headers.length} header columns; check the quoting and delimiters on this row`,
    });
    return false;
  }
  return true;
}

/** A column found in a table's header. */
export interface ColumnRef {
  readonly index: number;
  readonly header: string;
}

/** A field a reader looks for, with the header names that may contain it. */
export interface FieldSpec<Field extends string> {
  readonly field: Field;
  /** The role through which `--column ROLE=NAME` overrides the header names. */
  readonly role?: Role;
  /** Header names tried in order, matched ignoring case. */
  readonly headers: readonly string[];
  readonly required: boolean;
}

/** Builds a field spec; `role` undefined means `--column` cannot point the field elsewhere. */
export function fieldSpec<Field extends string>(
  field: Field,
  role: Role | undefined,
  headers: readonly string[],
  required = false,
): FieldSpec<Field> {
  return { field, ...(role !== undefined && { role }), headers, required };
}

export type ResolvedColumns<Field extends string> = Partial<Record<Field, ColumnRef>>;

function normaliseHeader(header: string): string {
  return header.trim().toLowerCase();
}

/** Returns the indexes of every column whose header matches `name`, ignoring case. */
export function findHeaders(table: Table, name: string): number[] {
  const target = normaliseHeader(name);
  const indexes: number[] = [];
  table.headers.forEach((header, index) => {
    if (normaliseHeader(header) === target) indexes.push(index);
  });
  return indexes;
}

export function hasHeader(table: Table, name: string): boolean {
  return findHeaders(table, name).length > 0;
}

/**
 * Finds the column for each field, using an override from `columns` where the field's role has
 * one. A missing required column, an override naming no header, and a header that appears twice
 * are each one problem on row 1.
 */
export function resolveColumns<Field extends string>(
  table: Table,
  specs: readonly FieldSpec<Field>[],
  columns: Partial<Record<Role, string>>,
  problems: ProblemList,
): ResolvedColumns<Field> {
  const resolved: ResolvedColumns<Field> = {};
  for (const spec of specs) {
    const override = spec.role === undefined ? undefined : columns[spec.role];
    const candidates = override === undefined ? spec.headers : [override];
    let found = false;
    for (const candidate of candidates) {
      const indexes = findHeaders(table, candidate);
      const index = indexes[0];
      if (index === undefined) continue;
      found = true;
      if (indexes.length > 1) {
        problems.add({
          file: table.file,
          row: 1,
          column: candidate,
          value: '',
          message: `the header has ${indexes.length} columns named ${JSON.stringify(candidate)} (ignoring case); rename all but one`,
        });
        break;
      }
      resolved[spec.field] = { index, header: table.headers[index] ?? candidate };
      break;
    }
    if (!found && (spec.required || override !== undefined)) {
      problems.add(missingColumnProblem(table, spec, candidates, override !== undefined));
    }
  }
  return resolved;
}

function missingColumnProblem<Field extends string>(
  table: Table,
  spec: FieldSpec<Field>,
  candidates: readonly string[],
  overridden: boolean,
): RowProblem {
  const expected = candidates[0] ?? spec.field;
  const found = table.headers.filter((header) => header !== '').map((h) => JSON.stringify(h));
  const names = candidates.map((candidate) => JSON.stringify(candidate)).join(' or ');
  const columnDescription =
    spec.role === undefined ? 'required column' : `column for role "${spec.role}"`;
  const source = overridden ? `, given by --column ${spec.role}=${expected},` : '';
  const fix =
    spec.role === undefined
      ? `rename the header to ${JSON.stringify(expected)}`
      : `rename the header to ${JSON.stringify(expected)} or pass --column ${spec.role}=NAME with the header that contains it`;
  return {
    file: table.file,
    row: 1,
    column: expected,
    value: '',
    message: `${columnDescription}${source} is missing: no header is named ${names}; the headers are ${found.join(', ')}; ${fix}`,
  };
}

/** Lists the non-blank headers that no resolved column uses. */
export function unusedHeaders(table: Table, used: readonly (ColumnRef | undefined)[]): string[] {
  const usedIndexes = new Set(used.map((column) => column?.index));
  return table.headers.filter((header, index) => header !== '' && !usedIndexes.has(index));
}
