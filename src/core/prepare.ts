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
 * 6. A gap in a unit's service no longer than the grace window is bridged by keeping the lines
 *    that ended at the gap going (a late renewal, not churn and reactivation); a unit whose
 *    service ended less than the grace window before the as-of date is lapsed and keeps its ARR
 *    until the as-of date.
 */
import { OPEN_END } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { EngineError } from './errors.js';
import type { ContractLine, Dataset } from './model.js';
import { annualise } from './normalise.js';

/** A reason for a line's effective end to differ from its contracted end. */
export type EndAdjustment =
  | { readonly kind: 'renewed'; readonly by: string; readonly at: Day }
  | { readonly kind: 'overlap-trimmed'; readonly by: string; readonly at: Day }
  | { readonly kind: 'renewal-gap-bridged'; readonly by: string; readonly until: Day }
  | { readonly kind: 'account-gap-bridged'; readonly until: Day }
  | { readonly kind: 'lapsed'; readonly until: Day };

export interface Prepared {
  /** The dataset's lines, in input order; every per-line array below is indexed the same way. */
  readonly lines: readonly ContractLine[];
  readonly lineUnit: Int32Array;
  readonly lineStart: Int32Array;
  /** Effective exclusive end after adjustments; OPEN_END for open-ended lines. */
  readonly lineEnd: Int32Array;
  /** ARR in minor units of the line's currency; 0 for lines that do not count. */
  readonly lineArr: Float64Array;
  readonly lineCounted: Uint8Array;
  /** 1 when the line is not in the reporting currency. */
  readonly lineForeign: Uint8Array;
  /** Counted lines that name a line they renew. */
  readonly renewals: Int32Array;
  /** Counts of inputs that were accepted but deserve a look; reports list them. */
  readonly warnings: PrepareWarnings;
  /** Annualisation rule per line, as an index into ANNUALISATION_RULES. */
  readonly lineRule: Uint8Array;
  /** Why each line does not count, as an index into EXCLUSION_REASONS (0 for counted lines). */
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
  /** First day with positive ARR per unit, or OPEN_END. */
  readonly unitFirstActive: Int32Array;
  readonly unitByAccount: ReadonlyMap<string, number>;
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

type AdjustmentKind = EndAdjustment['kind'];
const ADJUSTMENT_KINDS: readonly AdjustmentKind[] = [
  'renewed',
  'overlap-trimmed',
  'renewal-gap-bridged',
  'account-gap-bridged',
  'lapsed',
];

/** End adjustments as parallel typed arrays: a million-line dataset can have 500,000 renewals. */
export class AdjustmentLog {
  private lines = new Int32Array(1024);
  private kinds = new Uint8Array(1024);
  /** The other line involved (the renewal or the overlapping line), or −1. */
  private others = new Int32Array(1024);
  /** The day the adjustment takes effect or lasts until. */
  private days = new Int32Array(1024);
  private size = 0;

  push(line: number, kind: AdjustmentKind, other: number, day: Day): void {
    if (this.size === this.lines.length) this.grow();
    this.lines[this.size] = line;
    this.kinds[this.size] = ADJUSTMENT_KINDS.indexOf(kind);
    this.others[this.size] = other;
    this.days[this.size] = day;
    this.size++;
  }

  /** Lists the adjustments of one line, in the order applied. */
  forLine(index: number, lines: readonly ContractLine[]): EndAdjustment[] {
    const result: EndAdjustment[] = [];
    for (let position = 0; position < this.size; position++) {
      if (this.lines[position] !== index) continue;
      const kind = ADJUSTMENT_KINDS[this.kinds[position] as number] as AdjustmentKind;
      const day = this.days[position] as number;
      const by = lines[this.others[position] as number]?.id ?? '';
      if (kind === 'renewed' || kind === 'overlap-trimmed') result.push({ kind, by, at: day });
      else if (kind === 'renewal-gap-bridged') result.push({ kind, by, until: day });
      else result.push({ kind, until: day });
    }
    return result;
  }

