/**
 * Attribution of netting units to books: the owner (CSM), segment, region or sub-region of each
 * unit at each sample day. It comes from the effective-dated assignments and segment spans of the
 * unit's accounts: on each day a span of the root account wins over those of its children.
 *
 * On a day no span covers, the latest earlier span applies, else the earliest later one, so an
 * account keeps its last known owner between contracts.
 */
import type { Analysis } from './analysis.js';
import type { Day } from './dates.js';
import type { Assignment, Dataset, SegmentSpan } from './model.js';

export type Dimension = 'csm' | 'segment' | 'region' | 'sub-region';

// NOTE: a person or segment literally named "(unassigned)" shares this book.
export const UNASSIGNED = '(unassigned)';

export interface GroupIndex {
  readonly dimension: Dimension;
  readonly keys: readonly string[];
  /**
   * Key index per unit when it never changes, else −1 − r where r is the unit's row in `rows`.
   * Most units keep one owner and one segment, so only the others get a row per sample.
   */
  readonly unitCodes: Int32Array;
  /** Key index per sample for units whose key changes: `rows[r * samples.length + k]`. */
  readonly rows: Int32Array;
  readonly width: number;
}

/** Looks up the key code of a unit at a sample. */
export function codeAt(groups: GroupIndex, unit: number, sample: number): number {
  const code = groups.unitCodes[unit] as number;
  return code >= 0 ? code : (groups.rows[(-1 - code) * groups.width + sample] as number);
}

/** Read access to the spans of one dimension without copying them. */
interface SpanSource {
  readonly count: number;
  accountOf(index: number): string;
  /** The span's key, or undefined when the span does not count for this dimension. */
  keyOf(index: number): string | undefined;
  fromOf(index: number): Day;
  toOf(index: number): Day | null;
}

function spanSource(dataset: Dataset, dimension: Dimension, ownerRole: string): SpanSource {
  if (dimension === 'csm') {
    const role = ownerRole.toLowerCase();
    const list = dataset.assignments;
    return {
      count: list.length,
      accountOf: (index) => (list[index] as Assignment).accountId,
      keyOf: (index) => {
        const assignment = list[index] as Assignment;
        return assignment.role === ownerRole || assignment.role.toLowerCase() === role
          ? assignment.person
          : undefined;
      },
      fromOf: (index) => (list[index] as Assignment).from,
      toOf: (index) => (list[index] as Assignment).to,
    };
  }
  const list = dataset.segments;
  const fields = { segment: 'segment', region: 'region', 'sub-region': 'subRegion' } as const;
  const field = fields[dimension];
  return {
    count: list.length,
    accountOf: (index) => (list[index] as SegmentSpan).accountId,
    keyOf: (index) => {
      const key = (list[index] as SegmentSpan)[field];
      return key === undefined || key === '' ? undefined : key;
    },
    fromOf: (index) => (list[index] as SegmentSpan).from,
    toOf: (index) => (list[index] as SegmentSpan).to,
  };
}

/**
 * Chooses among spans[0..latest] (sorted by start) the one that applies on `day`: the latest
 * root-account span that covers the day, else the latest covering span of another account of the
 * unit, else the latest span that started by then.
 */
function chooseSpan(
  source: SpanSource,
  spans: Int32Array,
  isRoot: Uint8Array,
  latest: number,
  day: Day,
): number {
  let member = -1;
  for (let index = latest; index >= 0; index--) {
    const span = spans[index] as number;
    const to = source.toOf(span);
    if (to !== null && day >= to) continue;
    if (isRoot[span] === 1) return index;
    if (member < 0) member = index;
  }
  return member >= 0 ? member : latest;
}

