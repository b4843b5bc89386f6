/**
 * Books narrowed by other dimensions, and the accounts behind a book's figures.
 *
 * A filtered book, such as "each CSM's accounts in the Growth segment", is a book of a combined
 * index whose key pairs the CSM with the segment. Bridges and retention are computed on the
 * combined index exactly as on a single one. So a unit that moves from Nurture to Growth during
 * the window is a transfer into the filtered book. The cohort is read on the window's first day,
 * as everywhere else.
 */
import { UnitArrCursor } from './analysis.js';
import type { Analysis } from './analysis.js';
import { groupBridges } from './bridge.js';
import type { BridgeTotals } from './bridge.js';
import { EngineError } from './errors.js';
import { codeAt, groupIndex, RunBuilder } from './groups.js';
import type { Dimension, GroupIndex } from './groups.js';
import type { Dataset } from './model.js';
import { groupRetention, grrOf, logoRetentionOf, nrrOf } from './retention.js';
import type { RetentionFigures } from './retention.js';
import type { GroupReport } from './report.js';

/** Values that books must have in other dimensions, such as `{ segment: 'Growth' }`. */
export type BookFilters = Partial<Record<Dimension, string>>;

/**
 * Combines indices of several dimensions into one whose keys are the tuples of their keys, as
 * JSON arrays, so that no text inside a key can be mistaken for the boundary between two keys.
 * The combined index takes the dimension of the first.
 */
export function combineGroups(indices: readonly GroupIndex[]): GroupIndex {
  const first = indices[0];
  if (first === undefined) throw new RangeError('combineGroups needs at least one index');
  if (indices.length === 1) return first;
  const keys: string[] = [];
  const codeOf = new Map<string, number>();
  const codeFor = (unit: number, sample: number): number => {
    const key = JSON.stringify(
      indices.map((index) => index.keys[codeAt(index, unit, sample)] as string),
    );
    let code = codeOf.get(key);
    if (code === undefined) {
      code = keys.length;
      keys.push(key);
      codeOf.set(key, code);
    }
    return code;
  };
  const units = first.unitCodes.length;
  const unitCodes = new Int32Array(units);
  const runs = new RunBuilder();
  const changes = new Set<number>();
  for (let unit = 0; unit < units; unit++) {
    changes.clear();
    for (const index of indices) {
      const code = index.unitCodes[unit] as number;
      if (code >= 0) continue;
      const end = index.runOffsets[-code] as number;
      for (let run = index.runOffsets[-1 - code] as number; run < end; run++) {
        changes.add(index.runSample[run] as number);
      }
    }
    if (changes.size === 0) {
      unitCodes[unit] = codeFor(unit, 0);
      continue;
    }
    changes.add(0);
    const firstRun = runs.length;
    for (const sample of [...changes].sort((a, b) => a - b)) {
      runs.push(firstRun, sample, codeFor(unit, sample));
    }
    runs.finishUnit(unitCodes, unit, firstRun);
  }
  return runs.toIndex(first.dimension, keys, unitCodes);
}

/** The books of one dimension narrowed by filters, with the code of each in `groups`. */
export interface FilteredBooks {
  readonly groups: GroupIndex;
  /** Book key (in the grouping dimension) → code in `groups`. */
  readonly codes: ReadonlyMap<string, number>;
}

const FILTER_ORDER: readonly Dimension[] = ['csm', 'segment', 'region', 'sub-region'];

/**
 * Builds the books of `by` restricted to units whose other dimensions have the filters' values.
 * Without filters these are the plain books of `by`.
 */
export function filteredBooks(
  analysis: Analysis,
  dataset: Dataset,
  by: Dimension,
  filters: BookFilters = {},
): FilteredBooks {
  const dimensions = FILTER_ORDER.filter((dimension) => {
    const value = filters[dimension];
    if (value === undefined) return false;
    if (dimension === by) {
      throw new EngineError(
        'invalid-filter',
        `a ${by} filter cannot narrow books that are grouped by ${by}; choose it as the book key instead`,
      );
    }
    return true;
  });
  const groups = combineGroups([
    groupIndex(analysis, dataset, by),
    ...dimensions.map((dimension) => groupIndex(analysis, dataset, dimension)),
  ]);
  const wanted = dimensions.map((dimension) => filters[dimension] as string);
  const codes = new Map<string, number>();
  groups.keys.forEach((key, code) => {
    const [book, ...rest] = (dimensions.length === 0 ? [key] : JSON.parse(key)) as string[];
    if (rest.every((value, index) => value === wanted[index])) codes.set(book as string, code);
  });
  return { groups, codes };
}