  private grow(): void {
    const capacity = this.lines.length * 2;
    const grow = <T extends Int32Array | Uint8Array>(array: T, make: (size: number) => T): T => {
      const bigger = make(capacity);
      bigger.set(array);
      return bigger;
    };
    this.lines = grow(this.lines, (size) => new Int32Array(size));
    this.kinds = grow(this.kinds, (size) => new Uint8Array(size));
    this.others = grow(this.others, (size) => new Int32Array(size));
    this.days = grow(this.days, (size) => new Int32Array(size));
  }
}

/** Lists the adjustments of one line, in the order applied. */
export function adjustmentsOf(prepared: Prepared, index: number): EndAdjustment[] {
  return prepared.adjustments.forLine(index, prepared.lines);
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
  const result: string[] = [];
  for (const [account, candidate] of prepared.unitByAccount)
    if (candidate === unit) result.push(account);
  return result.sort();
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
function annualiseLine(line: ContractLine, definitions: Definitions): ReturnType<typeof annualise> {
  try {
    return annualise(line, definitions);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new EngineError(
      'invalid-line',
      `${describeLine(line)}: its annualised amount is too large to compute exactly (${error.message}); check the amount and billing period`,
    );
  }
}

class UnitResolver {
  readonly roots: string[] = [];
  readonly byAccount = new Map<string, number>();
  private readonly parentOf = new Map<string, string>();

  constructor(
    dataset: Dataset,
    private readonly netting: Definitions['netting'],
  ) {
    for (const account of dataset.accounts) {
      if (
        account.parentId !== undefined &&
        account.parentId !== '' &&
        account.parentId !== account.id
      ) {
        this.parentOf.set(account.id, account.parentId);
      }
    }
  }

  private readonly rootOf = new Map<string, string>();

  /** Follows parents to the ultimate parent, remembering the root of every account passed. */
  private root(accountId: string): string {
    if (this.netting === 'account' || !this.parentOf.has(accountId)) return accountId;
    const path: string[] = [];
    const onPath = new Set<string>();
    let current = accountId;
    let root = this.rootOf.get(current);
    while (root === undefined) {
      const parent = this.parentOf.get(current);
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

  unitOf(accountId: string): number {
    const cached = this.byAccount.get(accountId);
    if (cached !== undefined) return cached;
    // A root's own entry in byAccount is its unit, so roots need no map of their own.
    const root = this.root(accountId);
    let unit = this.byAccount.get(root);
    if (unit === undefined) {
      unit = this.roots.length;
      this.roots.push(root);
      this.byAccount.set(root, unit);
    }
    this.byAccount.set(accountId, unit);
    return unit;
  }
}

/** Prepares a dataset for the engine. `asOf` only decides which units are lapsed. */
export function prepare(dataset: Dataset, definitions: Definitions, asOf: Day): Prepared {
  const resolver = new UnitResolver(dataset, definitions.netting);
  // Accounts without lines get no unit: they have no ARR, and a parent without lines still gets
  // one as the root of its children.
  const oneTime = oneTimeMatcher(definitions);
  const productIsOneTime = new Map<string, boolean>();
  const matchesOneTime = (product: string): boolean => {
    let result = productIsOneTime.get(product);
    if (result === undefined) {
      result = oneTime?.test(product) === true;
      productIsOneTime.set(product, result);
    }
    return result;
  };

  const lines = dataset.lines;
  const count = lines.length;
  const lineUnit = new Int32Array(count);
  const lineStart = new Int32Array(count);
  const lineEnd = new Int32Array(count);
  const lineArr = new Float64Array(count);
  const lineCounted = new Uint8Array(count);
  const lineRule = new Uint8Array(count);
  const lineExclusion = new Uint8Array(count);

  const lineForeign = new Uint8Array(count);
  const renewalBuffer = new Int32Array(count);
  let renewalCount = 0;
  const excluded = { oneTime: 0, oneTimeByProduct: 0, trial: 0, usage: 0 };
  let previousAccount: string | undefined;
  let previousUnit = 0;
  for (let index = 0; index < count; index++) {
    const line = lines[index] as ContractLine;
    if (line.end !== null && line.end <= line.start) {
      throw new EngineError('invalid-line', `line ${line.id}: the end must be after the start`);
    }
    if (line.accountId !== previousAccount) {
      previousAccount = line.accountId;
      previousUnit = resolver.unitOf(line.accountId);
    }
    lineUnit[index] = previousUnit;
    if (line.currency !== definitions.reportingCurrency) lineForeign[index] = 1;
    lineStart[index] = line.start;
    lineEnd[index] = line.end ?? OPEN_END;
    const exclusion = classify(line, definitions, matchesOneTime);
    if (exclusion === 0) {
      const annual = annualiseLine(line, definitions);
      lineArr[index] = annual.arr;
      lineCounted[index] = 1;
      if (line.renews !== undefined) renewalBuffer[renewalCount++] = index;
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
  for (let index = 0; index < count; index++)
    unitLineOffsets[(lineUnit[index] as number) + 1] =
      (unitLineOffsets[(lineUnit[index] as number) + 1] as number) + 1;
  for (let unit = 0; unit < units; unit++)
    unitLineOffsets[unit + 1] =
      (unitLineOffsets[unit + 1] as number) + (unitLineOffsets[unit] as number);
  const unitLines = new Int32Array(count);
  const cursor = unitLineOffsets.slice(0, units);
  for (let index = 0; index < count; index++) {
    const unit = lineUnit[index] as number;
    unitLines[cursor[unit] as number] = index;
    cursor[unit] = (cursor[unit] as number) + 1;
  }
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
    lineUnit,
    lineStart,
    lineEnd,
    lineArr,
    lineCounted,
    lineForeign,
    renewals: renewalBuffer.subarray(0, renewalCount),
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
    unitFirstActive: new Int32Array(units).fill(OPEN_END),
    unitByAccount: resolver.byAccount,
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
  for (const index of unitLineIndices(prepared, unit)) {
    if ((prepared.lines[index] as ContractLine).id === id) return index;
  }
  return fallback().get(id);
}

/** Names a line for messages: its id, and its file and row when known. */
export function describeLine(line: ContractLine): string {
  return line.source === undefined
    ? `line ${line.id}`
    : `line ${line.id} (${line.source.file} row ${line.source.row})`;
}

/** Rejects lines that renew each other in a loop, which would leave none of them counting. */
function checkRenewalLoops(lines: readonly ContractLine[], targetOf: Int32Array): void {
  const state = new Uint8Array(lines.length);
  for (let startIndex = 0; startIndex < lines.length; startIndex++) {
    if (targetOf[startIndex] === -1 || state[startIndex] !== 0) continue;
    const path: number[] = [];
    let current = startIndex;
    while (current !== -1 && state[current] === 0) {
      state[current] = 1;
      path.push(current);
      current = targetOf[current] as number;
    }
    if (current !== -1 && state[current] === 1) {
      const loop = path
        .slice(path.indexOf(current))
        .map((index) => describeLine(lines[index] as ContractLine));
      throw new EngineError(
        'invalid-line',
        `lines renew each other in a loop: ${loop.slice(0, 10).join(' → ')}; fix the renews values`,
      );
    }
    for (const index of path) state[index] = 2;
  }
}

function applyRenewals(prepared: Prepared, graceDays: number): void {
  const { lines, lineStart, lineEnd, lineUnit } = prepared;
  let byId: Map<string, number> | undefined;
  const allLines = (): Map<string, number> => {
    if (byId === undefined) {
      byId = new Map();
      lines.forEach((line, index) => byId?.set(line.id, index));
    }
    return byId;
  };
  const targetOf = new Int32Array(lines.length).fill(-1);
  for (const index of prepared.renewals) {
    const renews = (lines[index] as ContractLine).renews as string;
    const target = findLine(prepared, lineUnit[index] as number, renews, allLines);
    if (target === undefined) prepared.warnings.unknownRenewals++;
    else if (target !== index) {
      targetOf[index] = target;
      if ((lines[target] as ContractLine).accountId !== (lines[index] as ContractLine).accountId) {
        prepared.warnings.renewalsAcrossAccounts++;
      }
    }
  }
  checkRenewalLoops(lines, targetOf);
  for (const index of prepared.renewals) {
    const target = targetOf[index] as number;
    if (target === -1) continue;
    const start = lineStart[index] as number;
    const targetEnd = lineEnd[target] as number;
    if (start < targetEnd) {
      // The renewal replaces the renewed line from its start: a co-termed add-on or an early
      // renewal, never both lines at once.
      const at = Math.max(lineStart[target] as number, start);
      adjust(prepared, target, 'renewed', index, at);
    } else if (start > targetEnd && start - targetEnd <= graceDays) {
      adjust(prepared, target, 'renewal-gap-bridged', index, start);
    }
  }
}

function trimOverlaps(prepared: Prepared, unit: number, tolerance: number): void {
  const indices = unitLineIndices(prepared, unit);
  if (tolerance <= 0 || indices.length < 2) return;
  const { lineStart, lineEnd, lineCounted } = prepared;
  for (const index of indices) {
    const end = lineEnd[index] as number;
    if (lineCounted[index] !== 1 || end === OPEN_END) continue;
    // Find the first line of the unit that starts at or after end - tolerance.
    let low = 0;
    let high = indices.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((lineStart[indices[middle] as number] as number) < end - tolerance) low = middle + 1;
      else high = middle;
    }
    for (let k = low; k < indices.length; k++) {
      const other = indices[k] as number;
      const otherStart = lineStart[other] as number;
      if (otherStart >= end) break;
      if (other === index || lineCounted[other] !== 1 || otherStart <= (lineStart[index] as number))
        continue;
      if (
        (prepared.lines[other] as ContractLine).accountId !==
        (prepared.lines[index] as ContractLine).accountId
      )
        continue;
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
function bridgeGaps(prepared: Prepared, unit: number, graceDays: number, asOf: Day): void {
  const { lines, lineStart, lineArr, lineCounted } = prepared;
  const indices = unitLineIndices(prepared, unit);
  const firstAccount =
    indices.length > 0 ? (lines[indices[0] as number] as ContractLine).accountId : '';
  let byAccount: Map<string, number[]> | undefined;
  for (const index of indices) {
    if ((lines[index] as ContractLine).accountId !== firstAccount) {
      byAccount = new Map();
      break;
    }
  }
  if (byAccount === undefined) bridgeAccountGaps(prepared, unit, indices, graceDays, asOf);
  else {
    for (const index of indices) {
      const account = (lines[index] as ContractLine).accountId;
      const own = byAccount.get(account);
      if (own) own.push(index);
      else byAccount.set(account, [index]);
    }
    for (const own of byAccount.values()) bridgeAccountGaps(prepared, unit, own, graceDays, asOf);
  }
  for (const index of indices) {
    if (lineCounted[index] === 1 && (lineArr[index] as number) > 0) {
      prepared.unitFirstActive[unit] = Math.min(
        prepared.unitFirstActive[unit] as number,
        lineStart[index] as number,
      );
    }
  }
}

function bridgeAccountGaps(
  prepared: Prepared,
  unit: number,
  indices: Int32Array | number[],
  graceDays: number,
  asOf: Day,
): void {
  const { lineStart, lineEnd, lineArr, lineCounted } = prepared;
  // Walk the union of service intervals in start order; `coverageEnd` is the first day without
  // service, and `ending` lists the lines that end there.
  let coverageEnd = -1;
  let ending: number[] = [];
  for (const index of indices) {
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
      for (const previous of ending) adjust(prepared, previous, 'account-gap-bridged', -1, start);
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
    for (const previous of ending) {
      adjust(prepared, previous, 'lapsed', -1, asOf + 1);
      (prepared.lapsedLines as Set<number>).add(previous);
    }
    (prepared.lapsedUnits as Set<number>).add(unit);
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
