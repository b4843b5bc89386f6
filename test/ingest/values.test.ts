import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import { formatDecimal } from '../../src/core/money.js';
import {
  parseAmount,
  parseLineAmount,
  parseBillingPeriod,
  parseCurrency,
  parseDate,
  parseLineKind,
  parseQuantity,
  parseRate,
} from '../../src/ingest/values.js';
import { day } from './support.js';

function amountText(text: string): string | undefined {
  const parsed = parseAmount(text);
  return parsed.ok ? formatDecimal(parsed.value.amount) : undefined;
}

describe('parseLineAmount', () => {
  test('accepts amounts below a trillion', () => {
    expect(parseLineAmount('999,999,999,999.99').ok).toBe(true);
    expect(parseLineAmount('-999999999999').ok).toBe(true);
  });

  test.each([['1000000000000'], ['99999999999999999999.99'], ['9'.repeat(5000)]])(
    'rejects %s as too large',
    (text) => {
      const parsed = parseLineAmount(text);
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? '' : parsed.message).toMatch(/too large/);
    },
  );
});

describe('parseAmount', () => {
  test.each([
    ['1234.56', '1234.56'],
    ['-12', '-12'],
    ['+7.5', '7.5'],
    ['1,234.56', '1234.56'],
    ['1,234,567', '1234567'],
    ['0', '0'],
    ['0.000001', '0.000001'],
    ['1952.38095238095', '1952.38095238095'],
    ['$1,234.56', '1234.56'],
    ['$ 99', '99'],
    ['-$12.50', '-12.50'],
    ['$-12.50', '-12.50'],
    ['€1.000', '1.000'],
    ['£3', '3'],
    ['123456789012345678901234567890.123', '123456789012345678901234567890.123'],
  ])('accepts %j', (text, expected) => {
    expect(amountText(text)).toBe(expected);
  });

  test.each([
    '1e5',
    '1E-3',
    '12.3.4',
    'abc',
    '1,23',
    '1234,56',
    '12,34.5',
    ',123',
    '.5',
    '5.',
    '- 12',
    '1 234',
    '--12',
    '-$-12',
    '12$',
    'USD 12',
    '¥100',
    'NaN',
    'Infinity',
    '0x10',
  ])('rejects %j', (text) => {
    const parsed = parseAmount(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/^is not a valid amount; use a plain decimal/);
  });

  test('reads every plain decimal exactly, with as many decimals as written', () => {
    const digits = fc.string({
      unit: fc.constantFrom(...'0123456789'),
      minLength: 1,
      maxLength: 20,
    });
    fc.assert(
      fc.property(fc.boolean(), digits, fc.option(digits), (negative, whole, fraction) => {
        const text = `${negative ? '-' : ''}${whole}${fraction === null ? '' : `.${fraction}`}`;
        const parsed = parseAmount(text);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        // The coefficient is the digits without the point, read as an integer of any size.
        const magnitude = BigInt(whole + (fraction ?? ''));
        expect(parsed.value.amount).toEqual({
          coefficient: negative ? -magnitude : magnitude,
          scale: fraction?.length ?? 0,
        });
      }),
      { numRuns: 5_000 },
    );
  });

  test('reports the currency a symbol implies', () => {
    const euro = parseAmount('€5');
    const dollar = parseAmount('$5');
    expect(euro.ok).toBe(true);
    expect(dollar.ok).toBe(true);
    if (!euro.ok || !dollar.ok) return;
    expect(euro.value.symbolCurrency).toBe('EUR');
    expect(dollar.value.symbolCurrency).toBeUndefined();
  });

  test('grouped and plain forms parse equal', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.nat(6), (n, scale) => {
        const plain = formatDecimal({ coefficient: n, scale });
        const [whole = '', fraction] = plain.replace('-', '').split('.');
        const grouped =
          (n < 0n ? '-' : '') +
          whole.replace(/\B(?=(\d{3})+$)/g, ',') +
          (fraction === undefined ? '' : `.${fraction}`);
        expect(amountText(grouped)).toBe(plain);
        expect(amountText(plain)).toBe(plain);
      }),
    );
  });
});

