/**
 * The ARR bridge: start + new + expansion + reactivation − contraction − churn = end. Movements are
 * netted per unit between consecutive month ends (and the ends of the requested range) and summed
 * over the range.
 *
 * A unit whose ARR goes from s to e between two samples moves as follows. When s = 0 and e > 0,
 * it is new if the unit had no ARR at any earlier sample, and a reactivation otherwise (at any distance
 * in time). When s > 0 and e = 0, it is churn. Otherwise the difference is expansion or
 * contraction.
 *
 * Book bridges add transfer lines. When a unit's book differs between two samples, the old book
 * transfers out the unit's ARR at the first sample and the new book transfers it in. The movement
 * between the two samples is credited to the new book.
 */
import { bridgeSteps, historyFor, UnitArrCursor } from './analysis.js';
import type { Analysis } from './analysis.js';
import { codeAt, steadyCode } from './groups.js';
import type { GroupIndex } from './groups.js';

export type MovementKind = 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation';

export interface BridgeTotals {
  start: number;
  new: number;
  expansion: number;
  contraction: number;
  churn: number;
  reactivation: number;
  transferIn: number;
  transferOut: number;
  end: number;
}

export function emptyTotals(): BridgeTotals {
  return {
    start: 0,
    new: 0,
    expansion: 0,
    contraction: 0,
    churn: 0,
    reactivation: 0,
    transferIn: 0,
    transferOut: 0,
    end: 0,
  };
}

/** Classifies one unit's change; returns undefined when nothing moved. Amounts are positive. */
export function classifyMovement(
  start: number,
  end: number,
  activeBefore: boolean,
): { kind: MovementKind; amount: number } | undefined {
  if (start === end) return undefined;
  if (start === 0) return { kind: activeBefore ? 'reactivation' : 'new', amount: end };
  if (end === 0) return { kind: 'churn', amount: start };
  return end > start
    ? { kind: 'expansion', amount: end - start }
    : { kind: 'contraction', amount: start - end };
}

const KINDS: readonly MovementKind[] = ['new', 'expansion', 'contraction', 'churn', 'reactivation'];
const chainCache = new WeakMap<Analysis, Float64Array>();
const stepCache = new WeakMap<Analysis, Map<string, Float64Array>>();

/** Adds one unit's movement between two samples to a totals array at `base`, in KINDS order. */
function addMovement(
  totals: Float64Array,
  base: number,
  start: number,
  end: number,
  activeBefore: boolean,
): void {
  if (start === end) return;
  if (start === 0) {
    const slot = base + (activeBefore ? 4 : 0);
    totals[slot] = (totals[slot] as number) + end;
  } else if (end === 0) totals[base + 3] = (totals[base + 3] as number) + start;
  else if (end > start) totals[base + 1] = (totals[base + 1] as number) + end - start;
  else totals[base + 2] = (totals[base + 2] as number) + start - end;
}

/**
 * Sums company movements over each step of the month chain, once per analysis. Entry
 * i × 5 + j is the total of movement kind KINDS[j] from monthChain[i − 1] to monthChain[i]. The
 * classification is the one in classifyMovement, written out because this loop visits every unit.
 * Only the steps in which a unit's ARR changes are visited, because in the others nothing moves.
 */
function chainTotals(analysis: Analysis): Float64Array {
  const cached = chainCache.get(analysis);
  if (cached) return cached;
  const { arrOffsets, arrSamples, arrValues, samples, monthChain } = analysis;
  const totals = new Float64Array(monthChain.length * KINDS.length);
  // Chain position of the step each sample falls in: that of the first month-chain sample at or
  // after it. The last sample (the as-of date) is in the chain, so every sample has one.
  const stepOf = new Int32Array(samples.length);
  let position = 0;
  for (let k = 0; k < samples.length; k++) {
    while ((monthChain[position] as number) < k) position++;
    stepOf[k] = position;
  }
  const firstActive = analysis.firstPositiveMonthDay;
  for (let unit = 0; unit < analysis.units; unit++) {
    const last = arrOffsets[unit + 1] as number;
    let entry = arrOffsets[unit] as number;
    const first = firstActive[unit] as number;
    let value = 0;
    while (entry < last) {
      const step = stepOf[arrSamples[entry] as number] as number;
      const start = value;
      // Several changes inside one step net to the ARR at the step's end.
      while (entry < last && stepOf[arrSamples[entry] as number] === step) {
        value = arrValues[entry] as number;
        entry++;
      }
      if (step === 0) continue;
      const a = monthChain[step - 1] as number;
      addMovement(totals, step * KINDS.length, start, value, first <= (samples[a] as number));
    }
  }
  chainCache.set(analysis, totals);
  return totals;
}

