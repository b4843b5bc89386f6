/**
 * Timing effects of renewals on a window: how much ARR, the bridge and cohort NRR moved because
 * renewals started early or late rather than on their renewal date.
 *
 * Each effect compares the figures with those of the same data in which the renewals of one
 * timing start on their renewal date instead. Their lines keep their ARR and their end, so only
 * the start moves: an early renewal's uplift or add-on then arrives on the renewal date, and a
 * late renewal's gap closes. Renewals signed early or late but starting on the renewal date do
 * not move ARR, so their effect is zero.
 */
import type { Analysis } from './analysis.js';
import { analyse, unitArr } from './analysis.js';
import { companyBridge } from './bridge.js';
import type { BridgeTotals } from './bridge.js';
import { formatDay, formatMonth } from './dates.js';
import type { Day } from './dates.js';
import { fiscalYearOf } from './bridge.js';
import type { Dimension } from './groups.js';
import { minorExponent } from './money.js';
import type { ContractLine, Dataset } from './model.js';
import { grrOf, nrrOf } from './retention.js';
import type { RetentionFigures } from './retention.js';
import { scopedRetention } from './renewal-rates.js';
import { bookFilters, bookIndices, renewalMatches, RENEWAL_TIMINGS } from './renewals.js';
import type { Renewal, RenewalFilter, RenewalTiming } from './renewals.js';

/** The renewals of one timing in a period: how many, their ATR and the ARR change they made. */
export interface TimingClass {
  timing: RenewalTiming;
  renewals: number;
  atr: number;
  renewedArr: number;
  /** Σ (renewed ARR − ATR). */
  change: number;
}

/** The change in the window's figures from one timing: actual minus had-they-been-on-time. */
export interface TimingEffect {
  /**
   * Renewals of this timing that start on another day than their renewal date, with the days
   * between the two reaching into the window.
   */
  shiftedRenewals: number;
  arrAtStart: number;
  arrAtEnd: number;
  /** Difference of each bridge movement. */
  bridge: Omit<BridgeTotals, 'transferIn' | 'transferOut'>;
  actual: { nrr: number | null; grr: number | null; cohort: RetentionFigures };
  /** The figures had these renewals started on their renewal dates. */
  onRenewalDate: { nrr: number | null; grr: number | null; cohort: RetentionFigures };
  /** Accounts whose ARR differs on the window start or end, largest difference first. */
  accounts: { account: string; renewalDates: string[]; atStart: number; atEnd: number }[];
}

/** A renewal whose ARR change lands in another month or period than its renewal date. */
export interface MovedRenewal {
  account: string;
  renewalDate: string;
  effectiveDate: string;
  timing: RenewalTiming;
  /** Renewed ARR minus the ARR available to renew. */
  change: number;
  renewalMonth: string;
  effectiveMonth: string;
  /** Fiscal quarters, named like 2025-Q1 after the fiscal year. */
  renewalQuarter: string;
  effectiveQuarter: string;
}

export interface TimingReport {
  window: { start: string; end: string };
  /** Reporting currency of every amount, in its minor units. */
  currency: string;
  /** The renewals due in the period, by timing; those not renewed have no timing. */
  byTiming: TimingClass[];
  /** Effects of early starts and of late starts on the window. */
  effects: { early: TimingEffect; late: TimingEffect };
  /** Early renewals that start in the period but are due after it: change pulled into it. */
  pulledIn: MovedRenewal[];
  /** Late renewals due in the period that start after it: change pushed out of it. */
  pushedOut: MovedRenewal[];
  /** Late renewals due in the period that start in another month than their renewal date. */
  crossings: MovedRenewal[];
}

/**
 * Rewrites the lines of shifted renewals to start on their renewal date. Each keeps its end and its
 * ARR, written as an amount per year in minor units, so that a shorter or longer term does not
 * change the annualisation.
 */
