/**
 * ARR growth against cohort NRR for one fiscal year, per book (CSM, segment, region or
 * sub-region), with each book's rank under each measure and the accounts that explain the
 * difference.
 *
 * A book's start ARR is the ARR of the accounts in it on the window start, which are exactly its
 * NRR cohort, so start ARR equals the cohort's start ARR. Net new ARR (end − start) and the NRR
 * numerator minus its denominator (cohort end − cohort start) therefore differ only by accounts
 * counted on one side and not the other:
 *
 *   net new ARR − (cohort end − cohort start)
 *     = new logos + reactivations + transfers in − transfers out,
 *
 * each at its ARR on the window end. A new logo is an account with no ARR before the window; a
 * reactivation had ARR before the window but none on its first day. A transfer is an account of
 * the cohort of one book that is in another book on the window end. FX changes of plan rate and
 * contractual ramp steps of the cohort move both measures by the same amount. They are listed
 * because the CSM did not sell them.
 *
 * Book bridges credit each movement to the book at the time, with transfer lines, so each money
 * column summed over the books equals the company's, and transfers in equal transfers out.
 */
import type { Analysis } from './analysis.js';
import { analyse, bridgeSteps, historyFor, UnitArrCursor, wasActiveBy } from './analysis.js';
import { companyBridge, emptyTotals, groupBridges } from './bridge.js';
import type { BridgeTotals } from './bridge.js';
import { dayFromCivil, daysInMonth, formatDay } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { codeAt, groupIndex, UNASSIGNED } from './groups.js';
import type { Dimension, GroupIndex } from './groups.js';
import { ratioValue } from './money.js';
import type { Dataset } from './model.js';
import { describeDefinitions, reportWarnings } from './report.js';
import type { Report } from './report.js';
import { addToRates, emptyRenewalRates, finishRates } from './renewal-rates.js';
import type { RenewalRates } from './renewal-rates.js';
import { findRenewals } from './renewals.js';
import type { Renewal } from './renewals.js';
import {
  companyRetention,
  emptyRetention,
  grrOf,
  groupRetention,
  logoRetentionOf,
  nrrOf,
} from './retention.js';
import type { RetentionFigures } from './retention.js';
import { visitChangeComponents } from './subtypes.js';

/** Returns the first and last day of a fiscal year, named by the calendar year in which it ends. */
export function fiscalYear(year: number, startMonth: number): { first: Day; last: Day } {
  if (startMonth === 1)
    return { first: dayFromCivil(year, 1, 1), last: dayFromCivil(year, 12, 31) };
  const lastMonth = startMonth - 1;
  return {
    first: dayFromCivil(year - 1, startMonth, 1),
    last: dayFromCivil(year, lastMonth, daysInMonth(year, lastMonth)),
  };
}

/** Analyses a dataset over one fiscal year: from the day before it starts to its last day. */
export function fiscalYearAnalysis(
  dataset: Dataset,
  definitions: Definitions,
  year: number,
): Analysis {
  const { first, last } = fiscalYear(year, definitions.fiscalYearStartMonth);
  return analyse(dataset, definitions, last, { windowStart: first - 1 });
}

/** An amount with the accounts (netting units, by root account) that make it up. */
export interface AccountAmounts {
  amount: number;
  accounts: { account: string; amount: number }[];
}

/** The items that separate a book's ARR growth from its NRR, and those that move both. */
export interface CompareExplanation {
  /** Net new ARR − (cohort end − cohort start); the four items below sum to it. */
  difference: number;
  newLogos: AccountAmounts;
  reactivations: AccountAmounts;
  transfersIn: AccountAmounts;
  transfersOut: AccountAmounts;
  /** Changes of plan rate in the cohort's ARR: in both ARR growth and NRR. */
  fx: AccountAmounts;
  /** Contractual ramp steps in the cohort's ARR: in both ARR growth and NRR. */
  rampSteps: AccountAmounts;
}

export const RANKED_MEASURES = ['arrGrowth', 'netNewArr', 'nrr', 'grr', 'logoRetention'] as const;
export type RankedMeasure = (typeof RANKED_MEASURES)[number];

