import { describe, expect, test } from 'vitest';

import { dayFromCivil } from '../../src/core/dates.js';
import { reviewSegment, segmentForArr, type SegmentName } from '../../src/generate/catalog.js';
import { amountPerPeriod } from '../../src/generate/ledger.js';
import { roundPrice } from '../../src/generate/lifecycle.js';

describe('segmentForArr', () => {
  test.each([
    [9_999, 'Nurture'],
    [10_000, 'Growth'],
    [49_999, 'Growth'],
    [50_000, 'High Touch'],
  ] as const)('%d USD is %s', (usd, segment) => {
    expect(segmentForArr(usd)).toBe(segment);
  });
});

describe('reviewSegment', () => {
  test.each<[SegmentName, number, SegmentName]>([
    ['Growth', 55_000, 'Growth'],
    ['Growth', 60_000, 'High Touch'],
    ['High Touch', 45_000, 'High Touch'],
    ['High Touch', 39_999, 'Growth'],
    ['Nurture', 11_000, 'Nurture'],
    ['Nurture', 12_000, 'Growth'],
    ['Growth', 8_500, 'Growth'],
    ['Growth', 7_999, 'Nurture'],
    ['Nurture', 80_000, 'High Touch'],
    ['High Touch', 5_000, 'Nurture'],
  ])('%s at %d USD becomes %s', (current, usd, next) => {
    expect(reviewSegment(current, usd)).toBe(next);
  });
});

describe('roundPrice', () => {
  test.each([
    [12_345, 12_300],
    [123_456, 123_000],
    [1_234_567, 1_230_000],
    [40, 100],
  ])('%d minor units round to %d', (minor, rounded) => {
    expect(roundPrice(minor)).toBe(rounded);
  });
});

describe('amountPerPeriod', () => {
  const start = dayFromCivil(2024, 3, 15);

  test.each([
    [{ unit: 'month', count: 1 }, 10_000],
    [{ unit: 'month', count: 3 }, 30_000],
    [{ unit: 'year', count: 1 }, 120_000],
    [{ unit: 'year', count: 3 }, 360_000],
  ] as const)('%j of 120,000 a year is %d', (period, amount) => {
    expect(amountPerPeriod(120_000, period, start, null)).toBe(amount);
  });

  test('term of whole months is twelfths', () => {
    const end = dayFromCivil(2026, 3, 15);
    expect(amountPerPeriod(120_000, { unit: 'term', count: 1 }, start, end)).toBe(240_000);
  });

  test('term of odd days is days over 365', () => {
    const end = start + 73;
    expect(amountPerPeriod(120_000, { unit: 'term', count: 1 }, start, end)).toBe(24_000);
  });

  test('term without end is rejected', () => {
    expect(() => amountPerPeriod(1, { unit: 'term', count: 1 }, start, null)).toThrow(RangeError);
  });
});