function onRenewalDates(
  analysis: Analysis,
  dataset: Dataset,
  shifted: readonly Renewal[],
): Dataset {
  const { prepared } = analysis;
  const lines = [...dataset.lines];
  for (const renewal of shifted) {
    for (const index of renewal.successors) {
      const line = lines[index] as ContractLine;
      if (line.start === renewal.renewalDay) continue;
      if (line.end !== null && line.end <= renewal.renewalDay) continue;
      lines[index] = {
        ...line,
        start: renewal.renewalDay,
        amount: {
          coefficient: BigInt(prepared.lineArr[index] as number),
          scale: minorExponent(line.currency),
        },
        period: { unit: 'year', count: 1 },
      };
    }
  }
  return { ...dataset, lines };
}

/**
 * Checks whether moving a renewal's start to its renewal date can change the window's figures:
 * the days between the two must reach into the window.
 */
function reachesWindow(analysis: Analysis, renewal: Renewal): boolean {
  const effective = renewal.effectiveDay as number;
  const first = Math.min(effective, renewal.renewalDay);
  const last = Math.max(effective, renewal.renewalDay);
  return first <= analysis.asOf && last > analysis.windowStart;
}

function isShifted(renewal: Renewal, timing: 'early' | 'late'): boolean {
  if (renewal.effectiveDay === null) return false;
  return timing === 'early'
    ? renewal.effectiveDay < renewal.renewalDay
    : renewal.effectiveDay > renewal.renewalDay;
}

/** Computes the effect of moving one timing's renewals to their renewal dates. */
function timingEffect(
  analysis: Analysis,
  dataset: Dataset,
  renewals: readonly Renewal[],
  scope: Partial<Record<Dimension, string>>,
  timing: 'early' | 'late',
): TimingEffect {
  const shifted = renewals.filter(
    (renewal) => isShifted(renewal, timing) && reachesWindow(analysis, renewal),
  );
  const other =
    shifted.length === 0
      ? analysis
      : analyse(onRenewalDates(analysis, dataset, shifted), analysis.definitions, analysis.asOf, {
          windowStart: analysis.windowStart,
        });
  const { windowStartSample: from, asOfSample: to } = analysis;
  const actualCohort = scopedRetention(analysis, bookIndices(analysis, dataset), scope);
  const otherCohort = scopedRetention(other, bookIndices(other, dataset), scope);
  const actualBridge = companyBridge(analysis, from, to);
  const otherBridge = companyBridge(other, from, to);

  const datesByUnit = new Map<number, string[]>();
  for (const renewal of shifted) {
    const dates = datesByUnit.get(renewal.unit) ?? [];
    dates.push(formatDay(renewal.renewalDay));
    datesByUnit.set(renewal.unit, dates);
  }
  const accounts: TimingEffect['accounts'] = [];
  for (const [unit, renewalDates] of datesByUnit) {
    const atStart = unitArr(analysis, unit, from) - unitArr(other, unit, from);
    const atEnd = unitArr(analysis, unit, to) - unitArr(other, unit, to);
    if (atStart === 0 && atEnd === 0) continue;
    const account = analysis.prepared.unitRoot[unit] as string;
    accounts.push({ account, renewalDates, atStart, atEnd });
  }
  accounts.sort(byLargestDifference);

  return {
    shiftedRenewals: shifted.length,
    arrAtStart: (analysis.totals[from] as number) - (other.totals[from] as number),
    arrAtEnd: (analysis.totals[to] as number) - (other.totals[to] as number),
    bridge: {
      start: actualBridge.start - otherBridge.start,
      new: actualBridge.new - otherBridge.new,
      expansion: actualBridge.expansion - otherBridge.expansion,
      contraction: actualBridge.contraction - otherBridge.contraction,
      churn: actualBridge.churn - otherBridge.churn,
      reactivation: actualBridge.reactivation - otherBridge.reactivation,
      end: actualBridge.end - otherBridge.end,
    },
    actual: { nrr: nrrOf(actualCohort), grr: grrOf(actualCohort), cohort: actualCohort },
    onRenewalDate: { nrr: nrrOf(otherCohort), grr: grrOf(otherCohort), cohort: otherCohort },
    accounts,
  };
}

