/**
 * The scenario lab: chosen outcomes applied to the renewals still open on the as-of date, and
 * ARR, the bridge, NRR, GRR and logo retention with and without them, for the fiscal year in
 * progress and the next one.
 *
 * The baseline assumes that every open renewal (upcoming, or lapsed inside its grace window)
 * renews flat on its renewal date for a year, and again each year through the end of the next
 * fiscal year. The scenario replaces the first term of the renewals it names: flat, with an
 * uplift or a downgrade in basis points of the ARR up for renewal, or churn, starting on its
 * renewal date or on another day. Later terms renew that ARR flat. Every other input is the
 * same, so each difference comes from the choices alone.
 */
import type { Analysis } from './analysis.js';
import { analyse } from './analysis.js';
import { fiscalYearOf } from './bridge.js';
import { emptyTotals } from './bridge.js';
import type { BridgeTotals } from './bridge.js';
import { fiscalYear } from './compare.js';
import { addMonths, formatDay, formatMonth, parseDay } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { EngineError } from './errors.js';
import type { Dimension } from './groups.js';
import {
  formatDecimal,
  formatMinor,
  formatPercent,
  minorExponent,
  roundDivide,
  toMinor,
} from './money.js';
import type { ContractLine, Dataset } from './model.js';
import { buildReport, describeDefinitions } from './report.js';
import type { GroupReport, Report } from './report.js';
import { emptyRetention } from './retention.js';
import { findRenewals } from './renewals.js';
import type { Renewal } from './renewals.js';

export const SCENARIO_OUTCOMES = ['flat', 'uplift', 'downgrade', 'churn'] as const;
export type ScenarioOutcome = (typeof SCENARIO_OUTCOMES)[number];

/** Months of a renewal term the lab writes, unless a choice sets another. */
export const SCENARIO_TERM_MONTHS = 12;

/** One open renewal and the outcome chosen for it. */
export interface ScenarioChoice {
  readonly account: string;
  readonly renewalDate: Day;
  readonly outcome: ScenarioOutcome;
  /** Change of ARR for an uplift or a downgrade, in basis points (700 is 7%). */
  readonly basisPoints?: number;
  /** First day of the renewed term; the renewal date unless given. */
  readonly effective?: Day;
  /** Months of the renewed term. */
  readonly termMonths?: number;
}

export interface Scenario {
  readonly name: string;
  readonly choices: readonly ScenarioChoice[];
}

/** A choice as JSON and the workspace store it: dates as YYYY-MM-DD. */
export interface ScenarioChoiceText {
  account: string;
  renewalDate: string;
  outcome: ScenarioOutcome;
  basisPoints?: number;
  effective?: string;
  termMonths?: number;
}

/** Writes a choice with its dates as text, leaving out the fields it does not set. */
export function choiceToText(choice: ScenarioChoice): ScenarioChoiceText {
  return {
    account: choice.account,
    renewalDate: formatDay(choice.renewalDate),
    outcome: choice.outcome,
    ...(choice.basisPoints === undefined ? {} : { basisPoints: choice.basisPoints }),
    ...(choice.effective === undefined ? {} : { effective: formatDay(choice.effective) }),
    ...(choice.termMonths === undefined ? {} : { termMonths: choice.termMonths }),
  };
}

/** Reads a choice written by choiceToText; an invalid date or outcome is an error naming it. */
export function choiceFromText(text: ScenarioChoiceText): ScenarioChoice {
  const day = (value: string, field: string): Day => {
    const parsed = parseDay(value);
    if (parsed === undefined) {
      throw new EngineError(
        'invalid-scenario',
        `${field} "${value}" of the choice for ${text.account} is not a date as YYYY-MM-DD`,
      );
    }
    return parsed;
  };
  if (!(SCENARIO_OUTCOMES as readonly string[]).includes(text.outcome)) {
    throw new EngineError(
      'invalid-scenario',
      `outcome "${text.outcome}" of the choice for ${text.account} must be one of ${SCENARIO_OUTCOMES.join(', ')}`,
    );
  }
  return {
    account: text.account,
    renewalDate: day(text.renewalDate, 'renewalDate'),
    outcome: text.outcome,
    ...(text.basisPoints === undefined ? {} : { basisPoints: text.basisPoints }),
    ...(text.effective === undefined ? {} : { effective: day(text.effective, 'effective') }),
    ...(text.termMonths === undefined ? {} : { termMonths: text.termMonths }),
  };
}

