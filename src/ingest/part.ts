/**
 * The records and summary read from one file, before the files of an import are combined into a
 * dataset.
 */
import type { Assignment, ContractLine, FxRate, SegmentSpan } from '../core/model.js';
import type { AccountDraft } from './accounts.js';
import type { EndDateConvention, PresetName } from './options.js';
import type { FileKind, ImportSummary, LineCounts } from './summary.js';
import { unusedHeaders, type ColumnRef, type Table } from './table.js';

export interface FilePart {
  readonly file: string;
  readonly lines: readonly ContractLine[];
  readonly assignments: readonly Assignment[];
  readonly segments: readonly SegmentSpan[];
  readonly fxRates: readonly FxRate[];
  readonly accountDrafts: readonly AccountDraft[];
  /** Header of the line id column, for problems about ids repeated across files. */
  readonly lineIdHeader?: string;
  /** True when the reader made sure that no two of `lines` share an id. */
  readonly uniqueLineIds?: boolean;
  readonly summary: ImportSummary;
}

export interface SummaryInput {
  readonly table: Table;
  readonly preset: PresetName;
  readonly fileKind: FileKind;
  readonly endDate: EndDateConvention;
  readonly columns: Readonly<Partial<Record<string, ColumnRef>>>;
  readonly duplicateRows: number;
  readonly counts?: LineCounts;
  readonly accounts: number;
  readonly assignments: number;
  readonly segments: number;
  readonly fxRates: number;
  readonly skippedRows?: Readonly<Record<string, number>>;
}

export function buildSummary(input: SummaryInput): ImportSummary {
  const { table, counts } = input;
  const columns: Record<string, string> = {};
  for (const [field, column] of Object.entries(input.columns)) {
    if (column) columns[field] = column.header;
  }
  return {
    file: table.file,
    preset: input.preset,
    fileKind: input.fileKind,
    columns,
    ignoredColumns: unusedHeaders(table, Object.values(input.columns)),
    endDate: input.endDate,
    rows: table.rows.length,
    skippedBlankRows: table.blankRows,
    skippedFooterRows: table.footerRows ?? 0,
    skippedRows: input.skippedRows ?? {},
    duplicateRows: input.duplicateRows,
    lines: counts?.lines ?? 0,
    linesByKind: counts?.linesByKind ?? { recurring: 0, usage: 0, 'one-time': 0, trial: 0 },
    defaultKindLines: counts?.defaultKindLines ?? 0,
    openEndedLines: counts?.openEndedLines ?? 0,
    zeroValueLines: counts?.zeroValueLines ?? 0,
    negativeValueLines: counts?.negativeValueLines ?? 0,
    negativeValueTotal: counts?.negativeValueTotal() ?? '0',
    negativeValueTotals: counts?.negativeValueTotals() ?? {},
    accounts: input.accounts,
    assignments: input.assignments,
    segments: input.segments,
    fxRates: input.fxRates,
  };
}
