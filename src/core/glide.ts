/**
 * The glide path to a book's target over a fiscal year, and the gap to close in money.
 *
 * The cohort is the book's units with ARR on the day before the fiscal year starts (the FY
 * cohort), each attributed to the book it was in on that day. The path starts at their
 * ARR, B, and ends at target × B. It moves only in the months in which the cohort's contracts
 * fall due, in proportion to the ARR due in each month, because renewals are where NRR moves:
 *
 *   path(m) = B + (target × B − B) × (ARR due in months ≤ m) ÷ (ARR due in the year)
 *
 * "Due" means the last day of service of a line that was active on the cohort day falls in the
 * month, by its contract dates (the renewal calendar as it stood when the year started).
 *
 * The gap counts contracted ARR only: the ARR each cohort unit is contracted to have on the last
 * day of the year, so a renewal that is due and not yet signed counts as zero until it is. The
 * ARR needed is target × B minus that projection, and the ways to close it are the renewals to
 * save, the contractions to prevent and, when given, the expansion white space.
 */
import { unitArr } from './analysis.js';
import type { Analysis } from './analysis.js';
import { addMonths, formatDay, formatMonth, monthEnd, OPEN_END, type Day } from './dates.js';
import { codeAt, type GroupIndex } from './groups.js';
import type { ContractLine } from './model.js';
import { roundDivide, toMinor, type Decimal, type Minor, type RoundingMode } from './money.js';
import { unitLineIndices } from './prepare.js';
import { lowerBound } from './search.js';
import { convertLine } from './subtypes.js';
import { fiscalYearEnd, fiscalYearStart, percentOf } from './targets.js';

/** One book: its code in a group index, or the whole company when undefined. */
export type BookSelector = { readonly groups: GroupIndex; readonly code: number } | undefined;

/** The fiscal year a plan is built for, as days. */
export interface FiscalYear {
  readonly year: number;
  /** The day before the year starts, on which the cohort is taken. */
  readonly cohortDay: Day;
  readonly start: Day;
  /** Last day of the year. */
  readonly end: Day;
}

export function fiscalYearDays(year: number, startMonth: number): FiscalYear {
  const start = fiscalYearStart(year, startMonth);
  return { year, cohortDay: start - 1, start, end: fiscalYearEnd(year, startMonth) };
}

/** One month of the renewal calendar: the cohort ARR whose contracts end in it. */
export interface CalendarMonth {
  /** `YYYY-MM`. */
  readonly month: string;
  /** Last day of the month. */
  readonly end: Day;
  readonly due: Minor;
  /** Root accounts with ARR due in the month. */
  readonly accounts: readonly string[];
}

/** A cohort unit with its ARR on the cohort day, in reporting minor units. */
export interface CohortUnit {
  readonly unit: number;
  readonly account: string;
  readonly start: Minor;
}

/**
 * Lists the units of a book's cohort: units with ARR on `cohortDay` that were in the book on
 * that day. The day must be one of the analysis samples (a month end up to the as-of date);
 * an earlier day gives an empty cohort.
 */
export function bookCohort(analysis: Analysis, book: BookSelector, cohortDay: Day): CohortUnit[] {
  const sample = lowerBound(analysis.samples, cohortDay);
  if (analysis.samples[sample] !== cohortDay) return [];
  const cohort: CohortUnit[] = [];
  for (let unit = 0; unit < analysis.units; unit++) {
    const start = unitArr(analysis, unit, sample);
    if (start <= 0) continue;
    if (book !== undefined && codeAt(book.groups, unit, sample) !== book.code) continue;
    cohort.push({ unit, account: analysis.prepared.unitRoot[unit] as string, start });
  }
  return cohort;
}

/**
 * Builds the renewal calendar of a cohort over a fiscal year: per month, the ARR of the lines
 * that were active on the cohort day and whose contracted service ends in that month.
 */
