/**
 * Effective line ends: renewals replace or bridge to the lines they renew, one-day overlaps of
 * plan changes are trimmed, and the grace window bridges late renewals and keeps lapsed accounts.
 */
import type { AdjustmentKind } from './adjustments.js';
import { OPEN_END } from './dates.js';
import type { Day } from './dates.js';
import { EngineError } from './errors.js';
import type { ContractLine } from './model.js';
import { lineUnit, unitLineIndices } from './prepare.js';
import type { Prepared } from './prepare.js';

function adjust(
  prepared: Prepared,
  index: number,
  kind: AdjustmentKind,
  other: number,
  day: Day,
): void {
  prepared.adjustments.push(index, kind, other, day);
  prepared.lineEnd[index] = day;
}

/** Index of the line with this id: first among the unit's lines, then anywhere. */
function findLine(
  prepared: Prepared,
  unit: number,
  id: string,
  fallback: () => Map<string, number>,
): number | undefined {
  // Positions in unitLines rather than unitLineIndices, whose subarray would be one allocation
  // per renewal.
  const { lines, unitLines, unitLineOffsets } = prepared;
  const last = unitLineOffsets[unit + 1] as number;
  for (let position = unitLineOffsets[unit] as number; position < last; position++) {
    const index = unitLines[position] as number;
    if ((lines[index] as ContractLine).id === id) return index;
  }
  return fallback().get(id);
}

/** Names a line for messages: its id, and its file and row when known. */
export function describeLine(line: ContractLine): string {
  return line.source === undefined
    ? `line ${line.id}`
    : `line ${line.id} (${line.source.file} row ${line.source.row})`;
}

/**
 * Finds a line's position in `renewals`, which lists line indices in ascending order, or returns
 * −1 when the line is not a counted renewal.
 */
function renewalPosition(renewals: readonly number[], line: number): number {
  let low = 0;
  let high = renewals.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((renewals[middle] as number) < line) low = middle + 1;
    else high = middle;
  }
  return low < renewals.length && renewals[low] === line ? low : -1;
}

/**
 * Rejects lines that renew each other in a loop, which would leave none of them counting. Only
 * renewals can be on a loop, so the walk goes from renewal to renewal by position.
 */
function checkRenewalLoops(
  lines: readonly ContractLine[],
  renewals: readonly number[],
  targetOf: Int32Array,
): void {
  const state = new Uint8Array(renewals.length);
  for (let first = 0; first < renewals.length; first++) {
    if (targetOf[first] === -1 || state[first] !== 0) continue;
    const path: number[] = [];
    let current = first;
    while (current !== -1 && state[current] === 0) {
      state[current] = 1;
      path.push(current);
      const target = targetOf[current] as number;
      current = target === -1 ? -1 : renewalPosition(renewals, target);
    }
    if (current !== -1 && state[current] === 1) {
      const loop = path
        .slice(path.indexOf(current))
        .map((position) => describeLine(lines[renewals[position] as number] as ContractLine));
      throw new EngineError(
        'invalid-line',
        `lines renew each other in a loop: ${loop.slice(0, 10).join(' → ')}; fix the renews values`,
      );
    }
    for (const position of path) state[position] = 2;
  }
}

/**
 * Computes, for every renewal, the earliest start of it or of any line that renews it, directly or
 * through a chain. Renewal loops were rejected before, so every chain ends. Renewers of a line are
 * kept as linked lists in typed arrays because a large dataset has hundreds of thousands.
 *
 * Renewals are named by their position in `renewals`, and `targetOf` and the result are indexed
 * the same way.
 */
function continuationStarts(
  renewals: readonly number[],
  targetOf: Int32Array,
  lineStart: Int32Array,
): Int32Array {
  // The first renewer of each renewal, by position. Lines that are not renewals are never
  // visited below, so their renewers need no list.
  const head = new Int32Array(renewals.length).fill(-1);
  const next = new Int32Array(renewals.length).fill(-1);
  for (let position = 0; position < renewals.length; position++) {
    const target = targetOf[position] as number;
    if (target === -1) continue;
    const targetPosition = renewalPosition(renewals, target);
    if (targetPosition === -1) continue;
    next[position] = head[targetPosition] as number;
    head[targetPosition] = position;
  }
  const continuation = new Int32Array(renewals.length).fill(UNKNOWN);
  const stack: number[] = [];
  for (let first = 0; first < renewals.length; first++) {
    if (continuation[first] !== UNKNOWN) continue;
    stack.push(first);
    // Depth-first without recursion: a renewal is finished once all lines renewing it are.
    while (stack.length > 0) {
      const position = stack[stack.length - 1] as number;
      let pending = head[position] as number;
      while (pending !== -1 && continuation[pending] !== UNKNOWN) pending = next[pending] as number;
      if (pending !== -1) {
        stack.push(pending);
        continue;
      }
      stack.pop();
      let start = lineStart[renewals[position] as number] as number;
      for (
        let renewer = head[position] as number;
        renewer !== -1;
        renewer = next[renewer] as number
      ) {
        start = Math.min(start, continuation[renewer] as number);
      }
      continuation[position] = start;
    }
  }
  return continuation;
}

