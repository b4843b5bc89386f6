/**
 * Money and exact decimals.
 *
 * Amounts are integers in the minor unit of their currency (cents for USD, yen for JPY). Source
 * files often carry more decimals than that (converted amounts such as 1952.38095238095), so a
 * parsed amount stays an exact `Decimal` until normalisation turns it into annual minor units. That
 * step is the one place where money is rounded, with `roundDivide`.
 */

/** An integer amount in minor units of a currency. */
export type Minor = number;

/** An exact decimal: value = coefficient × 10^−scale. */
export interface Decimal {
  readonly coefficient: bigint;
  readonly scale: number;
}

/** Rounding rules for the single rounding step of a computation. */
export type RoundingMode = 'half-even' | 'half-up';

const DECIMAL_TEXT = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * Minor-unit exponents (ISO 4217) of currencies that do not use two decimals. They are kept in a
 * Map because looking up a varying key in a plain object showed up in CPU profiles of preparing a
 * million lines, and a Map also never finds inherited keys such as `constructor`.
 */
const MINOR_EXPONENTS: ReadonlyMap<string, number> = new Map(
  Object.entries({
    BHD: 3,
    BIF: 0,
    CLP: 0,
    DJF: 0,
    GNF: 0,
    IQD: 3,
    ISK: 0,
    JOD: 3,
    JPY: 0,
    KMF: 0,
    KRW: 0,
    KWD: 3,
    LYD: 3,
    OMR: 3,
    PYG: 0,
    RWF: 0,
    TND: 3,
    UGX: 0,
    UYI: 0,
    VND: 0,
    VUV: 0,
    XAF: 0,
    XOF: 0,
    XPF: 0,
  }),
);

const CURRENCY_CODE = /^[A-Z]{3}$/;

export function isCurrencyCode(text: string): boolean {
  return CURRENCY_CODE.test(text);
}

/** Number of decimals in the minor unit of an ISO 4217 currency (2 unless listed otherwise). */
export function minorExponent(currency: string): number {
  return MINOR_EXPONENTS.get(currency) ?? 2;
}

/**
 * Parses a plain decimal such as `1234.5`, `-12` or `+0.125`. Thousands separators, currency
 * symbols and exponents are the importer's job; this returns `undefined` for them.
 */
export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return undefined;
  const fraction = match[3] ?? '';
  const digits = (match[2] ?? '') + fraction;
  const magnitude = BigInt(digits);
  return { coefficient: match[1] === '-' ? -magnitude : magnitude, scale: fraction.length };
}

export function decimalFromMinor(value: Minor, currency: string): Decimal {
  return { coefficient: BigInt(value), scale: minorExponent(currency) };
}

export function formatDecimal(value: Decimal): string {
  const negative = value.coefficient < 0n;
  const digits = (negative ? -value.coefficient : value.coefficient)
    .toString()
    .padStart(value.scale + 1, '0');
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = digits.slice(digits.length - value.scale);
  return (negative ? '-' : '') + whole + (value.scale > 0 ? '.' + fraction : '');
}

/** Formats minor units as a decimal amount, for tables and CSV (`123456` USD → `1234.56`). */
export function formatMinor(value: Minor, currency: string): string {
  return formatDecimal(decimalFromMinor(value, currency));
}

/**
 * Divides two integers and rounds once. The denominator must be positive.
 */
export function roundDivide(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator <= 0n) throw new RangeError(`denominator must be positive, got ${denominator}`);
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  const twiceRemainder = (magnitude - quotient * denominator) * 2n;
  if (twiceRemainder > denominator) quotient += 1n;
  else if (twiceRemainder === denominator) {
    if (mode === 'half-up' || quotient % 2n === 1n) quotient += 1n;
  }
  return negative ? -quotient : quotient;
}

/** Largest magnitude accepted for a sum of minor units: sums stay exact below 2^53. */
const MAX_MINOR = Number.MAX_SAFE_INTEGER;

/** Converts a bigint of minor units to a number, failing when it could lose precision. */
export function toMinor(value: bigint): Minor {
  if (value > BigInt(MAX_MINOR) || value < -BigInt(MAX_MINOR)) {
    throw new RangeError(`amount ${value} minor units is outside the exact integer range of ±2^53`);
  }
  return Number(value);
}

/**
 * Computes `amount × numerator ÷ denominator` in the minor units of `currency`, rounded once.
 * Used to annualise a line (numerator 12 for a monthly price) and to convert currencies.
 * `numerator` and `denominator` are positive safe integers.
 */
export function scaleToMinor(
  amount: Decimal,
  numerator: number,
  denominator: number,
  currency: string,
  mode: RoundingMode,
): Minor {
  return scaleToExponent(amount, numerator, denominator, minorExponent(currency), mode);
}