export function renewalCalendar(
  analysis: Analysis,
  cohort: readonly CohortUnit[],
  year: FiscalYear,
): CalendarMonth[] {
  const months: { month: string; end: Day; due: number; accounts: Set<string> }[] = [];
  for (let offset = 0; offset < 12; offset++) {
    const end = monthEnd(addMonths(year.start, offset));
    months.push({ month: formatMonth(end), end, due: 0, accounts: new Set() });
  }
  const { prepared } = analysis;
  for (const member of cohort) {
    for (const index of unitLineIndices(prepared, member.unit)) {
      if (prepared.lineCounted[index] !== 1) continue;
      const line = prepared.lines[index] as ContractLine;
      const end = line.end ?? OPEN_END;
      if (line.start > year.cohortDay || end <= year.cohortDay) continue;
      const lastDay = end - 1;
      if (lastDay < year.start || lastDay > year.end) continue;
      const month = months.find((candidate) => lastDay <= candidate.end);
      if (month === undefined) continue;
      month.due += convertLine(analysis, index, year.cohortDay);
      month.accounts.add(member.account);
    }
  }
  return months.map((month) => ({
    month: month.month,
    end: month.end,
    due: month.due,
    accounts: [...month.accounts].sort(),
  }));
}

/** One month end on the glide path. */
export interface PathPoint {
  readonly month: string;
  readonly end: Day;
  /** Cohort ARR the book should have at the month end to reach its target on time. */
  readonly expected: Minor;
}

/**
 * Builds the glide path from `base` to `target`% of it. Each point is rounded once, from exact
 * integers. When no cohort ARR falls due in the year, the path moves by the same share each
 * month, because nothing else shows when the ARR will move.
 */
export function glidePath(
  base: Minor,
  target: Decimal,
  calendar: readonly CalendarMonth[],
  mode: RoundingMode,
): PathPoint[] {
  const scale = 100n * 10n ** BigInt(target.scale);
  const totalDue = calendar.reduce((sum, month) => sum + month.due, 0);
  const even = totalDue <= 0;
  const total = BigInt(even ? calendar.length : totalDue);
  const baseBig = BigInt(base);
  // target × B − B, times `scale` so that it stays an integer.
  const movement = target.coefficient * baseBig - baseBig * scale;
  let cumulative = 0n;
  return calendar.map((month) => {
    cumulative += even ? 1n : BigInt(month.due);
    const numerator = baseBig * scale * total + movement * cumulative;
    return {
      month: month.month,
      end: month.end,
      expected: toMinor(roundDivide(numerator, scale * total, mode)),
    };
  });
}

/** Kinds of ways to close a gap. */
export type ActionKind = 'save-renewal' | 'prevent-contraction' | 'expansion';

/** One way to close a gap, with the ARR it would add to the projection. */
export interface GapAction {
  readonly kind: ActionKind;
  readonly account: string;
  readonly arr: Minor;
  /** Last day of service before the drop, or the day the account lapsed; null for expansion. */
  readonly date: string | null;
  /** `lapsed` for an account inside its grace window; `due` for a renewal still ahead. */
  readonly status: 'lapsed' | 'due' | 'signed' | 'white-space';
  /** Sum of `arr` of this action and those ranked before it. */
  readonly cumulative: Minor;
}

/** A drop in a unit's contracted ARR after the as-of date. */
export interface ScheduledDrop {
  readonly unit: number;
  readonly account: string;
  /** Last day of service before the drop. */
  readonly lastDay: Day;
  readonly arr: Minor;
  /** True when the unit has no contracted ARR left after the drop. */
  readonly full: boolean;
  /** True when a signed renewal replaces the lines that end (a signed downgrade). */
  readonly renewed: boolean;
}

