/**
 * Attribution of netting units to books: the owner (CSM), segment, region or sub-region of each
 * unit at each sample day. It comes from the effective-dated assignments and segment spans of the
 * unit's accounts: on each day a span of the root account wins over those of its children.
 *
 * On a day no span covers, the latest earlier span applies, else the earliest later one, so an
 * account keeps its last known owner between contracts.
 */
import type { Analysis } from './analysis.js';
import { OPEN_END } from './dates.js';
import type { Day } from './dates.js';
import type { Assignment, Dataset, SegmentSpan } from './model.js';
import { lowerBound } from './search.js';

export type Dimension = 'csm' | 'segment' | 'region' | 'sub-region';

// NOTE: a person or segment literally named "(unassigned)" shares this book.
export const UNASSIGNED = '(unassigned)';

export interface GroupIndex {
  readonly dimension: Dimension;
  readonly keys: readonly string[];
  /**
   * Key index per unit when it never changes, else −1 − r where r is the unit's entry in
   * `runOffsets`. Most units keep one owner and one segment, and the others change a few times,
   * so a changing unit stores one run per change rather than a key per sample.
   */
  readonly unitCodes: Int32Array;
  /** Runs of changing unit r are runOffsets[r] .. runOffsets[r + 1] − 1, in sample order. */
  readonly runOffsets: Int32Array;
  /** First sample of each run; a run lasts until the next run of its unit starts. */
  readonly runSample: Int32Array;
  /** Key index of each run. */
  readonly runCode: Int32Array;
}

/** Looks up the key code of a unit at a sample. */
export function codeAt(groups: GroupIndex, unit: number, sample: number): number {
  const code = groups.unitCodes[unit] as number;
  return code >= 0 ? code : (groups.runCode[runAt(groups, -1 - code, sample)] as number);
}

/**
 * Returns the key code a unit has at every sample from `from` to `to`, or −1 when its key changes
 * between them.
 */
export function steadyCode(groups: GroupIndex, unit: number, from: number, to: number): number {
  const code = groups.unitCodes[unit] as number;
  if (code >= 0) return code;
  const run = runAt(groups, -1 - code, from);
  const changes = run + 1 < (groups.runOffsets[-code] as number);
  return changes && (groups.runSample[run + 1] as number) <= to
    ? -1
    : (groups.runCode[run] as number);
}

/** Finds the run in force at a sample among the runs of the changing unit numbered `changing`. */
function runAt(groups: GroupIndex, changing: number, sample: number): number {
  const { runOffsets, runSample } = groups;
  let run = runOffsets[changing] as number;
  const end = runOffsets[changing + 1] as number;
  while (run + 1 < end && (runSample[run + 1] as number) <= sample) run++;
  return run;
}

/**
 * Collects the runs of the units whose key changes, as plain arrays that are copied to typed
 * arrays of their exact size at the end.
 */
export class RunBuilder {
  readonly offsets: number[] = [];
  readonly samples: number[] = [];
  readonly codes: number[] = [];

  /** Position of the next run, where a unit's first run will go. */
  get length(): number {
    return this.codes.length;
  }

  /** Adds a run starting at `sample` unless the unit's previous run has the same code. */
  push(firstRun: number, sample: number, code: number): void {
    if (this.codes.length === firstRun || this.codes[this.codes.length - 1] !== code) {
      this.samples.push(sample);
      this.codes.push(code);
    }
  }

  /**
   * Closes a unit's runs: one run becomes the unit's fixed code and is dropped, several are kept
   * and the unit points at them.
   */
  finishUnit(unitCodes: Int32Array, unit: number, firstRun: number): void {
    if (this.codes.length === firstRun + 1) {
      unitCodes[unit] = this.codes[firstRun] as number;
      this.samples.length = firstRun;
      this.codes.length = firstRun;
      return;
    }
    unitCodes[unit] = -1 - this.offsets.length;
    this.offsets.push(firstRun);
  }

  toIndex(dimension: Dimension, keys: readonly string[], unitCodes: Int32Array): GroupIndex {
    return {
      dimension,
      keys,
      unitCodes,
      runOffsets: Int32Array.from([...this.offsets, this.codes.length]),
      runSample: new Int32Array(this.samples),
      runCode: new Int32Array(this.codes),
    };
  }
}

/**
 * Spans of one list (assignments, or segment spans) resolved to netting units, as parallel arrays
 * indexed like the list. Segment, region and sub-region all read the segment spans, so the list is
 * read once for all three and the result kept with the analysis.
 */
