/**
 * Pieces shared by the vendor presets (`stripe-subscriptions`, `salesforce-opportunities`,
 * `zuora`): counting skipped rows and assembling a file's part.
 */
import type { LineCollector } from './lines.js';
import type { EndDateConvention, PresetName, ReadOptions } from './options.js';
import { PROGRESS_EVERY } from './options.js';
import { buildSummary, type FilePart } from './part.js';
import type { ProblemList } from './problems.js';
import { RowReader } from './row-reader.js';
import type { ColumnRef, Table, TableRow } from './table.js';

/** Counts rows that give no line, by reason. */
export class SkipCounter {
  private readonly counts = new Map<string, number>();

  skip(reason: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  toRecord(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/**
 * Calls `readRow` for every row of the table with a reader that reports into `problems`, and
 * reports progress as the other presets do.
 */
export function eachRow(
  table: Table,
  options: ReadOptions,
  problems: ProblemList,
  readRow: (reader: RowReader, row: TableRow) => void,
): void {
  let checked = 0;
  for (const row of table.rows) {
    if (++checked % PROGRESS_EVERY === 0) options.onProgress?.(checked, table.rows.length);
    readRow(new RowReader(table.file, row, problems), row);
  }
  options.onProgress?.(checked, table.rows.length);
}

export interface LinePartInput {
  readonly table: Table;
  readonly preset: PresetName;
  readonly endDate: EndDateConvention;
  readonly columns: Readonly<Partial<Record<string, ColumnRef>>>;
  readonly collector: LineCollector;
  readonly skipped: SkipCounter;
  readonly lineIdHeader?: string;
}

/** Builds the part of a contract-line file from the lines a vendor preset collected. */
export function linePart(input: LinePartInput): FilePart {
  const { table, collector } = input;
  return {
    file: table.file,
    lines: collector.lines,
    assignments: collector.assignments,
    segments: collector.segments,
    fxRates: [],
    accountDrafts: [],
    ...(input.lineIdHeader !== undefined && { lineIdHeader: input.lineIdHeader }),
    uniqueLineIds: collector.idsAreUnique,
    summary: buildSummary({
      table,
      preset: input.preset,
      fileKind: 'contract-lines',
      endDate: input.endDate,
      columns: input.columns,
      duplicateRows: collector.duplicateRows,
      counts: collector.counts,
      accounts: 0,
      assignments: collector.assignments.length,
      segments: collector.segments.length,
      fxRates: 0,
      skippedRows: input.skipped.toRecord(),
    }),
  };
}
