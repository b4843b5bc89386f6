/**
 * Renewal rates on the ARR available to renew (ATR), and the renewals report that shows them next
 * to cohort NRR for the same period.
 *
 * Renewal rates answer a renewal desk's question: of the ARR whose renewal date fell in the
 * period, how much renewed. Gross renewal rate = Σ min(renewed ARR, ATR) ÷ ATR, and net renewal
 * rate = Σ renewed ARR ÷ ATR, the latter including uplift and products added at renewal. Only
 * renewals that were decided count (renewed or churned); those still upcoming or lapsed inside the
 * grace window are listed apart. Unlike NRR they ignore mid-term expansion and contraction, and
 * contracts with no renewal date in the period.
 */
import type { Analysis } from './analysis.js';
import { analyse, unitArr } from './analysis.js';
import { addMonths, formatDay } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { EngineError } from './errors.js';
import type { Dimension, GroupIndex } from './groups.js';
import { ratioValue } from './money.js';
import type { Dataset } from './model.js';
import { describeDefinitions, reportWarnings } from './report.js';
import type { Report } from './report.js';
import { emptyRetention, grrOf, logoRetentionOf, nrrOf } from './retention.js';
import type { RetentionFigures } from './retention.js';
import {
  bookFilters,
  bookIndices,
  booksAt,
  booksMatch,
  findRenewals,
  renewalMatches,
  viewRenewal,
} from './renewals.js';
import type { Renewal, RenewalFilter, RenewalView } from './renewals.js';

export interface RenewalRates {
  /** Renewals whose renewal date is in the period, and their ATR. */
  due: { renewals: number; atr: number };
  /** Of those, the renewals that were renewed or churned. */
  decided: { renewals: number; atr: number };
  /** Of those, the renewals still upcoming or lapsed inside the grace window. */
  open: { renewals: number; atr: number };
  churned: { renewals: number; atr: number };
  /** Σ min(renewed ARR, ATR) over decided renewals: the gross rate's numerator. */
  renewedCapped: number;
  /** Σ renewed ARR over decided renewals: the net rate's numerator. */
  renewedArr: number;
  /** renewedCapped ÷ decided ATR; null when nothing was decided. */
  grossRenewalRate: number | null;
  /** renewedArr ÷ decided ATR. */
  netRenewalRate: number | null;
}

export function emptyRenewalRates(): RenewalRates {
  return {
    due: { renewals: 0, atr: 0 },
    decided: { renewals: 0, atr: 0 },
    open: { renewals: 0, atr: 0 },
    churned: { renewals: 0, atr: 0 },
    renewedCapped: 0,
    renewedArr: 0,
    grossRenewalRate: null,
    netRenewalRate: null,
  };
}

/** Adds one renewal to rates, leaving the two ratios to `finishRates`. */
export function addToRates(rates: RenewalRates, renewal: Renewal): void {
  rates.due.renewals++;
  rates.due.atr += renewal.atr;
  if (renewal.status === 'upcoming' || renewal.status === 'lapsed') {
    rates.open.renewals++;
    rates.open.atr += renewal.atr;
    return;
  }
  rates.decided.renewals++;
  rates.decided.atr += renewal.atr;
  const renewed = renewal.renewedArr ?? 0;
  rates.renewedArr += renewed;
  rates.renewedCapped += Math.min(renewed, renewal.atr);
  if (renewal.status === 'churned') {
    rates.churned.renewals++;
    rates.churned.atr += renewal.atr;
  }
}

/** Computes the two ratios from the sums. */
export function finishRates(rates: RenewalRates): RenewalRates {
  const denominator = rates.decided.atr;
  rates.grossRenewalRate =
    denominator > 0 ? ratioValue({ numerator: rates.renewedCapped, denominator }) : null;
  rates.netRenewalRate =
    denominator > 0 ? ratioValue({ numerator: rates.renewedArr, denominator }) : null;
  return rates;
}

/** Computes renewal rates over a list of renewals, all of which count. */
export function renewalRates(renewals: readonly Renewal[]): RenewalRates {
  const rates = emptyRenewalRates();
  for (const renewal of renewals) addToRates(rates, renewal);
  return finishRates(rates);
}

/**
 * Computes cohort retention over the analysis window for the units whose books on the window
 * start match `required`: the company when `required` is empty.
 */
export function scopedRetention(
  analysis: Analysis,
  indices: Record<Dimension, GroupIndex>,
  required: Partial<Record<Dimension, string>>,
): RetentionFigures {
  const figures = emptyRetention();
  const { windowStartSample: from, asOfSample: to } = analysis;
  for (let unit = 0; unit < analysis.units; unit++) {
    const start = unitArr(analysis, unit, from);
    if (start <= 0) continue;
    if (!booksMatch(booksAt(indices, unit, from), required)) continue;
    const end = unitArr(analysis, unit, to);
    figures.cohortAccounts++;
    figures.startArr += start;
    figures.endArr += end;
    figures.cappedArr += Math.min(start, end);
    if (end > 0) figures.retainedAccounts++;
  }
  return figures;
}