/** Computes the same as scaleToMinor for a currency whose minor unit is 10^−exponent. */
export function scaleToExponent(
  amount: Decimal,
  numerator: number,
  denominator: number,
  exponent: number,
  mode: RoundingMode,
): Minor {
  const fast = scaleToMinorFast(amount, numerator, denominator, exponent, mode);
  if (fast !== undefined) return fast;
  let top = amount.coefficient * BigInt(numerator);
  let bottom = BigInt(denominator);
  if (exponent >= amount.scale) top *= 10n ** BigInt(exponent - amount.scale);
  else bottom *= 10n ** BigInt(amount.scale - exponent);
  return toMinor(roundDivide(top, bottom, mode));
}

/**
 * Rounds `top ÷ bottom` for a safe integer `top` of either sign and a positive safe integer
 * `bottom`; the quotient and remainder are exact in double precision.
 */
function roundDivideNumbers(top: number, bottom: number, mode: RoundingMode): number {
  const negative = top < 0;
  const magnitude = negative ? -top : top;
  let quotient = Math.floor(magnitude / bottom);
  const twiceRemainder = (magnitude - quotient * bottom) * 2;
  if (twiceRemainder > bottom) quotient += 1;
  else if (twiceRemainder === bottom && (mode === 'half-up' || quotient % 2 === 1)) quotient += 1;
  return negative ? -quotient : quotient;
}

/**
 * Computes the same in plain numbers when every intermediate value stays an exact integer below
 * 2^53, and returns undefined otherwise. Bulk data (whole cents, small factors) takes this path.
 */
function scaleToMinorFast(
  amount: Decimal,
  numerator: number,
  denominator: number,
  exponent: number,
  mode: RoundingMode,
): Minor | undefined {
  const shift = exponent - amount.scale;
  if (shift < 0 || shift > 4 || numerator >= 65_536 || denominator >= 65_536) return undefined;
  const coefficient = Number(amount.coefficient);
  if (coefficient >= FAST_LIMIT || coefficient <= -FAST_LIMIT) return undefined;
  return roundDivideNumbers(
    coefficient * (POWERS_OF_TEN[shift] as number) * numerator,
    denominator,
    mode,
  );
}

const POWERS_OF_TEN = [1, 10, 100, 1000, 10_000];

/** Coefficients below 2^31 keep `coefficient × 10^4 × 65,535` under 2^53. */
const FAST_LIMIT = 2 ** 31;

/**
 * A rate for converting minor units of one currency to minor units of another, with the numbers
 * of its fast path worked out once: the engine converts hundreds of thousands of lines at a
 * handful of rates.
 */
export interface ConversionRate {
  readonly fromCurrency: string;
  readonly toCurrency: string;
  /** Units of the target currency per unit of the source. */
  readonly rate: Decimal;
  /** Power of ten that scales `value × rate.coefficient` to target minor units (at most 0). */
  readonly shift: number;
  /** `rate.coefficient` as a number, exact when the fast path applies. */
  readonly coefficient: number;
  /** 10^−shift. */
  readonly divisor: number;
}

export function conversionRate(
  fromCurrency: string,
  rate: Decimal,
  toCurrency: string,
): ConversionRate {
  const shift = minorExponent(toCurrency) - minorExponent(fromCurrency) - rate.scale;
  return {
    fromCurrency,
    toCurrency,
    rate,
    shift,
    coefficient: Number(rate.coefficient),
    divisor: 10 ** -shift,
  };
}

/** Converts minor units at a rate made by conversionRate, rounded once. */
export function convertWithRate(
  value: Minor,
  conversion: ConversionRate,
  mode: RoundingMode,
): Minor {
  const { shift, coefficient } = conversion;
  if (shift <= 0 && shift >= -12 && Math.abs(coefficient) < 2 ** 24 && Math.abs(value) < 2 ** 28) {
    return roundDivideNumbers(value * coefficient, conversion.divisor, mode);
  }
  const amount: Decimal = {
    coefficient: BigInt(value) * conversion.rate.coefficient,
    scale: minorExponent(conversion.fromCurrency) + conversion.rate.scale,
  };
  return scaleToMinor(amount, 1, 1, conversion.toCurrency, mode);
}

/**
 * Converts minor units of one currency to minor units of another at `rate` (units of the target
 * per unit of the source), rounded once.
 */
export function convertMinor(
  value: Minor,
  fromCurrency: string,
  rate: Decimal,
  toCurrency: string,
  mode: RoundingMode,
): Minor {
  return convertWithRate(value, conversionRate(fromCurrency, rate, toCurrency), mode);
}

/** An exact ratio of two integer sums, for NRR, GRR and logo retention. */
export interface Ratio {
  readonly numerator: number;
  readonly denominator: number;
}

/**
 * Formats a ratio as a percentage with one decimal (1.0523 is 105.2%). Every report shows ratios
 * this way, so they round in this one place.
 */
export function formatPercent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** Formats the difference of two ratios in percentage points with one decimal (0.012 is 1.2 pts). */
export function formatPoints(value: number): string {
  return `${(value * 100).toFixed(1)} pts`;
}

/** Divides a ratio into a number (1.0523 is 105.23%); null when the denominator is zero. */
export function ratioValue(ratio: Ratio): number | null {
  return ratio.denominator === 0 ? null : ratio.numerator / ratio.denominator;
}