/** Reports the figures of each filtered book, leaving out books with nothing in them. */
export function filteredGroupReports(analysis: Analysis, books: FilteredBooks): GroupReport[] {
  const { windowStartSample: from, asOfSample: to } = analysis;
  const bridges = groupBridges(analysis, books.groups, from, to);
  const retention = groupRetention(analysis, books.groups, from, to);
  const reports: GroupReport[] = [];
  for (const [key, code] of books.codes) {
    const cohort = retention[code] as RetentionFigures;
    const bridge = bridges[code] as BridgeTotals;
    if (cohort.cohortAccounts === 0 && Object.values(bridge).every((amount) => amount === 0)) {
      continue;
    }
    reports.push({
      key,
      arr: bridge.end,
      nrr: nrrOf(cohort),
      grr: grrOf(cohort),
      logoRetention: logoRetentionOf(cohort),
      cohort,
      bridge,
    });
  }
  return reports.sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * Accounts to list. `active` are those with ARR on the as-of date, which add up to ARR. `cohort`
 * are those with ARR on the window's first day, which add up to NRR's and GRR's denominator.
 */
export type AccountSet = 'active' | 'cohort';

export interface BookAccount {
  /** Root account of the netting unit. */
  readonly account: string;
  readonly name: string | null;
  /** ARR on the window's first day and on the as-of date, in reporting minor units. */
  readonly arrAtStart: number;
  readonly arrAtEnd: number;
  /** min(start, end): the account's part of GRR's numerator, for cohort members. */
  readonly capped: number;
  /** Whether the account had ARR on the window's first day. */
  readonly cohort: boolean;
  /** Its book in each dimension on the day it is attributed on. */
  readonly books: Readonly<Record<Dimension, string>>;
}

export interface BookAccounts {
  readonly set: AccountSet;
  readonly accounts: readonly BookAccount[];
  /** Sums over every listed account, whatever the page size. */
  readonly count: number;
  readonly arrAtStart: number;
  readonly arrAtEnd: number;
  readonly capped: number;
  readonly retained: number;
}

/**
 * Lists the accounts behind a figure, largest ARR first. A cohort member belongs to its book on
 * the window's first day, an active account to its book on the as-of date, as in the reports, so
 * the sums equal the book's figures.
 */
export function bookAccounts(
  analysis: Analysis,
  dataset: Dataset,
  set: AccountSet,
  book?: { readonly groups: GroupIndex; readonly code: number },
): BookAccounts {
  const { windowStartSample: from, asOfSample: to } = analysis;
  const attributedAt = set === 'cohort' ? from : to;
  const dimensions = FILTER_ORDER;
  const indices = dimensions.map((dimension) => groupIndex(analysis, dataset, dimension));
  const names = new Map<string, string>();
  for (const account of dataset.accounts) {
    if (account.name !== undefined && account.name !== '') names.set(account.id, account.name);
  }

  const cursor = new UnitArrCursor(analysis);
  const accounts: BookAccount[] = [];
  let arrAtStart = 0;
  let arrAtEnd = 0;
  let capped = 0;
  let retained = 0;
  for (let unit = 0; unit < analysis.units; unit++) {
    if (!cursor.start(unit)) continue;
    const start = cursor.at(from);
    const end = cursor.at(to);
    const member = set === 'cohort' ? start > 0 : end > 0;
    if (!member) continue;
    if (book !== undefined && codeAt(book.groups, unit, attributedAt) !== book.code) continue;

    const root = analysis.prepared.unitRoot[unit] as string;
    const books = {} as Record<Dimension, string>;
    dimensions.forEach((dimension, index) => {
      const groups = indices[index] as GroupIndex;
      books[dimension] = groups.keys[codeAt(groups, unit, attributedAt)] as string;
    });
    const cappedArr = start > 0 ? Math.min(start, end) : 0;
    accounts.push({
      account: root,
      name: names.get(root) ?? null,
      arrAtStart: start,
      arrAtEnd: end,
      capped: cappedArr,
      cohort: start > 0,
      books,
    });
    arrAtStart += start;
    arrAtEnd += end;
    capped += cappedArr;
    if (end > 0) retained++;
  }

  const sortKey = set === 'cohort' ? 'arrAtStart' : 'arrAtEnd';
  accounts.sort((a, b) => b[sortKey] - a[sortKey] || a.account.localeCompare(b.account));
  return { set, accounts, count: accounts.length, arrAtStart, arrAtEnd, capped, retained };
}
