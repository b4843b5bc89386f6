/**
 * NRR and GRR targets per book and fiscal year, and the fiscal-year calendar they are set on.
 *
 * A target is a percentage held as an exact decimal (105.5 is 105.5%). A fiscal year is named by
 * the calendar year in which it ends, as `--by year` names it: with a fiscal year starting in
 * April, fiscal year 2026 runs from 2025-04-01 to 2026-03-31.
 */
import { addMonths, civilFromDay, dayFromCivil, type Day } from './dates.js';
import type { Dimension } from './groups.js';
import { roundDivide, toMinor, type Decimal, type Minor, type RoundingMode } from './money.js';

/**
 * The reach of a target: the whole company, the books of one dimension, or a team's book (the
 * union of its CSMs' books).
 */
export type TargetScope = 'company' | Dimension | 'team';

export const TARGET_SCOPES: readonly TargetScope[] = [
  'company',
  'csm',
  'segment',
  'region',
  'sub-region',
  'team',
];

export interface Target {
  readonly scope: TargetScope;
  /** The book's key in its dimension; empty for the company. */
  readonly book: string;
  readonly fiscalYear: number;
  /** Target NRR in percent, or null when the row sets only GRR. */
  readonly nrr: Decimal | null;
  /** Target GRR in percent, or null when the row sets only NRR. */
  readonly grr: Decimal | null;
}

/** Returns the first day of a fiscal year. */
export function fiscalYearStart(fiscalYear: number, startMonth: number): Day {
  return dayFromCivil(startMonth > 1 ? fiscalYear - 1 : fiscalYear, startMonth, 1);
}

/** Returns the last day of a fiscal year. */
export function fiscalYearEnd(fiscalYear: number, startMonth: number): Day {
  return addMonths(fiscalYearStart(fiscalYear, startMonth), 12) - 1;
}

/** Returns the fiscal year that contains a day. */
export function fiscalYearOfDay(day: Day, startMonth: number): number {
  const { year, month } = civilFromDay(day);
  return startMonth > 1 && month >= startMonth ? year + 1 : year;
}

/**
 * Computes `percent`% of `base` minor units, rounded once with `mode`. This is the one place
 * where a target turns into money: 105.5% of 1,000,000 is 1,055,000.
 */
export function percentOf(percent: Decimal, base: Minor, mode: RoundingMode): Minor {
  const denominator = 100n * 10n ** BigInt(percent.scale);
  return toMinor(roundDivide(percent.coefficient * BigInt(base), denominator, mode));
}
