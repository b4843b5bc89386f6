/**
 * The glide path and the gap to target on a hand-built book: fiscal year 2025 (January start),
 * cohort taken on 2024-12-31, checked as of 2025-06-30. Amounts in dollars; the engine works in
 * cents, so `units` converts.
 */
import { describe, expect, test } from 'vitest';
import { analyse, DEFAULT_DEFINITIONS, parseDecimal } from '../../src/core/index.js';
import type { Decimal } from '../../src/core/index.js';
import { filteredBooks } from '../../src/core/books.js';
import { bookPlan, fiscalYearDays, glidePath } from '../../src/core/glide.js';
import { day, units } from '../core/build.js';
import { book } from './book.js';

function percent(text: string): Decimal {
  const value = parseDecimal(text);
  if (value === undefined) throw new Error(`bad percentage ${text}`);
  return value;
}

const year = fiscalYearDays(2025, 1);
const analysis = analyse(book, DEFAULT_DEFINITIONS, day('2025-06-30'));
const whiteSpace = new Map([['A', units(35000)]]);
const plan = bookPlan(
  analysis,
  undefined,
  year,
  { nrr: percent('105'), grr: percent('90') },
  whiteSpace,
);

describe('glide path from the renewal calendar', () => {
  test('cohort base excludes new logos', () => {
    // A 100,000 + B 50,000 + C 200,000 + D 40,000 + E 60,000 + G 20,000 = 470,000
    expect(plan.base).toBe(units(470000));
    expect(plan.cohortAccounts).toBe(6);
  });

  test('calendar puts each line in its due month', () => {
    const due = Object.fromEntries(plan.calendar.map((month) => [month.month, month.due]));
    expect(due).toEqual({
      '2025-01': units(60000), // E
      '2025-02': 0,
      '2025-03': units(100000), // A
      '2025-04': 0,
      '2025-05': units(20000), // G
      '2025-06': units(50000), // B
      '2025-07': 0,
      '2025-08': 0,
      '2025-09': units(200000), // C
      '2025-10': 0,
      '2025-11': units(40000), // D
      '2025-12': 0,
    });
    expect(plan.calendar.find((month) => month.month === '2025-09')?.accounts).toEqual(['C']);
  });

  test('NRR path moves only in due months', () => {
    // path = 470,000 + (493,500 − 470,000) × due so far ÷ 470,000 = 470,000 + 0.05 × due so far
    const expected = Object.fromEntries(
      (plan.nrr?.path ?? []).map((point) => [point.month, point.expected]),
    );
    expect(expected).toEqual({
      '2025-01': units(473000), // + 0.05 × 60,000
      '2025-02': units(473000),
      '2025-03': units(478000), // + 0.05 × 160,000
      '2025-04': units(478000),
      '2025-05': units(479000), // + 0.05 × 180,000
      '2025-06': units(481500), // + 0.05 × 230,000
      '2025-07': units(481500),
      '2025-08': units(481500),
      '2025-09': units(491500), // + 0.05 × 430,000
      '2025-10': units(491500),
      '2025-11': units(493500), // + 0.05 × 470,000 = 105% × 470,000
      '2025-12': units(493500),
    });
  });

  test('NRR position and gap', () => {
    const nrr = plan.nrr;
    // 105% × 470,000 = 493,500
    expect(nrr?.targetArr).toBe(units(493500));
    // A 110,000 + B 50,000 + C 200,000 + D 40,000 + E 0 + G 20,000 (lapsed) = 420,000
    expect(nrr?.actual).toBe(units(420000));
    expect(nrr?.expectedNow).toBe(units(481500));
    expect(nrr?.behind).toBe(true);
    // Contracted on 2025-12-31: A 110,000 + C 150,000 = 260,000
    expect(nrr?.projected).toBe(units(260000));
    // 493,500 − 260,000 = 233,500
    expect(nrr?.needed).toBe(units(233500));
  });

  test('GRR position and gap', () => {
    const grr = plan.grr;
    // 90% × 470,000 = 423,000
    expect(grr?.targetArr).toBe(units(423000));
    // June: 470,000 − 0.10 × 230,000 = 447,000
    expect(grr?.expectedNow).toBe(units(447000));
    // Capped: A min(110,000, 100,000) + B 50,000 + C 200,000 + D 40,000 + G 20,000 = 410,000
    expect(grr?.actual).toBe(units(410000));
    expect(grr?.behind).toBe(true);
    // Capped on 2025-12-31: A 100,000 + C 150,000 = 250,000; 423,000 − 250,000 = 173,000
    expect(grr?.projected).toBe(units(250000));
    expect(grr?.needed).toBe(units(173000));
  });

  test('actions ranked with running sums', () => {
    expect(plan.actions).toEqual([
      // Renewals to save, largest first: 50,000; +40,000 = 90,000; +20,000 = 110,000
      {
        kind: 'save-renewal',
        account: 'B',
        arr: units(50000),
        date: '2025-06-30',
        status: 'due',
        cumulative: units(50000),
      },
      {
        kind: 'save-renewal',
        account: 'D',
        arr: units(40000),
        date: '2025-11-30',
        status: 'due',
        cumulative: units(90000),
      },
      {
        kind: 'save-renewal',
        account: 'G',
        arr: units(20000),
        date: '2025-05-31',
        status: 'lapsed',
        cumulative: units(110000),
      },
      // Signed downgrade of C: 200,000 − 150,000 = 50,000; 110,000 + 50,000 = 160,000
      {
        kind: 'prevent-contraction',
        account: 'C',
        arr: units(50000),
        date: '2025-09-30',
        status: 'signed',
        cumulative: units(160000),
      },
      // White space of A: 160,000 + 35,000 = 195,000
      {
        kind: 'expansion',
        account: 'A',
        arr: units(35000),
        date: null,
        status: 'white-space',
        cumulative: units(195000),
      },
    ]);
  });
});

