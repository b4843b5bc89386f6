/**
 * Preparation: from a dataset to netting units and effective line intervals, held in typed
 * arrays so that a million lines stay cheap.
 *
 * Steps, each recorded against the line it touches so that `explain` can show it:
 * 1. Accounts roll up to their ultimate parent (the netting unit) unless netting is by account.
 * 2. Each line is classified. Recurring lines count, and usage counts only when the definitions
 *    include it. One-time and trial lines are excluded, and so are lines without an explicit
 *    kind whose product matches a one-time pattern.
 * 3. Each counted line is annualised in its own currency.
 * 4. A line that another line renews stops where the renewal starts, so co-termed add-ons written
 *    as a new contract do not double count. A renewal that starts inside the grace window after
 *    the renewed line ended keeps the renewed line going until it starts.
 * 5. A line that ends at most `overlapToleranceDays` after another line of the same account
 *    starts is cut back to that start (plan migrations that overlap by a day).
 * 6. A gap in an account's service no longer than the grace window is bridged by keeping the
 *    lines that ended at the gap going: a late renewal, not churn and reactivation. An account
 *    whose service ended less than the grace window before the as-of date is lapsed and keeps its
 *    ARR until the as-of date.
 */
import { OPEN_END } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { EngineError } from './errors.js';
import type { ContractLine, Dataset } from './model.js';
import { AdjustmentLog } from './adjustments.js';
import type { EndAdjustment } from './adjustments.js';
import { applyRenewals, bridgeGaps, describeLine, trimOverlaps } from './line-ends.js';
import { IdIndex } from './id-index.js';
import { minorExponent } from './money.js';
import { annualise } from './normalise.js';

export interface Prepared {
  /** The dataset's lines, in input order; every per-line array below is indexed the same way. */
  readonly lines: readonly ContractLine[];
  /** The line's account, as its number in `unitByAccount.accounts`. */
  readonly lineAccount: Int32Array;
  readonly lineStart: Int32Array;
  /** Effective exclusive end after adjustments; OPEN_END for open-ended lines. */
  readonly lineEnd: Int32Array;
  /** ARR in minor units of the line's currency; 0 for lines that do not count. */
  readonly lineArr: Float64Array;
  readonly lineCounted: Uint8Array;
  /** 1 when the line is not in the reporting currency. */
  readonly lineForeign: Uint8Array;
  /** Index of the counted renewal that replaces or continues the line, or −1 when none does. */
  readonly lineRenewal: Int32Array;
  /**
   * Counted lines that name a line they renew, in ascending order. A plain array, because the
   * first pass over the lines cannot size a typed array for it without discarding one.
   */
  readonly renewals: readonly number[];
  /** Counts of inputs that were accepted but deserve a look; reports list them. */
  readonly warnings: PrepareWarnings;
  /** Annualisation rule per line, as an index into ANNUALISATION_RULES. */
  readonly lineRule: Uint8Array;
  /** Exclusion reason of each line, as an index into EXCLUSION_REASONS (0 for counted lines). */
  readonly lineExclusion: Uint8Array;
  /**
   * End adjustments, in the order applied: the line index of each, and the adjustment. Most
   * lines have none, and a million-line dataset can have hundreds of thousands of renewals, so
   * they are kept as a list rather than as a map of arrays.
   */
  readonly adjustments: AdjustmentLog;
  /** Root account id per unit. */
  readonly unitRoot: readonly string[];
  /** Lines of unit u are unitLines[unitLineOffsets[u] .. unitLineOffsets[u + 1]), sorted by start. */
  readonly unitLineOffsets: Int32Array;
  readonly unitLines: Int32Array;
  readonly unitByAccount: AccountUnits;
  /**
   * Finds the unit an account nets into, also for an account without lines such as a parent
   * between a child and the root. Returns undefined when no account of that family has lines.
   */
  readonly findUnit: (accountId: string) => number | undefined;
  /** Units with an account whose lines were kept going to the as-of date because it is lapsed. */
  readonly lapsedUnits: ReadonlySet<number>;
  /** Lines kept going to the as-of date because their account is lapsed. */
  readonly lapsedLines: ReadonlySet<number>;
}