interface ResolvedSpans {
  /**
   * The spans of unit u are unitSpans[unitOffsets[u] .. unitOffsets[u + 1] − 1], in list order.
   * Spans without a key and spans whose account has no unit are in no unit's range.
   */
  readonly unitOffsets: Int32Array;
  readonly unitSpans: Int32Array;
  /** The list itself, from which a unit's spans read their days when it has more than one. */
  readonly list: readonly { from: Day; to: Day | null }[];
  /** 1 when the span's account is the root of its unit. */
  readonly isRoot: Uint8Array;
  /** Per dimension, each span's key as an index into `keys`, or −1 when it has none. */
  readonly keyCodes: Partial<Record<Dimension, { codes: Int32Array; keys: string[] }>>;
}

const resolvedCache = new WeakMap<Analysis, Map<readonly unknown[], ResolvedSpans>>();

/** Numbers the distinct keys of one dimension, starting after UNASSIGNED, which is code 0. */
class KeyCodes {
  readonly keys: string[] = [UNASSIGNED];
  private readonly codeOf = new Map<string, number>([[UNASSIGNED, 0]]);
  private lastKey = UNASSIGNED;
  private lastCode = 0;

  codeFor(key: string | undefined): number {
    if (key === undefined || key === '') return -1;
    // Neighbouring spans often share a key, which saves a Map lookup.
    if (key === this.lastKey) return this.lastCode;
    let code = this.codeOf.get(key);
    if (code === undefined) {
      code = this.keys.length;
      this.keys.push(key);
      this.codeOf.set(key, code);
    }
    this.lastKey = key;
    this.lastCode = code;
    return code;
  }
}

/**
 * Resolves the accounts and days of a list of spans. Spans for which `hasKey` is false are
 * skipped. For each other span whose account has a unit, `keys` records its key codes.
 */
function resolveSpans<Span extends { accountId: string; from: Day; to: Day | null }>(
  analysis: Analysis,
  list: readonly Span[],
  hasKey: (span: Span) => boolean,
  keys: (span: Span, index: number) => void,
): Omit<ResolvedSpans, 'keyCodes'> {
  const { unitByAccount } = analysis.prepared;
  const count = list.length;
  // A plain array, because this one is discarded once the spans are grouped by unit.
  const unit = new Array<number>(count).fill(-1);
  const isRoot = new Uint8Array(count);
  let previousAccount: string | undefined;
  let previousNumber = -1;
  let previousUnit = -1;
  let previousIsRoot = 0;
  for (let index = 0; index < count; index++) {
    const span = list[index] as Span;
    if (!hasKey(span)) continue;
    if (span.accountId !== previousAccount) {
      previousAccount = span.accountId;
      const number = unitByAccount.accounts.findFrom(previousAccount, previousNumber + 1);
      if (number >= 0) {
        previousNumber = number;
        previousUnit = unitByAccount.unitAt(number);
        previousIsRoot = unitByAccount.isRootAt(number) ? 1 : 0;
      } else {
        // An account without lines, such as a parent between a child and the root, is never a
        // root: a root always has an entry of its own.
        previousUnit = analysis.prepared.findUnit(previousAccount) ?? -1;
        previousIsRoot = 0;
      }
    }
    if (previousUnit < 0) continue;
    unit[index] = previousUnit;
    isRoot[index] = previousIsRoot;
    keys(span, index);
  }
  const { offsets: unitOffsets, members: unitSpans } = groupByUnit(unit, analysis.units);
  return { unitOffsets, unitSpans, list, isRoot };
}

/**
 * Lists the indices of `unitOf` by unit, in index order: a counting sort. Entries of unit −1 are
 * left out.
 */
function groupByUnit(
  unitOf: readonly number[],
  units: number,
): { offsets: Int32Array; members: Int32Array } {
  const offsets = new Int32Array(units + 1);
  for (let index = 0; index < unitOf.length; index++) {
    const unit = unitOf[index] as number;
    if (unit >= 0) offsets[unit + 1] = (offsets[unit + 1] as number) + 1;
  }
  for (let unit = 0; unit < units; unit++)
    offsets[unit + 1] = (offsets[unit + 1] as number) + (offsets[unit] as number);
  const members = new Int32Array(offsets[units] as number);
  // Each unit's offset serves as its insertion cursor, then the offsets shift back by one unit.
  for (let index = 0; index < unitOf.length; index++) {
    const unit = unitOf[index] as number;
    if (unit < 0) continue;
    members[offsets[unit] as number] = index;
    offsets[unit] = (offsets[unit] as number) + 1;
  }
  offsets.copyWithin(1, 0, units);
  offsets[0] = 0;
  return { offsets, members };
}