describe('glide path arithmetic', () => {
  const calendar = ['2025-01', '2025-02', '2025-03'].map((month, index) => ({
    month,
    end: day(`${month}-28`),
    due: [1, 0, 2][index] as number,
    accounts: [],
  }));

  test('each point is rounded once', () => {
    // B = 1,000 cents, target 100.1%: movement 1 cent, due 1 then 2 of 3.
    // Jan: 1,000 + 1 × 1/3 = 1,000.33 → 1,000; Feb: same; Mar: 1,000 + 1 × 3/3 = 1,001
    const path = glidePath(1000, percent('100.1'), calendar, 'half-even');
    expect(path.map((point) => point.expected)).toEqual([1000, 1000, 1001]);
  });

  test('target below 100% moves down', () => {
    // B = 900, target 90%: movement −90. Jan: 900 − 90 × 1/3 = 870; Mar: 900 − 90 = 810
    const path = glidePath(900, percent('90'), calendar, 'half-even');
    expect(path.map((point) => point.expected)).toEqual([870, 870, 810]);
  });

  test('nothing due gives even steps', () => {
    // B = 1,200, target 110%: movement 120 in three even steps of 40
    const empty = calendar.map((month) => ({ ...month, due: 0 }));
    const path = glidePath(1200, percent('110'), empty, 'half-even');
    expect(path.map((point) => point.expected)).toEqual([1240, 1280, 1320]);
  });
});

describe('plan of one CSM book', () => {
  test('cohort and actions of the book only', () => {
    const books = filteredBooks(analysis, book, 'csm');
    const code = books.codes.get('Ana');
    expect(code).toBeDefined();
    const ana = bookPlan(analysis, { groups: books.groups, code: code as number }, year, {
      nrr: percent('100'),
      grr: null,
    });
    // A 100,000 + B 50,000 = 150,000
    expect(ana.base).toBe(units(150000));
    // Path at June: A (March) and B (June) are all of Ana's due ARR, so target 100% = 150,000
    expect(ana.nrr?.expectedNow).toBe(units(150000));
    // Actual: A 110,000 + B 50,000 = 160,000 ≥ 150,000
    expect(ana.nrr?.actual).toBe(units(160000));
    expect(ana.nrr?.behind).toBe(false);
    // Contracted at year end: A 110,000; needed 150,000 − 110,000 = 40,000
    expect(ana.nrr?.needed).toBe(units(40000));
    expect(ana.grr).toBeNull();
    expect(ana.actions.map((item) => item.account)).toEqual(['B']);
  });
});
