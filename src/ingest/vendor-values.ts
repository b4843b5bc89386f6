/**
 * Cell parsers for the vendor presets, whose exports write dates and numbers in more layouts
 * than the canonical format allows. Like values.ts, each returns a value or a message.
 */
import { dayFromCivil, daysInMonth, MAX_YEAR, MIN_YEAR, type Day } from '../core/dates.js';
import type { Parsed } from './values.js';

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?)?$/i;

/** US month-first dates as spreadsheets write them: `1/31/2025`, `12/25/25 20:18`, `3/1/2024 9:05 PM`. */
const US_DATE_TIME =
  /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AP]M))?)?$/i;

export const VENDOR_DATE_HINT =
  'use YYYY-MM-DD, M/D/YYYY (month first) or an ISO 8601 date and time such as 2024-01-22T16:14:25.000+0000';

const MINUTES_PER_DAY = 24 * 60;

/**
 * Parses a date, or a date and time, into the calendar day in UTC. A time without a UTC offset
 * is read as UTC; a time with an offset is first converted to UTC, so
 * `2024-01-31T22:00:00-0500` is 2024-02-01. Two-digit years are 2000 to 2099.
 */
export function parseVendorDate(text: string): Parsed<Day> {
  const invalid: Parsed<Day> = { ok: false, message: `is not a valid date; ${VENDOR_DATE_HINT}` };
  const iso = ISO_DATE_TIME.exec(text);
  if (iso) {
    const [, year, month, day, hours, minutes, seconds, offset] = iso;
    return (
      civilDay(Number(year), Number(month), Number(day), {
        hours: Number(hours ?? 0),
        minutes: Number(minutes ?? 0),
        seconds: Number(seconds ?? 0),
        offsetMinutes: offsetMinutes(offset),
      }) ?? invalid
    );
  }
  const us = US_DATE_TIME.exec(text);
  if (us) {
    const [, month, day, yearText = '', hoursText, minutes, seconds, meridiem] = us;
    const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
    let hours = Number(hoursText ?? 0);
    if (meridiem !== undefined) {
      if (hours < 1 || hours > 12) return invalid;
      hours = (hours % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
    }
    return (
      civilDay(year, Number(month), Number(day), {
        hours,
        minutes: Number(minutes ?? 0),
        seconds: Number(seconds ?? 0),
        offsetMinutes: 0,
      }) ?? invalid
    );
  }
  return invalid;
}

interface TimeOfDay {
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
  /** Offset of the written time from UTC, east positive. */
  readonly offsetMinutes: number;
}

function offsetMinutes(offset: string | undefined): number {
  if (offset === undefined || /^(Z|UTC)$/i.test(offset)) return 0;
  const digits = offset.replace(':', '');
  const magnitude = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return digits.startsWith('-') ? -magnitude : magnitude;
}

function civilDay(
  year: number,
  month: number,
  day: number,
  time: TimeOfDay,
): Parsed<Day> | undefined {
  if (year < MIN_YEAR || year > MAX_YEAR) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (time.hours > 23 || time.minutes > 59 || time.seconds > 59) return undefined;
  const utcMinutes = time.hours * 60 + time.minutes - time.offsetMinutes;
  const shift = Math.floor(utcMinutes / MINUTES_PER_DAY);
  return { ok: true, value: dayFromCivil(year, month, day) + shift };
}

const SECONDS_PER_DAY = 86_400;
const EPOCH_SECONDS = /^-?\d{1,12}$/;
/** Unix times of 1900-01-01 and 3000-01-01, the range of dates nrr reads. */
const MIN_EPOCH_SECONDS = dayFromCivil(MIN_YEAR, 1, 1) * SECONDS_PER_DAY;
const MAX_EPOCH_SECONDS = dayFromCivil(MAX_YEAR + 1, 1, 1) * SECONDS_PER_DAY;

/** Parses a Unix time in whole seconds (as the Stripe API writes times) into its UTC day. */
export function parseEpochSeconds(text: string): Parsed<Day> {
  const seconds = EPOCH_SECONDS.test(text) ? Number(text) : Number.NaN;
  if (!(seconds >= MIN_EPOCH_SECONDS && seconds < MAX_EPOCH_SECONDS)) {
    return {
      ok: false,
      message: `is not a valid Unix time; give whole seconds since 1970-01-01 UTC between ${MIN_YEAR} and ${MAX_YEAR}, such as 1704067200`,
    };
  }
  return { ok: true, value: Math.floor(seconds / SECONDS_PER_DAY) };
}

/** Parses a whole number from `minimum` to `maximum`, such as a quantity or a term in months. */
export function wholeNumberParser(
  minimum: number,
  maximum: number,
  what: string,
): (text: string) => Parsed<number> {
  return (text) => {
    const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
    if (value >= minimum && value <= maximum) return { ok: true, value };
    return {
      ok: false,
      message: `is not a valid ${what}; use a whole number from ${minimum} to ${maximum}`,
    };
  };
}

/** Reads a yes/no flag as exports write it: 1, true, yes, Y (any case) are true, 0, false, no, N false. */
export function parseFlag(text: string): Parsed<boolean> {
  const lower = text.toLowerCase();
  if (['1', 'true', 'yes', 'y'].includes(lower)) return { ok: true, value: true };
  if (['0', 'false', 'no', 'n'].includes(lower)) return { ok: true, value: false };
  return { ok: false, message: 'is not a yes/no value; use true or false (or 1 or 0)' };
}
