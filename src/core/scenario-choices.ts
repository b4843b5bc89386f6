/**
 * Choices of the scenario lab, with their JSON form and their checks. A choice sets the outcome of
 * one open renewal, or of a renewal described by hand, with its timing, add-on and ramp steps.
 */
import { formatDay, parseDay } from './dates.js';
import type { Day } from './dates.js';
import { EngineError } from './errors.js';
import { minorExponent, parseDecimal } from './money.js';

export const SCENARIO_OUTCOMES = ['flat', 'uplift', 'downgrade', 'churn'] as const;
export type ScenarioOutcome = (typeof SCENARIO_OUTCOMES)[number];

/** Months of a renewal term the lab writes, unless a choice sets another. */
export const SCENARIO_TERM_MONTHS = 12;

/** Maximum months of a renewed term. */
export const MAX_TERM_MONTHS = 120;

/** Maximum days a renewal can start late. */
export const MAX_LATE_DAYS = 3650;

/**
 * A step up of ARR inside a multi-year term, `month` months after the term's first day. The
 * increase is either basis points of the ARR in force before the step, applied to each line, or
 * an amount of ARR in minor units of the reporting currency.
 */
export interface RampStep {
  readonly month: number;
  readonly basisPoints?: number;
  readonly amount?: number;
}

/**
 * A renewal that is not in the data: an account with ARR in the reporting currency (minor units)
 * due on the choice's renewal date, in the books given.
 */
export interface SyntheticRenewal {
  readonly name: string;
  readonly csm: string;
  readonly segment: string;
  readonly region: string;
  readonly arr: number;
}

/** One open renewal and the outcome chosen for it. */
export interface ScenarioChoice {
  readonly account: string;
  readonly renewalDate: Day;
  readonly outcome: ScenarioOutcome;
  /** Change of ARR for an uplift or a downgrade, in basis points (700 is 7%). */
  readonly basisPoints?: number;
  /** First day of the renewed term; the renewal date unless given. */
  readonly effective?: Day;
  /** Days after the renewal date that the renewed term starts; an alternative to `effective`. */
  readonly lateDays?: number;
  /** Months of the renewed term. */
  readonly termMonths?: number;
  /** ARR added with the renewal and co-termed with it, in minor units of the reporting currency. */
  readonly addOn?: number;
  /** Steps up of ARR inside the renewed term, in increasing months. */
  readonly steps?: readonly RampStep[];
  /** Set when the renewal is not in the data: the account it describes. */
  readonly synthetic?: SyntheticRenewal;
}

export interface Scenario {
  readonly name: string;
  readonly choices: readonly ScenarioChoice[];
}

/** A choice as JSON and the workspace store it: dates as YYYY-MM-DD, money in minor units. */
export interface ScenarioChoiceText {
  account: string;
  renewalDate: string;
  outcome: ScenarioOutcome;
  basisPoints?: number;
  effective?: string;
  lateDays?: number;
  termMonths?: number;
  addOn?: number;
  steps?: RampStep[];
  synthetic?: SyntheticRenewal;
}

/** Writes a choice with its dates as text, leaving out the fields it does not set. */
export function choiceToText(choice: ScenarioChoice): ScenarioChoiceText {
  return {
    account: choice.account,
    renewalDate: formatDay(choice.renewalDate),
    outcome: choice.outcome,
    ...(choice.basisPoints === undefined ? {} : { basisPoints: choice.basisPoints }),
    ...(choice.effective === undefined ? {} : { effective: formatDay(choice.effective) }),
    ...(choice.lateDays === undefined ? {} : { lateDays: choice.lateDays }),
    ...(choice.termMonths === undefined ? {} : { termMonths: choice.termMonths }),
    ...(choice.addOn === undefined ? {} : { addOn: choice.addOn }),
    ...(choice.steps === undefined ? {} : { steps: choice.steps.map(stepToText) }),
    ...(choice.synthetic === undefined ? {} : { synthetic: { ...choice.synthetic } }),
  };
}

function stepToText(step: RampStep): RampStep {
  return {
    month: step.month,
    ...(step.basisPoints === undefined ? {} : { basisPoints: step.basisPoints }),
    ...(step.amount === undefined ? {} : { amount: step.amount }),
  };
}

/**
 * Reads a choice written by choiceToText, by an older version without the later fields, or sent
 * as JSON. An invalid date, outcome or field type is an error naming it.
 */