/** Computes a unit's contracted ARR on a day from its lines, floored at zero. */
export function contractedArr(analysis: Analysis, unit: number, day: Day): Minor {
  const { prepared } = analysis;
  let sum = 0;
  for (const index of unitLineIndices(prepared, unit)) {
    if (prepared.lineCounted[index] !== 1) continue;
    if ((prepared.lineStart[index] as number) > day || (prepared.lineEnd[index] as number) <= day)
      continue;
    sum += convertLine(analysis, index, analysis.asOf);
  }
  return sum > 0 ? sum : 0;
}

/**
 * Lists the drops in a unit's contracted ARR on the days after the as-of date up to `until`:
 * each day on which a counted line stops, with the ARR lost that day. Lines are converted at the
 * rate of the as-of date, so a change of plan rate is not a drop.
 */
export function scheduledDrops(analysis: Analysis, unit: number, until: Day): ScheduledDrop[] {
  const { prepared, asOf } = analysis;
  const ends = new Map<Day, boolean>();
  for (const index of unitLineIndices(prepared, unit)) {
    if (prepared.lineCounted[index] !== 1) continue;
    const end = prepared.lineEnd[index] as number;
    if (end <= asOf || end > until + 1) continue;
    ends.set(end, (ends.get(end) ?? false) || (prepared.lineRenewal[index] as number) >= 0);
  }
  const drops: ScheduledDrop[] = [];
  for (const [end, renewed] of [...ends].sort((a, b) => a[0] - b[0])) {
    const before = contractedArr(analysis, unit, end - 1);
    const after = contractedArr(analysis, unit, end);
    if (after >= before) continue;
    drops.push({
      unit,
      account: prepared.unitRoot[unit] as string,
      lastDay: end - 1,
      arr: before - after,
      full: after === 0,
      renewed: renewed && after > 0,
    });
  }
  return drops;
}

/** Last day of service of a lapsed unit: the latest contracted end of its lapsed lines. */
export function lapsedLastDay(analysis: Analysis, unit: number): Day {
  let last = analysis.asOf;
  let found = false;
  for (const index of unitLineIndices(analysis.prepared, unit)) {
    if (!analysis.prepared.lapsedLines.has(index)) continue;
    const end = (analysis.prepared.lines[index] as ContractLine).end;
    if (end === null) continue;
    last = found ? Math.max(last, end - 1) : end - 1;
    found = true;
  }
  return last;
}

/** A book's position against one target (NRR or GRR) at the as-of date. */
export interface TargetPosition {
  readonly target: Decimal;
  /** target × B, rounded once. */
  readonly targetArr: Minor;
  /** The cohort ARR (capped at each unit's start for GRR) at the as-of date. */
  readonly actual: Minor;
  /** The glide path at the last month end on or before the as-of date (B before the year starts). */
  readonly expectedNow: Minor;
  readonly behind: boolean;
  /** Contracted cohort ARR on the year's last day (capped for GRR). */
  readonly projected: Minor;
  /** targetArr − projected: the ARR still needed; zero or less when the book is on course. */
  readonly needed: Minor;
  readonly path: readonly PathPoint[];
}

export interface BookPlan {
  readonly year: FiscalYear;
  /** Cohort ARR on the cohort day. */
  readonly base: Minor;
  readonly cohortAccounts: number;
  /** Cohort ARR at the as-of date: the fiscal-year-to-date NRR numerator. */
  readonly cohortArr: Minor;
  /** The same with each unit capped at its start: the fiscal-year-to-date GRR numerator. */
  readonly cappedArr: Minor;
  readonly calendar: readonly CalendarMonth[];
  readonly nrr: TargetPosition | null;
  readonly grr: TargetPosition | null;
  /** Ways to close the gap, ranked: renewals to save, contractions to prevent, white space. */
  readonly actions: readonly GapAction[];
}

/** Expansion potential per root account, in reporting minor units, for the ranked actions. */
export type WhiteSpace = ReadonlyMap<string, Minor>;

/**
 * Builds a book's plan for a fiscal year as of the analysis date, which should fall inside the
 * year: the renewal calendar, the glide paths to its targets, the projection and the gap, and the
 * ranked ways to close it.
 */