/** A period of renewal dates and the window its cohort figures are measured over. */
export interface RenewalPeriod {
  /** First and last renewal date listed. */
  readonly from: Day;
  readonly to: Day;
  /** Day the statuses are decided on, usually where the data ends. */
  readonly asOf: Day;
}

/**
 * Completes a period of renewal dates from what is given: `months` months ending on `to`, or
 * starting on `from`, or ending on `asOf` when neither is given.
 */
export function resolvePeriod(
  asOf: Day,
  months: number,
  from: Day | undefined,
  to: Day | undefined,
): RenewalPeriod {
  let first = from;
  let last = to;
  if (first === undefined && last === undefined) last = asOf;
  if (first === undefined) first = addMonths((last as Day) + 1, -months);
  if (last === undefined) last = addMonths(first, months) - 1;
  if (first > last) {
    throw new EngineError(
      'invalid-date',
      `the period starts on ${formatDay(first)}, after its end ${formatDay(last)}; swap the dates`,
    );
  }
  return { from: first, to: last, asOf };
}

/**
 * Analyses a dataset for a period of renewal dates: as of the period's last day, or of `asOf`
 * when that comes first, with the window starting the day before the period. A period that starts
 * after `asOf` has nothing to measure yet, so it gets the trailing window to `asOf` instead.
 */
export function periodAnalysis(
  dataset: Dataset,
  definitions: Definitions,
  period: RenewalPeriod,
): Analysis {
  const { end, windowStart } = periodWindow(definitions, period);
  return analyse(dataset, definitions, end, { windowStart });
}

/** Returns the window periodAnalysis measures a period over. */
export function periodWindow(
  definitions: Definitions,
  period: RenewalPeriod,
): { end: Day; windowStart: Day } {
  const end = Math.min(period.to, period.asOf);
  const windowStart = period.from - 1;
  if (windowStart < end) return { end, windowStart };
  return { end: period.asOf, windowStart: addMonths(period.asOf, -definitions.windowMonths) };
}

/** Checks whether an analysis measures the period's own window (see periodAnalysis). */
export function measuresPeriod(analysis: Analysis, period: RenewalPeriod): boolean {
  return analysis.windowStart === period.from - 1;
}

export interface RenewalsReport {
  asOf: string;
  currency: string;
  definitions: Report['definitions'];
  period: { from: string; to: string };
  filter: Record<string, string>;
  renewals: RenewalView[];
  /** Renewal rates on the ARR available to renew: not NRR. */
  renewalRates: RenewalRates;
  /**
   * Cohort NRR, GRR and logo retention from the day before the period to its last day (or the
   * as-of date when that comes first), for the accounts whose books on the first day match the
   * filter. Null when the period starts after the as-of date.
   */
  cohort: {
    window: { start: string; end: string };
    nrr: number | null;
    grr: number | null;
    logoRetention: number | null;
    figures: RetentionFigures;
  } | null;
  warnings: string[];
}

/**
 * Lists the renewals of a period that match a filter, with their renewal rates and the cohort
 * figures of the same period. `analysis` comes from periodAnalysis; `renewals` from findRenewals
 * on it, when the caller has them already.
 */
export function buildRenewalsReport(
  analysis: Analysis,
  dataset: Dataset,
  period: RenewalPeriod,
  filter: RenewalFilter,
  renewals: readonly Renewal[] = findRenewals(analysis, dataset, period.asOf),
): RenewalsReport {
  const periodFilter: RenewalFilter = { ...filter, from: period.from, to: period.to };
  const selected = renewals.filter((renewal) => renewalMatches(renewal, periodFilter));
  // Rates cover every renewal of the books in the period, whatever outcome or timing is listed.
  const rateFilter: RenewalFilter = { ...bookFilters(filter), from: period.from, to: period.to };
  const rates = renewalRates(renewals.filter((renewal) => renewalMatches(renewal, rateFilter)));
  const names = new Map<string, string>();
  for (const account of dataset.accounts) {
    if (account.name !== undefined) names.set(account.id, account.name);
  }
  let cohort: RenewalsReport['cohort'] = null;
  if (measuresPeriod(analysis, period)) {
    const figures = scopedRetention(analysis, bookIndices(analysis, dataset), bookFilters(filter));
    cohort = {
      window: { start: formatDay(analysis.windowStart), end: formatDay(analysis.asOf) },
      nrr: nrrOf(figures),
      grr: grrOf(figures),
      logoRetention: logoRetentionOf(figures),
      figures,
    };
  }
  return {
    asOf: formatDay(period.asOf),
    currency: analysis.definitions.reportingCurrency,
    definitions: describeDefinitions(analysis.definitions),
    period: { from: formatDay(period.from), to: formatDay(period.to) },
    filter: describeFilter(filter),
    renewals: selected.map((renewal) => viewRenewal(analysis, renewal, names)),
    renewalRates: rates,
    cohort,
    warnings: reportWarnings(analysis),
  };
}

function describeFilter(filter: RenewalFilter): Record<string, string> {
  const described: Record<string, string> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value !== undefined && key !== 'from' && key !== 'to') described[key] = String(value);
  }
  return described;
}
