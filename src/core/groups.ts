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
  /** Key index per unit and sample: `codes[unit * samples.length + k]`. */
  readonly codes: Int32Array;
}

function spansByAccount(
  dataset: Dataset,
  dimension: Dimension,
  ownerRole: string,
): Map<string, Span[]> {
  const result = new Map<string, Span[]>();
  const push = (accountId: string, span: Span): void => {
    const list = result.get(accountId);
    if (list) list.push(span);
    else result.set(accountId, [span]);
  };
  if (dimension === 'csm') {
    for (const assignment of dataset.assignments) {
      if (assignment.role.toLowerCase() !== ownerRole.toLowerCase()) continue;
      push(assignment.accountId, {
        from: assignment.from,
        to: assignment.to,
        key: assignment.person,
      });
    }
  } else {
    for (const span of dataset.segments) {
      const key =
        dimension === 'segment'
          ? span.segment
          : dimension === 'region'
            ? span.region
            : span.subRegion;
      if (key === undefined || key === '') continue;
      push(span.accountId, { from: span.from, to: span.to, key });
    }
  }
  return result;
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
  const byAccount = spansByAccount(dataset, dimension, analysis.definitions.ownerRole);
  const { samples } = analysis;
  const width = samples.length;
  const units = analysis.prepared.units;
  const codes = new Int32Array(units.length * width);
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

  for (let unit = 0; unit < units.length; unit++) {
    const info = units[unit] as { rootId: string; accountIds: string[] };
    let spans = byAccount.get(info.rootId);
    if (spans === undefined || spans.length === 0)
      spans = info.accountIds.flatMap((id) => byAccount.get(id) ?? []);
    if (spans.length === 0) continue;
    spans = spans.slice().sort((a, b) => a.from - b.from);
    const spanCodes = spans.map((span) => intern(span.key));
    const row = unit * width;
    let current = -1;
    for (let k = 0; k < width; k++) {
      const day = samples[k] as number;
      while (current + 1 < spans.length && (spans[current + 1] as Span).from <= day) current++;
      codes[row + k] = (
        current < 0 ? spanCodes[0] : spanCodes[coveringSpan(spans, current, day)]
      ) as number;
    }
  }
  return { dimension, keys, codes };
}