export interface CompareRow {
  key: string;
  startArr: number;
  endArr: number;
  netNewArr: number;
  /** end ÷ start − 1, as a fraction; null when the book starts empty. */
  arrGrowth: number | null;
  nrr: number | null;
  grr: number | null;
  logoRetention: number | null;
  cohort: RetentionFigures;
  bridge: BridgeTotals;
  /** Renewal rates of the renewals due in the year, credited to the book on the renewal date. */
  renewalRates: RenewalRates;
  /** 1 is best; books with the same value share a rank; null when the measure is undefined. */
  ranks: Record<RankedMeasure, number | null>;
  explanation: CompareExplanation;
}

/** One money column summed over the books, beside the company's figure. */
export interface ColumnCheck {
  column: string;
  books: number;
  company: number;
}

export interface Comparison {
  year: number;
  window: { start: string; end: string };
  currency: string;
  definitions: Report['definitions'];
  groupedBy: Dimension;
  company: CompareRow;
  rows: CompareRow[];
  /**
   * Each money column summed over the books against the company figure. Transfers between books
   * net to zero, so the transfer columns are checked against each other.
   */
  reconciliation: { columns: ColumnCheck[]; transfers: { in: number; out: number } };
  warnings: string[];
}

/** Sums of one book while the units are visited. */
interface BookSums {
  newLogos: Map<string, number>;
  reactivations: Map<string, number>;
  transfersIn: Map<string, number>;
  transfersOut: Map<string, number>;
  fx: Map<string, number>;
  rampSteps: Map<string, number>;
}

function emptySums(): BookSums {
  return {
    newLogos: new Map(),
    reactivations: new Map(),
    transfersIn: new Map(),
    transfersOut: new Map(),
    fx: new Map(),
    rampSteps: new Map(),
  };
}

function addTo(map: Map<string, number>, account: string, amount: number): void {
  if (amount !== 0) map.set(account, (map.get(account) ?? 0) + amount);
}

/** Lists the accounts of a sum, largest magnitude first, with their total. */
function amounts(map: Map<string, number>): AccountAmounts {
  const accounts = [...map]
    .filter(([, amount]) => amount !== 0)
    .map(([account, amount]) => ({ account, amount }))
    .sort((a, b) => {
      if (Math.abs(a.amount) !== Math.abs(b.amount)) return Math.abs(b.amount) - Math.abs(a.amount);
      if (a.account === b.account) return 0;
      return a.account < b.account ? -1 : 1;
    });
  return { amount: accounts.reduce((sum, entry) => sum + entry.amount, 0), accounts };
}

/**
 * Visits every unit once and sorts its ARR on the window end into the items that separate ARR
 * growth from NRR, by book (a key code of `groups`).
 */
function explanationSums(analysis: Analysis, groups: GroupIndex): BookSums[] {
  const sums = groups.keys.map(() => emptySums());
  const { windowStartSample: from, asOfSample: to, samples } = analysis;
  const steps = bridgeSteps(analysis, from, to);
  const history = historyFor(analysis, from);
  const cursor = new UnitArrCursor(analysis);
  for (let unit = 0; unit < analysis.units; unit++) {
    if (!cursor.start(unit)) continue;
    const start = cursor.at(from);
    const end = cursor.at(to);
    const account = analysis.prepared.unitRoot[unit] as string;
    const startBook = sums[codeAt(groups, unit, from)] as BookSums;
    const endBook = sums[codeAt(groups, unit, to)] as BookSums;
    if (start === 0) {
      if (end === 0) continue;
      const returning = wasActiveBy(history, unit, samples[from] as number);
      addTo(returning ? endBook.reactivations : endBook.newLogos, account, end);
      continue;
    }
    if (end > 0 && startBook !== endBook) {
      addTo(startBook.transfersOut, account, end);
      addTo(endBook.transfersIn, account, end);
    }
    // The cohort's FX and ramp-step components, as signed changes of ARR.
    cursor.start(unit);
    visitChangeComponents(analysis, cursor, unit, steps, (component) => {
      if (component.subtype === 'fx') addTo(startBook.fx, account, component.amount);
      if (component.subtype === 'ramp-step') addTo(startBook.rampSteps, account, component.amount);
    });
  }
  return sums;
}

