/**
 * The scenario lab: chosen outcomes applied to the renewals still open on the as-of date, and
 * ARR, the bridge, NRR, GRR and logo retention with and without them, for the fiscal year in
 * progress and the next one.
 *
 * The baseline assumes that every open renewal (upcoming, or lapsed inside its grace window)
 * renews flat on its renewal date for a year, and again each year through the end of the next
 * fiscal year. The scenario replaces the first term of the renewals it names: flat, with an
 * uplift or a downgrade in basis points of the ARR up for renewal, or churn, starting on its
 * renewal date, early or late. A renewed term may add ARR co-termed with it and step up inside
 * itself (ramp steps). Later terms renew the last ARR flat. Renewals described by hand enter the
 * data of both, so each difference comes from the choices alone.
 */
import type { Analysis } from './analysis.js';
import { analyse } from './analysis.js';
import { fiscalYearOf } from './bridge.js';
import { emptyTotals } from './bridge.js';
import type { BridgeTotals } from './bridge.js';
import { fiscalYear } from './compare.js';
import { addMonths, formatDay, formatMonth } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { EngineError } from './errors.js';
import type { Dimension } from './groups.js';
import type { ContractLine, Dataset } from './model.js';
import { buildReport, describeDefinitions } from './report.js';
import type { GroupReport, Report } from './report.js';
import { emptyRetention } from './retention.js';
import { findRenewals } from './renewals.js';
import type { Renewal } from './renewals.js';
import { checkChoice, effectiveDayOf, SCENARIO_TERM_MONTHS } from './scenario-choices.js';
import type {
  Scenario,
  ScenarioChoice,
  ScenarioOutcome,
  SyntheticRenewal,
} from './scenario-choices.js';
import { changedBy, renewalLines, syntheticStart, withSynthetic } from './scenario-lines.js';
import type { RenewalTerms } from './scenario-lines.js';
import { baselineStep, choiceSteps, windowSteps } from './scenario-steps.js';

export * from './scenario-choices.js';

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
  /** Days from the renewal date to the effective date: negative when early; null for churn. */
  daysFromRenewalDate: number | null;
  timing: ScenarioTiming | null;
  termMonths: number;
  /** Added ARR co-termed with the renewal, in reporting minor units; 0 for none. */
  addOn: number;
  /** ARR the scenario renews on its effective date, add-on included, in reporting minor units; 0 for churn. */
  scenarioArr: number;
  /** The ramp steps with the day each starts and the ARR from then. */
  steps: AppliedStep[];
  /** The description of a renewal that is not in the data, with the first day of its current term. */
  synthetic: (SyntheticRenewal & { from: string }) | null;
}

/** When a chosen renewal starts against its renewal date, with the grace window of the definitions. */
export type ScenarioTiming = 'early' | 'on-time' | 'late-in-grace' | 'late-after-grace';