/** The figures of one window for the company or a book, as a report's book rows carry them. */
export type ScenarioFigures = Omit<GroupReport, 'key'>;

export interface ComparedFigures {
  baseline: ScenarioFigures;
  scenario: ScenarioFigures;
}

export interface ScenarioWindow {
  /** Fiscal year, named by the calendar year in which it ends. */
  year: number;
  window: { start: string; end: string };
  company: ComparedFigures;
  /** Per dimension, every book with its figures in both. */
  books: Partial<Record<Dimension, ({ key: string } & ComparedFigures)[]>>;
}

/** A choice as applied: the renewal it names and the ARR it writes. */
export interface AppliedChoice {
  account: string;
  renewalDate: string;
  csm: string;
  segment: string;
  region: string;
  arrUpForRenewal: number;
  outcome: ScenarioOutcome;
  basisPoints: number;
  effectiveDate: string | null;
  termMonths: number;
  /** ARR the scenario renews, in reporting minor units; 0 for churn. */
  scenarioArr: number;
}

export interface ScenarioResult {
  name: string;
  asOf: string;
  currency: string;
  definitions: Report['definitions'];
  /** Renewals open on the as-of date: the ones the baseline renews flat. */
  openRenewals: number;
  choices: AppliedChoice[];
  /** The fiscal year in progress after the as-of date, then the next one. */
  windows: ScenarioWindow[];
  /** The arithmetic in plain words, step by step. */
  explanation: string[];
}

function renewalKey(account: string, renewalDay: Day): string {
  return `${account}\u0000${renewalDay}`;
}

function choiceKey(choice: ScenarioChoice): string {
  return renewalKey(choice.account, choice.renewalDate);
}

/** Checks that each choice names an open renewal, and returns each one's renewal. */
function matchChoices(
  choices: readonly ScenarioChoice[],
  renewals: readonly Renewal[],
): Map<string, { choice: ScenarioChoice; renewal: Renewal }> {
  const byKey = new Map(
    renewals.map((renewal) => [renewalKey(renewal.accountId, renewal.renewalDay), renewal]),
  );
  const matched = new Map<string, { choice: ScenarioChoice; renewal: Renewal }>();
  for (const choice of choices) {
    const key = choiceKey(choice);
    const name = `the renewal of ${choice.account} on ${formatDay(choice.renewalDate)}`;
    const renewal = byKey.get(key);
    if (renewal === undefined) {
      throw new EngineError(
        'invalid-scenario',
        `${name} is not in the data; list renewals with nrr renewals --status upcoming`,
      );
    }
    if (renewal.status !== 'upcoming' && renewal.status !== 'lapsed') {
      throw new EngineError(
        'invalid-scenario',
        `${name} is already ${renewal.status}; a scenario changes open renewals only (upcoming, or lapsed inside the grace window)`,
      );
    }
    if (matched.has(key)) throw new EngineError('invalid-scenario', `${name} is chosen twice`);
    checkChoice(choice, name);
    matched.set(key, { choice, renewal });
  }
  return matched;
}

function checkChoice(choice: ScenarioChoice, name: string): void {
  const points = choice.basisPoints ?? 0;
  const changes = choice.outcome === 'uplift' || choice.outcome === 'downgrade';
  if (changes && !(Number.isSafeInteger(points) && points > 0)) {
    throw new EngineError(
      'invalid-scenario',
      `${name}: an ${choice.outcome} needs a whole number of basis points above 0, got ${points}`,
    );
  }
  if (!changes && points !== 0) {
    throw new EngineError(
      'invalid-scenario',
      `${name}: a ${choice.outcome} outcome takes no basis points, got ${points}`,
    );
  }
  if (choice.outcome === 'downgrade' && points > 10_000) {
    throw new EngineError(
      'invalid-scenario',
      `${name}: a downgrade of ${points} basis points is more than 100%; choose churn instead`,
    );
  }
  const term = choice.termMonths ?? SCENARIO_TERM_MONTHS;
  if (!Number.isSafeInteger(term) || term < 1 || term > 120) {
    throw new EngineError(
      'invalid-scenario',
      `${name}: the term must be 1 to 120 months, got ${term}`,
    );
  }
}