/** Resolves the spans a dimension reads, once per analysis and list. */
function resolvedSpans(analysis: Analysis, dataset: Dataset, dimension: Dimension): ResolvedSpans {
  const list = dimension === 'csm' ? dataset.assignments : dataset.segments;
  let cache = resolvedCache.get(analysis);
  if (cache === undefined) {
    cache = new Map();
    resolvedCache.set(analysis, cache);
  }
  const cached = cache.get(list);
  if (cached !== undefined) return cached;

  let resolved: ResolvedSpans;
  if (dimension === 'csm') {
    const ownerRole = analysis.definitions.ownerRole;
    const role = ownerRole.toLowerCase();
    const owners = new KeyCodes();
    const codes = new Int32Array(list.length).fill(-1);
    let lastRole: string | undefined;
    let lastRoleMatches = false;
    const isOwner = (assignment: Assignment): boolean => {
      if (assignment.role !== lastRole) {
        lastRole = assignment.role;
        lastRoleMatches = lastRole === ownerRole || lastRole.toLowerCase() === role;
      }
      return lastRoleMatches;
    };
    const spans = resolveSpans(analysis, dataset.assignments, isOwner, (assignment, index) => {
      codes[index] = owners.codeFor(assignment.person);
    });
    resolved = { ...spans, keyCodes: { csm: { codes, keys: owners.keys } } };
  } else {
    const segments = new KeyCodes();
    const regions = new KeyCodes();
    const subRegions = new KeyCodes();
    const segmentCodes = new Int32Array(list.length).fill(-1);
    const regionCodes = new Int32Array(list.length).fill(-1);
    const subRegionCodes = new Int32Array(list.length).fill(-1);
    const hasKey = (span: SegmentSpan): boolean =>
      (span.segment !== undefined && span.segment !== '') ||
      (span.region !== undefined && span.region !== '') ||
      (span.subRegion !== undefined && span.subRegion !== '');
    const spans = resolveSpans(analysis, dataset.segments, hasKey, (span, index) => {
      segmentCodes[index] = segments.codeFor(span.segment);
      regionCodes[index] = regions.codeFor(span.region);
      subRegionCodes[index] = subRegions.codeFor(span.subRegion);
    });
    resolved = {
      ...spans,
      keyCodes: {
        segment: { codes: segmentCodes, keys: segments.keys },
        region: { codes: regionCodes, keys: regions.keys },
        'sub-region': { codes: subRegionCodes, keys: subRegions.keys },
      },
    };
  }
  cache.set(list, resolved);
  return resolved;
}

/** The spans of one unit in one dimension as parallel arrays. */
interface SpanTable {
  readonly from: Int32Array;
  /** Exclusive end; OPEN_END while current. */
  readonly to: Int32Array;
  readonly code: Int32Array;
  readonly isRoot: Uint8Array;
}

/**
 * Chooses among spans[first..latest] (sorted by start) the one that applies on `day`: the latest
 * root-account span that covers the day, else the latest covering span of another account of the
 * unit, else the span that ended most recently before it. Returns a position in `spans`.
 */
function chooseSpan(
  table: SpanTable,
  spans: Int32Array,
  first: number,
  latest: number,
  day: Day,
): number {
  let member = -1;
  let recent = latest;
  for (let index = latest; index >= first; index--) {
    const span = spans[index] as number;
    const to = table.to[span] as number;
    if (day >= to) {
      // Not in force: remember the span that ended most recently, the root's on a tie.
      const best = spans[recent] as number;
      const bestTo = table.to[best] as number;
      if (to > bestTo || (to === bestTo && table.isRoot[span] === 1 && table.isRoot[best] !== 1))
        recent = index;
      continue;
    }
    if (table.isRoot[span] === 1) return index;
    if (member < 0) member = index;
  }
  return member >= 0 ? member : recent;
}

/** Checks whether span a sorts before span b: by start day, then by key. */
function spanBefore(table: SpanTable, keys: readonly string[], a: number, b: number): boolean {
  const fromA = table.from[a] as number;
  const fromB = table.from[b] as number;
  if (fromA !== fromB) return fromA < fromB;
  return (keys[table.code[a] as number] as string) < (keys[table.code[b] as number] as string);
}

