/**
 * The explanation trail of one account over the window. It lists which lines counted and why,
 * and what each contributed on the window's first and last day. It shows how the unit's ARR moved
 * between samples, which rule classified each movement, and what the unit adds to the cohort
 * figures.
 */
import { analyse, bridgeSteps, historyFor, unitArr, wasActiveBy } from './analysis.js';
import type { Analysis } from './analysis.js';
import { classifyMovement } from './bridge.js';
import type { MovementKind } from './bridge.js';
import { formatDay, OPEN_END } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { EngineError } from './errors.js';
import { codeAt, groupIndex } from './groups.js';
import type { Dimension } from './groups.js';
import { formatDecimal } from './money.js';
import { describeAnnualisation } from './normalise.js';
import type { ContractLine, Dataset } from './model.js';
import {
  adjustmentsOf,
  ANNUALISATION_RULES,
  EXCLUSION_REASONS,
  lineView,
  unitAccounts,
  unitLineIndices,
} from './prepare.js';
import type { EndAdjustment } from './adjustments.js';
import type { LineView } from './prepare.js';
import { describeDefinitions } from './report.js';
import type { Report } from './report.js';
import { movementComponents } from './subtypes.js';
import type { Component } from './subtypes.js';

export interface LineExplanation {
  id: string;
  accountId: string;
  product: string | null;
  kind: string;
  counted: boolean;
  exclusion: string | null;
  amount: string;
  currency: string;
  period: string;
  start: string;
  /** Last day of contracted service (inclusive), or null when open-ended. */
  contractedLastDay: string | null;
  /** Last day the line counts after adjustments (inclusive), or null when open-ended. */
  effectiveLastDay: string | null;
  adjustments: string[];
  rule: string;
  arithmetic: string;
  /** ARR in minor units of the line's currency. */
  arrLocal: number;
  /** The FX rates applied on the window's first and last day, for lines in another currency. */
  conversion: string | null;
  /** Reporting-currency ARR on the window's first and last day. */
  arrAtStart: number;
  arrAtEnd: number;
}

export interface MovementExplanation {
  from: string;
  to: string;
  kind: MovementKind;
  amount: number;
  rule: string;
  reason: string;
  /** Sub-type components, signed like the movement: they sum to `amount`. */
  components: Component[];
}

export interface Explanation {
  accountId: string;
  accountName: string | null;
  nettingUnit: { rootId: string; accountIds: string[] };
  currency: string;
  definitions: Report['definitions'];
  window: { start: string; end: string };
  arrAtStart: number;
  arrAtEnd: number;
  lapsed: boolean;
  cohort: {
    member: boolean;
    nrrNumerator: number;
    nrrDenominator: number;
    grrNumerator: number;
    retained: boolean;
  };
  books: Record<Dimension, { atStart: string; atEnd: string }>;
  lines: LineExplanation[];
  movements: MovementExplanation[];
  /** The unit's ARR at each month end (the as-of date for its month), from its first service on. */
  timeline: { date: string; arr: number }[];
}

function lastDay(end: Day | null): string | null {
  return end === null || end >= OPEN_END ? null : formatDay(end - 1);
}

function describeAdjustment(adjustment: EndAdjustment): string {
  switch (adjustment.kind) {
    case 'renewed':
      return `renewed by line ${adjustment.by}, which replaces it from ${formatDay(adjustment.at)}`;
    case 'overlap-trimmed':
      return `ends within the overlap tolerance after line ${adjustment.by} starts, so it stops on ${formatDay(adjustment.at)} (plan change, not churn and new)`;
    case 'renewal-gap-bridged':
      return `renewed late by line ${adjustment.by} inside the grace window, so it counts until ${formatDay(adjustment.until)}`;
    case 'account-gap-bridged':
      return `service resumed on ${formatDay(adjustment.until)} inside the grace window, so it counts until then (late renewal, not churn and reactivation)`;
    case 'lapsed':
      return `lapsed: service ended less than the grace window before the as-of date, so it still counts`;
  }
}

function periodText(line: LineView): string {
  const { unit, count } = line.line.period;
  if (unit === 'term') return 'contract value over the term';
  return count === 1 ? `per ${unit}` : `per ${count} ${unit}s`;
}

function reasonFor(kind: MovementKind, definitions: Definitions): { rule: string; reason: string } {
  switch (kind) {
    case 'new':
      return {
        rule: 'movement.new',
        reason: 'ARR rose from 0 and the account had no ARR at any earlier month end',
      };
    case 'reactivation':
      return {
        rule: 'movement.reactivation',
        reason: `ARR rose from 0 after earlier service; a gap counts as a late renewal only when the same account resumes within ${definitions.graceDays} days (the grace window)`,
      };
    case 'expansion':
      return { rule: 'movement.expansion', reason: 'ARR of an active account rose' };
    case 'contraction':
      return { rule: 'movement.contraction', reason: 'ARR of an account that stays active fell' };
    case 'churn':
      return {
        rule: 'movement.churn',
        reason: `ARR fell to 0, and no account of it resumed service within the ${definitions.graceDays}-day grace window`,
      };
  }
}

/**
 * Flips the components of a contraction so they read as positive amounts that sum to it, as the
 * report's contraction sub-types do.
 */
function signedAsMovement(components: Component[], kind: MovementKind): Component[] {
  if (kind !== 'contraction') return components;
  return components.map((component) => ({ ...component, amount: -component.amount }));
}

function exclusionText(reason: number, line: ContractLine): string | null {
  if (reason === 0) return null;
  if (reason === 4) {
    return `product "${line.product ?? ''}" matches a one-time pattern and the line has no explicit kind`;
  }
  return EXCLUSION_REASONS[reason] ?? null;
}