/** Sorts span indices by start day, then key, in place (insertion sort: units have few spans). */
function sortSpans(source: SpanSource, spans: Int32Array): void {
  const before = (a: number, b: number): boolean => {
    const fromA = source.fromOf(a);
    const fromB = source.fromOf(b);
    if (fromA !== fromB) return fromA < fromB;
    return (source.keyOf(a) as string) < (source.keyOf(b) as string);
  };
  for (let i = 1; i < spans.length; i++) {
    const value = spans[i] as number;
    let j = i - 1;
    while (j >= 0 && before(value, spans[j] as number)) {
      spans[j + 1] = spans[j] as number;
      j--;
    }
    spans[j + 1] = value;
  }
}

/** Builds the key of every unit at every sample for one dimension. */
export function groupIndex(analysis: Analysis, dataset: Dataset, dimension: Dimension): GroupIndex {
  const { samples, prepared } = analysis;
  const width = samples.length;
  const units = analysis.units;
  const unitCodes = new Int32Array(units);
  const keys: string[] = [UNASSIGNED];
  const codeOf = new Map<string, number>([[UNASSIGNED, 0]]);
  const intern = (key: string): number => {
    let code = codeOf.get(key);
    if (code === undefined) {
      code = keys.length;
      keys.push(key);
      codeOf.set(key, code);
    }
    return code;
  };

  // Group span indices by unit; on each day the root account's own spans win over its children's.
  const source = spanSource(dataset, dimension, analysis.definitions.ownerRole);
  const spanUnit = new Int32Array(source.count).fill(-1);
  const spanIsRoot = new Uint8Array(source.count);
  const offsets = new Int32Array(units + 1);
  for (let index = 0; index < source.count; index++) {
    if (source.keyOf(index) === undefined) continue;
    const account = source.accountOf(index);
    const unit = prepared.unitByAccount.get(account);
    if (unit === undefined) continue;
    spanUnit[index] = unit;
    if (prepared.unitRoot[unit] === account) spanIsRoot[index] = 1;
  }
  const keep = (index: number): boolean => (spanUnit[index] as number) >= 0;
  for (let index = 0; index < source.count; index++) {
    if (keep(index))
      offsets[(spanUnit[index] as number) + 1] =
        (offsets[(spanUnit[index] as number) + 1] as number) + 1;
  }
  for (let unit = 0; unit < units; unit++)
    offsets[unit + 1] = (offsets[unit + 1] as number) + (offsets[unit] as number);
  const spansByUnit = new Int32Array(offsets[units] as number);
  const cursor = offsets.slice(0, units);
  for (let index = 0; index < source.count; index++) {
    if (!keep(index)) continue;
    const unit = spanUnit[index] as number;
    spansByUnit[cursor[unit] as number] = index;
    cursor[unit] = (cursor[unit] as number) + 1;
  }

  const scratch = new Int32Array(width);
  let rows = new Int32Array(width * 64);
  let rowCount = 0;
  for (let unit = 0; unit < units; unit++) {
    const spans = spansByUnit.subarray(offsets[unit], offsets[unit + 1]);
    if (spans.length === 0) continue;
    if (spans.length === 1) {
      unitCodes[unit] = intern(source.keyOf(spans[0] as number) as string);
      continue;
    }
    sortSpans(source, spans);
    const spanCodes = Array.from(spans, (span) => intern(source.keyOf(span) as string));
    let current = -1;
    let constant = true;
    for (let k = 0; k < width; k++) {
      const day = samples[k] as number;
      while (current + 1 < spans.length && source.fromOf(spans[current + 1] as number) <= day)
        current++;
      const chosen = current < 0 ? 0 : chooseSpan(source, spans, spanIsRoot, current, day);
      const code = spanCodes[chosen] as number;
      scratch[k] = code;
      if (code !== scratch[0]) constant = false;
    }
    if (constant) {
      unitCodes[unit] = scratch[0] as number;
      continue;
    }
    if ((rowCount + 1) * width > rows.length) {
      const grown = new Int32Array(rows.length * 2);
      grown.set(rows);
      rows = grown;
    }
    rows.set(scratch, rowCount * width);
    unitCodes[unit] = -1 - rowCount;
    rowCount++;
  }
  return { dimension, keys, unitCodes, rows: rows.slice(0, rowCount * width), width };
}