/** Marks a continuation start not computed yet (no day number is this small). */
const UNKNOWN = -2_147_483_648;

export function applyRenewals(prepared: Prepared, graceDays: number): void {
  const { lines, lineStart, lineEnd } = prepared;
  let byId: Map<string, number> | undefined;
  const allLines = (): Map<string, number> => {
    if (byId === undefined) {
      byId = new Map();
      lines.forEach((line, index) => byId?.set(line.id, index));
    }
    return byId;
  };
  const { renewals } = prepared;
  // The line each renewal renews, by position in `renewals`, or −1.
  const targetOf = new Int32Array(renewals.length).fill(-1);
  for (let position = 0; position < renewals.length; position++) {
    const index = renewals[position] as number;
    const renews = (lines[index] as ContractLine).renews as string;
    const target = findLine(prepared, lineUnit(prepared, index), renews, allLines);
    if (target === undefined) prepared.warnings.unknownRenewals++;
    else if (target !== index) {
      targetOf[position] = target;
      if (prepared.lineAccount[target] !== prepared.lineAccount[index]) {
        prepared.warnings.renewalsAcrossAccounts++;
      }
    }
  }
  checkRenewalLoops(lines, renewals, targetOf);

  // Service of a renewed line continues from the earliest start among its renewals, where a
  // renewal's own start counts as early as any line that in turn renews it. Taking the minimum
  // over all renewals makes the result independent of input order.
  const continuation = continuationStarts(renewals, targetOf, lineStart);
  // The renewal (by position) that continues each renewed line. Positions follow line order, so
  // comparing them breaks ties as comparing line indices would.
  const earliest = new Int32Array(lines.length).fill(-1);
  for (let position = 0; position < renewals.length; position++) {
    const target = targetOf[position] as number;
    if (target === -1) continue;
    const current = earliest[target] as number;
    const start = continuation[position] as number;
    if (
      current === -1 ||
      start < (continuation[current] as number) ||
      (start === continuation[current] && position < current)
    ) {
      earliest[target] = position;
    }
  }
  for (let position = 0; position < renewals.length; position++) {
    const renewal = renewals[position] as number;
    const target = targetOf[position] as number;
    if (target === -1 || earliest[target] !== position) continue;
    prepared.lineRenewal[target] = renewal;
    const start = continuation[position] as number;
    const targetEnd = lineEnd[target] as number;
    if (start < targetEnd) {
      // The renewal replaces the renewed line from its start: a co-termed add-on or an early
      // renewal, never both lines at once.
      const at = Math.max(lineStart[target] as number, start);
      adjust(prepared, target, 'renewed', renewal, at);
    } else if (start > targetEnd && start - targetEnd <= graceDays) {
      adjust(prepared, target, 'renewal-gap-bridged', renewal, start);
      // Credits that ended with the renewed line offset it through the gap too.
      for (const index of unitLineIndices(prepared, lineUnit(prepared, target))) {
        const sameAccount = prepared.lineAccount[index] === prepared.lineAccount[target];
        if (
          sameAccount &&
          prepared.lineCounted[index] === 1 &&
          (prepared.lineArr[index] as number) < 0 &&
          lineEnd[index] === targetEnd
        ) {
          adjust(prepared, index, 'renewal-gap-bridged', renewal, start);
        }
      }
    }
  }
}

export function trimOverlaps(prepared: Prepared, unit: number, tolerance: number): void {
  // Positions in unitLines rather than a subarray, because this runs for every unit.
  const { unitLines, unitLineOffsets, lineStart, lineEnd, lineCounted } = prepared;
  const first = unitLineOffsets[unit] as number;
  const last = unitLineOffsets[unit + 1] as number;
  if (tolerance <= 0 || last - first < 2) return;
  for (let position = first; position < last; position++) {
    const index = unitLines[position] as number;
    const end = lineEnd[index] as number;
    if (lineCounted[index] !== 1 || end === OPEN_END) continue;
    // Find the first line of the unit that starts at or after end - tolerance.
    let low = first;
    let high = last;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((lineStart[unitLines[middle] as number] as number) < end - tolerance) low = middle + 1;
      else high = middle;
    }
    for (let k = low; k < last; k++) {
      const other = unitLines[k] as number;
      const otherStart = lineStart[other] as number;
      if (otherStart >= end) break;
      if (
        other === index ||
        lineCounted[other] !== 1 ||
        (prepared.lineArr[other] as number) <= 0 ||
        otherStart <= (lineStart[index] as number)
      )
        continue;
      if (prepared.lineAccount[other] !== prepared.lineAccount[index]) continue;
      adjust(prepared, index, 'overlap-trimmed', other, otherStart);
      break;
    }
  }
}

