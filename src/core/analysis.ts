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
import { addMonths, formatDay, formatMonth, monthEnd, monthStart, OPEN_END } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { EngineError } from './errors.js';
import { FxTable } from './fx.js';
import { lowerBound } from './search.js';

export { lowerBound };
import type { ContractLine, Dataset } from './model.js';
import { prepare, unitCount } from './prepare.js';
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
  /**
   * Unit ARR in reporting minor units, stored only at the samples where it changes. Unit u's
   * entries are arrOffsets[u] .. arrOffsets[u + 1] − 1 in sample order: from sample
   * arrSamples[e] on, its ARR is arrValues[e]. Before its first entry a unit's ARR is 0. Read it
   * with unitArr, fillUnitArr or UnitArrCursor.
   */
  readonly arrOffsets: Int32Array;
  readonly arrSamples: Int32Array;
  readonly arrValues: Float64Array;
  /** Company ARR per sample. */
  readonly totals: Float64Array;
  readonly units: number;
  /** First sample day on which each unit's ARR is above zero, or OPEN_END when it never is. */
  readonly firstPositiveDay: Int32Array;
  /** The same over month-end samples only: the history that monthly rows see. */
  readonly firstPositiveMonthDay: Int32Array;
  readonly months: readonly MonthSample[];
  /** Sample 0 and every month's sample, in order: the steps of monthly bridges. */
  readonly monthChain: Int32Array;
  /** Position of each sample in `monthChain`, or −1 for a sample that is not a month end. */
  readonly chainPosition: Int32Array;
  readonly asOfSample: number;
  readonly windowStartSample: number;
  /** Units whose ARR on the as-of date is kept only because they are lapsed (inside the grace window). */
  readonly lapsedUnits: ReadonlySet<number>;
  /** Unit-sample cells where credits exceeded the unit's recurring lines and ARR was floored at 0. */
  readonly flooredCells: number;
}

