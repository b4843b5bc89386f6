/**
 * Attribution of netting units to books: the owner (CSM), segment, region or sub-region of each
 * unit at each sample day, from the effective-dated assignments and segment spans of the unit's
 * root account (or, when the root has none, of all the unit's accounts).
 *
 * On a day no span covers, the latest earlier span applies, else the earliest later one, so an
 * account keeps its last known owner between contracts.
 */
import type { Analysis } from './analysis.js';
import type { Day } from './dates.js';
import type { Dataset } from './model.js';

export type Dimension = 'csm' | 'segment' | 'region' | 'sub-region';

export const UNASSIGNED = '(unassigned)';

interface Span {
  readonly from: Day;
  readonly to: Day | null;
  readonly key: string;
}

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

/** The key index of a unit at a sample. */
export function codeAt(groups: GroupIndex, unit: number, sample: number): number {
  const code = groups.unitCodes[unit] as number;
  return code >= 0 ? code : (groups.rows[(-1 - code) * groups.width + sample] as number);
}

/** The spans of one dimension for every account, as (account, from, to, key) rows. */
function dimensionSpans(
  dataset: Dataset,
  dimension: Dimension,
  ownerRole: string,
): { accountId: string; span: Span }[] {
  const rows: { accountId: string; span: Span }[] = [];
  if (dimension === 'csm') {
    const role = ownerRole.toLowerCase();
    for (const assignment of dataset.assignments) {
      if (assignment.role.toLowerCase() !== role) continue;
      rows.push({
        accountId: assignment.accountId,
        span: { from: assignment.from, to: assignment.to, key: assignment.person },
      });
    }
    return rows;
  }
  for (const span of dataset.segments) {
    const key =
      dimension === 'segment'
        ? span.segment
        : dimension === 'region'
          ? span.region
          : span.subRegion;
    if (key === undefined || key === '') continue;
    rows.push({ accountId: span.accountId, span: { from: span.from, to: span.to, key } });
  }
  return rows;
}

/** Among spans[0..latest] (sorted by start), the latest that covers `day`, else `latest`. */
function coveringSpan(spans: readonly Span[], latest: number, day: Day): number {
  for (let index = latest; index >= 0; index--) {
    const span = spans[index] as Span;
    if (span.to === null || day < span.to) return index;
  }
  return latest;
}

/** Builds the key of every unit at every sample for one dimension. */
export function groupIndex(analysis: Analysis, dataset: Dataset, dimension: Dimension): GroupIndex {
  const { samples, prepared } = analysis;
  const width = samples.length;
  const unitCodes = new Int32Array(analysis.units);
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

  // Spans per unit; the root account's own spans win over those of its children.
  const rootSpans: (Span[] | undefined)[] = new Array<Span[] | undefined>(analysis.units).fill(
    undefined,
  );
  const memberSpans: (Span[] | undefined)[] = new Array<Span[] | undefined>(analysis.units).fill(
    undefined,
  );
  for (const { accountId, span } of dimensionSpans(
    dataset,
    dimension,
    analysis.definitions.ownerRole,
  )) {
    const unit = prepared.unitByAccount.get(accountId);
    if (unit === undefined) continue;
    const target = prepared.unitRoot[unit] === accountId ? rootSpans : memberSpans;
    const list = target[unit];
    if (list) list.push(span);
    else target[unit] = [span];
  }

  const varying: number[] = [];
  for (let unit = 0; unit < analysis.units; unit++) {
    let spans = rootSpans[unit] ?? memberSpans[unit];
    if (spans === undefined) continue;
    if (spans.length === 1) {
      unitCodes[unit] = intern((spans[0] as Span).key);
      continue;
    }
    spans = spans.sort((a, b) => a.from - b.from || a.key.localeCompare(b.key));
    const spanCodes = spans.map((span) => intern(span.key));
    const row: number[] = [];
    let current = -1;
    for (let k = 0; k < width; k++) {
      const day = samples[k] as number;
      while (current + 1 < spans.length && (spans[current + 1] as Span).from <= day) current++;
      row.push(
        (current < 0 ? spanCodes[0] : spanCodes[coveringSpan(spans, current, day)]) as number,
      );
    }
    if (row.every((code) => code === row[0])) {
      unitCodes[unit] = row[0] as number;
      continue;
    }
    unitCodes[unit] = -1 - varying.length / width;
    varying.push(...row);
  }
  return { dimension, keys, unitCodes, rows: Int32Array.from(varying), width };
}
