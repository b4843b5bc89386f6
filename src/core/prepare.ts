/**
 * Preparation: from a dataset to netting units and effective line intervals.
 *
 * Steps, each recorded on the line it touches so that `explain` can show it:
 * 1. Accounts roll up to their ultimate parent (the netting unit) unless netting is by account.
 * 2. Each line is classified: recurring lines count; usage counts only when the definitions
 *    include it; one-time and trial lines, and lines whose product matches a one-time pattern
 *    without an explicit kind, are excluded.
 * 3. Each counted line is annualised in its own currency.
 * 4. A line that another line renews stops where the renewal starts (co-termed add-ons written as
 *    a new contract do not double count), and a renewal that starts inside the grace window
 *    after the renewed line ended keeps the renewed line going until it starts.
 * 5. A line that ends at most `overlapToleranceDays` after another line of the account starts is
 *    cut back to that start (plan migrations that overlap by a day).
 * 6. A gap in an account's service no longer than the grace window is bridged by keeping the
 *    lines that ended at the gap going (a late renewal, not churn and reactivation); an account
 *    whose service ended less than the grace window before the as-of date is lapsed and keeps its
 *    ARR until the as-of date.
 */
import { OPEN_END } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { EngineError } from './errors.js';
import type { Minor } from './money.js';
import type { ContractLine, Dataset } from './model.js';
import { annualise } from './normalise.js';

/** Why a line's effective end differs from its contracted end. */
export type EndAdjustment =
  | { readonly kind: 'renewed'; readonly by: string; readonly at: Day }
  | { readonly kind: 'overlap-trimmed'; readonly by: string; readonly at: Day }
  | { readonly kind: 'renewal-gap-bridged'; readonly by: string; readonly until: Day }
  | { readonly kind: 'account-gap-bridged'; readonly until: Day }
  | { readonly kind: 'lapsed'; readonly until: Day };

export interface PreparedLine {
  readonly line: ContractLine;
  readonly unit: number;
  readonly counted: boolean;
  /** Why the line does not count; set when `counted` is false. */
  readonly exclusion?: string;
  /** ARR in minor units of the line's currency (0 when not counted). */
  readonly arrLocal: Minor;
  readonly rule: string;
  readonly arithmetic: string;
  readonly start: Day;
  /** Effective exclusive end after the adjustments; OPEN_END for open-ended lines. */
  end: Day;
  /** Adjustments to the end, in the order applied; absent when there are none. */
  adjustments?: EndAdjustment[];
}

function adjust(line: PreparedLine, adjustment: EndAdjustment, end: Day): void {
  (line.adjustments ??= []).push(adjustment);
  line.end = end;
}

export interface NettingUnit {
  /** The ultimate parent (or the account itself when netting by account). */
  readonly rootId: string;
  readonly accountIds: string[];
  /** Indices into `Prepared.lines`, sorted by start. */
  lineIndices: number[];
  /** First day with positive ARR, or OPEN_END when the unit never has any. */
  firstActive: Day;
}

export interface Prepared {
  readonly units: NettingUnit[];
  readonly unitByAccount: ReadonlyMap<string, number>;
  readonly lines: PreparedLine[];
  readonly accountNames: ReadonlyMap<string, string>;
}

function ultimateParents(dataset: Dataset, netting: Definitions['netting']): Map<string, string> {
  const parentOf = new Map<string, string>();
  for (const account of dataset.accounts) {
    if (account.parentId && account.parentId !== account.id)
      parentOf.set(account.id, account.parentId);
  }
  const rootOf = new Map<string, string>();
  const resolve = (id: string): string => {
    if (netting === 'account') return id;
    const known = rootOf.get(id);
    if (known !== undefined) return known;
    const path: string[] = [];
    let current = id;
    while (parentOf.has(current)) {
      if (path.includes(current)) {
        throw new EngineError(
          'parent-cycle',
          `account parents form a cycle: ${[...path, current].join(' → ')}`,
        );
      }
      path.push(current);
      current = parentOf.get(current) as string;
      const cached = rootOf.get(current);
      if (cached !== undefined) {
        current = cached;
        break;
      }
    }
    for (const member of path) rootOf.set(member, current);
    rootOf.set(id, current);
    return current;
  };
  for (const account of dataset.accounts) resolve(account.id);
  for (const line of dataset.lines) resolve(line.accountId);
  return rootOf;
}

function classify(
  line: ContractLine,
  definitions: Definitions,
  oneTime: RegExp[],
): string | undefined {
  if (line.kind === 'one-time') return 'one-time fee: never recurring';
  if (line.kind === 'trial') return 'trial: no contracted revenue';
  if (line.kind === 'usage' && !definitions.includeUsage)
    return 'usage: excluded from committed ARR';
  if (
    line.kindSource !== 'file' &&
    line.product !== undefined &&
    oneTime.some((pattern) => pattern.test(line.product as string))
  ) {
    return `product "${line.product}" matches a one-time pattern and the line has no explicit kind`;
  }
  return undefined;
}

