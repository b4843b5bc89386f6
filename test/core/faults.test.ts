import { describe, expect, test } from 'vitest';
import { applyDefinitionChanges, DEFAULT_DEFINITIONS, report } from '../../src/core/index.js';
import { ANNUAL, dataset, day, line, MONTHLY, TERM, units } from './build.js';

const defaults = DEFAULT_DEFINITIONS;
const noGrace = applyDefinitionChanges(DEFAULT_DEFINITIONS, { graceDays: 0 });

describe('multi-year and non-monthly billing', () => {
  test('3-year, 2-year and monthly lines', () => {
    const data = dataset([
      line({
        id: 'a',
        account: 'A',
        amount: '3600',
        period: { unit: 'year', count: 3 },
        start: '2024-01-01',
        last: '2026-12-31',
      }),
      line({
        id: 'b',
        account: 'B',
        amount: '2400',
        period: { unit: 'year', count: 2 },
        start: '2024-01-01',
        last: '2025-12-31',
      }),
      line({
        id: 'c',
        account: 'C',
        amount: '100',
        period: MONTHLY,
        start: '2024-01-01',
        last: null,
      }),
    ]);
    const result = report(data, defaults, day('2024-06-30'));
    // 3,600 ÷ 3 + 2,400 ÷ 2 + 100 × 12 = 1,200 + 1,200 + 1,200 = 3,600
    expect(result.arr).toBe(units(3600));
  });

  test('quarterly and half-yearly prices', () => {
    const data = dataset([
      line({
        id: 'q',
        account: 'Q',
        amount: '300',
        period: { unit: 'month', count: 3 },
        start: '2024-01-01',
        last: null,
      }),
      line({
        id: 'h',
        account: 'H',
        amount: '600',
        period: { unit: 'month', count: 6 },
        start: '2024-01-01',
        last: null,
      }),
    ]);
    // 300 × 12 ÷ 3 + 600 × 12 ÷ 6 = 1,200 + 1,200 = 2,400
    expect(report(data, defaults, day('2024-06-30')).arr).toBe(units(2400));
  });

  test('contract value over a whole-month term', () => {
    // 36,000 over 2024-01-01..2026-12-31 is 36 whole months: 36,000 × 12 ÷ 36 = 12,000
    const data = dataset([
      line({
        id: 't',
        account: 'T',
        amount: '36000',
        period: TERM,
        start: '2024-01-01',
        last: '2026-12-31',
      }),
    ]);
    expect(report(data, defaults, day('2024-06-30')).arr).toBe(units(12000));
  });

  test('contract value over a day-count term', () => {
    // 2024-01-10..2024-04-18 is 22 + 29 + 31 + 18 = 100 days: 1,000 × 365 ÷ 100 = 3,650
    const data = dataset([
      line({
        id: 't',
        account: 'T',
        amount: '1000',
        period: TERM,
        start: '2024-01-10',
        last: '2024-04-18',
      }),
    ]);
    expect(report(data, defaults, day('2024-02-29')).arr).toBe(units(3650));
  });
});

describe('one-time lines', () => {
  test('explicit one-time kind is excluded', () => {
    const data = dataset([
      line({ id: 'r', account: 'A', amount: '1200', start: '2024-01-01', last: '2024-12-31' }),
      line({
        id: 's',
        account: 'A',
        amount: '500',
        kind: 'one-time',
        product: 'Implementation',
        start: '2024-01-01',
        last: '2024-01-31',
      }),
    ]);
    // only the recurring 1,200 counts; the 500 setup fee does not
    expect(report(data, defaults, day('2024-01-15')).arr).toBe(units(1200));
  });

  test('setup and activation products without a kind are excluded', () => {
    const data = dataset([
      line({
        id: 'r',
        account: 'A',
        amount: '100',
        period: MONTHLY,
        start: '2024-01-01',
        last: null,
      }),
      line({
        id: 's',
        account: 'A',
        amount: '250',
        period: MONTHLY,
        product: 'Setup fee',
        start: '2024-01-01',
        last: '2024-01-31',
      }),
      line({
        id: 'v',
        account: 'A',
        amount: '99',
        period: MONTHLY,
        product: 'Account activation',
        start: '2024-01-01',
        last: '2024-01-31',
      }),
    ]);
    // 100 × 12 = 1,200; setup and activation are one-time
    expect(report(data, defaults, day('2024-01-15')).arr).toBe(units(1200));
  });

  test('trial lines count zero', () => {
    const data = dataset([
      line({
        id: 't',
        account: 'A',
        amount: '100',
        period: MONTHLY,
        kind: 'trial',
        start: '2024-01-01',
        last: null,
      }),
    ]);
    expect(report(data, defaults, day('2024-01-15')).arr).toBe(0);
  });
});

