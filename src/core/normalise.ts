/**
 * Annualisation: the ARR a line contributes while it is active, in minor units of its own
 * currency.
 *
 * A price covers its billing period: monthly × 12, quarterly × 4, annual × 1, a three-year
 * price ÷ 3, weekly × 52. A contract value over a term (`unit: 'term'`) is divided by the term:
 * by months when the term is a whole number of calendar months, otherwise by days
 * (value × 365 ÷ days). A period the importer could not read never reaches this point.
 */
import { wholeMonthsBetween } from './dates.js';
import type { Definitions } from './definitions.js';
import { EngineError } from './errors.js';
import { formatDecimal, minorExponent, scaleToExponent } from './money.js';
import type { Minor } from './money.js';
import type { ContractLine } from './model.js';

export interface Annualised {
  /** ARR in minor units of the line's currency. */
  readonly arr: Minor;
  /** Stable rule id, e.g. `annualise.months`. */
  readonly rule: string;
}

/**
 * Annualises a line. `exponent` is the minor-unit exponent of the line's currency, which a caller
 * that annualises many lines can look up once per currency.
 */
export function annualise(
  line: ContractLine,
  definitions: Definitions,
  exponent = minorExponent(line.currency),
): Annualised {
  const { amount, period } = line;
  const count = period.count;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new EngineError(
      'invalid-line',
      `line ${line.id}: billing period count ${count} must be a whole number of at least 1`,
    );
  }
  const mode = definitions.rounding;
  switch (period.unit) {
    case 'month':
      return {
        arr: scaleToExponent(amount, 12, count, exponent, mode),
        rule: 'annualise.months',
      };
    case 'year':
      return {
        arr: scaleToExponent(amount, 1, count, exponent, mode),
        rule: 'annualise.years',
      };
    case 'week':
      return {
        arr: scaleToExponent(amount, 52, count, exponent, mode),
        rule: 'annualise.weeks',
      };
    case 'term': {
      if (line.end === null) {
        throw new EngineError(
          'invalid-line',
          `line ${line.id}: a contract value over a term needs an end date`,
        );
      }
      const months = wholeMonthsBetween(line.start, line.end);
      if (months !== undefined) {
        return {
          arr: scaleToExponent(amount, 12, months, exponent, mode),
          rule: 'annualise.term-months',
        };
      }
      const days = line.end - line.start;
      return {
        arr: scaleToExponent(amount, definitions.dayCountYear, days, exponent, mode),
        rule: 'annualise.term-days',
      };
    }
  }
}

/** Writes out the arithmetic behind a line's annualisation, for explanations. */
export function describeAnnualisation(line: ContractLine, definitions: Definitions): string {
  const text = formatDecimal(line.amount);
  const { unit, count } = line.period;
  const plural = count === 1 ? '' : 's';
  switch (unit) {
    case 'month':
      return `${text} per ${count} month${plural} × 12 ÷ ${count}`;
    case 'year':
      return `${text} per ${count} year${plural} ÷ ${count}`;
    case 'week':
      return `${text} per ${count} week${plural} × 52 ÷ ${count}`;
    case 'term': {
      if (line.end === null) return `${text} over an open-ended term`;
      const months = wholeMonthsBetween(line.start, line.end);
      if (months !== undefined)
        return `${text} over a term of ${months} whole month${months === 1 ? '' : 's'} × 12 ÷ ${months}`;
      const days = line.end - line.start;
      return `${text} over a term of ${days} days × ${definitions.dayCountYear} ÷ ${days}`;
    }
  }
}