export interface PrepareWarnings {
  /** Renewals whose `renews` id matches no line; they count as ordinary lines. */
  unknownRenewals: number;
  /** Renewals of a line of another account (allowed, for moves inside a group). */
  renewalsAcrossAccounts: number;
  /** Excluded lines by reason. */
  excluded: { oneTime: number; oneTimeByProduct: number; trial: number; usage: number };
}

/** Rule ids stored in `Prepared.lineRule`. */
export const ANNUALISATION_RULES = [
  'exclude',
  'annualise.months',
  'annualise.years',
  'annualise.weeks',
  'annualise.term-months',
  'annualise.term-days',
] as const;

/** Lists the adjustments of one line, in the order applied. */
export function adjustmentsOf(prepared: Prepared, index: number): EndAdjustment[] {
  return prepared.adjustments.forLine(index, prepared.lines);
}

/** Returns the netting unit of a line, which is its account's. */
export function lineUnit(prepared: Prepared, index: number): number {
  return prepared.unitByAccount.unitAt(prepared.lineAccount[index] as number);
}

export function unitCount(prepared: Prepared): number {
  return prepared.unitRoot.length;
}

/** Line indices of a unit, sorted by start. */
export function unitLineIndices(prepared: Prepared, unit: number): Int32Array {
  return prepared.unitLines.subarray(
    prepared.unitLineOffsets[unit],
    prepared.unitLineOffsets[unit + 1],
  );
}

/** Account ids that net into a unit. */
export function unitAccounts(prepared: Prepared, unit: number): string[] {
  return prepared.unitByAccount.accountsOf(unit);
}

function oneTimeMatcher(definitions: Definitions): RegExp | undefined {
  const patterns = definitions.oneTimeProductPatterns;
  return patterns.length === 0
    ? undefined
    : new RegExp(patterns.map((pattern) => `(?:${pattern})`).join('|'), 'i');
}

/** Reasons a line does not count, indexed by `Prepared.lineExclusion` (0: it counts). */
export const EXCLUSION_REASONS = [
  '',
  'one-time fee: never recurring',
  'trial: no contracted revenue',
  'usage: excluded from committed ARR',
  'product matches a one-time pattern and the line has no explicit kind',
] as const;

function classify(
  line: ContractLine,
  definitions: Definitions,
  matchesOneTime: (product: string) => boolean,
): number {
  if (line.kind === 'recurring' && line.kindSource === 'file') return 0;
  if (line.kind === 'one-time') return 1;
  if (line.kind === 'trial') return 2;
  if (line.kind === 'usage' && !definitions.includeUsage) return 3;
  if (line.kindSource !== 'file' && line.product !== undefined && matchesOneTime(line.product))
    return 4;
  return 0;
}

function countExclusion(excluded: PrepareWarnings['excluded'], reason: number): void {
  if (reason === 1) excluded.oneTime++;
  else if (reason === 2) excluded.trial++;
  else if (reason === 3) excluded.usage++;
  else excluded.oneTimeByProduct++;
}

/** Annualises a line, naming it (and its source row) when its amount is out of range. */
function annualiseLine(
  line: ContractLine,
  definitions: Definitions,
  exponent: number,
): ReturnType<typeof annualise> {
  try {
    return annualise(line, definitions, exponent);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new EngineError(
      'invalid-line',
      `${describeLine(line)}: its annualised amount is too large to compute exactly (${error.message}); check the amount and billing period`,
    );
  }
}

/** The netting unit of each account that has lines, and of each root of such an account. */
export class AccountUnits {
  /** Numbers the accounts. The arrays below are indexed by those numbers. */
  readonly accounts: IdIndex;
  private units: Int32Array;
  /** 1 for an account that is the root of its unit. */
  private roots: Uint8Array;