describe('churn month', () => {
  test('churn appears in the month after the last day of service', () => {
    const data = dataset([
      line({
        id: 'a',
        account: 'A',
        amount: '100',
        period: MONTHLY,
        start: '2024-01-01',
        last: '2024-03-31',
      }),
      line({
        id: 'b',
        account: 'B',
        amount: '50',
        period: MONTHLY,
        start: '2024-01-01',
        last: null,
      }),
    ]);
    const result = report(data, noGrace, day('2024-06-30'), 'month');
    const april = result.periods?.find((period) => period.period === '2024-04');
    // A's service ends 2024-03-31, so April carries churn of 100 × 12 = 1,200
    expect(april?.churn).toBe(units(1200));
    expect(april?.start).toBe(units(1800));
    expect(april?.end).toBe(units(600));
    const total = result.periods?.reduce((sum, period) => sum + period.churn, 0);
    expect(total).toBe(units(1200));
  });
});

describe('open-ended subscriptions', () => {
  test('no churn at the end of the reporting range', () => {
    const data = dataset([
      line({
        id: 'a',
        account: 'A',
        amount: '100',
        period: MONTHLY,
        start: '2023-01-01',
        last: null,
      }),
    ]);
    const result = report(data, defaults, day('2024-12-31'), 'month');
    const churn = result.periods?.reduce((sum, period) => sum + period.churn, 0);
    expect(churn).toBe(0);
    // still active: 100 × 12 = 1,200 on the as-of date; NRR 1,200 ÷ 1,200 = 100%
    expect(result.arr).toBe(units(1200));
    expect(result.nrr).toBe(1);
  });
});

describe('plan migrations', () => {
  const migrations = (lastOfOld: string) =>
    dataset([
      line({
        id: 'a1',
        account: 'A',
        amount: '10',
        period: MONTHLY,
        start: '2024-01-01',
        last: lastOfOld,
      }),
      line({
        id: 'a2',
        account: 'A',
        amount: '10',
        period: MONTHLY,
        start: '2024-03-01',
        last: null,
      }),
      line({
        id: 'b1',
        account: 'B',
        amount: '10',
        period: MONTHLY,
        start: '2024-01-01',
        last: lastOfOld,
      }),
      line({
        id: 'b2',
        account: 'B',
        amount: '12',
        period: MONTHLY,
        start: '2024-03-01',
        last: null,
      }),
    ]);

  test.each([
    ['ends the day before the new plan', '2024-02-29'],
    ['overlaps the new plan by a day', '2024-03-01'],
  ])('old plan %s', (_name, lastOfOld) => {
    const result = report(migrations(lastOfOld), noGrace, day('2024-12-31'), 'year');
    const year = result.periods?.find((period) => period.period === '2024');
    // B moves 10 → 12 a month: (12 − 10) × 12 = 24 of expansion; A moves 10 → 10: nothing
    expect(year?.expansion).toBe(units(24));
    expect(year?.churn).toBe(0);
    expect(year?.contraction).toBe(0);
    expect(year?.reactivation).toBe(0);
    // the only new ARR is the two customers' first plans: 10 × 12 + 10 × 12 = 240
    expect(year?.new).toBe(units(240));
  });

  test('a one-day overlap on a month end does not double count', () => {
    const data = dataset([
      line({
        id: 'b1',
        account: 'B',
        amount: '10',
        period: MONTHLY,
        start: '2024-01-01',
        last: '2024-02-29',
      }),
      line({
        id: 'b2',
        account: 'B',
        amount: '12',
        period: MONTHLY,
        start: '2024-02-29',
        last: null,
      }),
    ]);
    // b1's last day is b2's first day, 2024-02-29: on that day ARR is 12 × 12 = 144, not 264
    expect(report(data, noGrace, day('2024-02-29')).arr).toBe(units(144));
  });
});