/** Prepares a dataset for the engine. `asOf` only decides which accounts are lapsed. */
export function prepare(dataset: Dataset, definitions: Definitions, asOf: Day): Prepared {
  const rootOf = ultimateParents(dataset, definitions.netting);
  const oneTime = definitions.oneTimeProductPatterns.map((pattern) => new RegExp(pattern, 'i'));

  const units: NettingUnit[] = [];
  const unitByRoot = new Map<string, number>();
  const unitByAccount = new Map<string, number>();
  const unitOf = (accountId: string): number => {
    const cached = unitByAccount.get(accountId);
    if (cached !== undefined) return cached;
    const root = rootOf.get(accountId) ?? accountId;
    let unit = unitByRoot.get(root);
    if (unit === undefined) {
      unit = units.length;
      units.push({ rootId: root, accountIds: [], lineIndices: [], firstActive: OPEN_END });
      unitByRoot.set(root, unit);
    }
    (units[unit] as NettingUnit).accountIds.push(accountId);
    unitByAccount.set(accountId, unit);
    return unit;
  };
  for (const account of dataset.accounts) unitOf(account.id);

  const lines: PreparedLine[] = [];
  const lineById = new Map<string, number>();
  for (const line of dataset.lines) {
    if (line.end !== null && line.end <= line.start) {
      throw new EngineError('invalid-line', `line ${line.id}: end must be after start`);
    }
    const unit = unitOf(line.accountId);
    const exclusion = classify(line, definitions, oneTime);
    const annual = exclusion === undefined ? annualise(line, definitions) : undefined;
    const index = lines.length;
    lines.push({
      line,
      unit,
      counted: exclusion === undefined,
      ...(exclusion === undefined ? {} : { exclusion }),
      arrLocal: annual?.arr ?? 0,
      rule: annual?.rule ?? 'exclude',
      arithmetic: annual?.arithmetic ?? '',
      start: line.start,
      end: line.end ?? OPEN_END,
    });
    lineById.set(line.id, index);
    (units[unit] as NettingUnit).lineIndices.push(index);
  }

  for (const unit of units)
    unit.lineIndices.sort(
      (a, b) => (lines[a] as PreparedLine).start - (lines[b] as PreparedLine).start,
    );

  applyRenewals(lines, lineById, definitions);
  for (const unit of units) {
    trimOverlaps(unit, lines, definitions.overlapToleranceDays);
    bridgeGaps(unit, lines, definitions.graceDays, asOf);
  }

  const accountNames = new Map<string, string>();
  for (const account of dataset.accounts)
    if (account.name !== undefined) accountNames.set(account.id, account.name);
  return { units, unitByAccount, lines, accountNames };
}

function applyRenewals(
  lines: PreparedLine[],
  lineById: Map<string, number>,
  definitions: Definitions,
): void {
  for (const renewal of lines) {
    const renewedId = renewal.line.renews;
    if (renewedId === undefined || !renewal.counted) continue;
    const renewedIndex = lineById.get(renewedId);
    if (renewedIndex === undefined) continue;
    const renewed = lines[renewedIndex] as PreparedLine;
    if (renewal.start < renewed.end) {
      // The renewal replaces the renewed line from its start: a co-termed add-on or an early
      // renewal, never both lines at once.
      const at = Math.max(renewed.start, renewal.start);
      adjust(renewed, { kind: 'renewed', by: renewal.line.id, at }, at);
    } else if (
      renewal.start > renewed.end &&
      renewal.start - renewed.end <= definitions.graceDays
    ) {
      const until = renewal.start;
      adjust(renewed, { kind: 'renewal-gap-bridged', by: renewal.line.id, until }, until);
    }
  }
}

function trimOverlaps(unit: NettingUnit, lines: PreparedLine[], tolerance: number): void {
  if (tolerance <= 0 || unit.lineIndices.length < 2) return;
  const sorted = unit.lineIndices;
  for (const index of sorted) {
    const line = lines[index] as PreparedLine;
    if (!line.counted || line.end === OPEN_END) continue;
    // Look for a later-starting line of the same account that starts inside [end - tolerance, end).
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((lines[sorted[middle] as number] as PreparedLine).start < line.end - tolerance)
        low = middle + 1;
      else high = middle;
    }
    for (let k = low; k < sorted.length; k++) {
      const other = lines[sorted[k] as number] as PreparedLine;
      if (other.start >= line.end) break;
      if (other === line || !other.counted || other.start <= line.start) continue;
      if (other.line.accountId !== line.line.accountId) continue;
      adjust(line, { kind: 'overlap-trimmed', by: other.line.id, at: other.start }, other.start);
      break;
    }
  }
}

function bridgeGaps(unit: NettingUnit, lines: PreparedLine[], graceDays: number, asOf: Day): void {
  const active = unit.lineIndices.filter((index) => {
    const line = lines[index] as PreparedLine;
    return line.counted && line.arrLocal > 0 && line.end > line.start;
  });
  if (active.length === 0) return;
  unit.firstActive = (lines[active[0] as number] as PreparedLine).start;

  // Walk the union of service intervals in start order; `coverageEnd` is the first day without service.
  let coverageEnd = (lines[active[0] as number] as PreparedLine).end;
  let endingLines: PreparedLine[] = [];
  const collectEnding = (line: PreparedLine): void => {
    if (line.end > coverageEnd) {
      coverageEnd = line.end;
      endingLines = [line];
    } else if (line.end === coverageEnd) endingLines.push(line);
  };
  endingLines = [lines[active[0] as number] as PreparedLine];
  for (let k = 1; k < active.length; k++) {
    const line = lines[active[k] as number] as PreparedLine;
    if (line.start > coverageEnd) {
      const gap = line.start - coverageEnd;
      if (gap <= graceDays) {
        for (const ending of endingLines) {
          adjust(ending, { kind: 'account-gap-bridged', until: line.start }, line.start);
        }
        coverageEnd = line.start;
      } else {
        coverageEnd = line.end;
        endingLines = [line];
        continue;
      }
    }
    collectEnding(line);
  }
  if (coverageEnd !== OPEN_END && coverageEnd <= asOf && asOf < coverageEnd + graceDays) {
    for (const ending of endingLines) {
      adjust(ending, { kind: 'lapsed', until: asOf + 1 }, asOf + 1);
    }
  }
}
