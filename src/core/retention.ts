/**
 * Cohort retention over a window: the units active (ARR > 0) on the window's first day are the
 * cohort. NRR = their ARR on the last day ÷ their ARR on the first day, new logos excluded and
 * units that left counted as 0. GRR caps each unit at its starting ARR. Logo retention = cohort
 * units still active ÷ cohort units. Books use the unit's book on the window's first day.
 */
import type { Analysis } from './analysis.js';
import { codeAt } from './groups.js';
import type { GroupIndex } from './groups.js';
import { ratioValue } from './money.js';

export interface RetentionFigures {
  cohortAccounts: number;
  retainedAccounts: number;
  /** Cohort ARR on the window's first day (the denominator of NRR and GRR). */
  startArr: number;
  /** Cohort ARR on the window's last day (the numerator of NRR). */
  endArr: number;
  /** Σ min(end, start) per cohort unit (the numerator of GRR). */
  cappedArr: number;
}

export function emptyRetention(): RetentionFigures {
  return { cohortAccounts: 0, retainedAccounts: 0, startArr: 0, endArr: 0, cappedArr: 0 };
}

export function nrrOf(figures: RetentionFigures): number | null {
  return ratioValue({ numerator: figures.endArr, denominator: figures.startArr });
}

export function grrOf(figures: RetentionFigures): number | null {
  return ratioValue({ numerator: figures.cappedArr, denominator: figures.startArr });
}

export function logoRetentionOf(figures: RetentionFigures): number | null {
  return ratioValue({ numerator: figures.retainedAccounts, denominator: figures.cohortAccounts });
}

function add(figures: RetentionFigures, start: number, end: number): void {
  figures.cohortAccounts++;
  figures.startArr += start;
  figures.endArr += end;
  figures.cappedArr += Math.min(start, end);
  if (end > 0) figures.retainedAccounts++;
}

/**
 * Computes company retention for several windows in one pass over the units, which reads each
 * unit's samples once instead of once per window.
 */
export function companyRetentions(
  analysis: Analysis,
  windows: readonly { from: number; to: number }[],
): RetentionFigures[] {
  const result = windows.map(() => emptyRetention());
  const { arr } = analysis;
  const width = analysis.samples.length;
  for (let row = 0; row < analysis.units * width; row += width) {
    windows.forEach(({ from, to }, index) => {
      const start = arr[row + from] as number;
      if (start > 0) add(result[index] as RetentionFigures, start, arr[row + to] as number);
    });
  }
  return result;
}

/** Computes company retention between two samples. */
export function companyRetention(analysis: Analysis, from: number, to: number): RetentionFigures {
  return companyRetentions(analysis, [{ from, to }])[0] as RetentionFigures;
}

/** Retention per book (by the book on the window's first day), indexed by key code. */
export function groupRetention(
  analysis: Analysis,
  groups: GroupIndex,
  from: number,
  to: number,
): RetentionFigures[] {
  const result = groups.keys.map(() => emptyRetention());
  const width = analysis.samples.length;
  for (let unit = 0; unit < analysis.units; unit++) {
    const start = analysis.arr[unit * width + from] as number;
    if (start > 0) {
      add(
        result[codeAt(groups, unit, from)] as RetentionFigures,
        start,
        analysis.arr[unit * width + to] as number,
      );
    }
  }
  return result;
}