function conversionText(analysis: Analysis, line: LineView): string | null {
  const { currency } = line.line;
  const reporting = analysis.definitions.reportingCurrency;
  if (!line.counted || currency === reporting) return null;
  const describe = (day: Day): string => {
    const rate = analysis.fx.rateOn(currency, day, line.line.id);
    return rate === undefined
      ? 'none'
      : `${formatDecimal(rate)} ${reporting} per ${currency} (${analysis.fx.describeRate(currency, day, line.line.id)})`;
  };
  return `converted at ${describe(analysis.windowStart)} on the window start and ${describe(analysis.asOf)} on the as-of date`;
}

function lineArrOn(analysis: Analysis, line: LineView, day: Day): number {
  if (!line.counted || day < line.start || day >= line.end) return 0;
  const rate = analysis.fx.rateOn(line.line.currency, day, line.line.id);
  return rate === undefined
    ? line.arrLocal
    : analysis.fx.convert(line.arrLocal, line.line.currency, rate);
}

/** Explains one account (and the netting unit it belongs to) over the analysis window. */
export function explainAccount(
  analysis: Analysis,
  dataset: Dataset,
  accountId: string,
): Explanation {
  const unit = analysis.prepared.unitByAccount.get(accountId);
  if (unit === undefined) {
    const known = dataset.accounts.some((account) => account.id === accountId);
    throw new EngineError(
      'unknown-account',
      known
        ? `account "${accountId}" has no contract lines, so it has no ARR to explain`
        : `account "${accountId}" is not in the data; check the id against the account_id column`,
    );
  }
  const { prepared } = analysis;
  const info = {
    rootId: prepared.unitRoot[unit] as string,
    accountIds: unitAccounts(prepared, unit),
    lineIndices: Array.from(unitLineIndices(prepared, unit)),
  };
  const { definitions, windowStartSample: from, asOfSample: to } = analysis;
  const start = unitArr(analysis, unit, from);
  const end = unitArr(analysis, unit, to);

  const books = {} as Explanation['books'];
  for (const dimension of ['csm', 'segment', 'region', 'sub-region'] as const) {
    const groups = groupIndex(analysis, dataset, dimension);
    books[dimension] = {
      atStart: groups.keys[codeAt(groups, unit, from)] as string,
      atEnd: groups.keys[codeAt(groups, unit, to)] as string,
    };
  }

  const lines = info.lineIndices.map((index) => {
    const line = lineView(prepared, index);
    return {
      id: line.line.id,
      accountId: line.line.accountId,
      product: line.line.product ?? null,
      kind: line.line.kind,
      counted: line.counted,
      exclusion: exclusionText(prepared.lineExclusion[index] as number, line.line),
      amount: formatDecimal(line.line.amount),
      currency: line.line.currency,
      period: periodText(line),
      start: formatDay(line.start),
      contractedLastDay: lastDay(line.line.end),
      effectiveLastDay: lastDay(line.end),
      adjustments: adjustmentsOf(prepared, index).map(describeAdjustment),
      rule: ANNUALISATION_RULES[prepared.lineRule[index] as number] as string,
      arithmetic: line.counted ? describeAnnualisation(line.line, definitions) : '',
      arrLocal: line.arrLocal,
      conversion: conversionText(analysis, line),
      arrAtStart: lineArrOn(analysis, line, analysis.windowStart),
      arrAtEnd: lineArrOn(analysis, line, analysis.asOf),
    };
  });

  const movements: MovementExplanation[] = [];
  const steps = bridgeSteps(analysis, from, to);
  for (let s = 1; s < steps.length; s++) {
    const a = steps[s - 1] as number;
    const b = steps[s] as number;
    const before = unitArr(analysis, unit, a);
    const after = unitArr(analysis, unit, b);
    const movement = classifyMovement(
      before,
      after,
      before === 0 && wasActiveBy(historyFor(analysis, from), unit, analysis.samples[a] as number),
    );
    if (!movement) continue;
    const isChange = movement.kind === 'expansion' || movement.kind === 'contraction';
    movements.push({
      from: formatDay(analysis.samples[a] as number),
      to: formatDay(analysis.samples[b] as number),
      ...movement,
      ...reasonFor(movement.kind, definitions),
      components: isChange
        ? signedAsMovement(movementComponents(analysis, unit, a, b), movement.kind)
        : [],
    });
  }

  return {
    accountId,
    accountName: dataset.accounts.find((account) => account.id === accountId)?.name ?? null,
    nettingUnit: { rootId: info.rootId, accountIds: info.accountIds },
    currency: definitions.reportingCurrency,
    definitions: describeDefinitions(definitions),
    window: { start: formatDay(analysis.windowStart), end: formatDay(analysis.asOf) },
    arrAtStart: start,
    arrAtEnd: end,
    lapsed: analysis.lapsedUnits.has(unit),
    cohort: {
      member: start > 0,
      nrrNumerator: start > 0 ? end : 0,
      nrrDenominator: start,
      grrNumerator: start > 0 ? Math.min(start, end) : 0,
      retained: start > 0 && end > 0,
    },
    books,
    lines,
    movements,
    timeline: analysis.months
      .filter(
        (month) =>
          (analysis.samples[month.sample] as number) >= (analysis.firstPositiveDay[unit] as number),
      )
      .map((month) => ({
        date: formatDay(analysis.samples[month.sample] as number),
        arr: unitArr(analysis, unit, month.sample),
      })),
  };
}

/** Analyses a dataset and explains one account in one step. */
export function explain(
  dataset: Dataset,
  definitions: Definitions,
  asOf: Day,
  accountId: string,
): Explanation {
  return explainAccount(analyse(dataset, definitions, asOf), dataset, accountId);
}