function sampleDays(
  prepared: Prepared,
  asOf: Day,
  windowStart: Day,
): { samples: Int32Array; months: MonthSample[] } {
  let first = windowStart;
  for (let index = 0; index < prepared.lines.length; index++) {
    if (prepared.lineCounted[index] === 1 && (prepared.lineStart[index] as number) < first) {
      first = prepared.lineStart[index] as number;
    }
  }
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

export interface AnalyseOptions {
  /**
   * First day of the retention window, for a window other than the trailing `windowMonths`
   * months, such as a fiscal year. It must be before the as-of date.
   */
  readonly windowStart?: Day;
}

/** Builds the analysis of a dataset as of a day. */
export function analyse(
  dataset: Dataset,
  definitions: Definitions,
  asOf: Day,
  options: AnalyseOptions = {},
): Analysis {
  const windowStart = options.windowStart ?? addMonths(asOf, -definitions.windowMonths);
  if (windowStart >= asOf) {
    throw new EngineError(
      'invalid-date',
      `the window start ${formatDay(windowStart)} must be before the as-of date ${formatDay(asOf)}`,
    );
  }
  const prepared = prepare(dataset, definitions, asOf);
  const fx = new FxTable(dataset.fxRates, definitions);
  const { samples, months } = sampleDays(prepared, asOf, windowStart);
  const width = samples.length;
  const units = unitCount(prepared);
  const { lines, lineStart, lineEnd, lineArr, lineCounted, lineForeign } = prepared;
  const { unitLines, unitLineOffsets } = prepared;

  const monthChain = Int32Array.from(new Set([0, ...months.map((month) => month.sample)])).sort();
  const chainPosition = new Int32Array(width).fill(-1);
  monthChain.forEach((sample, position) => {
    chainPosition[sample] = position;
  });

  // Each unit's changes in ARR per sample go into `deltas`, and the samples they touch into
  // `touched`. Their running sum, floored at 0, is stored only where it changes, which keeps the
  // stored ARR to a few entries per unit, and only the touched samples are visited.
  const deltas = new Float64Array(width + 1);
  const isTouched = new Uint8Array(width + 1);
  const touched = new Int32Array(width + 1);
  let touchedCount = 0;
  const touch = (k: number, amount: number): void => {
    deltas[k] = (deltas[k] as number) + amount;
    if (isTouched[k] === 0) {
      isTouched[k] = 1;
      touched[touchedCount++] = k;
    }
  };
  const sampleOf = sampleTable(samples);
  const firstSample = samples[0] as number;
  const lastSample = samples[width - 1] as number;
  // lowerBound(samples, day), read from the table.
  const sampleOn = (day: Day): number => {
    if (day <= firstSample) return 0;
    return day > lastSample ? width : (sampleOf[day - firstSample] as number);
  };
  const add = (start: Day, end: Day, amount: number): void => {
    const from = sampleOn(start);
    const to = sampleOn(end);
    if (from >= to) return;
    touch(from, amount);
    touch(to, -amount);
  };
  // The first month-end sample at or after each sample, or `width` when there is none.
  const nextMonthEnd = new Int32Array(width + 1).fill(width);
  for (let k = width - 1; k >= 0; k--) {
    nextMonthEnd[k] = (chainPosition[k] as number) >= 0 ? k : (nextMonthEnd[k + 1] as number);
  }
  let flooredCells = 0;
  let largest = 0;
  const firstPositiveDay = new Int32Array(units).fill(OPEN_END);
  const firstPositiveMonthDay = new Int32Array(units).fill(OPEN_END);
  // Company ARR changes per sample, summed into `totals` at the end, and the sum of their
  // magnitudes, which bounds every partial sum and so shows whether the sums were exact.
  const totalChanges = new Float64Array(width);
  const changeMagnitudes = new Float64Array(width);
  const arrOffsets = new Int32Array(units + 1);
  // The changes collect in plain arrays, on the JavaScript heap, and are copied to typed arrays
  // of their exact size at the end. V8 (Node 20) starts a full garbage collection once typed
  // arrays allocated since the last one hold about 64 MB, garbage included. At a million lines
  // that collection marks some 260 MB of line objects, so the engine keeps typed arrays at their
  // exact sizes and discards few of them.
  const changeSamples: number[] = [];
  const changeValues: number[] = [];
  for (let unit = 0; unit < units; unit++) {
    const last = unitLineOffsets[unit + 1] as number;
    for (let position = unitLineOffsets[unit] as number; position < last; position++) {
      const index = unitLines[position] as number;
      const amount = lineArr[index] as number;
      if (lineCounted[index] !== 1 || amount === 0) continue;
      const start = lineStart[index] as number;
      const end = Math.min(lineEnd[index] as number, asOf + 1);
      if (start >= end) continue;
      if (lineForeign[index] === 0) {
        add(start, end, amount);
        continue;
      }
      const line = lines[index] as ContractLine;
      fx.visitSegments(amount, line.currency, start, end, line.id, add);
    }

    sortTouched(touched, touchedCount);
    let running = 0;
    let stored = 0;
    let firstPositive = OPEN_END;
    let firstPositiveMonth = OPEN_END;
    for (let t = 0; t < touchedCount; t++) {
      const k = touched[t] as number;
      running += deltas[k] as number;
      deltas[k] = 0;
      isTouched[k] = 0;
      if (k >= width) continue;
      // The sum applies from sample k up to the next touched sample.
      const next = t + 1 < touchedCount ? Math.min(touched[t + 1] as number, width) : width;
      const value = running > 0 ? running : 0;
      if (running < 0) flooredCells += next - k;
      if (value !== stored) {
        changeSamples.push(k);
        changeValues.push(value);
        totalChanges[k] = (totalChanges[k] as number) + (value - stored);
        changeMagnitudes[k] = (changeMagnitudes[k] as number) + Math.abs(value - stored);
        stored = value;
      }
      if (value === 0) continue;
      if (firstPositive === OPEN_END) firstPositive = samples[k] as number;
      const monthEnd = nextMonthEnd[k] as number;
      if (firstPositiveMonth === OPEN_END && monthEnd < next) {
        firstPositiveMonth = samples[monthEnd] as number;
      }
      if (running > largest) largest = running;
    }
    touchedCount = 0;
    arrOffsets[unit + 1] = changeSamples.length;
    firstPositiveDay[unit] = firstPositive;
    firstPositiveMonthDay[unit] = firstPositiveMonth;
  }

  // Sums of minor units are exact only below 2^53; beyond that a cent could be lost silently.
  for (const magnitude of changeMagnitudes) {
    if (magnitude > Number.MAX_SAFE_INTEGER) {
      throw new EngineError(
        'invalid-line',
        `ARR changes of ${magnitude} minor units on one sample day are beyond the exact range of 2^53 minor units; check the amounts for misplaced digits`,
      );
    }
  }
  const totals = new Float64Array(width);
  let total = 0;
  for (let k = 0; k < width; k++) {
    total += totalChanges[k] as number;
    totals[k] = total;
    if (total > largest) largest = total;
  }
  if (largest > Number.MAX_SAFE_INTEGER) {
    throw new EngineError(
      'invalid-line',
      `total ARR of ${largest} minor units is beyond the exact range of 2^53 minor units; check the amounts for misplaced digits`,
    );
  }

  return {
    definitions,
    asOf,
    monthChain,
    chainPosition,
    firstPositiveDay,
    firstPositiveMonthDay,
    windowStart,
    prepared,
    fx,
    samples,
    arrOffsets,
    arrSamples: new Int32Array(changeSamples),
    arrValues: new Float64Array(changeValues),
    totals,
    units,
    months,
    asOfSample: lowerBound(samples, asOf),
    windowStartSample: lowerBound(samples, windowStart),
    lapsedUnits: prepared.lapsedUnits,
    flooredCells,
  };
}

/**
 * Lists lowerBound(samples, day) for every day from the first sample to the last, which is the
 * as-of date: the analysis looks up both ends of every line, and a binary search for each showed
 * in profiles. The table is small: 1.6 MB even from 1900 to 2999, the widest range of dates.
 */
function sampleTable(samples: Int32Array): Int32Array {
  const first = samples[0] as number;
  const table = new Int32Array((samples[samples.length - 1] as number) - first + 1);
  let k = 0;
  for (let offset = 0; offset < table.length; offset++) {
    while ((samples[k] as number) < first + offset) k++;
    table[offset] = k;
  }
  return table;
}

/** Sorts the first `count` entries of `values` in place, by insertion because they are few. */
function sortTouched(values: Int32Array, count: number): void {
  for (let i = 1; i < count; i++) {
    const value = values[i] as number;
    let j = i - 1;
    while (j >= 0 && (values[j] as number) > value) {
      values[j + 1] = values[j] as number;
      j--;
    }
    values[j + 1] = value;
  }
}

/**
 * Lists the samples a bridge from `from` to `to` steps through: both ends and the month ends
 * between them. A sample that is not a month end (a window start inside a month) is used only as
 * an end, so it never splits a month into two steps.
 */
export function bridgeSteps(analysis: Analysis, from: number, to: number): number[] {
  const steps = [from];
  for (let k = from + 1; k < to; k++) if ((analysis.chainPosition[k] as number) >= 0) steps.push(k);
  steps.push(to);
  return steps;
}

/** Reads a unit's ARR at a sample. */
export function unitArr(analysis: Analysis, unit: number, sample: number): number {
  const { arrOffsets, arrSamples, arrValues } = analysis;
  let low = arrOffsets[unit] as number;
  let high = arrOffsets[unit + 1] as number;
  const first = low;
  // Finds the first entry after `sample`. The entry before it gives the ARR at `sample`.
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((arrSamples[middle] as number) <= sample) low = middle + 1;
    else high = middle;
  }
  return low === first ? 0 : (arrValues[low - 1] as number);
}