/** Signed basis points a choice changes ARR by: positive for an uplift, negative for a downgrade. */
function signedPoints(choice: ScenarioChoice): number {
  const points = choice.basisPoints ?? 0;
  if (choice.outcome === 'uplift') return points;
  return choice.outcome === 'downgrade' ? -points : 0;
}

/** The terms a renewal is written with: its change, first term and the end of its flat renewals. */
interface RenewalTerms {
  /** Change of ARR in basis points, signed. */
  readonly points: number;
  readonly effective: Day;
  readonly termMonths: number;
  /** Flat renewals follow the first term until one reaches past this day. */
  readonly horizon: Day;
}

/**
 * Writes the lines that renew a renewal's lines. Each line's ARR changes by the basis points,
 * rounded once to the minor unit of its currency, from the effective day for the term. Flat
 * renewals of a year each follow until one ends past the horizon.
 */
function renewalLines(
  analysis: Analysis,
  renewal: Renewal,
  terms: RenewalTerms,
  taken: Set<string>,
): ContractLine[] {
  const { prepared, definitions } = analysis;
  const written: ContractLine[] = [];
  for (const index of renewal.lines) {
    const line = prepared.lines[index] as ContractLine;
    const arr = toMinor(
      roundDivide(
        BigInt(prepared.lineArr[index] as number) * BigInt(10_000 + terms.points),
        10_000n,
        definitions.rounding,
      ),
    );
    let renews = line.id;
    let start = terms.effective;
    let end = addMonths(start, terms.termMonths);
    for (let term = 1; ; term++) {
      const id = `${line.id}#scenario-${term}`;
      if (taken.has(id)) {
        throw new EngineError(
          'invalid-scenario',
          `line id ${id} is already in the data; rename it`,
        );
      }
      taken.add(id);
      written.push({
        id,
        accountId: line.accountId,
        contractId: id,
        ...(line.product === undefined ? {} : { product: line.product }),
        kind: 'recurring',
        kindSource: 'file',
        amount: { coefficient: BigInt(arr), scale: minorExponent(line.currency) },
        period: { unit: 'year', count: 1 },
        currency: line.currency,
        start,
        end,
        renews,
      });
      if (end > terms.horizon) break;
      renews = id;
      start = end;
      end = addMonths(start, SCENARIO_TERM_MONTHS);
    }
  }
  return written;
}

/** Adds the renewal lines of every open renewal: the choice where there is one, else flat. */
function withRenewals(
  analysis: Analysis,
  dataset: Dataset,
  open: readonly Renewal[],
  chosen: ReadonlyMap<string, { choice: ScenarioChoice }>,
  horizon: Day,
): Dataset {
  const taken = new Set(dataset.lines.map((line) => line.id));
  const added: ContractLine[] = [];
  for (const renewal of open) {
    const choice = chosen.get(renewalKey(renewal.accountId, renewal.renewalDay))?.choice;
    if (choice?.outcome === 'churn') continue;
    const terms: RenewalTerms = {
      points: choice === undefined ? 0 : signedPoints(choice),
      effective: choice?.effective ?? renewal.renewalDay,
      termMonths: choice?.termMonths ?? SCENARIO_TERM_MONTHS,
      horizon,
    };
    added.push(...renewalLines(analysis, renewal, terms, taken));
  }
  return { ...dataset, lines: [...dataset.lines, ...added] };
}

/** Copies the figures of a report or book, leaving out the bridge's sub-types. */
function figuresOf(source: ScenarioFigures): ScenarioFigures {
  const bridge = emptyTotals();
  for (const key of Object.keys(bridge) as (keyof BridgeTotals)[]) bridge[key] = source.bridge[key];
  return {
    arr: source.arr,
    nrr: source.nrr,
    grr: source.grr,
    logoRetention: source.logoRetention,
    cohort: { ...source.cohort },
    bridge,
  };
}

const NO_FIGURES: ScenarioFigures = {
  arr: 0,
  nrr: null,
  grr: null,
  logoRetention: null,
  cohort: emptyRetention(),
  bridge: emptyTotals(),
};