  /** Sizes the tables for `capacity` accounts, so that they only grow past that many. */
  constructor(capacity = 1024) {
    this.accounts = new IdIndex(capacity);
    this.units = new Int32Array(Math.max(1024, capacity));
    this.roots = new Uint8Array(Math.max(1024, capacity));
  }

  /** Returns the unit of an account, or undefined when the account has none. */
  get(accountId: string): number | undefined {
    const index = this.accounts.find(accountId);
    return index < 0 ? undefined : this.units[index];
  }

  /** Returns the unit of the account numbered `index` by `accounts`. */
  unitAt(index: number): number {
    return this.units[index] as number;
  }

  /** Checks whether the account numbered `index` by `accounts` is the root of its unit. */
  isRootAt(index: number): boolean {
    return this.roots[index] === 1;
  }

  set(accountId: string, unit: number, isRoot: boolean): void {
    this.setAt(this.accounts.add(accountId), unit, isRoot);
  }

  /** Sets the unit of the account numbered `index` by `accounts`. */
  setAt(index: number, unit: number, isRoot: boolean): void {
    if (index >= this.units.length) {
      const units = new Int32Array(this.units.length * 2);
      units.set(this.units);
      this.units = units;
      const roots = new Uint8Array(this.roots.length * 2);
      roots.set(this.roots);
      this.roots = roots;
    }
    this.units[index] = unit;
    this.roots[index] = isRoot ? 1 : 0;
  }

  /** Lists the account ids that net into a unit, sorted. */
  accountsOf(unit: number): string[] {
    const result: string[] = [];
    for (let index = 0; index < this.accounts.size; index++)
      if (this.units[index] === unit) result.push(this.accounts.idOf(index));
    return result.sort();
  }
}

class UnitResolver {
  readonly roots: string[] = [];
  readonly byAccount: AccountUnits;
  /**
   * Accounts with a parent, and the parent of each by its number in `children`. Every account
   * with lines is looked up here, and a `Map` keyed by those fresh strings showed in profiles.
   */
  private readonly children: IdIndex;
  private readonly parents: string[] = [];

  constructor(
    dataset: Dataset,
    private readonly netting: Definitions['netting'],
  ) {
    // Lines usually name accounts of the accounts list, so its length is a good first size.
    this.byAccount = new AccountUnits(dataset.accounts.length);
    this.children = new IdIndex();
    for (const account of dataset.accounts) {
      if (
        account.parentId !== undefined &&
        account.parentId !== '' &&
        account.parentId !== account.id
      ) {
        this.parents[this.children.add(account.id)] = account.parentId;
      }
    }
  }

  private parentOf(accountId: string): string | undefined {
    const child = this.children.find(accountId);
    return child < 0 ? undefined : this.parents[child];
  }

  private readonly rootOf = new Map<string, string>();

  /** Follows parents to the ultimate parent, remembering the root of every account passed. */
  private root(accountId: string): string {
    if (this.netting === 'account' || this.children.size === 0) return accountId;
    const parent = this.parentOf(accountId);
    if (parent === undefined) return accountId;
    // Most families are one level deep: the parent is the root, and no path needs remembering.
    if (this.children.find(parent) < 0) return parent;
    const path: string[] = [];
    const onPath = new Set<string>();
    let current = accountId;
    let root = this.rootOf.get(current);
    while (root === undefined) {
      const parent = this.parentOf(current);
      if (parent === undefined) {
        root = current;
        break;
      }
      path.push(current);
      onPath.add(current);
      if (onPath.has(parent)) {
        const cycle = path.slice(path.indexOf(parent));
        throw new EngineError(
          'parent-cycle',
          `account parents form a cycle through ${[...cycle, parent].slice(0, 20).join(' → ')}; fix the parent_id values`,
        );
      }
      current = parent;
      root = this.rootOf.get(current);
    }
    for (const account of path) this.rootOf.set(account, root);
    this.rootOf.set(current, root);
    return root;
  }