describe('co-termed add-on as a new contract', () => {
  test('renewing line replaces the old one', () => {
    const data = dataset([
      line({ id: 'old', account: 'A', amount: '12000', start: '2024-07-01', last: '2025-06-30' }),
      line({
        id: 'new',
        account: 'A',
        amount: '18000',
        start: '2025-01-01',
        last: '2025-12-31',
        renews: 'old',
      }),
    ]);
    const result = report(data, defaults, day('2025-09-30'), 'month');
    const january = result.periods?.find((period) => period.period === '2025-01');
    // ARR 12,000 → 18,000 on 2025-01-01: +6,000 of expansion, not 30,000 of ARR
    expect(january?.expansion).toBe(units(6000));
    expect(january?.end).toBe(units(18000));
    const july = result.periods?.find((period) => period.period === '2025-07');
    // the old contract's end on 2025-06-30 brings no churn
    expect(july?.churn).toBe(0);
    expect(july?.end).toBe(units(18000));
    const churn = result.periods?.reduce((sum, period) => sum + period.churn, 0);
    expect(churn).toBe(0);
  });
});

describe('late renewals', () => {
  test('back-dated renewal is continuous', () => {
    const data = dataset([
      line({ id: 'y1', account: 'A', amount: '120', start: '2024-01-01', last: '2024-12-31' }),
      line({
        id: 'y2',
        account: 'A',
        amount: '120',
        start: '2025-01-01',
        last: '2025-12-31',
        renews: 'y1',
      }),
    ]);
    const result = report(data, defaults, day('2025-06-30'), 'month');
    const moves = result.periods?.reduce(
      (sum, period) => sum + period.churn + period.reactivation,
      0,
    );
    expect(moves).toBe(0);
  });

  test('renewal starting inside the grace window', () => {
    const data = dataset([
      line({ id: 'y1', account: 'A', amount: '120', start: '2024-01-01', last: '2024-12-31' }),
      line({ id: 'y2', account: 'A', amount: '120', start: '2025-02-20', last: '2026-02-19' }),
    ]);
    const result = report(data, defaults, day('2025-06-30'), 'month');
    // gap 2025-01-01..2025-02-19 is 50 days ≤ 60: late renewal, ARR 120 throughout
    for (const month of ['2025-01', '2025-02', '2025-03']) {
      const period = result.periods?.find((candidate) => candidate.period === month);
      expect(period?.churn).toBe(0);
      expect(period?.reactivation).toBe(0);
      expect(period?.end).toBe(units(120));
    }
  });

  test('renewal after the grace window is churn and reactivation', () => {
    const data = dataset([
      line({ id: 'y1', account: 'A', amount: '120', start: '2024-01-01', last: '2024-12-31' }),
      line({ id: 'y2', account: 'A', amount: '100', start: '2025-04-01', last: '2026-03-31' }),
    ]);
    const result = report(data, defaults, day('2025-06-30'), 'month');
    // gap of 90 days > 60: churn 120 in January, reactivation 100 in April
    expect(result.periods?.find((period) => period.period === '2025-01')?.churn).toBe(units(120));
    expect(result.periods?.find((period) => period.period === '2025-04')?.reactivation).toBe(
      units(100),
    );
  });

  test('account inside the grace window on the as-of date is lapsed, not churned', () => {
    const data = dataset([
      line({ id: 'y1', account: 'A', amount: '120', start: '2024-01-01', last: '2024-12-31' }),
    ]);
    const lapsed = report(data, defaults, day('2025-01-31'));
    // 31 days after the end: lapsed, ARR still 120
    expect(lapsed.arr).toBe(units(120));
    expect(lapsed.lapsed.accounts).toBe(1);
    const churned = report(data, defaults, day('2025-03-31'));
    // 90 days after the end: churned
    expect(churned.arr).toBe(0);
    expect(churned.lapsed.accounts).toBe(0);
  });
});

describe('NRR excludes new customers', () => {
  test('upgrade, cancel and new logo', () => {
    const data = dataset([
      line({
        id: 'a1',
        account: 'A',
        amount: '100',
        period: MONTHLY,
        start: '2024-01-01',
        last: '2025-01-31',
      }),
      line({
        id: 'a2',
        account: 'A',
        amount: '120',
        period: MONTHLY,
        start: '2025-02-01',
        last: null,
      }),
      line({
        id: 'b1',
        account: 'B',
        amount: '100',
        period: MONTHLY,
        start: '2024-01-01',
        last: '2025-01-31',
      }),
      line({
        id: 'c1',
        account: 'C',
        amount: '150',
        period: MONTHLY,
        start: '2025-02-01',
        last: null,
      }),
    ]);
    const result = report(data, noGrace, day('2025-02-28'));
    // cohort on 2024-02-29: A 100, B 100 (MRR). On 2025-02-28: A 120, B 0, C excluded.
    // NRR = (120 + 0) ÷ (100 + 100) = 60%; GRR = (min(120,100) + 0) ÷ 200 = 50%
    expect(result.nrr).toBeCloseTo(0.6, 12);
    expect(result.grr).toBeCloseTo(0.5, 12);
    expect(result.logoRetention).toBeCloseTo(0.5, 12);
    expect(result.cohort.startArr).toBe(units(2400));
    expect(result.cohort.endArr).toBe(units(1440));
  });
});

