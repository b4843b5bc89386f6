import { expect } from 'vitest';

import { parseDay, type Day } from '../../src/core/dates.js';
import { ImportError, type RowProblem } from '../../src/ingest/index.js';

/** Quotes a cell for CSV: always quoted, with inner quotes doubled. */
export function csvCell(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** Builds CSV text from rows of cells, quoting every cell. */
export function csvText(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/** Runs `read` and returns the problems of the ImportError it must throw. */
export function problemsOf(read: () => unknown): readonly RowProblem[] {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError);
    return (error as ImportError).problems;
  }
  expect.fail('expected an ImportError, but the import succeeded');
}

/** Runs `read`, which must fail with exactly one problem, and returns it. */
export function singleProblem(read: () => unknown): RowProblem {
  const problems = problemsOf(read);
  expect(problems.map((problem) => problem.message)).toHaveLength(1);
  return problems[0] as RowProblem;
}

export function day(text: string): Day {
  const value = parseDay(text);
  if (value === undefined) throw new Error(`invalid test date ${text}`);
  return value;
}
