/**
 * The ARR bridge: start + new + expansion + reactivation − contraction − churn = end, netted per
 * unit between consecutive sample days and summed over any range of samples.
 *
 * A unit whose ARR goes from s to e between two samples moves as follows. When s = 0 and e > 0,
 * it is new if the unit never had service before, and a reactivation otherwise (at any distance
 * in time). When s > 0 and e = 0, it is churn. Otherwise the difference is expansion or
 * contraction.
 *
 * Book bridges add transfer lines. When a unit's book differs between two samples, the old book
 * transfers out the unit's ARR at the first sample and the new book transfers it in. The movement
 * between the two samples is credited to the new book.
 */
import { wasActiveBy } from './analysis.js';
import type { Analysis } from './analysis.js';
import { codeAt } from './groups.js';
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
const pairCache = new WeakMap<Analysis, Float64Array>();

/**
 * Sums company movements between each pair of consecutive samples, once per analysis. Entry
 * k × 5 + i is the total of movement kind KINDS[i] between samples k − 1 and k.
 */
function pairTotals(analysis: Analysis): Float64Array {
  const cached = pairCache.get(analysis);
  if (cached) return cached;
  const width = analysis.samples.length;
  const totals = new Float64Array(width * KINDS.length);
  const { arr, samples } = analysis;
  const firstActive = analysis.prepared.unitFirstActive;
  // Slots follow KINDS: new 0, expansion 1, contraction 2, churn 3, reactivation 4. The
  // classification is the one in classifyMovement, inlined because this loop visits every unit
  // and sample.
  for (let unit = 0; unit < analysis.units; unit++) {
    const row = unit * width;
    const first = firstActive[unit] as number;
    for (let k = 1; k < width; k++) {
      const start = arr[row + k - 1] as number;
      const end = arr[row + k] as number;
      if (start === end) continue;
      const base = k * KINDS.length;
      if (start === 0) {
        const slot = base + (first <= (samples[k - 1] as number) ? 4 : 0);
        totals[slot] = (totals[slot] as number) + end;
      } else if (end === 0) totals[base + 3] = (totals[base + 3] as number) + start;
      else if (end > start) totals[base + 1] = (totals[base + 1] as number) + end - start;
      else totals[base + 2] = (totals[base + 2] as number) + start - end;
    }
  }
  pairCache.set(analysis, totals);
  return totals;
}

/** Sums the company bridge from sample `from` to sample `to` (from < to). */
export function companyBridge(analysis: Analysis, from: number, to: number): BridgeTotals {
  const totals = emptyTotals();
  totals.start = analysis.totals[from] as number;
  totals.end = analysis.totals[to] as number;
  const pairs = pairTotals(analysis);
  for (let k = from + 1; k <= to; k++) {
    KINDS.forEach((kind, index) => {
      totals[kind] += pairs[k * KINDS.length + index] as number;
    });
  }
  return totals;
}

/** Sums one bridge per book from sample `from` to sample `to`, indexed by the group's key code. */
export function groupBridges(
  analysis: Analysis,
  groups: GroupIndex,
  from: number,
  to: number,
): BridgeTotals[] {
  const result = groups.keys.map(() => emptyTotals());
  const width = analysis.samples.length;
  const units = analysis.units;
  for (let unit = 0; unit < units; unit++) {
    const row = unit * width;
    (result[codeAt(groups, unit, from)] as BridgeTotals).start += analysis.arr[
      row + from
    ] as number;
    (result[codeAt(groups, unit, to)] as BridgeTotals).end += analysis.arr[row + to] as number;
    for (let k = from + 1; k <= to; k++) {
      const start = analysis.arr[row + k - 1] as number;
      const end = analysis.arr[row + k] as number;
      const before = codeAt(groups, unit, k - 1);
      const after = codeAt(groups, unit, k);
      if (before !== after && start !== 0) {
        (result[before] as BridgeTotals).transferOut += start;
        (result[after] as BridgeTotals).transferIn += start;
      }
      if (start === end) continue;
      const movement = classifyMovement(
        start,
        end,
        start === 0 && wasActiveBy(analysis, unit, analysis.samples[k - 1] as number),
      );
      if (movement) (result[after] as BridgeTotals)[movement.kind] += movement.amount;
    }
  }
  return result;
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