describe('GRR on partial loss', () => {
  test('one of two lines ends', () => {
    const data = dataset([
      line({
        id: 'x',
        account: 'A',
        amount: '600',
        product: 'Core',
        start: '2024-01-01',
        last: '2025-12-31',
        period: ANNUAL,
      }),
      line({
        id: 'y',
        account: 'A',
        amount: '400',
        product: 'Analytics',
        start: '2024-01-01',
        last: '2024-12-31',
        period: ANNUAL,
      }),
    ]);
    const result = report(data, defaults, day('2025-06-30'));
    // start 600 + 400 = 1,000; end 600: GRR 600 ÷ 1,000 = 60%, contraction 400
    expect(result.grr).toBeCloseTo(0.6, 12);
    expect(result.nrr).toBeCloseTo(0.6, 12);
    expect(result.bridge.contraction).toBe(units(400));
    expect(result.bridge.contractionBySubtype?.['product-removed']).toBe(units(400));
  });
});

describe('returning customers', () => {
  test('counted as reactivation, not new', () => {
    const data = dataset([
      line({
        id: 'a1',
        account: 'A',
        amount: '100',
        period: MONTHLY,
        start: '2023-01-01',
        last: '2023-06-30',
      }),
      line({
        id: 'a2',
        account: 'A',
        amount: '80',
        period: MONTHLY,
        start: '2024-03-01',
        last: null,
      }),
    ]);
    const result = report(data, defaults, day('2024-12-31'), 'year');
    const year2024 = result.periods?.find((period) => period.period === '2024');
    // returns after 8 months: reactivation 80 × 12 = 960, no new
    expect(year2024?.reactivation).toBe(units(960));
    expect(year2024?.new).toBe(0);
    const year2023 = result.periods?.find((period) => period.period === '2023');
    expect(year2023?.new).toBe(units(1200));
    expect(year2023?.churn).toBe(units(1200));
  });
});

describe('inputs the engine rejects or flags', () => {
  test('renewal loop is an error naming the lines', () => {
    const data = dataset([
      line({
        id: 'L3',
        account: 'A',
        amount: '100',
        period: MONTHLY,
        start: '2024-01-01',
        last: '2024-12-31',
        renews: 'L4',
      }),
      line({
        id: 'L4',
        account: 'A',
        amount: '100',
        period: MONTHLY,
        start: '2024-03-01',
        last: '2025-02-28',
        renews: 'L3',
      }),
    ]);
    expect(() => report(data, defaults, day('2024-06-30'))).toThrow(
      /renew each other in a loop: line L3 → line L4/,
    );
  });

  test('sums beyond exact integers are an error', () => {
    const data = dataset([
      line({
        id: 'a',
        account: 'A',
        amount: '45035996273704.97',
        start: '2024-01-01',
        last: '2024-12-31',
      }),
      line({
        id: 'b',
        account: 'B',
        amount: '45035996273704.98',
        start: '2024-01-01',
        last: '2024-12-31',
      }),
    ]);
    expect(() => report(data, defaults, day('2024-06-30'))).toThrow(/beyond the exact range/);
  });

  test('unknown renewed line is a warning', () => {
    const data = dataset([
      line({
        id: 'a',
        account: 'A',
        amount: '100',
        start: '2024-01-01',
        last: '2024-12-31',
        renews: 'nope',
      }),
    ]);
    const result = report(data, defaults, day('2024-06-30'));
    expect(result.arr).toBe(units(100));
    expect(result.warnings).toEqual([
      '1 lines renew a line id that is not in the data; they count as ordinary lines',
    ]);
  });

  test('product-pattern exclusions are counted and warned', () => {
    const data = dataset([
      line({
        id: 'a',
        account: 'A',
        amount: '100',
        period: MONTHLY,
        product: 'Training Platform Pro',
        start: '2024-01-01',
        last: null,
      }),
    ]);
    const result = report(data, defaults, day('2024-06-30'));
    expect(result.arr).toBe(0);
    expect(result.excludedLines.oneTimeByProduct).toBe(1);
    expect(result.warnings[0]).toContain('one-time pattern');
  });
});