function windowFigures(
  year: number,
  baseline: Analysis,
  baselineData: Dataset,
  scenario: Analysis,
  scenarioData: Dataset,
  dimensions: readonly Dimension[],
): ScenarioWindow {
  const books: ScenarioWindow['books'] = {};
  for (const dimension of dimensions) {
    const before = buildReport(baseline, baselineData, dimension).groups ?? [];
    const after = buildReport(scenario, scenarioData, dimension).groups ?? [];
    const keys = [...new Set([...before, ...after].map((group) => group.key))].sort();
    books[dimension] = keys.map((key) => {
      const from = before.find((group) => group.key === key);
      const to = after.find((group) => group.key === key);
      return {
        key,
        baseline: figuresOf(from ?? NO_FIGURES),
        scenario: figuresOf(to ?? NO_FIGURES),
      };
    });
  }
  return {
    year,
    window: { start: formatDay(baseline.windowStart), end: formatDay(baseline.asOf) },
    company: {
      baseline: figuresOf(buildReport(baseline, baselineData)),
      scenario: figuresOf(buildReport(scenario, scenarioData)),
    },
    books,
  };
}

/**
 * Runs a scenario on the renewals open on `asOf`, for the fiscal year that contains the day after
 * it and the next one, with book figures for each of `dimensions`.
 */
export function runScenario(
  dataset: Dataset,
  definitions: Definitions,
  asOf: Day,
  scenario: Scenario,
  dimensions: readonly Dimension[] = ['csm', 'segment', 'region'],
): ScenarioResult {
  const current = analyse(dataset, definitions, asOf);
  const renewals = findRenewals(current, dataset, asOf);
  const open = renewals.filter(
    (renewal) => renewal.status === 'upcoming' || renewal.status === 'lapsed',
  );
  const chosen = matchChoices(scenario.choices, renewals);
  const firstYear = Number(fiscalYearOf(formatMonth(asOf + 1), definitions.fiscalYearStartMonth));
  const horizon = fiscalYear(firstYear + 1, definitions.fiscalYearStartMonth).last;
  const baselineData = withRenewals(current, dataset, open, new Map(), horizon);
  const scenarioData = withRenewals(current, dataset, open, chosen, horizon);
  const windows = [firstYear, firstYear + 1].map((year) => {
    const { first, last } = fiscalYear(year, definitions.fiscalYearStartMonth);
    const options = { windowStart: first - 1 };
    const baseline = analyse(baselineData, definitions, last, options);
    const changed = analyse(scenarioData, definitions, last, options);
    return {
      figures: windowFigures(year, baseline, baselineData, changed, scenarioData, dimensions),
    };
  });

  const applied = [...chosen.values()];
  const choices = applied.map(({ choice, renewal }) => appliedChoice(current, choice, renewal));
  return {
    name: scenario.name,
    asOf: formatDay(asOf),
    currency: definitions.reportingCurrency,
    definitions: describeDefinitions(definitions),
    openRenewals: open.length,
    choices,
    windows: windows.map((window) => window.figures),
    explanation: [
      baselineStep(open.length, asOf, firstYear + 1, definitions),
      ...applied.map(({ choice, renewal }, index) =>
        choiceStep(
          choices[index] as AppliedChoice,
          (choice.effective ?? renewal.renewalDay) - renewal.renewalDay,
          definitions,
        ),
      ),
      ...windows.flatMap((window) => windowSteps(window.figures, definitions.reportingCurrency)),
    ],
  };
}

function appliedChoice(
  analysis: Analysis,
  choice: ScenarioChoice,
  renewal: Renewal,
): AppliedChoice {
  const points = signedPoints(choice);
  const rounding = analysis.definitions.rounding;
  const scenarioArr =
    choice.outcome === 'churn'
      ? 0
      : toMinor(roundDivide(BigInt(renewal.atr) * BigInt(10_000 + points), 10_000n, rounding));
  return {
    account: renewal.accountId,
    renewalDate: formatDay(renewal.renewalDay),
    csm: renewal.books.csm,
    segment: renewal.books.segment,
    region: renewal.books.region,
    arrUpForRenewal: renewal.atr,
    outcome: choice.outcome,
    basisPoints: choice.basisPoints ?? 0,
    effectiveDate:
      choice.outcome === 'churn' ? null : formatDay(choice.effective ?? renewal.renewalDay),
    termMonths: choice.termMonths ?? SCENARIO_TERM_MONTHS,
    scenarioArr,
  };
}

