/**
 * Checks of records that the importers accepted but the workspace cannot store: a line in a
 * currency with no FX rate to the reporting currency, and text with a NUL character. The import
 * runs them on each batch it reads, in this thread or in the thread that reads a large line file.
 */
import type { RecordBatch, RowProblem } from '../ingest/index.js';

/** The file a batch came from, as problems name it. */
export interface CheckedFile {
  readonly fileName: string;
  /** Header read for each field. */
  readonly columns: Readonly<Record<string, string>>;
}

/**
 * Returns the problems of a batch's records and the batch without the rows they name. `known`
 * contains the currencies lines may have: the reporting one and those with a rate.
 */
export function checkRecords(
  file: CheckedFile,
  batch: RecordBatch,
  known: ReadonlySet<string>,
  reporting: string,
): { problems: RowProblem[]; kept: RecordBatch } {
  const found: RowProblem[] = [];
  for (const line of batch.lines) {
    // One-time fees and trials never count towards ARR, so they need no rate.
    if (!known.has(line.currency) && line.kind !== 'one-time' && line.kind !== 'trial') {
      found.push({
        file: line.source?.file ?? file.fileName,
        row: line.source?.row ?? 0,
        column: file.columns['currency'] ?? 'currency',
        value: line.currency,
        message: `is a currency with no FX rate to ${reporting} in the workspace; import an FX rate file for it first, or in the same import`,
      });
    }
  }
  found.push(...recordNulProblems(file, batch));
  if (found.length === 0) return { problems: found, kept: batch };
  // Records of one batch come from rows of one file, so the row number finds them.
  const rows = new Set(found.map((problem) => problem.row));
  const kept = <T extends { readonly source?: { readonly row: number } }>(items: readonly T[]) =>
    items.filter((item) => !rows.has(item.source?.row ?? 0));
  return {
    problems: found,
    kept: {
      lines: kept(batch.lines),
      assignments: kept(batch.assignments),
      segments: kept(batch.segments),
      fxRates: kept(batch.fxRates),
    },
  };
}

/** Text fields of a batch's records that PostgreSQL cannot store: they contain a NUL character. */
function recordNulProblems(file: CheckedFile, batch: RecordBatch): RowProblem[] {
  const problems: RowProblem[] = [];
  const check = (
    value: string | undefined,
    source: { file: string; row: number } | undefined,
    fields: readonly string[],
  ) => {
    if (value === undefined || !value.includes('\u0000')) return;
    problems.push(nulProblem(value, source, columnOf(file, fields)));
  };
  for (const line of batch.lines) {
    check(line.id, line.source, ['line_id', 'line']);
    check(line.accountId, line.source, ['account_id', 'customer']);
    check(line.contractId, line.source, ['contract_id']);
    check(line.product, line.source, ['product']);
    check(line.renews, line.source, ['renews']);
  }
  for (const assignment of batch.assignments) {
    check(assignment.role, assignment.source, ['role']);
    check(assignment.person, assignment.source, ['person', 'owner']);
    check(assignment.accountId, assignment.source, ['account_id', 'customer']);
  }
  for (const span of batch.segments) {
    check(span.segment, span.source, ['segment']);
    check(span.region, span.source, ['region']);
    check(span.subRegion, span.source, ['sub_region']);
    check(span.accountId, span.source, ['account_id', 'customer']);
  }
  return problems;
}

/** Returns the header a file reads the first of `fields` from, or the first field's name. */
function columnOf(file: CheckedFile, fields: readonly string[]): string {
  return (
    fields.map((name) => file.columns[name]).find((header) => header !== undefined) ??
    fields[0] ??
    ''
  );
}

export function nulProblem(
  value: string,
  source: { file: string; row: number } | undefined,
  column: string,
): RowProblem {
  return {
    file: source?.file ?? '',
    row: source?.row ?? 0,
    column,
    value,
    message: 'contains a NUL character, which cannot be stored; remove it from the file',
  };
}