function explanationOf(sums: BookSums): CompareExplanation {
  const newLogos = amounts(sums.newLogos);
  const reactivations = amounts(sums.reactivations);
  const transfersIn = amounts(sums.transfersIn);
  const transfersOut = amounts(sums.transfersOut);
  return {
    difference: newLogos.amount + reactivations.amount + transfersIn.amount - transfersOut.amount,
    newLogos,
    reactivations,
    transfersIn,
    transfersOut,
    fx: amounts(sums.fx),
    rampSteps: amounts(sums.rampSteps),
  };
}

/** Merges the sums of every book into the company's; transfers between books cancel out. */
function companySums(books: readonly BookSums[]): BookSums {
  const total = emptySums();
  for (const book of books) {
    for (const key of ['newLogos', 'reactivations', 'fx', 'rampSteps'] as const) {
      for (const [account, amount] of book[key]) addTo(total[key], account, amount);
    }
  }
  return total;
}

function buildRow(
  key: string,
  bridge: BridgeTotals,
  cohort: RetentionFigures,
  rates: RenewalRates,
  sums: BookSums,
): CompareRow {
  const netNewArr = bridge.end - bridge.start;
  return {
    key,
    startArr: bridge.start,
    endArr: bridge.end,
    netNewArr,
    arrGrowth: ratioValue({ numerator: netNewArr, denominator: bridge.start }),
    nrr: nrrOf(cohort),
    grr: grrOf(cohort),
    logoRetention: logoRetentionOf(cohort),
    cohort,
    bridge,
    renewalRates: rates,
    ranks: { arrGrowth: null, netNewArr: null, nrr: null, grr: null, logoRetention: null },
    explanation: explanationOf(sums),
  };
}

/** Returns the exact fraction behind a ranked measure, or undefined when it is not defined. */
function measureOf(row: CompareRow, measure: RankedMeasure): [bigint, bigint] | undefined {
  const fraction = (numerator: number, denominator: number): [bigint, bigint] | undefined =>
    denominator > 0 ? [BigInt(numerator), BigInt(denominator)] : undefined;
  switch (measure) {
    case 'arrGrowth':
      return fraction(row.netNewArr, row.startArr);
    case 'netNewArr':
      return [BigInt(row.netNewArr), 1n];
    case 'nrr':
      return fraction(row.cohort.endArr, row.cohort.startArr);
    case 'grr':
      return fraction(row.cohort.cappedArr, row.cohort.startArr);
    case 'logoRetention':
      return fraction(row.cohort.retainedAccounts, row.cohort.cohortAccounts);
  }
}