/** Sums company movements between two samples directly, for steps outside the month chain. */
function stepTotals(analysis: Analysis, a: number, b: number, history: Int32Array): Float64Array {
  let cache = stepCache.get(analysis);
  if (cache === undefined) {
    cache = new Map();
    stepCache.set(analysis, cache);
  }
  const key = `${a}:${b}:${history === analysis.firstPositiveDay ? 'all' : 'month'}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const { samples } = analysis;
  const cursor = new UnitArrCursor(analysis);
  const totals = new Float64Array(KINDS.length);
  for (let unit = 0; unit < analysis.units; unit++) {
    if (!cursor.start(unit)) continue;
    addMovement(
      totals,
      0,
      cursor.at(a),
      cursor.at(b),
      (history[unit] as number) <= (samples[a] as number),
    );
  }
  cache.set(key, totals);
  return totals;
}

/** Sums the company bridge from sample `from` to sample `to` (from < to), month by month. */
export function companyBridge(analysis: Analysis, from: number, to: number): BridgeTotals {
  const totals = emptyTotals();
  totals.start = analysis.totals[from] as number;
  totals.end = analysis.totals[to] as number;
  const chain = chainTotals(analysis);
  const history = historyFor(analysis, from);
  const monthly = history === analysis.firstPositiveMonthDay;
  const steps = bridgeSteps(analysis, from, to);
  for (let s = 1; s < steps.length; s++) {
    const a = steps[s - 1] as number;
    const b = steps[s] as number;
    const positionA = analysis.chainPosition[a] as number;
    const positionB = analysis.chainPosition[b] as number;
    const inChain = monthly && positionA >= 0 && positionB === positionA + 1;
    const source = inChain ? chain : stepTotals(analysis, a, b, history);
    const base = inChain ? positionB * KINDS.length : 0;
    KINDS.forEach((kind, index) => {
      totals[kind] += source[base + index] as number;
    });
  }
  return totals;
}

/** Slots of a book's totals in the array groupBridges accumulates into, after KINDS. */
const START = 5;
const END = 6;
const TRANSFER_IN = 7;
const TRANSFER_OUT = 8;
const SLOTS = 9;

/** Sums one bridge per book from sample `from` to sample `to`, indexed by the group's key code. */
export function groupBridges(
  analysis: Analysis,
  groups: GroupIndex,
  from: number,
  to: number,
): BridgeTotals[] {
  const sums = new Float64Array(groups.keys.length * SLOTS);
  const { samples } = analysis;
  const units = analysis.units;
  const steps = bridgeSteps(analysis, from, to);
  const history = historyFor(analysis, from);
  const cursor = new UnitArrCursor(analysis);
  for (let unit = 0; unit < units; unit++) {
    // A unit that never has ARR adds nothing to any slot, transfers included.
    if (!cursor.start(unit)) continue;
    // A unit whose book changes only outside the window is credited as if it never changed.
    const fixed = steadyCode(groups, unit, from, to);
    const startCode = fixed >= 0 ? fixed : codeAt(groups, unit, from);
    const endCode = fixed >= 0 ? fixed : codeAt(groups, unit, to);
    let end = cursor.at(from);
    sums[startCode * SLOTS + START] = (sums[startCode * SLOTS + START] as number) + end;
    // Most units keep their book and their ARR through a window: nothing moves in any step.
    if (fixed >= 0 && cursor.nextChange() > to) {
      sums[endCode * SLOTS + END] = (sums[endCode * SLOTS + END] as number) + end;
      continue;
    }
    const first = history[unit] as number;
    for (let s = 1; s < steps.length; s++) {
      const a = steps[s - 1] as number;
      const b = steps[s] as number;
      const start = end;
      end = cursor.at(b);
      let after = fixed;
      if (fixed < 0) {
        const before = codeAt(groups, unit, a);
        after = codeAt(groups, unit, b);
        if (before !== after && start !== 0) {
          sums[before * SLOTS + TRANSFER_OUT] =
            (sums[before * SLOTS + TRANSFER_OUT] as number) + start;
          sums[after * SLOTS + TRANSFER_IN] = (sums[after * SLOTS + TRANSFER_IN] as number) + start;
        }
      }
      addMovement(sums, after * SLOTS, start, end, first <= (samples[a] as number));
    }
    sums[endCode * SLOTS + END] = (sums[endCode * SLOTS + END] as number) + end;
  }
  return groups.keys.map((_, code) => {
    const base = code * SLOTS;
    return {
      start: sums[base + START] as number,
      new: sums[base] as number,
      expansion: sums[base + 1] as number,
      contraction: sums[base + 2] as number,
      churn: sums[base + 3] as number,
      reactivation: sums[base + 4] as number,
      transferIn: sums[base + TRANSFER_IN] as number,
      transferOut: sums[base + TRANSFER_OUT] as number,
      end: sums[base + END] as number,
    };
  });
}

/** Checks start + new + expansion + reactivation + transferIn − contraction − churn − transferOut = end. */
export function bridgeBalances(totals: BridgeTotals): boolean {
  return (
    totals.start +
      totals.new +
      totals.expansion +
      totals.reactivation +
      totals.transferIn -
      totals.contraction -
      totals.churn -
      totals.transferOut ===
    totals.end
  );
}

/**
 * Names the fiscal year of a `YYYY-MM` month by the calendar year in which that fiscal year ends.
 * With a fiscal year starting in April, 2025-03 is in 2025 and 2025-04 in 2026.
 */
export function fiscalYearOf(month: string, startMonth: number): string {
  const year = Number(month.slice(0, 4));
  return String(startMonth > 1 && Number(month.slice(5, 7)) >= startMonth ? year + 1 : year);
}

/** Splits the samples into periods: each runs from the previous period's last sample to its own. */
export function periodRanges(
  analysis: Analysis,
  by: 'month' | 'year',
): { period: string; from: number; to: number }[] {
  const ranges: { period: string; from: number; to: number }[] = [];
  let previous = 0;
  for (let index = 0; index < analysis.months.length; index++) {
    const month = analysis.months[index] as { key: string; sample: number };
    const key =
      by === 'month'
        ? month.key
        : fiscalYearOf(month.key, analysis.definitions.fiscalYearStartMonth);
    const last = ranges[ranges.length - 1];
    if (by === 'year' && last !== undefined && last.period === key) last.to = month.sample;
    else ranges.push({ period: key, from: previous, to: month.sample });
    previous = month.sample;
  }
  return ranges;
}
