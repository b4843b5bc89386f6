/**
 * Parsers for single cell values. Each returns the value or the reason and fix for a problem
 * message; none of them throws. Cells reach them already trimmed and non-blank.
 */
import { parseDay, type Day } from '../core/dates.js';
import { isCurrencyCode, parseDecimal, type Decimal } from '../core/money.js';
import type { BillingPeriod, LineKind } from '../core/model.js';

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

function fail<T>(message: string): Parsed<T> {
  return { ok: false, message };
}

/** Currency symbols that may lead an amount, with the currency each one implies, if only one. */
const AMOUNT_SYMBOLS: Readonly<Record<string, string | undefined>> = {
  $: undefined,
  '€': 'EUR',
  '£': 'GBP',
};

/**
 * An optional sign, an optional currency symbol with optional spaces after it, a second optional
 * sign, then digits with or without comma thousands separators and an optional fraction.
 */
const AMOUNT_TEXT = /^([+-]?)([$€£]?)\s*([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$/;

export const AMOUNT_HINT =
  'use a plain decimal such as 1234.56 or -12; comma thousands separators and a leading $, € or £ are accepted';

export interface ParsedAmount {
  readonly amount: Decimal;
  /** The currency implied by a leading `€` or `£`, which must match the line's currency. */
  readonly symbolCurrency?: string;
  readonly symbol?: string;
}

/**
 * Parses an amount such as `1234.56`, `-12`, `1,234.56` or `$1,234.56` exactly. Exponents,
 * a decimal comma, misplaced separators and other text are rejected.
 */
export function parseAmount(text: string): Parsed<ParsedAmount> {
  const plain = plainAmount(text);
  if (plain !== undefined) return ok({ amount: plain });
  const match = AMOUNT_TEXT.exec(text);
  const invalid = fail<ParsedAmount>(`is not a valid amount; ${AMOUNT_HINT}`);
  if (!match) return invalid;
  const [, leadingSign = '', symbol = '', innerSign = '', whole = '', fraction = ''] = match;
  if (leadingSign !== '' && innerSign !== '') return invalid;
  // Spaces are allowed only between a currency symbol and the number.
  if (symbol === '' && /\s/.test(text)) return invalid;
  const amount = parseDecimal(leadingSign + innerSign + whole.replaceAll(',', '') + fraction);
  if (!amount) return invalid;
  if (symbol === '') return ok({ amount });
  return ok({ amount, symbol, symbolCurrency: AMOUNT_SYMBOLS[symbol] });
}

/** Digits that a double represents exactly, so that `Number` reads them without rounding. */
const EXACT_DIGITS = 15;

/**
 * Reads the common form of an amount, an optional minus sign, digits and an optional fraction
 * (`1234.56`, `-12`), a character at a time instead of with `AMOUNT_TEXT`, which took about a
 * second per million lines in a profile. Returns undefined for any other text, which
 * `AMOUNT_TEXT` then reads or rejects. The result is the one that path gives.
 */
function plainAmount(text: string): Decimal | undefined {
  const start = text.charCodeAt(0) === MINUS ? 1 : 0;
  let point = -1;
  for (let index = start; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === POINT && point < 0) point = index;
    else if (code < DIGIT_0 || code > DIGIT_9) return undefined;
  }
  // Digits are needed on both sides of a point: `.5` and `5.` go to the full reader.
  if (point === start || point === text.length - 1) return undefined;
  const digits = point < 0 ? text.slice(start) : text.slice(start, point) + text.slice(point + 1);
  if (digits.length === 0 || digits.length > EXACT_DIGITS) return undefined;
  const magnitude = BigInt(Number(digits));
  return {
    coefficient: start === 1 ? -magnitude : magnitude,
    scale: point < 0 ? 0 : text.length - point - 1,
  };
}

const MINUS = 0x2d;
const POINT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * Largest whole part of a contract line's amount: below a trillion per period, so that a weekly
 * price times 52, summed over many lines, stays below 2^53 minor units, where sums stop being
 * exact and the engine refuses to compute.
 */
const MAX_LINE_AMOUNT_DIGITS = 12;

/** 10 to the power of `MAX_LINE_AMOUNT_DIGITS` + scale, by scale, made once. */
const lineAmountLimits: bigint[] = [];

function lineAmountLimit(scale: number): bigint {
  let limit = lineAmountLimits[scale];
  if (limit === undefined) {
    limit = 10n ** BigInt(MAX_LINE_AMOUNT_DIGITS + scale);
    if (scale < 64) lineAmountLimits[scale] = limit;
  }
  return limit;
}

/** Parses a contract line's amount as `parseAmount` does, rejecting amounts of a trillion or more. */
export function parseLineAmount(text: string): Parsed<ParsedAmount> {
  const parsed = parseAmount(text);
  if (!parsed.ok) return parsed;
  const { coefficient, scale } = parsed.value.amount;
  const magnitude = coefficient < 0n ? -coefficient : coefficient;
  if (magnitude >= lineAmountLimit(scale)) {
    return fail(
      `is too large; a line's amount must be below 1,000,000,000,000 per period so that ARR stays exact in minor units`,
    );
  }
  return parsed;
}

/** A date with an optional time of day and UTC offset, as spreadsheets and databases export it. */
const DATE_TIME_TEXT =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses a calendar date written `YYYY-MM-DD`. A time of exactly midnight after the date
 * (`2025-01-31 00:00:00`, `2025-01-31T00:00:00Z`) is accepted and dropped. Any other time is
 * rejected, because the model has whole days only.
 */
export function parseDate(text: string): Parsed<Day> {
  if (text.length === 10) {
    const day = parseDay(text);
    if (day !== undefined) return ok(day);
  }
  const match = DATE_TIME_TEXT.exec(text);
  const day = match?.[1] === undefined ? undefined : parseDay(match[1]);
  if (!match || day === undefined) return fail('is not a valid date; use YYYY-MM-DD');
  const timeDigits = (match[2] ?? '') + (match[3] ?? '') + (match[4] ?? '') + (match[5] ?? '');
  if (/[1-9]/.test(timeDigits)) {
    return fail(
      'has a time of day other than 00:00:00; nrr reads calendar dates only, so export the date as YYYY-MM-DD',
    );
  }
  return ok(day);
}

const PERIOD_WORDS: Readonly<Record<string, BillingPeriod>> = {
  month: { unit: 'month', count: 1 },
  monthly: { unit: 'month', count: 1 },
  quarter: { unit: 'month', count: 3 },
  quarterly: { unit: 'month', count: 3 },
  'half-year': { unit: 'month', count: 6 },
  semiannual: { unit: 'month', count: 6 },
  year: { unit: 'year', count: 1 },
  annual: { unit: 'year', count: 1 },
  yearly: { unit: 'year', count: 1 },
  week: { unit: 'week', count: 1 },
  weekly: { unit: 'week', count: 1 },
  term: { unit: 'term', count: 1 },
};

const PERIOD_COUNT_TEXT = /^(\d{1,3})\s*(week|weeks|month|months|year|years)$/;

export const BILLING_PERIOD_HINT =
  'use month, quarter, half-year, year, week or term (or monthly, quarterly, semiannual, annual, yearly, weekly), or a count such as "3 months", "2 years" or "4 weeks"';

/**
 * Parses a billing period such as `month`, `quarterly`, `term` or `18 months`, ignoring case.
 * A count must be a whole number from 1 to 999.
 */
export function parseBillingPeriod(text: string): Parsed<BillingPeriod> {
  const lower = text.toLowerCase();
  const word = PERIOD_WORDS[lower];
  if (word) return ok(word);
  const match = PERIOD_COUNT_TEXT.exec(lower);
  const count = Number(match?.[1]);
  const unit = match?.[2]?.replace(/s$/, '');
  if (!match || count < 1 || (unit !== 'week' && unit !== 'month' && unit !== 'year')) {
    return fail(`is not a known billing period; ${BILLING_PERIOD_HINT}`);
  }
  return ok({ unit, count });
}

/** Parses an ISO 4217 currency code, accepting lower case (`usd` is read as `USD`). */
export function parseCurrency(text: string): Parsed<string> {
  const code = text.toUpperCase();
  if (!isCurrencyCode(code)) {
    return fail('is not a valid currency code; use a 3-letter ISO 4217 code such as USD or EUR');
  }
  return ok(code);
}

const QUANTITY_TEXT = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;

/** Parses a quantity such as `3`, `2.5` or `1,000`. */
export function parseQuantity(text: string): Parsed<number> {
  if (!QUANTITY_TEXT.test(text)) {
    return fail('is not a number; use a plain number such as 3 or 2.5');
  }
  return ok(Number(text.replaceAll(',', '')));
}

const LINE_KINDS: readonly LineKind[] = ['recurring', 'usage', 'one-time', 'trial'];

/** Parses a line kind, ignoring case. */
export function parseLineKind(text: string): Parsed<LineKind> {
  const lower = text.toLowerCase();
  const kind = LINE_KINDS.find((candidate) => candidate === lower);
  if (!kind) {
    return fail(
      'is not a known kind; use recurring, usage, one-time or trial, or leave it blank for recurring',
    );
  }
  return ok(kind);
}

/** Parses an exchange rate: a positive decimal, with comma thousands separators allowed. */
export function parseRate(text: string): Parsed<Decimal> {
  const rate = QUANTITY_TEXT.test(text) ? parseDecimal(text.replaceAll(',', '')) : undefined;
  if (!rate) return fail('is not a valid rate; use a positive decimal such as 0.92');
  if (rate.coefficient <= 0n) {
    return fail('is not a positive rate; give units of the reporting currency per 1 unit');
  }
  return ok(rate);
}

/** Parses an FX rate kind, ignoring case. */
export function parseRateKind(text: string): Parsed<'plan' | 'actual'> {
  const lower = text.toLowerCase();
  if (lower === 'plan' || lower === 'actual') return ok(lower);
  return fail('is not a known rate kind; use plan or actual, or leave it blank for plan');
}