/** Compares two positive-denominator fractions exactly: negative when a < b. */
function compareFractions(a: [bigint, bigint], b: [bigint, bigint]): number {
  const left = a[0] * b[1];
  const right = b[0] * a[1];
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

/**
 * Ranks the books under each measure, best (highest) first. Books with equal values share a rank
 * and the next rank skips (1, 2, 2, 4). The unassigned book is not ranked.
 */
export function rankRows(rows: readonly CompareRow[]): void {
  for (const measure of RANKED_MEASURES) {
    const ranked = rows
      .filter((row) => row.key !== UNASSIGNED)
      .map((row) => ({ row, value: measureOf(row, measure) }))
      .filter((entry): entry is { row: CompareRow; value: [bigint, bigint] } => !!entry.value);
    for (const entry of ranked) {
      entry.row.ranks[measure] =
        1 + ranked.filter((other) => compareFractions(other.value, entry.value) > 0).length;
    }
  }
}

const MONEY_COLUMNS = [
  'start',
  'new',
  'expansion',
  'reactivation',
  'contraction',
  'churn',
  'end',
] as const;

/** Columns checked besides the bridge's, each read from a row. */
const EXPLAINED_COLUMNS: readonly [string, (row: CompareRow) => number][] = [
  ['netNewArr', (row) => row.netNewArr],
  ['cohortEnd', (row) => row.cohort.endArr],
  ['cohortCapped', (row) => row.cohort.cappedArr],
  ['newLogos', (row) => row.explanation.newLogos.amount],
  ['reactivations', (row) => row.explanation.reactivations.amount],
  ['fx', (row) => row.explanation.fx.amount],
  ['rampSteps', (row) => row.explanation.rampSteps.amount],
];

function reconcile(company: CompareRow, rows: readonly CompareRow[]): Comparison['reconciliation'] {
  const sum = (read: (row: CompareRow) => number): number =>
    rows.reduce((total, row) => total + read(row), 0);
  const columns: ColumnCheck[] = MONEY_COLUMNS.map((column) => ({
    column,
    books: sum((row) => row.bridge[column]),
    company: company.bridge[column],
  }));
  for (const [column, read] of EXPLAINED_COLUMNS) {
    columns.push({ column, books: sum(read), company: read(company) });
  }
  return {
    columns,
    transfers: {
      in: sum((row) => row.bridge.transferIn),
      out: sum((row) => row.bridge.transferOut),
    },
  };
}

/** Renewal rates per book key code, by the book on the renewal date, and for the company. */
function ratesByBook(
  renewals: readonly Renewal[],
  groups: GroupIndex,
  dimension: Dimension,
  first: Day,
  last: Day,
): { books: RenewalRates[]; company: RenewalRates } {
  const books = groups.keys.map(() => emptyRenewalRates());
  const company = emptyRenewalRates();
  const codes = new Map(groups.keys.map((key, code) => [key, code]));
  for (const renewal of renewals) {
    if (renewal.renewalDay < first || renewal.renewalDay > last) continue;
    addToRates(company, renewal);
    const code = codes.get(renewal.books[dimension]);
    if (code !== undefined) addToRates(books[code] as RenewalRates, renewal);
  }
  books.forEach(finishRates);
  return { books, company: finishRates(company) };
}

/**
 * Compares ARR growth with NRR for a fiscal year. `analysis` comes from fiscalYearAnalysis, and
 * `asOf` decides whether renewals without a renewal line are still open (see findRenewals).
 */
export function buildComparison(
  analysis: Analysis,
  dataset: Dataset,
  year: number,
  by: Dimension,
  asOf: Day,
): Comparison {
  const groups = groupIndex(analysis, dataset, by);
  const { windowStartSample: from, asOfSample: to, definitions } = analysis;
  const bridges = groupBridges(analysis, groups, from, to);
  const retention = groupRetention(analysis, groups, from, to);
  const sums = explanationSums(analysis, groups);
  const { first, last } = fiscalYear(year, definitions.fiscalYearStartMonth);
  const rates = ratesByBook(findRenewals(analysis, dataset, asOf), groups, by, first, last);

  const rows: CompareRow[] = [];
  groups.keys.forEach((key, code) => {
    const bridge = bridges[code] ?? emptyTotals();
    const cohort = retention[code] ?? emptyRetention();
    const bookRates = rates.books[code] ?? emptyRenewalRates();
    const moved = Object.values(bridge).some((amount) => amount !== 0);
    if (cohort.cohortAccounts === 0 && !moved && bookRates.due.renewals === 0) return;
    rows.push(buildRow(key, bridge, cohort, bookRates, sums[code] ?? emptySums()));
  });
  rows.sort((a, b) => a.key.localeCompare(b.key));
  rankRows(rows);

  const company = buildRow(
    '(company)',
    companyBridge(analysis, from, to),
    companyRetention(analysis, from, to),
    rates.company,
    companySums(sums),
  );
  return {
    year,
    window: { start: formatDay(analysis.windowStart), end: formatDay(analysis.asOf) },
    currency: definitions.reportingCurrency,
    definitions: describeDefinitions(definitions),
    groupedBy: by,
    company,
    rows,
    reconciliation: reconcile(company, rows),
    warnings: reportWarnings(analysis),
  };
}