export function choiceFromText(text: ScenarioChoiceText): ScenarioChoice {
  const owner = `the choice for ${String(text.account)}`;
  const day = (value: string, field: string): Day => {
    const parsed = typeof value === 'string' ? parseDay(value) : undefined;
    if (parsed === undefined) {
      throw new EngineError(
        'invalid-scenario',
        `${field} "${String(value)}" of ${owner} is not a date as YYYY-MM-DD`,
      );
    }
    return parsed;
  };
  const whole = (value: unknown, field: string): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new EngineError(
        'invalid-scenario',
        `${field} of ${owner} must be a whole number, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  if (!(SCENARIO_OUTCOMES as readonly string[]).includes(text.outcome)) {
    throw new EngineError(
      'invalid-scenario',
      `outcome "${text.outcome}" of ${owner} must be one of ${SCENARIO_OUTCOMES.join(', ')}`,
    );
  }
  return {
    account: text.account,
    renewalDate: day(text.renewalDate, 'renewalDate'),
    outcome: text.outcome,
    ...(text.basisPoints === undefined
      ? {}
      : { basisPoints: whole(text.basisPoints, 'basisPoints') }),
    ...(text.effective === undefined ? {} : { effective: day(text.effective, 'effective') }),
    ...(text.lateDays === undefined ? {} : { lateDays: whole(text.lateDays, 'lateDays') }),
    ...(text.termMonths === undefined ? {} : { termMonths: whole(text.termMonths, 'termMonths') }),
    ...(text.addOn === undefined ? {} : { addOn: whole(text.addOn, 'addOn') }),
    ...(text.steps === undefined
      ? {}
      : {
          steps: text.steps.map((step, index) => ({
            month: whole(step.month, `steps[${index}].month`),
            ...(step.basisPoints === undefined
              ? {}
              : { basisPoints: whole(step.basisPoints, `steps[${index}].basisPoints`) }),
            ...(step.amount === undefined
              ? {}
              : { amount: whole(step.amount, `steps[${index}].amount`) }),
          })),
        }),
    ...(text.synthetic === undefined
      ? {}
      : {
          synthetic: {
            name: String(text.synthetic.name),
            csm: String(text.synthetic.csm),
            segment: String(text.synthetic.segment),
            region: String(text.synthetic.region),
            arr: whole(text.synthetic.arr, 'synthetic.arr'),
          },
        }),
  };
}

/** Returns the first day of the renewed term: `effective`, else the renewal date plus `lateDays`. */
export function effectiveDayOf(choice: ScenarioChoice): Day {
  if (choice.effective !== undefined) return choice.effective;
  return choice.renewalDate + (choice.lateDays ?? 0);
}

/**
 * Reads an amount of ARR written as a decimal in `currency`, such as 1500 or 1500.50, as minor
 * units. Returns an error message instead when it is not a decimal above 0 or has more decimals
 * than the currency's minor unit.
 */
export function parseMinorAmount(text: string, currency: string): number | string {
  const decimal = parseDecimal(text.trim());
  if (decimal === undefined || decimal.coefficient <= 0n) {
    return `"${text}" is not an amount above 0; write a decimal such as 1500 or 1500.50`;
  }
  const exponent = minorExponent(currency);
  if (decimal.scale > exponent) {
    return `"${text}" has more decimals than ${currency} has (${exponent})`;
  }
  const minor = decimal.coefficient * 10n ** BigInt(exponent - decimal.scale);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return `"${text}" is too large`;
  return Number(minor);
}

/**
 * Reads ramp steps written as `12:10%,24:1500`: months into the term, each with a percentage
 * (at most 2 decimals) or an amount of ARR in `currency`. Returns an error message instead when
 * one is not in that form.
 */
export function parseRampSteps(text: string, currency: string): RampStep[] | string {
  const steps: RampStep[] = [];
  for (const item of text.split(',')) {
    const match = /^(\d{1,3}):(.+)$/.exec(item.trim());
    if (match === null) {
      return `ramp step "${item}" must be MONTH:PERCENT% or MONTH:AMOUNT, such as 12:10% or 24:1500`;
    }
    const month = Number(match[1]);
    const size = (match[2] as string).trim();
    if (!size.endsWith('%')) {
      const amount = parseMinorAmount(size, currency);
      if (typeof amount === 'string') return `ramp step "${item}": ${amount}`;
      steps.push({ month, amount });
      continue;
    }
    const percent = /^(\d{1,4})(?:\.(\d{1,2}))?%$/.exec(size);
    if (percent === null) {
      return `ramp step "${item}" needs a percentage with at most 2 decimals, such as 10% or 7.5%`;
    }
    steps.push({
      month,
      basisPoints: Number(percent[1]) * 100 + Number((percent[2] ?? '').padEnd(2, '0')),
    });
  }
  return steps;
}

function reject(name: string, message: string): never {
  throw new EngineError('invalid-scenario', `${name}: ${message}`);
}

/** Checks the outcome and its basis points. */
function checkOutcome(choice: ScenarioChoice, name: string): void {
  const points = choice.basisPoints ?? 0;
  const changes = choice.outcome === 'uplift' || choice.outcome === 'downgrade';
  if (changes && !(Number.isSafeInteger(points) && points > 0)) {
    reject(
      name,
      `an ${choice.outcome} needs a whole number of basis points above 0, got ${points}`,
    );
  }
  if (!changes && points !== 0) {
    reject(name, `a ${choice.outcome} outcome takes no basis points, got ${points}`);
  }
  if (choice.outcome === 'downgrade' && points > 10_000) {
    reject(name, `a downgrade of ${points} basis points is more than 100%; choose churn instead`);
  }
}

/** Checks the term, its start, the add-on and the ramp steps of a choice that renews. */
function checkTerms(choice: ScenarioChoice, name: string): void {
  const term = choice.termMonths ?? SCENARIO_TERM_MONTHS;
  if (!Number.isSafeInteger(term) || term < 1 || term > MAX_TERM_MONTHS) {
    reject(name, `the term must be 1 to ${MAX_TERM_MONTHS} months, got ${term}`);
  }
  const churn = choice.outcome === 'churn';
  const late = choice.lateDays;
  if (late !== undefined) {
    if (churn) reject(name, 'a churn has no start, so it takes no lateDays');
    if (choice.effective !== undefined) {
      reject(
        name,
        'give either an effective date or a number of days late (late= on the command line, lateDays in JSON), not both; the days count from the renewal date',
      );
    }
    if (!Number.isSafeInteger(late) || late < 1 || late > MAX_LATE_DAYS) {
      reject(
        name,
        `lateDays must be a whole number of days from 1 to ${MAX_LATE_DAYS}, got ${late}`,
      );
    }
  }
  if (choice.addOn !== undefined) {
    if (churn) reject(name, 'a churn renews nothing, so it takes no add-on');
    if (!Number.isSafeInteger(choice.addOn) || choice.addOn <= 0) {
      reject(name, `the add-on must be an amount above 0 in minor units, got ${choice.addOn}`);
    }
  }
  const steps = choice.steps ?? [];
  if (steps.length > 0 && churn) reject(name, 'a churn renews nothing, so it takes no ramp steps');
  let previous = 0;
  for (const step of steps) {
    const where = `the ramp step at month ${step.month}`;
    if (!Number.isSafeInteger(step.month) || step.month <= previous || step.month >= term) {
      reject(
        name,
        `ramp steps need increasing months between 1 and ${term - 1} (inside the ${term}-month term), got ${step.month} after ${previous}`,
      );
    }
    previous = step.month;
    if ((step.basisPoints === undefined) === (step.amount === undefined)) {
      reject(name, `${where} needs either basis points or an amount, not both and not neither`);
    }
    const size = step.basisPoints ?? step.amount ?? 0;
    if (!Number.isSafeInteger(size) || size <= 0) {
      reject(name, `${where} must step up by a whole number above 0, got ${size}`);
    }
  }
}

/** Checks the description of a renewal that is not in the data. */
function checkSynthetic(synthetic: SyntheticRenewal, name: string): void {
  for (const field of ['name', 'csm', 'segment', 'region'] as const) {
    if (synthetic[field].trim() === '') {
      reject(name, `a renewal not in the data needs its account's ${field}`);
    }
  }
  if (!Number.isSafeInteger(synthetic.arr) || synthetic.arr <= 0) {
    reject(name, `a renewal not in the data needs a current ARR above 0, got ${synthetic.arr}`);
  }
}

/** Checks a choice on its own; `name` names its renewal in messages. */
export function checkChoice(choice: ScenarioChoice, name: string): void {
  checkOutcome(choice, name);
  checkTerms(choice, name);
  if (choice.synthetic !== undefined) checkSynthetic(choice.synthetic, name);
}
