/**
 * Acquisition cohorts: accounts grouped by the month they first had ARR, and each cohort's ARR
 * in every later month. A cohort's net retention after k months is its ARR then ÷ its ARR in its
 * first month. Expansion lifts it above 100%, and churn and contraction pull it below. Accounts
 * that join later never enter an earlier cohort.
 */
import { fillUnitArr, hasArr, unitArr } from './analysis.js';
import type { Analysis } from './analysis.js';
import type { Dataset } from './model.js';
import { ratioValue } from './money.js';

export interface CohortRow {
  /** The cohort's first month, as YYYY-MM. */
  readonly month: string;
  /** True for the first month of the data, whose accounts may have started earlier. */
  readonly installedBase: boolean;
  /** Accounts in the cohort. */
  readonly accounts: number;
  /** The cohort's ARR at the end of its first month and of each later month, minor units. */
  readonly arr: number[];
  /** Accounts of the cohort with ARR at the end of each month. */
  readonly active: number[];
  /** arr[k] ÷ arr[0]: the cohort's net revenue retention after k months. */
  readonly nrr: (number | null)[];
}

/** Builds one row per month in which at least one account first had ARR. */
export function acquisitionCohorts(analysis: Analysis): CohortRow[] {
  const { months, samples } = analysis;
  const monthOfDay = new Map<number, number>();
  months.forEach((month, index) => monthOfDay.set(samples[month.sample] as number, index));
  const count = months.length;
  const arr = Array.from({ length: count }, () => new Float64Array(0));
  const active = Array.from({ length: count }, () => new Int32Array(0));
  const members = new Int32Array(count);
  const row = new Float64Array(samples.length);
  for (let unit = 0; unit < analysis.units; unit++) {
    if (!hasArr(analysis, unit)) continue;
    const cohort = monthOfDay.get(analysis.firstPositiveMonthDay[unit] as number);
    // A unit whose ARR starts and ends inside one month has no month-end ARR and no cohort.
    if (cohort === undefined) continue;
    if ((members[cohort] as number) === 0) {
      arr[cohort] = new Float64Array(count - cohort);
      active[cohort] = new Int32Array(count - cohort);
    }
    members[cohort] = (members[cohort] as number) + 1;
    fillUnitArr(analysis, unit, row);
    const sums = arr[cohort] as Float64Array;
    const alive = active[cohort] as Int32Array;
    for (let month = cohort; month < count; month++) {
      const value = row[(months[month] as { sample: number }).sample] as number;
      sums[month - cohort] = (sums[month - cohort] as number) + value;
      if (value > 0) alive[month - cohort] = (alive[month - cohort] as number) + 1;
    }
  }
  const rows: CohortRow[] = [];
  months.forEach((month, index) => {
    if ((members[index] as number) === 0) return;
    const sums = Array.from(arr[index] as Float64Array);
    const base = sums[0] as number;
    rows.push({
      month: month.key,
      installedBase: index === 0,
      accounts: members[index] as number,
      arr: sums,
      active: Array.from(active[index] as Int32Array),
      nrr: sums.map((value) => ratioValue({ numerator: value, denominator: base })),
    });
  });
  return rows;
}

export interface CohortAccount {
  readonly account: string;
  readonly name: string | null;
  /** ARR at the end of the cohort's first month and on the as-of date, minor units. */
  readonly arrFirstMonth: number;
  readonly arrNow: number;
}

/**
 * Lists the accounts of one acquisition cohort, largest first ARR first. Their sums equal the
 * cohort's first and last ARR in `acquisitionCohorts`.
 */
export function cohortAccounts(
  analysis: Analysis,
  dataset: Dataset,
  month: string,
): CohortAccount[] | undefined {
  const { months, samples } = analysis;
  const index = months.findIndex((candidate) => candidate.key === month);
  if (index < 0) return undefined;
  const firstSample = (months[index] as { sample: number }).sample;
  const lastSample = (months[months.length - 1] as { sample: number }).sample;
  const firstDay = samples[firstSample] as number;
  const names = new Map<string, string>();
  for (const account of dataset.accounts) {
    if (account.name !== undefined && account.name !== '') names.set(account.id, account.name);
  }
  const rows: CohortAccount[] = [];
  for (let unit = 0; unit < analysis.units; unit++) {
    if (!hasArr(analysis, unit) || analysis.firstPositiveMonthDay[unit] !== firstDay) continue;
    const root = analysis.prepared.unitRoot[unit] as string;
    rows.push({
      account: root,
      name: names.get(root) ?? null,
      arrFirstMonth: unitArr(analysis, unit, firstSample),
      arrNow: unitArr(analysis, unit, lastSample),
    });
  }
  return rows.sort(
    (a, b) => b.arrFirstMonth - a.arrFirstMonth || a.account.localeCompare(b.account),
  );
}
