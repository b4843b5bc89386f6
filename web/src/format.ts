/**
 * Formatting of figures for display. Money arrives in integer minor units of the reporting
 * currency and ratios as fractions; this is the one place where either is rounded for display.
 */

const digitsCache = new Map<string, number>();

/** Number of minor-unit digits of a currency (2 for USD, 0 for JPY). */
export function currencyDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions()
          .maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** Splits minor units into whole units, rounded half away from zero, in integer arithmetic. */
export function wholeUnits(minor: number, currency: string): number {
  const scale = 10 ** currencyDigits(currency);
  const sign = minor < 0 ? -1 : 1;
  const magnitude = Math.abs(minor);
  const whole = Math.floor(magnitude / scale);
  const rest = magnitude - whole * scale;
  return sign * (rest * 2 >= scale ? whole + 1 : whole);
}

const grouping = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Money in whole units with the currency code, e.g. "USD 1,204,530". */
export function formatMoney(minor: number, currency: string): string {
  const whole = wholeUnits(minor, currency);
  return `${currency} ${grouping.format(whole)}`;
}

/** Money in whole units without the code, for table cells. */
export function formatAmount(minor: number, currency: string): string {
  return grouping.format(wholeUnits(minor, currency));
}

/** Formats a compact amount for chart axes, e.g. "1.2M". */
export function formatCompact(minor: number, currency: string): string {
  const whole = wholeUnits(minor, currency);
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(
    whole,
  );
}

/** Money as an exact decimal in whole units, for CSV files: "1204530.25". */
export function exactDecimal(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(Math.round(minor))).padStart(digits + 1, '0');
  return digits === 0
    ? `${sign}${text}`
    : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Formats a ratio as a percentage with one decimal, e.g. "104.3%", or "n/a" without one. */
export function formatPercent(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return 'n/a';
  return `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`;
}

/** Divides two sums, returning null when the denominator is zero. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Formats a count with thousands separators. */
export function formatCount(count: number): string {
  return grouping.format(count);
}
