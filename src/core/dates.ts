/**
 * Calendar dates as whole day numbers.
 *
 * A `Day` counts days since 1970-01-01 in the proleptic Gregorian calendar. It has no time of day
 * and no time zone, so a contract that starts on 2025-01-01 starts on day 20089 wherever the
 * program runs. Conversion uses integer arithmetic on the civil calendar (400-year eras of
 * 146,097 days); JavaScript `Date` objects are never involved.
 */

/** Days since 1970-01-01. */
export type Day = number;

/** A day later than any real contract date; used as the end of open-ended lines. */
export const OPEN_END: Day = 2_000_000_000;

const DASH = 0x2d;
const DIGIT_ZERO = 0x30;

/** Returns the number written by `count` ASCII digits from `start`, or -1 if one is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index++) {
    const digit = text.charCodeAt(index) - DIGIT_ZERO;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Converts a civil date to its day number. `month` is 1-12. */
export function dayFromCivil(year: number, month: number, day: number): Day {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** A civil date. `month` is 1-12. */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Converts a day number to its civil date. */
export function civilFromDay(value: Day): CivilDate {
  const z = value + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Earliest and latest years accepted as contract dates. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;

/**
 * Parses a strict `YYYY-MM-DD` date from MIN_YEAR to MAX_YEAR; returns `undefined` for anything
 * else, including 2025-02-30.
 */
export function parseDay(text: string): Day | undefined {
  // Reads the digits by character code: importers call this for every date cell.
  if (text.length !== 10 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) {
    return undefined;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return undefined;
  if (year < MIN_YEAR || year > MAX_YEAR) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return dayFromCivil(year, month, day);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Formats a day as `YYYY-MM-DD`. */
export function formatDay(value: Day): string {
  const { year, month, day } = civilFromDay(value);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Formats the month of a day as `YYYY-MM`. */
export function formatMonth(value: Day): string {
  const { year, month } = civilFromDay(value);
  return `${pad(year, 4)}-${pad(month, 2)}`;
}

/**
 * Adds calendar months, keeping the day of month where it exists and otherwise clamping to the
 * month's last day: 2024-01-31 plus one month is 2024-02-29, 2024-02-29 minus twelve months is
 * 2023-02-28.
 */
export function addMonths(value: Day, months: number): Day {
  const { year, month, day } = civilFromDay(value);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  return dayFromCivil(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

/** First day of the month that contains `value`. */
export function monthStart(value: Day): Day {
  const { year, month } = civilFromDay(value);
  return dayFromCivil(year, month, 1);
}

/** Last day of the month that contains `value`. */
export function monthEnd(value: Day): Day {
  const { year, month } = civilFromDay(value);
  return dayFromCivil(year, month, daysInMonth(year, month));
}

/**
 * Returns n when `endExclusive` is exactly n calendar months after `start` (n >= 1), otherwise
 * undefined. 2025-01-15 to 2025-04-15 is 3 months; 2025-01-31 to 2025-02-28 is not a whole month
 * because one month after 2025-01-31 clamps to 2025-02-28 only when counted from the 31st.
 */
export function wholeMonthsBetween(start: Day, endExclusive: Day): number | undefined {
  const a = civilFromDay(start);
  const b = civilFromDay(endExclusive);
  const months = (b.year - a.year) * 12 + (b.month - a.month);
  if (months < 1) return undefined;
  return addMonths(start, months) === endExclusive && b.day === a.day ? months : undefined;
}