/** Checks whether a unit has ARR above zero at any sample. */
export function hasArr(analysis: Analysis, unit: number): boolean {
  return (analysis.arrOffsets[unit + 1] as number) > (analysis.arrOffsets[unit] as number);
}

/** Writes a unit's ARR at every sample into `row`, whose length is the number of samples. */
export function fillUnitArr(analysis: Analysis, unit: number, row: Float64Array): void {
  const { arrOffsets, arrSamples, arrValues } = analysis;
  const last = arrOffsets[unit + 1] as number;
  let value = 0;
  let k = 0;
  for (let entry = arrOffsets[unit] as number; entry < last; entry++) {
    const next = arrSamples[entry] as number;
    row.fill(value, k, next);
    value = arrValues[entry] as number;
    k = next;
  }
  row.fill(value, k);
}

/**
 * Reads one unit's ARR at samples in non-decreasing order, stepping through its stored changes
 * instead of searching them for each sample.
 */
export class UnitArrCursor {
  private readonly offsets: Int32Array;
  private readonly samples: Int32Array;
  private readonly values: Float64Array;
  private entry = 0;
  private last = 0;
  private value = 0;

  constructor(analysis: Analysis) {
    this.offsets = analysis.arrOffsets;
    this.samples = analysis.arrSamples;
    this.values = analysis.arrValues;
  }

  /** Starts reading a unit from sample 0; returns false when the unit never has ARR. */
  start(unit: number): boolean {
    this.entry = this.offsets[unit] as number;
    this.last = this.offsets[unit + 1] as number;
    this.value = 0;
    return this.entry < this.last;
  }

  /** Returns the unit's ARR at a sample no earlier than the one of the previous call. */
  at(sample: number): number {
    while (this.entry < this.last && (this.samples[this.entry] as number) <= sample) {
      this.value = this.values[this.entry] as number;
      this.entry++;
    }
    return this.value;
  }

  /** Returns the sample of the unit's next stored change, or Infinity when none is left. */
  nextChange(): number {
    return this.entry < this.last ? (this.samples[this.entry] as number) : Infinity;
  }
}

/**
 * Chooses the history that separates new from reactivation in a bridge starting at sample `from`.
 * A bridge that starts at a month end sees month ends only, so monthly rows never depend on the
 * as-of date; a window bridge that starts inside a month also sees its own start.
 */
export function historyFor(analysis: Analysis, from: number): Int32Array {
  return (analysis.chainPosition[from] as number) >= 0
    ? analysis.firstPositiveMonthDay
    : analysis.firstPositiveDay;
}

/** Checks whether the unit had ARR above zero, in the given history, on or before `day`. */
export function wasActiveBy(history: Int32Array, unit: number, day: Day): boolean {
  return (history[unit] as number) <= day;
}