/**
 * Sorts spans[from..to) by start day, then key, in place (insertion sort: units have few spans).
 */
function sortSpans(
  table: SpanTable,
  spans: Int32Array,
  from: number,
  to: number,
  keys: readonly string[],
): void {
  for (let i = from + 1; i < to; i++) {
    const value = spans[i] as number;
    let j = i - 1;
    while (j >= from && spanBefore(table, keys, value, spans[j] as number)) {
      spans[j + 1] = spans[j] as number;
      j--;
    }
    spans[j + 1] = value;
  }
}

/**
 * Finds the first day after `day` on which one of spans[from..to) starts or stops, which is the
 * next day on which chooseSpan can choose differently. Returns OPEN_END when there is none.
 */
function nextChange(table: SpanTable, spans: Int32Array, from: number, to: number, day: Day): Day {
  let next = OPEN_END;
  for (let index = from; index < to; index++) {
    const span = spans[index] as number;
    const start = table.from[span] as number;
    const end = table.to[span] as number;
    if (start > day && start < next) next = start;
    if (end > day && end < next) next = end;
  }
  return next;
}

/** Builds the key of every unit at every sample for one dimension. */
export function groupIndex(analysis: Analysis, dataset: Dataset, dimension: Dimension): GroupIndex {
  const { samples } = analysis;
  const width = samples.length;
  const units = analysis.units;
  const unitCodes = new Int32Array(units);

  // Group span indices by unit; on each day the root account's own spans win over its children's.
  const resolved = resolvedSpans(analysis, dataset, dimension);
  const { codes, keys } = resolved.keyCodes[dimension] as { codes: Int32Array; keys: string[] };
  const { unitOffsets, unitSpans, list } = resolved;
  let largest = 0;
  for (let unit = 0; unit < units; unit++) {
    const size = (unitOffsets[unit + 1] as number) - (unitOffsets[unit] as number);
    if (size > largest) largest = size;
  }
  // One unit's spans that have a key in this dimension, copied out of the shared list so that
  // sorting them leaves `resolved` alone. Once copied, positions in `table` name the spans, and
  // `spans` contains those positions in the order sortSpans gives.
  const table: SpanTable = {
    from: new Int32Array(largest),
    to: new Int32Array(largest),
    code: new Int32Array(largest),
    isRoot: new Uint8Array(largest),
  };
  const spans = new Int32Array(largest);
  const first = 0;

  // Plain arrays while the runs are collected, copied to typed arrays of their exact size at the
  // end: growing typed arrays would leave their discarded buffers to the full garbage collection
  // that typed-array memory starts (see analyse).
  const runs = new RunBuilder();
  for (let unit = 0; unit < units; unit++) {
    let end = 0;
    const last = unitOffsets[unit + 1] as number;
    for (let position = unitOffsets[unit] as number; position < last; position++) {
      const span = unitSpans[position] as number;
      const code = codes[span] as number;
      if (code < 0) continue;
      table.code[end] = code;
      spans[end] = span;
      end++;
    }
    if (end === first) continue;
    if (end === first + 1) {
      unitCodes[unit] = table.code[first] as number;
      continue;
    }
    // Only a unit with several spans needs their days, which are read from the list here.
    for (let position = first; position < end; position++) {
      const span = spans[position] as number;
      const { from, to } = list[span] as { from: Day; to: Day | null };
      table.from[position] = from;
      table.to[position] = to ?? OPEN_END;
      table.isRoot[position] = resolved.isRoot[span] as number;
      spans[position] = position;
    }
    sortSpans(table, spans, first, end, keys);
    // The chosen span changes only on days when some span starts or stops, so the span is chosen
    // again only at the first sample on or after such a day.
    const firstRun = runs.length;
    let current = first - 1;
    let k = 0;
    while (k < width) {
      const day = samples[k] as number;
      while (current + 1 < end && (table.from[spans[current + 1] as number] as number) <= day)
        current++;
      const chosen = current < first ? first : chooseSpan(table, spans, first, current, day);
      const code = table.code[spans[chosen] as number] as number;
      runs.push(firstRun, k, code);
      const changesOn = nextChange(table, spans, first, end, day);
      k = changesOn === OPEN_END ? width : Math.max(k + 1, lowerBound(samples, changesOn));
    }
    runs.finishUnit(unitCodes, unit, firstRun);
  }
  return runs.toIndex(dimension, keys, unitCodes);
}