/**
 * Applies the grace window to each account of a unit separately, so ARR on a day does not depend
 * on the netting level. A child account's late renewal is then a late renewal whether or not its
 * parent has other service.
 */
export function bridgeGaps(prepared: Prepared, unit: number, graceDays: number, asOf: Day): void {
  const { lineAccount, unitLines, unitLineOffsets } = prepared;
  // Positions in unitLines rather than a subarray, because this runs for every unit.
  const first = unitLineOffsets[unit] as number;
  const last = unitLineOffsets[unit + 1] as number;
  const firstAccount = first < last ? (lineAccount[unitLines[first] as number] as number) : -1;
  let byAccount: Map<number, number[]> | undefined;
  for (let position = first; position < last; position++) {
    if (lineAccount[unitLines[position] as number] !== firstAccount) {
      byAccount = new Map();
      break;
    }
  }
  if (byAccount === undefined) {
    bridgeAccountGaps(prepared, unit, { list: unitLines, first, last }, graceDays, asOf);
    return;
  }
  for (let position = first; position < last; position++) {
    const index = unitLines[position] as number;
    const account = lineAccount[index] as number;
    const own = byAccount.get(account);
    if (own) own.push(index);
    else byAccount.set(account, [index]);
  }
  for (const own of byAccount.values()) {
    bridgeAccountGaps(prepared, unit, { list: own, first: 0, last: own.length }, graceDays, asOf);
  }
}

/** The lines of one account of a unit: list[first .. last − 1], sorted by start. */
interface LineRange {
  readonly list: ArrayLike<number>;
  readonly first: number;
  readonly last: number;
}

function bridgeAccountGaps(
  prepared: Prepared,
  unit: number,
  lines: LineRange,
  graceDays: number,
  asOf: Day,
): void {
  const { list, first, last } = lines;
  const { lineStart, lineEnd, lineArr, lineCounted } = prepared;
  // Lines whose renewal continues their service elsewhere are not kept going here. Credits that
  // end with the lines that are kept going are kept going with them.
  const withCredits = (ending: readonly number[], at: Day): number[] => {
    const extended = ending.filter((index) => prepared.lineRenewal[index] === -1);
    if (extended.length === 0) return extended;
    for (let position = first; position < last; position++) {
      const index = list[position] as number;
      if (lineCounted[index] === 1 && (lineArr[index] as number) < 0 && lineEnd[index] === at)
        extended.push(index);
    }
    return extended;
  };
  // Walk the union of service intervals in start order; `coverageEnd` is the first day without
  // service, and `ending` lists the lines that end there.
  let coverageEnd = -1;
  let ending: number[] = [];
  for (let position = first; position < last; position++) {
    const index = list[position] as number;
    const start = lineStart[index] as number;
    const end = lineEnd[index] as number;
    if (lineCounted[index] !== 1 || (lineArr[index] as number) <= 0 || end <= start) continue;
    if (coverageEnd < 0) {
      coverageEnd = end;
      ending = [index];
      continue;
    }
    if (start > coverageEnd) {
      if (start - coverageEnd > graceDays) {
        coverageEnd = end;
        ending = [index];
        continue;
      }
      for (const previous of withCredits(ending, coverageEnd))
        adjust(prepared, previous, 'account-gap-bridged', -1, start);
      coverageEnd = start;
    }
    if (end > coverageEnd) {
      coverageEnd = end;
      ending = [index];
    } else if (end === coverageEnd) ending.push(index);
  }
  if (
    coverageEnd >= 0 &&
    coverageEnd !== OPEN_END &&
    coverageEnd <= asOf &&
    asOf < coverageEnd + graceDays
  ) {
    const lapsed = withCredits(ending, coverageEnd);
    for (const previous of lapsed) {
      adjust(prepared, previous, 'lapsed', -1, asOf + 1);
      (prepared.lapsedLines as Set<number>).add(previous);
    }
    if (lapsed.length > 0) (prepared.lapsedUnits as Set<number>).add(unit);
  }
}