describe('parseDate', () => {
  test.each([
    ['2025-01-31', '2025-01-31'],
    ['2024-02-29', '2024-02-29'],
    ['2025-01-31 00:00:00', '2025-01-31'],
    ['2025-01-31T00:00:00', '2025-01-31'],
    ['2025-01-31T00:00:00Z', '2025-01-31'],
    ['2025-01-31T00:00:00.000Z', '2025-01-31'],
    ['2025-01-31T00:00', '2025-01-31'],
    ['2025-01-31T00:00:00+00:00', '2025-01-31'],
  ])('accepts %j', (text, expected) => {
    const parsed = parseDate(text);
    expect(parsed).toEqual({ ok: true, value: day(expected) });
  });

  test.each([
    '2013-02-30',
    '2023-02-29',
    '2025-13-01',
    '2025-1-5',
    '31/01/2025',
    '01/31/2025',
    '20250131',
    'soon',
    '2025-01-31Z',
  ])('rejects %j as invalid', (text) => {
    expect(parseDate(text)).toEqual({ ok: false, message: 'is not a valid date; use YYYY-MM-DD' });
  });

  test.each([
    '2025-01-31 13:45:00',
    '2025-01-31T00:00:01Z',
    '2025-01-31T23:59',
    '2025-01-31T00:00:00.5',
  ])('rejects time of day in %j', (text) => {
    const parsed = parseDate(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/^has a time of day other than 00:00:00/);
  });
});

describe('parseBillingPeriod', () => {
  test.each([
    ['month', 'month', 1],
    ['Monthly', 'month', 1],
    ['quarter', 'month', 3],
    ['QUARTERLY', 'month', 3],
    ['half-year', 'month', 6],
    ['semiannual', 'month', 6],
    ['year', 'year', 1],
    ['annual', 'year', 1],
    ['yearly', 'year', 1],
    ['week', 'week', 1],
    ['weekly', 'week', 1],
    ['term', 'term', 1],
    ['18 months', 'month', 18],
    ['1 month', 'month', 1],
    ['3 years', 'year', 3],
    ['2 weeks', 'week', 2],
    ['12months', 'month', 12],
  ])('reads %j', (text, unit, count) => {
    expect(parseBillingPeriod(text)).toEqual({ ok: true, value: { unit, count } });
  });

  test.each([
    'fortnightly',
    '0 months',
    '-1 months',
    '1.5 years',
    '1000 months',
    'months',
    '2 terms',
    '',
  ])('rejects %j', (text) => {
    const parsed = parseBillingPeriod(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/^is not a known billing period; use month/);
  });
});

describe('other cell parsers', () => {
  test('currency accepts lower case', () => {
    expect(parseCurrency('eur')).toEqual({ ok: true, value: 'EUR' });
  });

  test.each(['US', 'USDX', 'US$', '€', '12A'])('currency rejects %j', (text) => {
    expect(parseCurrency(text).ok).toBe(false);
  });

  test.each([
    ['3', 3],
    ['2.5', 2.5],
    ['1,000', 1000],
    ['-1', -1],
  ])('quantity reads %j', (text, expected) => {
    expect(parseQuantity(text)).toEqual({ ok: true, value: expected });
  });

  test.each(['three', '1e3', '', '2 seats'])('quantity rejects %j', (text) => {
    expect(parseQuantity(text).ok).toBe(false);
  });

  test('kind ignores case', () => {
    expect(parseLineKind('One-Time')).toEqual({ ok: true, value: 'one-time' });
    expect(parseLineKind('subscription').ok).toBe(false);
  });

  test('rate must be positive', () => {
    expect(parseRate('0.92')).toEqual({ ok: true, value: { coefficient: 92n, scale: 2 } });
    expect(parseRate('0').ok).toBe(false);
    expect(parseRate('-1.1').ok).toBe(false);
    expect(parseRate('1e2').ok).toBe(false);
  });
});