function byLargestDifference(
  a: { account: string; atStart: number; atEnd: number },
  b: { account: string; atStart: number; atEnd: number },
): number {
  const size = (entry: { atStart: number; atEnd: number }): number =>
    Math.abs(entry.atStart) + Math.abs(entry.atEnd);
  if (size(a) !== size(b)) return size(b) - size(a);
  if (a.account === b.account) return 0;
  return a.account < b.account ? -1 : 1;
}

/** Names the fiscal quarter of a day, such as 2025-Q1. */
export function fiscalQuarterOf(day: Day, fiscalYearStartMonth: number): string {
  const month = formatMonth(day);
  const offset = (Number(month.slice(5, 7)) - fiscalYearStartMonth + 12) % 12;
  return `${fiscalYearOf(month, fiscalYearStartMonth)}-Q${Math.floor(offset / 3) + 1}`;
}

function moved(analysis: Analysis, renewal: Renewal): MovedRenewal {
  const effective = renewal.effectiveDay as number;
  const fiscalStart = analysis.definitions.fiscalYearStartMonth;
  return {
    account: renewal.accountId,
    renewalDate: formatDay(renewal.renewalDay),
    effectiveDate: formatDay(effective),
    timing: renewal.timing as RenewalTiming,
    change: (renewal.renewedArr as number) - renewal.atr,
    renewalMonth: formatMonth(renewal.renewalDay),
    effectiveMonth: formatMonth(effective),
    renewalQuarter: fiscalQuarterOf(renewal.renewalDay, fiscalStart),
    effectiveQuarter: fiscalQuarterOf(effective, fiscalStart),
  };
}

/**
 * Builds the timing report of a period for the renewals matching `filter`. Effects are measured
 * over the analysis window (see periodAnalysis). They cover the company's ARR and bridge, and the
 * cohort of the filter's books. `renewals` come from findRenewals on the same analysis.
 */
export function buildTimingReport(
  analysis: Analysis,
  dataset: Dataset,
  renewals: readonly Renewal[],
  period: { from: Day; to: Day },
  filter: RenewalFilter,
): TimingReport {
  // The period bounds which renewals are due; shifted renewals may be due outside it.
  const classes: RenewalFilter = { ...filter, from: undefined, to: undefined };
  const scoped = renewals.filter((renewal) => renewalMatches(renewal, classes));
  const due = scoped.filter(
    (renewal) => renewal.renewalDay >= period.from && renewal.renewalDay <= period.to,
  );
  const byTiming = RENEWAL_TIMINGS.map((timing): TimingClass => {
    const of = due.filter((renewal) => renewal.timing === timing);
    const atr = of.reduce((sum, renewal) => sum + renewal.atr, 0);
    const renewedArr = of.reduce((sum, renewal) => sum + (renewal.renewedArr ?? 0), 0);
    return { timing, renewals: of.length, atr, renewedArr, change: renewedArr - atr };
  });
  const inPeriod = (day: Day): boolean => day >= period.from && day <= period.to;
  const startsEarly = (renewal: Renewal): boolean => isShifted(renewal, 'early');
  const startsLate = (renewal: Renewal): boolean => isShifted(renewal, 'late');
  const scope = bookFilters(filter);
  return {
    window: { start: formatDay(analysis.windowStart), end: formatDay(analysis.asOf) },
    currency: analysis.definitions.reportingCurrency,
    byTiming,
    effects: {
      early: timingEffect(analysis, dataset, scoped, scope, 'early'),
      late: timingEffect(analysis, dataset, scoped, scope, 'late'),
    },
    pulledIn: scoped
      .filter(
        (renewal) =>
          startsEarly(renewal) &&
          inPeriod(renewal.effectiveDay as number) &&
          renewal.renewalDay > period.to,
      )
      .map((renewal) => moved(analysis, renewal)),
    pushedOut: due
      .filter((renewal) => startsLate(renewal) && (renewal.effectiveDay as number) > period.to)
      .map((renewal) => moved(analysis, renewal)),
    crossings: due
      .filter(
        (renewal) =>
          startsLate(renewal) &&
          formatMonth(renewal.effectiveDay as number) !== formatMonth(renewal.renewalDay),
      )
      .map((renewal) => moved(analysis, renewal)),
  };
}
