/**
 * Renewals: for each account and renewal date, the lines up for renewal and the ARR they carry
 * (the ARR available to renew), and once the renewal happened its outcome and timing.
 *
 * The renewal date is the first day after the last day of service. The lines up for renewal on it
 * are the account's lines that end that day at the end of their contract, so co-termed add-ons
 * renew with the contract they were added to. Ramp steps that end before their contract does are
 * not renewals, and a line that a co-termed amendment replaced renews through that amendment.
 *
 * A renewal is found the way the engine continues service (see line-ends.ts). It is either the
 * lines that renew them through `renews`, whatever the gap, or, when no line names them, new
 * contracts of the same account that start within `overlapToleranceDays` before or `graceDays`
 * after the renewal date. Lines of the same account that were signed with the renewal, or start
 * with it in the same contract, and renew nothing are part of it (products added at renewal).
 */
import type { Analysis } from './analysis.js';
import { lowerBound } from './analysis.js';
import type { Day } from './dates.js';
import { formatDay, OPEN_END } from './dates.js';
import { codeAt, groupIndex } from './groups.js';
import type { Dimension, GroupIndex } from './groups.js';
import type { ContractLine, Dataset } from './model.js';
import { unitLineIndices } from './prepare.js';
import type { Prepared } from './prepare.js';
import { convertLine } from './subtypes.js';

export const RENEWAL_STATUSES = ['upcoming', 'lapsed', 'renewed', 'churned'] as const;
/** Whether a renewal is due later, inside its grace window, renewed, or churned. */
export type RenewalStatus = (typeof RENEWAL_STATUSES)[number];

export const RENEWAL_OUTCOMES = [
  'flat',
  'uplift',
  'downgrade',
  'added-products',
  'churned',
] as const;
export type RenewalOutcome = (typeof RENEWAL_OUTCOMES)[number];

export const RENEWAL_TIMINGS = ['early', 'on-time', 'late-in-grace', 'late-after-grace'] as const;
export type RenewalTiming = (typeof RENEWAL_TIMINGS)[number];

/** The link between a renewal and the lines it renews: a `renews` id, or resumed service. */
export type RenewalLink = 'renews' | 'service-resumed';

export const BOOK_DIMENSIONS: readonly Dimension[] = ['csm', 'segment', 'region', 'sub-region'];

export interface Renewal {
  readonly unit: number;
  readonly accountId: string;
  /** First day after the last day of service of the lines up for renewal. */
  readonly renewalDay: Day;
  /** Indices of the lines up for renewal. */
  readonly lines: readonly number[];
  /** Indices of the renewal's own lines; empty when there is no renewal. */
  readonly successors: readonly number[];
  readonly link: RenewalLink | null;
  /** ARR available to renew, in reporting minor units at the plan rate of the last day of service. */
  readonly atr: number;
  /** ARR of the renewal at the same rate, or null when there is no renewal. */
  readonly renewedArr: number | null;
  /** First day of service of the renewal. */
  readonly effectiveDay: Day | null;
  /** Earliest signing date of the renewal's lines, when the data gives one. */
  readonly signedDay: Day | null;
  readonly status: RenewalStatus;
  readonly outcome: RenewalOutcome | null;
  readonly timing: RenewalTiming | null;
  /**
   * Days from the renewal date, or null without a renewal. An early renewal counts back to its
   * start, or to its signing when it starts on the renewal date. A late one counts forward to the
   * later of its start and its signing. On time is 0.
   */
  readonly daysFromRenewalDate: number | null;
  readonly products: readonly string[];
  readonly addedProducts: readonly string[];
  readonly removedProducts: readonly string[];
  /** Whether every line of the renewal ends on the same day. */
  readonly coTermed: boolean;
  /** An early start with more ARR, co-termed: expansion signed together with an early renewal. */
  readonly addOnEarlyRenewal: boolean;
  /** The account's books on the first sample on or after the renewal date. */
  readonly books: Readonly<Record<Dimension, string>>;
}

const NO_PRODUCT = '(no product)';

/**
 * Builds a line's contract key. Contract ids are read per account, and a line without one is its
 * own contract.
 */
function contractKey(line: ContractLine): string {
  return `${line.accountId}\u0000${line.contractId ?? `\u0001${line.id}`}`;
}