function baselineStep(open: number, asOf: Day, lastYear: number, definitions: Definitions): string {
  return `Baseline: the ${open} renewals open on ${formatDay(asOf)} (upcoming, or lapsed inside the ${definitions.graceDays}-day grace window) renew flat on their renewal dates, ${SCENARIO_TERM_MONTHS} months at a time, through FY${lastYear}. The scenario changes only the renewals below.`;
}

function choiceStep(choice: AppliedChoice, days: number, definitions: Definitions): string {
  const currency = definitions.reportingCurrency;
  const amount = (value: number): string => `${formatMinor(value, currency)} ${currency}`;
  const head = `${choice.account} (${choice.csm}): ${amount(choice.arrUpForRenewal)} up for renewal on ${choice.renewalDate}`;
  if (choice.outcome === 'churn') {
    return `${head} is not renewed. Its service ends the day before; once the ${definitions.graceDays}-day grace window passes, the bridge shows churn of ${amount(choice.arrUpForRenewal)} in the month of ${choice.renewalDate}.`;
  }
  const percent = `${formatDecimal({ coefficient: BigInt(choice.basisPoints), scale: 2 })}%`;
  const change =
    choice.outcome === 'flat'
      ? `renews flat at ${amount(choice.scenarioArr)}`
      : `renews with a ${percent} ${choice.outcome}: ${amount(choice.arrUpForRenewal)} × (1 ${choice.outcome === 'uplift' ? '+' : '−'} ${percent}) = ${amount(choice.scenarioArr)}, each line rounded to the minor unit`;
  return `${head} ${change}, from ${choice.effectiveDate ?? choice.renewalDate} for ${choice.termMonths} months.${timingText(days, definitions)}`;
}

/** Describes what starting `days` after the renewal date (negative: before) does. */
function timingText(days: number, definitions: Definitions): string {
  if (days === 0) return '';
  if (days < 0) {
    return ` It starts ${-days} days early, so its change arrives then instead of on the renewal date.`;
  }
  return days <= definitions.graceDays
    ? ` It starts ${days} days late, inside the grace window, so the old ARR counts until then.`
    : ` It starts ${days} days late, past the ${definitions.graceDays}-day grace window, so the bridge shows churn and then a reactivation.`;
}

function windowSteps(window: ScenarioWindow, currency: string): string[] {
  const amount = (value: number): string => `${formatMinor(value, currency)} ${currency}`;
  const ratioText = (numerator: number, denominator: number): string =>
    denominator === 0
      ? 'n/a'
      : `${formatMinor(numerator, currency)} ÷ ${formatMinor(denominator, currency)} = ${formatPercent(numerator / denominator)}`;
  const { baseline: before, scenario: after } = window.company;
  const label = `FY${window.year} (${window.window.start} to ${window.window.end})`;
  const steps = [
    `${label}: company ARR at the end goes from ${amount(before.arr)} to ${amount(after.arr)} (${amount(after.arr - before.arr)}).`,
  ];
  const startChange = after.cohort.startArr - before.cohort.startArr;
  const endChange = after.cohort.endArr - before.cohort.endArr;
  const cappedChange = after.cohort.cappedArr - before.cohort.cappedArr;
  if (startChange === 0 && endChange === 0 && cappedChange === 0) {
    steps.push(
      `${label}: the changed accounts have the same ARR in both on ${window.window.start} and ${window.window.end}, or are not in the cohort, so NRR and GRR do not move.`,
    );
    return steps;
  }
  const start =
    startChange === 0
      ? 'The starting ARR is the same'
      : `The starting ARR changes by ${amount(startChange)}, because the choices act before the window`;
  steps.push(
    `${label}: cohort NRR goes from ${ratioText(before.cohort.endArr, before.cohort.startArr)} to ${ratioText(after.cohort.endArr, after.cohort.startArr)}. ${start}, and the ending ARR changes by ${amount(endChange)}.`,
    `${label}: GRR caps each account at its starting ARR, so it goes from ${ratioText(before.cohort.cappedArr, before.cohort.startArr)} to ${ratioText(after.cohort.cappedArr, after.cohort.startArr)}. An uplift cannot raise it; a downgrade or churn lowers it.`,
  );
  return steps;
}
