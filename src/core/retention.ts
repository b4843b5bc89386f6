/**
 * Cohort retention over a window: the units active (ARR > 0) on the window's first day are the
 * cohort. NRR = their ARR on the last day ÷ their ARR on the first day, new logos excluded and
 * units that left counted as 0. GRR caps each unit at its starting ARR. Logo retention = cohort
 * units still active ÷ cohort units. Books use the unit's book on the window's first day.
 */
import { fillUnitArr, UnitArrCursor } from './analysis.js';
import type { Analysis } from './analysis.js';
import { codeAt } from './groups.js';
import type { GroupIndex } from './groups.js';
import { ratioValue } from './money.js';
import { lowerBound } from './search.js';

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
  const count = windows.length;
  const froms = Int32Array.from(windows, (window) => window.from);
  const tos = Int32Array.from(windows, (window) => window.to);
  // Per window: cohort units, retained units, start ARR, end ARR and capped ARR.
  const sums = new Float64Array(count * 5);
  const width = analysis.samples.length;
  const row = new Float64Array(width);
  const { arrOffsets, arrSamples, arrValues } = analysis;
  // When the windows are in order of their first sample, as trailing windows are, each unit
  // visits only the windows that start while it has ARR.
  const ordered = froms.every((from, index) => index === 0 || (froms[index - 1] as number) <= from);
  for (let unit = 0; unit < analysis.units; unit++) {
    const firstChange = arrOffsets[unit] as number;
    const lastChange = (arrOffsets[unit + 1] as number) - 1;
    // A unit that never has ARR is in no cohort.
    if (lastChange < firstChange) continue;
    // ARR is 0 before the first stored change, and from the last one on when that sets it to 0.
    const positiveFrom = arrSamples[firstChange] as number;
    const positiveTo = arrValues[lastChange] === 0 ? (arrSamples[lastChange] as number) : width;
    const first = ordered ? lowerBound(froms, positiveFrom) : 0;
    const stop = ordered ? lowerBound(froms, positiveTo) : count;
    if (first >= stop) continue;
    fillUnitArr(analysis, unit, row);
    for (let index = first; index < stop; index++) {
      const start = row[froms[index] as number] as number;
      if (start <= 0) continue;
      const end = row[tos[index] as number] as number;
      const base = index * 5;
      sums[base] = (sums[base] as number) + 1;
      if (end > 0) sums[base + 1] = (sums[base + 1] as number) + 1;
      sums[base + 2] = (sums[base + 2] as number) + start;
      sums[base + 3] = (sums[base + 3] as number) + end;
      sums[base + 4] = (sums[base + 4] as number) + Math.min(start, end);
    }
  }
  return windows.map((_, index) => ({
    cohortAccounts: sums[index * 5] as number,
    retainedAccounts: sums[index * 5 + 1] as number,
    startArr: sums[index * 5 + 2] as number,
    endArr: sums[index * 5 + 3] as number,
    cappedArr: sums[index * 5 + 4] as number,
  }));
}

/** Computes company retention between two samples (`from` ≤ `to`). */
export function companyRetention(analysis: Analysis, from: number, to: number): RetentionFigures {
  const figures = emptyRetention();
  visitCohort(analysis, from, to, (_, start, end) => add(figures, start, end));
  return figures;
}

/** Retention per book (by the book on the window's first day), indexed by key code; `from` ≤ `to`. */
export function groupRetention(
  analysis: Analysis,
  groups: GroupIndex,
  from: number,
  to: number,
): RetentionFigures[] {
  const result = groups.keys.map(() => emptyRetention());
  visitCohort(analysis, from, to, (unit, start, end) => {
    add(result[codeAt(groups, unit, from)] as RetentionFigures, start, end);
  });
  return result;
}

/**
 * Calls `visit` with the ARR on `from` and on `to` of each unit in the cohort of `from`, stepping
 * through each unit's stored changes once (`from` ≤ `to`).
 */
function visitCohort(
  analysis: Analysis,
  from: number,
  to: number,
  visit: (unit: number, start: number, end: number) => void,
): void {
  const cursor = new UnitArrCursor(analysis);
  for (let unit = 0; unit < analysis.units; unit++) {
    if (!cursor.start(unit)) continue;
    const start = cursor.at(from);
    if (start > 0) visit(unit, start, cursor.at(to));
  }
}
