/**
 * Row-level problems found while importing, and the one error that reports all of them.
 */

/** One bad cell, row or header, located by file, 1-based row (the header is row 1) and column. */
export interface RowProblem {
  readonly file: string;
  readonly row: number;
  /** Header name of the cell, or the expected header name when a column is missing. */
  readonly column: string;
  /** The cell text after trimming its outer whitespace; empty for a missing value or column. */
  readonly value: string;
  /** The reason and the fix, written to follow the quoted value (see `formatProblem`). */
  readonly message: string;
}

/** Maximum number of problems kept in an `ImportError`; the rest are only counted. */
export const MAX_PROBLEMS = 1000;

/** Number of problems listed in `ImportError.message`; `problems` has all the kept ones. */
const PROBLEMS_IN_MESSAGE = 20;

/** Maximum characters of a value quoted in a formatted problem; longer values end in an ellipsis. */
const MAX_QUOTED_VALUE = 80;

/** Raised when a file has bad rows or columns; nothing of the import is returned. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  readonly code = 'invalid-rows';
  readonly problems: readonly RowProblem[];
  /** Problems found beyond `MAX_PROBLEMS`, counted but not kept. */
  readonly omittedProblems: number;

  constructor(problems: readonly RowProblem[], omittedProblems: number) {
    super(describeProblems(problems, omittedProblems));
    this.problems = problems;
    this.omittedProblems = omittedProblems;
  }
}

/**
 * Formats a problem as one line, such as
 * `q.csv row 14, column "ValidTo": "2013-02-30" is not a valid date; use YYYY-MM-DD`.
 * A problem with an empty value leaves the quoted value out, and one with an empty column (a
 * problem with the whole row) leaves the column out.
 */
export function formatProblem(problem: RowProblem): string {
  const column = problem.column === '' ? '' : `, column ${JSON.stringify(problem.column)}`;
  const location = `${problem.file} row ${problem.row}${column}`;
  if (problem.value === '') return `${location}: ${problem.message}`;
  return `${location}: ${quoteValue(problem.value)} ${problem.message}`;
}

/** Quotes a cell value for a message, escaping control characters and cutting long values. */
export function quoteValue(value: string): string {
  const characters = Array.from(value);
  if (characters.length <= MAX_QUOTED_VALUE) return JSON.stringify(value);
  const head = characters.slice(0, MAX_QUOTED_VALUE).join('');
  return `${JSON.stringify(head)}… (${characters.length} characters)`;
}

function describeProblems(problems: readonly RowProblem[], omitted: number): string {
  const total = problems.length + omitted;
  const files = [...new Set(problems.map((problem) => problem.file))];
  const heading = `${total} ${total === 1 ? 'problem' : 'problems'} in ${files.join(', ')}; nothing was imported:`;
  const listed = problems.slice(0, PROBLEMS_IN_MESSAGE).map((problem) => formatProblem(problem));
  const unlisted = total - listed.length;
  if (unlisted > 0) listed.push(`… and ${unlisted} more`);
  return [heading, ...listed.map((line) => `  ${line}`)].join('\n');
}

/** Collects problems across the files of one import, keeping the first `MAX_PROBLEMS`. */
export class ProblemList {
  private readonly kept: RowProblem[] = [];
  private omitted = 0;

  /** `limit` problems are kept; the rest are only counted. */
  constructor(private readonly limit = MAX_PROBLEMS) {}

  /** The problems kept so far, in the order they were added. */
  get problems(): readonly RowProblem[] {
    return this.kept;
  }

  /** Number of problems added so far, including the omitted ones. */
  get count(): number {
    return this.kept.length + this.omitted;
  }

  add(problem: RowProblem): void {
    if (this.kept.length < this.limit) this.kept.push(problem);
    else this.omitted += 1;
  }

  /** Throws one `ImportError` with every problem added so far, if there are any. */
  throwIfAny(): void {
    if (this.count > 0) throw new ImportError([...this.kept], this.omitted);
  }
}
