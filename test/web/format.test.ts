/** How the dashboard writes money, ratios and CSV cells. */
import { describe, expect, test } from 'vitest';
import { csvCell, toCsv } from '../../web/src/csv.js';
import {
  currencyDigits,
  exactDecimal,
  formatAmount,
  formatMoney,
  formatPercent,
  wholeUnits,
} from '../../web/src/format.js';

describe('money', () => {
  test('rounds minor units half away from zero', () => {
    // 1,234,549 cents = 12,345.49 → 12,345; 1,234,550 cents = 12,345.50 → 12,346.
    expect(wholeUnits(1_234_549, 'USD')).toBe(12_345);
    expect(wholeUnits(1_234_550, 'USD')).toBe(12_346);
    // −12,345.50 rounds away from zero to −12,346.
    expect(wholeUnits(-1_234_550, 'USD')).toBe(-12_346);
  });

  test('knows currencies without minor units', () => {
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('KWD')).toBe(3);
    expect(wholeUnits(1500, 'JPY')).toBe(1500);
  });

  test('writes amounts with separators and the code', () => {
    expect(formatMoney(761_771_812, 'USD')).toBe('USD 7,617,718');
    expect(formatAmount(-11_200_250, 'EUR')).toBe('-112,003');
  });

  test('exports exact decimals', () => {
    expect(exactDecimal(120_453_025, 'USD')).toBe('1204530.25');
    expect(exactDecimal(5, 'USD')).toBe('0.05');
    expect(exactDecimal(-5, 'USD')).toBe('-0.05');
    expect(exactDecimal(1500, 'JPY')).toBe('1500');
    expect(exactDecimal(1_234, 'KWD')).toBe('1.234');
  });
});

describe('ratios', () => {
  test('show one decimal or n/a', () => {
    // 1.06145… → 106.1%; 0.99995 → 100.0%.
    expect(formatPercent(1.0614567)).toBe('106.1%');
    expect(formatPercent(0.99995)).toBe('100.0%');
    expect(formatPercent(null)).toBe('n/a');
  });
});

describe('CSV cells', () => {
  test('quote separators, quotes and line breaks', () => {
    expect(csvCell('Birch & Co, Ltd')).toBe('"Birch & Co, Ltd"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(1.25)).toBe('1.25');
  });

  test('defuse formula-like text but keep negative numbers', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+1 555')).toBe("'+1 555");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-1204530.25')).toBe('-1204530.25');
    expect(csvCell('-cmd')).toBe("'-cmd");
  });

  test('join rows with CRLF after a header', () => {
    expect(toCsv(['a', 'b'], [[1, 'x']])).toBe('a,b\r\n1,x\r\n');
  });
});
