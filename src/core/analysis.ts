/**
 * The analysis: each netting unit's ARR at a fixed set of sample days, from which the bridge,
 * retention figures and explanations are read.
 *
 * Sample days are the last day of every month from the month before the first service (or
 * before the window start) up to the as-of month, whose sample is the as-of date itself, plus the
 * window start. ARR on a day counts every line whose effective interval [start, end) contains the
 * day, so a month's end-of-month ARR includes a line that started that day and excludes one whose
 * last day of service was the day before.
 */
import { addMonths, formatMonth, monthEnd, monthStart, OPEN_END } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { FxTable } from './fx.js';
import type { Dataset } from './model.js';
import { prepare } from './prepare.js';
import type { Prepared } from './prepare.js';

export interface MonthSample {
  /** `YYYY-MM`. */
  readonly key: string;
  /** Index of the month's last sample (its last day, or the as-of date in the as-of month). */
  readonly sample: number;
}

export interface Analysis {
  readonly definitions: Definitions;
  readonly asOf: Day;
  readonly windowStart: Day;
  readonly prepared: Prepared;
  readonly fx: FxTable;
  /** Sorted, distinct sample days. */
  readonly samples: Int32Array;
  /** Unit ARR in reporting minor units: `arr[unit * samples.length + k]`. */
  readonly arr: Float64Array;
  readonly months: readonly MonthSample[];
  readonly asOfSample: number;
  readonly windowStartSample: number;
  /** Units whose ARR on the as-of date is kept only because they are lapsed (inside the grace window). */
  readonly lapsedUnits: ReadonlySet<number>;
  /** Unit-sample cells where credits exceeded the unit's recurring lines and ARR was floored at 0. */
  readonly flooredCells: number;
}

/** Index of the first sample >= day (samples.length when none). */
export function lowerBound(samples: Int32Array, day: Day): number {
  let low = 0;
  let high = samples.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((samples[middle] as number) < day) low = middle + 1;
    else high = middle;
  }
  return low;
}

function sampleDays(
  prepared: Prepared,
  asOf: Day,
  windowStart: Day,
): { samples: Int32Array; months: MonthSample[] } {
  let first = windowStart;
  for (const line of prepared.lines) if (line.counted && line.start < first) first = line.start;
  const days: Day[] = [];
  const months: { key: string; day: Day }[] = [];
  // The month before the first service, so that the first month's opening ARR is zero.
  let cursor = monthEnd(addMonths(monthStart(first), -1));
  const lastMonthEnd = monthEnd(asOf);
  while (cursor < lastMonthEnd) {
    days.push(cursor);
    months.push({ key: formatMonth(cursor), day: cursor });
    cursor = monthEnd(addMonths(monthStart(cursor), 1));
  }
  days.push(asOf);
  months.push({ key: formatMonth(asOf), day: asOf });
  days.push(windowStart);
  const samples = Int32Array.from(new Set(days)).sort();
  return {
    samples,
    months: months
      .slice(1)
      .map((month) => ({ key: month.key, sample: lowerBound(samples, month.day) })),
  };
}

/** Builds the analysis of a dataset as of a day. */
export function analyse(dataset: Dataset, definitions: Definitions, asOf: Day): Analysis {
  const windowStart = addMonths(asOf, -definitions.windowMonths);
  const prepared = prepare(dataset, definitions, asOf);
  const fx = new FxTable(dataset.fxRates, definitions);
  const { samples, months } = sampleDays(prepared, asOf, windowStart);
  const width = samples.length;
  const arr = new Float64Array(prepared.units.length * width);
  const lapsedUnits = new Set<number>();

  for (const line of prepared.lines) {
    if (!line.counted || line.arrLocal === 0 || line.end <= line.start) continue;
    const row = line.unit * width;
    const end = Math.min(line.end, asOf + 1);
    if (line.start >= end) continue;
    if (
      line.end === asOf + 1 &&
      line.adjustments?.some((adjustment) => adjustment.kind === 'lapsed')
    ) {
      lapsedUnits.add(line.unit);
    }
    for (const segment of fx.segments(
      line.arrLocal,
      line.line.currency,
      line.start,
      end,
      line.line.id,
    )) {
      const from = lowerBound(samples, segment.start);
      const to = lowerBound(samples, segment.end);
      if (from >= to) continue;
      arr[row + from] = (arr[row + from] as number) + segment.arr;
      if (to < width) arr[row + to] = (arr[row + to] as number) - segment.arr;
    }
  }

  let flooredCells = 0;
  for (let unit = 0; unit < prepared.units.length; unit++) {
    const row = unit * width;
    let running = 0;
    for (let k = 0; k < width; k++) {
      running += arr[row + k] as number;
      if (running < 0) {
        flooredCells++;
        arr[row + k] = 0;
      } else arr[row + k] = running;
    }
  }

  return {
    definitions,
    asOf,
    windowStart,
    prepared,
    fx,
    samples,
    arr,
    months,
    asOfSample: lowerBound(samples, asOf),
    windowStartSample: lowerBound(samples, windowStart),
    lapsedUnits,
    flooredCells,
  };
}

/** A unit's ARR at a sample. */
export function unitArr(analysis: Analysis, unit: number, sample: number): number {
  return analysis.arr[unit * analysis.samples.length + sample] as number;
}

/** Whether the unit had positive ARR on any day up to and including `day`. */
export function wasActiveBy(analysis: Analysis, unit: number, day: Day): boolean {
  const first = (analysis.prepared.units[unit] as { firstActive: Day }).firstActive;
  return first !== OPEN_END && first <= day;
}
