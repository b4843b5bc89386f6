/**
 * The engine's shortcuts against the plain computation they replace: conversion at a prepared
 * rate, books that keep one key through a window, and trailing retention over windows in any
 * order.
 */
import { expect, test } from 'vitest';
import { analyse, dayFromCivil, DEFAULT_DEFINITIONS } from '../../src/core/index.js';
import { RunBuilder, steadyCode } from '../../src/core/groups.js';
import { conversionRate, convertMinor, convertWithRate } from '../../src/core/money.js';
import { companyRetention, companyRetentions } from '../../src/core/retention.js';
import { generateCompany } from '../../src/generate/index.js';

const rate = { coefficient: 11n, scale: 1 }; // 1.1 USD per EUR

test('prepared rate converts on the fast path', () => {
  const eur = conversionRate('EUR', rate, 'USD');
  // 1,000,000 cents × 1.1 = 1,100,000 cents, exactly.
  expect(convertWithRate(1_000_000, eur, 'half-even')).toBe(1_100_000);
  // 15 cents × 1.1 = 16.5: half-even keeps the even 16, half-up gives 17.
  expect(convertWithRate(15, eur, 'half-even')).toBe(16);
  expect(convertWithRate(15, eur, 'half-up')).toBe(17);
  expect(convertWithRate(15, eur, 'half-up')).toBe(convertMinor(15, 'EUR', rate, 'USD', 'half-up'));
});

test('prepared rate converts large amounts exactly', () => {
  const eur = conversionRate('EUR', rate, 'USD');
  // 300,000,015 cents is above 2^28, so the bigint path runs: × 1.1 = 330,000,016.5.
  expect(convertWithRate(300_000_015, eur, 'half-even')).toBe(330_000_016);
  expect(convertWithRate(300_000_015, eur, 'half-up')).toBe(330_000_017);
  // JPY has no minor unit: 1,000 yen × 0.0067 USD per yen = 6.7 USD = 670 cents.
  const jpy = conversionRate('JPY', { coefficient: 67n, scale: 4 }, 'USD');
  expect(convertWithRate(1_000, jpy, 'half-even')).toBe(670);
});

test('steady code spans a window without changes', () => {
  const runs = new RunBuilder();
  const unitCodes = new Int32Array(2);
  unitCodes[0] = 1;
  // Unit 1 has key 0 from sample 0 and key 2 from sample 5.
  runs.push(0, 0, 0);
  runs.push(0, 5, 2);
  runs.finishUnit(unitCodes, 1, 0);
  const groups = runs.toIndex('csm', ['(unassigned)', 'Kim', 'Lee'], unitCodes);
  expect(steadyCode(groups, 0, 0, 9)).toBe(1);
  expect(steadyCode(groups, 1, 0, 4)).toBe(0);
  expect(steadyCode(groups, 1, 5, 9)).toBe(2);
  expect(steadyCode(groups, 1, 4, 5)).toBe(-1);
  expect(steadyCode(groups, 1, 0, 9)).toBe(-1);
});

test('trailing retention ignores window order', () => {
  const analysis = analyse(
    generateCompany({ accounts: 400 }),
    DEFAULT_DEFINITIONS,
    dayFromCivil(2025, 12, 31),
  );
  const windows = analysis.months.slice(12).map((month, index) => ({
    from: (analysis.months[index] as { sample: number }).sample,
    to: month.sample,
  }));
  const ordered = companyRetentions(analysis, windows);
  const reversed = companyRetentions(analysis, [...windows].reverse()).reverse();
  expect(reversed).toEqual(ordered);
  windows.forEach(({ from, to }, index) => {
    expect(ordered[index]).toEqual(companyRetention(analysis, from, to));
  });
  expect(ordered.some((figures) => figures.cohortAccounts > 0)).toBe(true);
});