interface ContractSpan {
  firstStart: Day;
  lastEnd: Day;
}

/** Finds the first start and the last contracted end of every contract's counted lines. */
function contractSpans(prepared: Prepared): Map<string, ContractSpan> {
  const spans = new Map<string, ContractSpan>();
  prepared.lines.forEach((line, index) => {
    if (prepared.lineCounted[index] !== 1) return;
    const key = contractKey(line);
    const end = line.end ?? OPEN_END;
    const span = spans.get(key);
    if (span === undefined) spans.set(key, { firstStart: line.start, lastEnd: end });
    else {
      span.firstStart = Math.min(span.firstStart, line.start);
      span.lastEnd = Math.max(span.lastEnd, end);
    }
  });
  return spans;
}

/**
 * Groups the lines up for renewal by account and renewal date, in order of date then account.
 * Groups without a line of positive ARR are left out.
 */
// NOTE: a cancelled monthly subscription has an end, so it shows as a churned renewal, while a
// running one has no renewal date. Renewal rates count such cancellations but not continuations.
function renewalGroups(prepared: Prepared, spans: Map<string, ContractSpan>): number[][] {
  const { lines, lineCounted, lineRenewal, lineArr } = prepared;
  const groups = new Map<string, number[]>();
  lines.forEach((line, index) => {
    if (lineCounted[index] !== 1 || line.end === null) return;
    if (spans.get(contractKey(line))?.lastEnd !== line.end) return;
    const renewal = lineRenewal[index] as number;
    // A co-termed amendment that replaced the line is renewed in its place.
    if (renewal >= 0 && (lines[renewal] as ContractLine).end === line.end) return;
    const key = `${line.end}\u0000${line.accountId}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [index]);
    else group.push(index);
  });
  return [...groups.values()]
    .filter((group) => group.some((index) => (lineArr[index] as number) > 0))
    .sort(byRenewalDateThenAccount(lines));
}

function byRenewalDateThenAccount(lines: readonly ContractLine[]) {
  return (a: number[], b: number[]): number => {
    const x = lines[a[0] as number] as ContractLine;
    const y = lines[b[0] as number] as ContractLine;
    if (x.end !== y.end) return (x.end as number) - (y.end as number);
    if (x.accountId === y.accountId) return 0;
    return x.accountId < y.accountId ? -1 : 1;
  };
}

/** Context shared while the renewals of one analysis are found. */
interface Finder {
  readonly analysis: Analysis;
  readonly prepared: Prepared;
  readonly spans: Map<string, ContractSpan>;
  /** Lines already taken as part of a renewal. */
  readonly claimed: Set<number>;
}

/**
 * Finds new contracts of the account that start from `overlapToleranceDays` before to
 * `graceDays` after the renewal date, for lines that no line renews. These are the lines the
 * engine continues service with: it bridges such a gap as a late renewal.
 */
function resumedService(finder: Finder, first: number, renewalDay: Day): number[] {
  const { prepared, analysis, spans, claimed } = finder;
  const { definitions } = analysis;
  const account = prepared.lineAccount[first] as number;
  const unit = prepared.unitByAccount.unitAt(account);
  const from = renewalDay - definitions.overlapToleranceDays;
  const to = renewalDay + definitions.graceDays;
  const result: number[] = [];
  for (const index of unitLineIndices(prepared, unit)) {
    const start = prepared.lineStart[index] as number;
    if (start < from || start > to) continue;
    const line = prepared.lines[index] as ContractLine;
    if (
      prepared.lineAccount[index] === account &&
      prepared.lineCounted[index] === 1 &&
      (prepared.lineArr[index] as number) > 0 &&
      line.renews === undefined &&
      spans.get(contractKey(line))?.firstStart === start &&
      !claimed.has(index)
    ) {
      result.push(index);
    }
  }
  return result;
}

/**
 * Adds the account's lines that renew nothing and were bought with the renewal. These are lines
 * that start with a renewal line and share its contract or signing date. They are also co-termed
 * lines signed with it that start between that signing date and the renewal line's start.
 */
function withLinesBoughtTogether(finder: Finder, successors: number[]): number[] {
  const { prepared, claimed } = finder;
  const { lines, lineStart, lineCounted } = prepared;
  const result = [...successors];
  const first = successors[0] as number;
  const account = prepared.lineAccount[first] as number;
  const unit = prepared.unitByAccount.unitAt(account);
  for (const index of unitLineIndices(prepared, unit)) {
    if (result.includes(index) || claimed.has(index)) continue;
    const line = lines[index] as ContractLine;
    if (prepared.lineAccount[index] !== account || lineCounted[index] !== 1) continue;
    if (line.renews !== undefined) continue;
    const start = lineStart[index] as number;
    const boughtTogether = successors.some((successor) => {
      const renewal = lines[successor] as ContractLine;
      const sameSigning = line.signed !== undefined && line.signed === renewal.signed;
      const renewalStart = lineStart[successor] as number;
      if (start === renewalStart) return sameSigning || contractKey(line) === contractKey(renewal);
      return (
        sameSigning &&
        start < renewalStart &&
        start >= (line.signed ?? start) &&
        line.end === renewal.end
      );
    });
    if (boughtTogether) result.push(index);
  }
  return result;
}

function productsOf(lines: readonly ContractLine[], indices: readonly number[]): string[] {
  return [...new Set(indices.map((index) => lines[index]?.product ?? NO_PRODUCT))].sort();
}

/** Sums lines' ARR in the reporting currency at the rates in force on `day`. */
function arrOn(analysis: Analysis, indices: readonly number[], day: Day): number {
  let total = 0;
  for (const index of indices) total += convertLine(analysis, index, day);
  return total;
}

/** Classifies when a renewal came, with the days counted from the renewal date. */
export function classifyTiming(
  renewalDay: Day,
  effectiveDay: Day,
  signedDay: Day | null,
  graceDays: number,
): { timing: RenewalTiming; days: number } {
  if (effectiveDay < renewalDay) return { timing: 'early', days: effectiveDay - renewalDay };
  const latest = Math.max(effectiveDay, signedDay ?? effectiveDay);
  if (latest > renewalDay) {
    const days = latest - renewalDay;
    return { timing: days <= graceDays ? 'late-in-grace' : 'late-after-grace', days };
  }
  if (signedDay !== null && signedDay < renewalDay) {
    return { timing: 'early', days: signedDay - renewalDay };
  }
  return { timing: 'on-time', days: 0 };
}

/** Classifies what a renewal did to the ARR and products up for renewal. */
export function classifyOutcome(
  atr: number,
  renewedArr: number,
  addedProducts: readonly string[],
): RenewalOutcome {
  if (addedProducts.length > 0) return 'added-products';
  if (renewedArr === atr) return 'flat';
  return renewedArr > atr ? 'uplift' : 'downgrade';
}

/** Decides the status, on the as-of date, of a renewal without a renewal line in the data. */
function openStatus(renewalDay: Day, asOf: Day, graceDays: number): RenewalStatus {
  if (asOf < renewalDay) return 'upcoming';
  return asOf - renewalDay < graceDays ? 'lapsed' : 'churned';
}

/** Finds the first sample on or after a day, or the last sample when the day is after them all. */
function sampleFor(analysis: Analysis, day: Day): number {
  return Math.min(lowerBound(analysis.samples, day), analysis.samples.length - 1);
}

/** Builds the book index of every dimension for an analysis. */
export function bookIndices(analysis: Analysis, dataset: Dataset): Record<Dimension, GroupIndex> {
  const indices = {} as Record<Dimension, GroupIndex>;
  for (const dimension of BOOK_DIMENSIONS) {
    indices[dimension] = groupIndex(analysis, dataset, dimension);
  }
  return indices;
}

/** Reads a unit's book in every dimension at a sample. */
export function booksAt(
  indices: Record<Dimension, GroupIndex>,
  unit: number,
  sample: number,
): Record<Dimension, string> {
  const books = {} as Record<Dimension, string>;
  for (const dimension of BOOK_DIMENSIONS) {
    const groups = indices[dimension];
    books[dimension] = groups.keys[codeAt(groups, unit, sample)] as string;
  }
  return books;
}

/**
 * Finds every renewal in the data, ordered by renewal date and account. `asOf` decides the
 * status of renewals without a renewal line: upcoming before the renewal date, lapsed inside the
 * grace window, churned after it.
 */
export function findRenewals(analysis: Analysis, dataset: Dataset, asOf: Day): Renewal[] {
  const { prepared } = analysis;
  const spans = contractSpans(prepared);
  const finder: Finder = { analysis, prepared, spans, claimed: new Set() };
  const books = bookIndices(analysis, dataset);
  return renewalGroups(prepared, spans).map((group) => {
    const renewal = describeGroup(finder, group, asOf);
    const unit = prepared.unitByAccount.unitAt(prepared.lineAccount[group[0] as number] as number);
    return {
      ...renewal,
      unit,
      books: booksAt(books, unit, sampleFor(analysis, renewal.renewalDay)),
    };
  });
}

function describeGroup(
  finder: Finder,
  group: readonly number[],
  asOf: Day,
): Omit<Renewal, 'unit' | 'books'> {
  const { prepared, analysis, claimed } = finder;
  const { lines, lineRenewal, lineStart } = prepared;
  const first = lines[group[0] as number] as ContractLine;
  const renewalDay = first.end as number;
  const graceDays = analysis.definitions.graceDays;

  // NOTE: the effective day is the renewal line's own start. When a later line renews the
  // renewal and starts before it, the engine switches to that line earlier than this day.
  let link: RenewalLink | null = null;
  let renewing: number[] = [];
  for (const index of group) {
    const renewal = lineRenewal[index] as number;
    if (renewal >= 0 && !renewing.includes(renewal)) renewing.push(renewal);
  }
  if (renewing.length > 0) link = 'renews';
  else {
    renewing = resumedService(finder, group[0] as number, renewalDay);
    if (renewing.length > 0) link = 'service-resumed';
  }
  const successors = renewing.length > 0 ? withLinesBoughtTogether(finder, renewing) : [];
  for (const index of successors) claimed.add(index);

  const lastServiceDay = renewalDay - 1;
  const atr = arrOn(analysis, group, lastServiceDay);
  const products = productsOf(lines, group);
  const base = {
    accountId: first.accountId,
    renewalDay,
    lines: group,
    successors,
    link,
    atr,
    products,
  };
  if (successors.length === 0) {
    const status = openStatus(renewalDay, asOf, graceDays);
    return {
      ...base,
      renewedArr: status === 'churned' ? 0 : null,
      effectiveDay: null,
      signedDay: null,
      status,
      outcome: status === 'churned' ? 'churned' : null,
      timing: null,
      daysFromRenewalDate: null,
      addedProducts: [],
      removedProducts: status === 'churned' ? products : [],
      coTermed: false,
      addOnEarlyRenewal: false,
    };
  }

  const effectiveDay = Math.min(...successors.map((index) => lineStart[index] as number));
  const signed = successors
    .map((index) => (lines[index] as ContractLine).signed)
    .filter((day): day is Day => day !== undefined);
  const signedDay = signed.length > 0 ? Math.min(...signed) : null;
  const renewedArr = arrOn(analysis, successors, lastServiceDay);
  const renewedProducts = productsOf(lines, successors);
  const addedProducts = renewedProducts.filter((product) => !products.includes(product));
  const removedProducts = products.filter((product) => !renewedProducts.includes(product));
  const { timing, days } = classifyTiming(renewalDay, effectiveDay, signedDay, graceDays);
  const ends = new Set(successors.map((index) => (lines[index] as ContractLine).end));
  const coTermed = ends.size === 1 && !ends.has(null);
  return {
    ...base,
    renewedArr,
    effectiveDay,
    signedDay,
    status: 'renewed',
    outcome: classifyOutcome(atr, renewedArr, addedProducts),
    timing,
    daysFromRenewalDate: days,
    addedProducts,
    removedProducts,
    coTermed,
    addOnEarlyRenewal: effectiveDay < renewalDay && renewedArr > atr && coTermed,
  };
}

/**
 * A selection of renewals: renewal dates from `from` to `to`, books, outcome, timing and status.
 */
export interface RenewalFilter {
  readonly from?: Day;
  readonly to?: Day;
  readonly csm?: string;
  readonly segment?: string;
  readonly region?: string;
  readonly subRegion?: string;
  readonly outcome?: RenewalOutcome;
  readonly timing?: RenewalTiming;
  readonly status?: RenewalStatus;
}

/** Extracts the book filters of a renewal filter, by dimension. */
export function bookFilters(filter: RenewalFilter): Partial<Record<Dimension, string>> {
  const books: Partial<Record<Dimension, string>> = {};
  if (filter.csm !== undefined) books.csm = filter.csm;
  if (filter.segment !== undefined) books.segment = filter.segment;
  if (filter.region !== undefined) books.region = filter.region;
  if (filter.subRegion !== undefined) books['sub-region'] = filter.subRegion;
  return books;
}

/** Checks whether books match every book filter. */
export function booksMatch(
  books: Readonly<Record<Dimension, string>>,
  required: Partial<Record<Dimension, string>>,
): boolean {
  return BOOK_DIMENSIONS.every((dimension) => {
    const key = required[dimension];
    return key === undefined || books[dimension] === key;
  });
}

export function renewalMatches(renewal: Renewal, filter: RenewalFilter): boolean {
  if (filter.from !== undefined && renewal.renewalDay < filter.from) return false;
  if (filter.to !== undefined && renewal.renewalDay > filter.to) return false;
  if (filter.outcome !== undefined && renewal.outcome !== filter.outcome) return false;
  if (filter.timing !== undefined && renewal.timing !== filter.timing) return false;
  if (filter.status !== undefined && renewal.status !== filter.status) return false;
  return booksMatch(renewal.books, bookFilters(filter));
}

/** A renewal as reports and the API show it: dates as text, lines by id. */
export interface RenewalView {
  account: string;
  accountName: string | null;
  /** Root account of the netting unit the account belongs to. */
  nettingUnit: string;
  renewalDate: string;
  lastServiceDay: string;
  contracts: string[];
  lines: string[];
  products: string[];
  /** ARR available to renew, in reporting minor units. */
  arrUpForRenewal: number;
  csm: string;
  segment: string;
  region: string;
  subRegion: string;
  status: RenewalStatus;
  outcome: RenewalOutcome | null;
  timing: RenewalTiming | null;
  link: RenewalLink | null;
  effectiveDate: string | null;
  signedDate: string | null;
  daysFromRenewalDate: number | null;
  renewalLines: string[];
  renewedArr: number | null;
  /** Renewed ARR minus the ARR available to renew. */
  change: number | null;
  addedProducts: string[];
  removedProducts: string[];
  coTermed: boolean;
  addOnEarlyRenewal: boolean;
}

export function viewRenewal(
  analysis: Analysis,
  renewal: Renewal,
  accountNames: ReadonlyMap<string, string>,
): RenewalView {
  const { lines, unitRoot } = analysis.prepared;
  const idsOf = (indices: readonly number[]): string[] =>
    indices.map((index) => (lines[index] as ContractLine).id);
  const contracts = new Set(
    renewal.lines.map((index) => (lines[index] as ContractLine).contractId ?? ''),
  );
  contracts.delete('');
  return {
    account: renewal.accountId,
    accountName: accountNames.get(renewal.accountId) ?? null,
    nettingUnit: unitRoot[renewal.unit] as string,
    renewalDate: formatDay(renewal.renewalDay),
    lastServiceDay: formatDay(renewal.renewalDay - 1),
    contracts: [...contracts].sort(),
    lines: idsOf(renewal.lines),
    products: [...renewal.products],
    arrUpForRenewal: renewal.atr,
    csm: renewal.books.csm,
    segment: renewal.books.segment,
    region: renewal.books.region,
    subRegion: renewal.books['sub-region'],
    status: renewal.status,
    outcome: renewal.outcome,
    timing: renewal.timing,
    link: renewal.link,
    effectiveDate: renewal.effectiveDay === null ? null : formatDay(renewal.effectiveDay),
    signedDate: renewal.signedDay === null ? null : formatDay(renewal.signedDay),
    daysFromRenewalDate: renewal.daysFromRenewalDate,
    renewalLines: idsOf(renewal.successors),
    renewedArr: renewal.renewedArr,
    change: renewal.renewedArr === null ? null : renewal.renewedArr - renewal.atr,
    addedProducts: [...renewal.addedProducts],
    removedProducts: [...renewal.removedProducts],
    coTermed: renewal.coTermed,
    addOnEarlyRenewal: renewal.addOnEarlyRenewal,
  };
}