  findUnit(accountId: string): number | undefined {
    return this.byAccount.get(accountId) ?? this.byAccount.get(this.root(accountId));
  }

  /**
   * Returns the unit of an account with lines, giving it a unit (and its root one) first. The
   * account's number in `byAccount.accounts` is left in `lastAccount`.
   */
  unitOf(accountId: string): number {
    const known = this.byAccount.accounts.size;
    const number = this.byAccount.accounts.add(accountId);
    this.lastAccount = number;
    if (number < known) return this.byAccount.unitAt(number);
    // A root's own entry in byAccount is its unit, so roots need no map of their own.
    const root = this.root(accountId);
    let unit = root === accountId ? undefined : this.byAccount.get(root);
    if (unit === undefined) {
      unit = this.roots.length;
      this.roots.push(root);
      if (root === accountId) this.byAccount.setAt(number, unit, true);
      else this.byAccount.set(root, unit, true);
    }
    if (root !== accountId) this.byAccount.setAt(number, unit, false);
    return unit;
  }

  lastAccount = -1;
}

/** Prepares a dataset for the engine. `asOf` only decides which units are lapsed. */
export function prepare(dataset: Dataset, definitions: Definitions, asOf: Day): Prepared {
  const resolver = new UnitResolver(dataset, definitions.netting);
  // Accounts without lines get no unit: they have no ARR, and a parent without lines still gets
  // one as the root of its children.
  const oneTime = oneTimeMatcher(definitions);
  const productIsOneTime = new Map<string, boolean>();
  // Neighbouring lines often name the same product, which saves a Map lookup.
  let lastProduct: string | undefined;
  let lastResult = false;
  const matchesOneTime = (product: string): boolean => {
    if (product === lastProduct) return lastResult;
    let result = productIsOneTime.get(product);
    if (result === undefined) {
      result = oneTime?.test(product) === true;
      productIsOneTime.set(product, result);
    }
    lastProduct = product;
    lastResult = result;
    return result;
  };

  const lines = dataset.lines;
  const count = lines.length;
  const lineStart = new Int32Array(count);
  const lineEnd = new Int32Array(count);
  const lineArr = new Float64Array(count);
  const lineCounted = new Uint8Array(count);
  const lineRule = new Uint8Array(count);
  const lineExclusion = new Uint8Array(count);

  const lineForeign = new Uint8Array(count);
  const renewals: number[] = [];
  const excluded = { oneTime: 0, oneTimeByProduct: 0, trial: 0, usage: 0 };
  const lineAccount = new Int32Array(count);
  let previousAccount: string | undefined;
  let previousNumber = 0;
  // The minor-unit exponent of the last currency annualised, looked up again when it changes.
  let lastCurrency: string | undefined;
  let lastExponent = 2;
  for (let index = 0; index < count; index++) {
    const line = lines[index] as ContractLine;
    if (line.end !== null && line.end <= line.start) {
      throw new EngineError('invalid-line', `line ${line.id}: the end must be after the start`);
    }
    if (line.accountId !== previousAccount) {
      previousAccount = line.accountId;
      resolver.unitOf(line.accountId);
      previousNumber = resolver.lastAccount;
    }
    lineAccount[index] = previousNumber;
    if (line.currency !== definitions.reportingCurrency) lineForeign[index] = 1;
    lineStart[index] = line.start;
    lineEnd[index] = line.end ?? OPEN_END;
    const exclusion = classify(line, definitions, matchesOneTime);
    if (exclusion === 0) {
      if (line.currency !== lastCurrency) {
        lastCurrency = line.currency;
        lastExponent = minorExponent(lastCurrency);
      }
      const annual = annualiseLine(line, definitions, lastExponent);
      lineArr[index] = annual.arr;
      lineCounted[index] = 1;
      if (line.renews !== undefined) renewals.push(index);
      lineRule[index] = ANNUALISATION_RULES.indexOf(
        annual.rule as (typeof ANNUALISATION_RULES)[number],
      );
    } else {
      lineExclusion[index] = exclusion;
      countExclusion(excluded, exclusion);
    }
  }

  const units = resolver.roots.length;
  const unitLineOffsets = new Int32Array(units + 1);
  // A line's unit is its account's, which saves an array with one entry per line.
  const unitOfAccount = resolver.byAccount;
  for (let index = 0; index < count; index++) {
    const unit = unitOfAccount.unitAt(lineAccount[index] as number);
    unitLineOffsets[unit + 1] = (unitLineOffsets[unit + 1] as number) + 1;
  }
  for (let unit = 0; unit < units; unit++)
    unitLineOffsets[unit + 1] =
      (unitLineOffsets[unit + 1] as number) + (unitLineOffsets[unit] as number);
  const unitLines = new Int32Array(count);
  // Each unit's offset serves as its insertion cursor, which moves it to the next unit's offset,
  // so the offsets are shifted back by one unit afterwards.
  for (let index = 0; index < count; index++) {
    const unit = unitOfAccount.unitAt(lineAccount[index] as number);
    unitLines[unitLineOffsets[unit] as number] = index;
    unitLineOffsets[unit] = (unitLineOffsets[unit] as number) + 1;
  }
  unitLineOffsets.copyWithin(1, 0, units);
  unitLineOffsets[0] = 0;
  for (let unit = 0; unit < units; unit++) {
    sortByStart(
      unitLines,
      unitLineOffsets[unit] as number,
      unitLineOffsets[unit + 1] as number,
      lineStart,
    );
  }

  const prepared: Prepared = {
    lines,
    lineAccount,
    lineStart,
    lineEnd,
    lineArr,
    lineCounted,
    lineForeign,
    renewals,
    lineRenewal: new Int32Array(count).fill(-1),
    warnings: {
      unknownRenewals: 0,
      renewalsAcrossAccounts: 0,
      excluded,
    },
    lineRule,
    lineExclusion,
    adjustments: new AdjustmentLog(),
    unitRoot: resolver.roots,
    unitLineOffsets,
    unitLines,
    unitByAccount: resolver.byAccount,
    findUnit: (accountId) => resolver.findUnit(accountId),
    lapsedUnits: new Set(),
    lapsedLines: new Set(),
  };
  applyRenewals(prepared, definitions.graceDays);
  for (let unit = 0; unit < units; unit++) {
    trimOverlaps(prepared, unit, definitions.overlapToleranceDays);
    bridgeGaps(prepared, unit, definitions.graceDays, asOf);
  }
  return prepared;
}

/**
 * Sorts indices[from..to) by start day, then by index, in place. Units have few lines, usually
 * already in order, so insertion sort beats a comparator sort here.
 */
function sortByStart(indices: Int32Array, from: number, to: number, starts: Int32Array): void {
  for (let i = from + 1; i < to; i++) {
    const value = indices[i] as number;
    const start = starts[value] as number;
    let j = i - 1;
    while (j >= from) {
      const other = indices[j] as number;
      const otherStart = starts[other] as number;
      if (otherStart < start || (otherStart === start && other < value)) break;
      indices[j + 1] = other;
      j--;
    }
    indices[j + 1] = value;
  }
}

/** One line with its prepared values, for code that inspects a few lines at a time. */
export interface LineView {
  readonly index: number;
  readonly line: ContractLine;
  readonly counted: boolean;
  readonly arrLocal: number;
  readonly start: Day;
  readonly end: Day;
}

export function lineView(prepared: Prepared, index: number): LineView {
  return {
    index,
    line: prepared.lines[index] as ContractLine,
    counted: prepared.lineCounted[index] === 1,
    arrLocal: prepared.lineArr[index] as number,
    start: prepared.lineStart[index] as number,
    end: prepared.lineEnd[index] as number,
  };
}