export interface AppliedStep {
  month: number;
  start: string;
  basisPoints: number | null;
  amount: number | null;
  /** ARR of the renewal from the step on, in reporting minor units. */
  arr: number;
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

/** Signed basis points a choice changes ARR by: positive for an uplift, negative for a downgrade. */
function signedPoints(choice: ScenarioChoice): number {
  const points = choice.basisPoints ?? 0;
  if (choice.outcome === 'uplift') return points;
  return choice.outcome === 'downgrade' ? -points : 0;
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
      effective: choice === undefined ? renewal.renewalDay : effectiveDayOf(choice),
      termMonths: choice?.termMonths ?? SCENARIO_TERM_MONTHS,
      addOn: choice?.addOn ?? 0,
      steps: choice?.steps ?? [],
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

/** Checks the renewals described by hand: new account ids, due after the as-of date and by the horizon. */
function checkSynthetic(
  dataset: Dataset,
  choices: readonly ScenarioChoice[],
  asOf: Day,
  horizon: Day,
): void {
  const known = new Set([
    ...dataset.accounts.map((account) => account.id),
    ...dataset.lines.map((line) => line.accountId),
  ]);
  const described = new Set<string>();
  for (const choice of choices) {
    if (choice.synthetic === undefined) continue;
    const name = `the renewal of ${choice.account} on ${formatDay(choice.renewalDate)}`;
    checkChoice(choice, name);
    if (known.has(choice.account) || described.has(choice.account)) {
      throw new EngineError(
        'invalid-scenario',
        `${name} is described by hand, but account ${choice.account} is already ${described.has(choice.account) ? 'described' : 'in the data'}; choose a new account id`,
      );
    }
    described.add(choice.account);
    if (choice.renewalDate <= asOf || choice.renewalDate > horizon) {
      throw new EngineError(
        'invalid-scenario',
        `${name} is described by hand, so its renewal date must fall after the as-of date ${formatDay(asOf)} and by ${formatDay(horizon)}, the end of the next fiscal year`,
      );
    }
  }
}

/**
 * Runs a scenario on the renewals open on `asOf`, for the fiscal year that contains the day after
 * it and the next one, with book figures for each of `dimensions`. Renewals described by hand are
 * added to the data first, so the baseline renews them flat like the others.
 */
export function runScenario(
  data: Dataset,
  definitions: Definitions,
  asOf: Day,
  scenario: Scenario,
  dimensions: readonly Dimension[] = ['csm', 'segment', 'region'],
): ScenarioResult {
  const firstYear = Number(fiscalYearOf(formatMonth(asOf + 1), definitions.fiscalYearStartMonth));
  const firstYearStart = fiscalYear(firstYear, definitions.fiscalYearStartMonth).first;
  const horizon = fiscalYear(firstYear + 1, definitions.fiscalYearStartMonth).last;
  checkSynthetic(data, scenario.choices, asOf, horizon);
  const dataset = withSynthetic(data, scenario.choices, definitions, firstYearStart);
  const current = analyse(dataset, definitions, asOf);
  const renewals = findRenewals(current, dataset, asOf);
  const open = renewals.filter(
    (renewal) => renewal.status === 'upcoming' || renewal.status === 'lapsed',
  );
  const chosen = matchChoices(scenario.choices, renewals);
  const baselineData = withRenewals(current, dataset, open, new Map(), horizon);
  const scenarioData = withRenewals(current, dataset, open, chosen, horizon);
  const windows = [firstYear, firstYear + 1].map((year) => {
    const { first, last } = fiscalYear(year, definitions.fiscalYearStartMonth);
    const options = { windowStart: first - 1 };
    const baseline = analyse(baselineData, definitions, last, options);
    const changed = analyse(scenarioData, definitions, last, options);
    return windowFigures(year, baseline, baselineData, changed, scenarioData, dimensions);
  });

  const applied = [...chosen.values()];
  const choices = applied.map(({ choice, renewal }) =>
    appliedChoice(current, choice, renewal, firstYearStart),
  );
  return {
    name: scenario.name,
    asOf: formatDay(asOf),
    currency: definitions.reportingCurrency,
    definitions: describeDefinitions(definitions),
    openRenewals: open.length,
    choices,
    windows,
    explanation: [
      baselineStep(open.length, choices, asOf, firstYear + 1, definitions),
      ...choices.flatMap((choice) => choiceSteps(choice, definitions)),
      ...windows.flatMap((window) => windowSteps(window, definitions.reportingCurrency)),
    ],
  };
}

function timingOf(days: number, definitions: Definitions): ScenarioTiming {
  if (days < 0) return 'early';
  if (days === 0) return 'on-time';
  return days <= definitions.graceDays ? 'late-in-grace' : 'late-after-grace';
}

/** Applies the ramp steps to the renewal's ARR, as renewalLines does to each of its lines. */
function appliedSteps(
  choice: ScenarioChoice,
  effective: Day,
  startArr: number,
  definitions: Definitions,
): AppliedStep[] {
  let arr = startArr;
  return (choice.steps ?? []).map((step) => {
    arr =
      step.amount === undefined
        ? changedBy(arr, step.basisPoints ?? 0, definitions)
        : arr + step.amount;
    return {
      month: step.month,
      start: formatDay(addMonths(effective, step.month)),
      basisPoints: step.basisPoints ?? null,
      amount: step.amount ?? null,
      arr,
    };
  });
}

function appliedChoice(
  analysis: Analysis,
  choice: ScenarioChoice,
  renewal: Renewal,
  firstYearStart: Day,
): AppliedChoice {
  const { definitions } = analysis;
  const churn = choice.outcome === 'churn';
  const effective = effectiveDayOf(choice);
  const days = effective - renewal.renewalDay;
  const addOn = choice.addOn ?? 0;
  const scenarioArr = churn ? 0 : changedBy(renewal.atr, signedPoints(choice), definitions) + addOn;
  return {
    account: renewal.accountId,
    renewalDate: formatDay(renewal.renewalDay),
    csm: renewal.books.csm,
    segment: renewal.books.segment,
    region: renewal.books.region,
    arrUpForRenewal: renewal.atr,
    outcome: choice.outcome,
    basisPoints: choice.basisPoints ?? 0,
    effectiveDate: churn ? null : formatDay(effective),
    daysFromRenewalDate: churn ? null : days,
    timing: churn ? null : timingOf(days, definitions),
    termMonths: choice.termMonths ?? SCENARIO_TERM_MONTHS,
    addOn,
    scenarioArr,
    steps: churn ? [] : appliedSteps(choice, effective, scenarioArr, definitions),
    synthetic:
      choice.synthetic === undefined
        ? null
        : {
            ...choice.synthetic,
            from: formatDay(syntheticStart(choice, firstYearStart)),
          },
  };
}