export function bookPlan(
  analysis: Analysis,
  book: BookSelector,
  year: FiscalYear,
  targets: { readonly nrr: Decimal | null; readonly grr: Decimal | null },
  whiteSpace: WhiteSpace = new Map(),
): BookPlan {
  const mode = analysis.definitions.rounding;
  const cohort = bookCohort(analysis, book, year.cohortDay);
  const base = cohort.reduce((sum, member) => sum + member.start, 0);
  const calendar = renewalCalendar(analysis, cohort, year);
  const asOfSample = analysis.asOfSample;

  let actual = 0;
  let actualCapped = 0;
  let projected = 0;
  let projectedCapped = 0;
  const saves: GapAction[] = [];
  const contractions: GapAction[] = [];
  for (const member of cohort) {
    const now = unitArr(analysis, member.unit, asOfSample);
    actual += now;
    actualCapped += Math.min(now, member.start);
    const yearEnd = year.end > analysis.asOf ? contractedArr(analysis, member.unit, year.end) : now;
    projected += yearEnd;
    projectedCapped += Math.min(yearEnd, member.start);
    if (analysis.lapsedUnits.has(member.unit)) {
      saves.push(
        action('save-renewal', member.account, now, lapsedLastDay(analysis, member.unit), 'lapsed'),
      );
      continue;
    }
    for (const drop of scheduledDrops(analysis, member.unit, year.end)) {
      if (drop.renewed) {
        contractions.push(
          action('prevent-contraction', drop.account, drop.arr, drop.lastDay, 'signed'),
        );
      } else {
        saves.push(action('save-renewal', drop.account, drop.arr, drop.lastDay, 'due'));
      }
    }
  }
  const expansions = cohort
    .filter((member) => (whiteSpace.get(member.account) ?? 0) > 0)
    .map((member) => ({
      kind: 'expansion' as const,
      account: member.account,
      arr: whiteSpace.get(member.account) ?? 0,
      date: null,
      status: 'white-space' as const,
      cumulative: 0,
    }));

  const path = (target: Decimal): PathPoint[] => glidePath(base, target, calendar, mode);
  const position = (
    target: Decimal | null,
    current: Minor,
    projection: Minor,
  ): TargetPosition | null => {
    if (target === null) return null;
    const points = path(target);
    const passed = points.filter((point) => point.end <= analysis.asOf);
    const expectedNow = passed.at(-1)?.expected ?? base;
    const targetArr = percentOf(target, base, mode);
    return {
      target,
      targetArr,
      actual: current,
      expectedNow,
      behind: base > 0 && current < expectedNow,
      projected: projection,
      needed: targetArr - projection,
      path: points,
    };
  };

  return {
    year,
    base,
    cohortAccounts: cohort.length,
    cohortArr: actual,
    cappedArr: actualCapped,
    calendar,
    nrr: position(targets.nrr, actual, projected),
    grr: position(targets.grr, actualCapped, projectedCapped),
    actions: rankActions([saves, contractions, expansions]),
  };
}

function action(
  kind: ActionKind,
  account: string,
  arr: Minor,
  date: Day,
  status: GapAction['status'],
): GapAction {
  return { kind, account, arr, date: formatDay(date), status, cumulative: 0 };
}

/**
 * Ranks actions by group (renewals to save, contractions to prevent, expansion), largest ARR
 * first within a group, then earliest date and account, and adds the running sum.
 */
function rankActions(groups: readonly (readonly GapAction[])[]): GapAction[] {
  let cumulative = 0;
  const ranked: GapAction[] = [];
  for (const group of groups) {
    const sorted = [...group].sort(
      (a, b) =>
        b.arr - a.arr ||
        (a.date ?? '').localeCompare(b.date ?? '') ||
        a.account.localeCompare(b.account),
    );
    for (const item of sorted) {
      cumulative += item.arr;
      ranked.push({ ...item, cumulative });
    }
  }
  return ranked;
}
