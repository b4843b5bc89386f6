/**
 * Typed access to the cells of one data row, reporting each bad cell as a problem.
 */
import { formatDay, type Day } from '../core/dates.js';
import type { EndDateConvention } from './options.js';
import type { ProblemList } from './problems.js';
import type { ColumnRef, TableRow } from './table.js';
import { parseDate, type Parsed } from './values.js';

export class RowReader {
  private readonly problemsBefore: number;
  private missingColumn = false;

  constructor(
    readonly file: string,
    readonly row: TableRow,
    private readonly problems: ProblemList,
  ) {
    this.problemsBefore = problems.count;
  }

  /** Whether a problem was reported for this row, or a required column is absent. */
  get failed(): boolean {
    return this.missingColumn || this.problems.count > this.problemsBefore;
  }

  /** Returns the trimmed cell text, or undefined when the column is absent or the cell blank. */
  text(column: ColumnRef | undefined): string | undefined {
    if (column === undefined) return undefined;
    const cell = this.row.cells[column.index] ?? '';
    return cell === '' ? undefined : cell;
  }

  report(column: ColumnRef, value: string, message: string): void {
    this.problems.add({
      file: this.file,
      row: this.row.row,
      column: column.header,
      value,
      message,
    });
  }

  /**
   * Returns the cell text, or undefined after reporting a missing value with `fix` as the
   * instruction. An absent column was reported once for the header, so it is only noted here.
   */
  required(column: ColumnRef | undefined, fix: string): string | undefined {
    if (column === undefined) {
      this.missingColumn = true;
      return undefined;
    }
    const text = this.text(column);
    if (text === undefined) this.report(column, '', `value is missing; ${fix}`);
    return text;
  }

  /** Parses a cell that may be blank; returns undefined for a blank or invalid cell. */
  optional<T>(column: ColumnRef | undefined, parser: (text: string) => Parsed<T>): T | undefined {
    const text = this.text(column);
    if (column === undefined || text === undefined) return undefined;
    return this.check(column, text, parser(text));
  }

  /** Parses a cell that must not be blank; returns undefined after reporting a problem. */
  parseRequired<T>(
    column: ColumnRef | undefined,
    parser: (text: string) => Parsed<T>,
    fix: string,
  ): T | undefined {
    const text = this.required(column, fix);
    if (column === undefined || text === undefined) return undefined;
    return this.check(column, text, parser(text));
  }

  private check<T>(column: ColumnRef, text: string, parsed: Parsed<T>): T | undefined {
    if (parsed.ok) return parsed.value;
    this.report(column, text, parsed.message);
    return undefined;
  }

  /**
   * Reads an end date and converts it to the model's exclusive end (an inclusive end date `e`
   * becomes `e + 1`). Returns null for a blank cell, meaning open-ended, and undefined after
   * reporting a problem. An end before the start, or a period of zero days, is a problem.
   * `parser` reads the cell; the canonical date parser by default.
   */
  endDate(
    column: ColumnRef | undefined,
    start: Day | undefined,
    convention: EndDateConvention,
    parser: (text: string) => Parsed<Day> = parseDate,
  ): Day | null | undefined {
    const text = this.text(column);
    if (column === undefined || text === undefined) return null;
    const parsed = this.check(column, text, parser(text));
    if (parsed === undefined) return undefined;
    const end = convention === 'inclusive' ? parsed + 1 : parsed;
    if (start === undefined || end > start) return end;
    this.reportEmptyPeriod(column, text, parsed, start);
    return undefined;
  }

  /**
   * Reports an end date that leaves no service: before the start (`parsed < start`), or equal to
   * it with exclusive ends.
   */
  reportEmptyPeriod(column: ColumnRef, text: string, parsed: Day, start: Day): void {
    if (parsed < start) {
      this.report(
        column,
        text,
        `is before the start date ${formatDay(start)}; check both dates, or swap them if the columns are mixed up`,
      );
    } else {
      this.report(
        column,
        text,
        `is the start date, which makes the service period empty because end dates are read as exclusive (the first day after service); give the first day after service, or read the file with inclusive end dates if it gives the last day of service`,
      );
    }
  }
}
