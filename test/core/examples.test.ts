import { describe, expect, test } from 'vitest';
import {
  applyDefinitionChanges,
  DEFAULT_DEFINITIONS,
  explain,
  parseDecimal,
  report,
} from '../../src/core/index.js';
import type { FxRate } from '../../src/core/index.js';
import { ANNUAL, dataset, day, line, units } from './build.js';

describe("one CSM's book over a fiscal year", () => {
  // Amounts in thousands of USD written out in full.
  const book = dataset([
    line({
      id: 'A1',
      account: 'A',
      amount: '300000',
      period: { unit: 'year', count: 3 },
      start: '2023-01-01',
      last: '2025-12-31',
      product: 'Core',
      contract: 'A-2023',
    }),
    line({
      id: 'A2',
      account: 'A',
      amount: '25000',
      start: '2024-07-01',
      last: '2025-12-31',
      product: 'Seats',
      contract: 'A-2024',
    }),
    line({ id: 'B1', account: 'B', amount: '20000', start: '2023-04-01', last: '2024-03-31' }),
    line({ id: 'C1', account: 'C', amount: '60000', start: '2023-10-01', last: '2024-09-30' }),
    line({
      id: 'C2',
      account: 'C',
      amount: '50000',
      start: '2024-10-01',
      last: '2025-09-30',
      renews: 'C1',
    }),
    line({
      id: 'D1',
      account: 'D',
      amount: '60000',
      period: { unit: 'year', count: 3 },
      start: '2022-07-01',
      last: '2025-06-30',
    }),
    line({
      id: 'E1',
      account: 'E',
      amount: '40000',
      start: '2024-03-01',
      last: '2025-02-28',
      product: 'Core',
    }),
    line({
      id: 'E2',
      account: 'E',
      amount: '10000',
      start: '2024-11-01',
      last: '2025-02-28',
      product: 'Analytics',
    }),
    line({ id: 'F1', account: 'F', amount: '15000', start: '2022-06-01', last: '2023-05-31' }),
    line({ id: 'F2', account: 'F', amount: '10000', start: '2024-08-01', last: '2025-07-31' }),
  ]);
  const result = report(book, DEFAULT_DEFINITIONS, day('2024-12-31'));

  test('bridge', () => {
    // 200 + new 40 + reactivation 10 + expansion 35 (A 25, E 10) − contraction 10 − churn 20 = 255
    expect(result.bridge.start).toBe(units(200_000));
    expect(result.bridge.new).toBe(units(40_000));
    expect(result.bridge.reactivation).toBe(units(10_000));
    expect(result.bridge.expansion).toBe(units(35_000));
    expect(result.bridge.contraction).toBe(units(10_000));
    expect(result.bridge.churn).toBe(units(20_000));
    expect(result.bridge.end).toBe(units(255_000));
    expect(result.arr).toBe(units(255_000));
  });

  test('cohort figures', () => {
    // NRR = (125 + 0 + 50 + 20) ÷ 200 = 97.5%
    expect(result.nrr).toBeCloseTo(0.975, 12);
    // GRR = (100 + 0 + 50 + 20) ÷ 200 = 85%
    expect(result.grr).toBeCloseTo(0.85, 12);
    // logos: A, C, D of A, B, C, D = 75%
    expect(result.logoRetention).toBeCloseTo(0.75, 12);
  });

  test('bridge ratio is labelled apart from NRR', () => {
    // (200 + 35 − 10 − 20) ÷ 200 = 102.5%, not the cohort 97.5%
    expect(result.bridgeNetRetention).toBeCloseTo(1.025, 12);
  });

  test('expansion sub-types', () => {
    // A adds the Seats product (cross-sell 25); E adds Analytics (cross-sell 10)
    expect(result.bridge.expansionBySubtype?.['cross-sell']).toBe(units(35_000));
  });

  test('explanation of the downgraded renewal', () => {
    const trail = explain(book, DEFAULT_DEFINITIONS, day('2024-12-31'), 'C');
    expect(trail.arrAtStart).toBe(units(60_000));
    expect(trail.arrAtEnd).toBe(units(50_000));
    expect(trail.cohort.grrNumerator).toBe(units(50_000));
    expect(trail.movements).toHaveLength(1);
    expect(trail.movements[0]?.kind).toBe('contraction');
    expect(trail.movements[0]?.rule).toBe('movement.contraction');
    expect(trail.movements[0]?.from).toBe('2024-09-30');
    expect(trail.lines[0]?.adjustments.length).toBe(0);
    expect(trail.lines[1]?.rule).toBe('annualise.years');
    // 60,000 until the renewal on 2024-10-01, then 50,000
    expect(trail.timeline.find((point) => point.date === '2024-09-30')?.arr).toBe(units(60_000));
    expect(trail.timeline.find((point) => point.date === '2024-10-31')?.arr).toBe(units(50_000));
    expect(trail.timeline[0]?.date).toBe('2023-10-31');
  });

  test('explanation of a reactivated account outside the cohort', () => {
    const trail = explain(book, DEFAULT_DEFINITIONS, day('2024-12-31'), 'F');
    expect(trail.cohort.member).toBe(false);
    expect(trail.movements.map((movement) => movement.kind)).toEqual(['reactivation']);
  });
});

describe('transfers between books', () => {
  const data = dataset(
    [
      line({ id: 'A1', account: 'A', amount: '100', start: '2023-01-01', last: '2024-09-30' }),
      line({
        id: 'A2',
        account: 'A',
        amount: '120',
        start: '2024-10-01',
        last: '2025-09-30',
        renews: 'A1',
      }),
      line({ id: 'H1', account: 'H', amount: '50', start: '2023-05-01', last: '2024-04-30' }),
      line({
        id: 'K1',
        account: 'K',
        amount: '100',
        start: '2023-01-01',
        last: '2025-12-31',
        period: ANNUAL,
      }),
    ],
    {
      assignments: [
        {
          accountId: 'A',
          role: 'CSM',
          person: 'CSM1',
          from: day('2023-01-01'),
          to: day('2024-07-01'),
        },
        { accountId: 'A', role: 'CSM', person: 'CSM2', from: day('2024-07-01'), to: null },
        { accountId: 'H', role: 'CSM', person: 'CSM1', from: day('2023-01-01'), to: null },
        { accountId: 'K', role: 'CSM', person: 'CSM2', from: day('2023-01-01'), to: null },
      ],
    },
  );
  const result = report(data, DEFAULT_DEFINITIONS, day('2024-12-31'), 'csm');
  const csm1 = result.groups?.find((group) => group.key === 'CSM1');
  const csm2 = result.groups?.find((group) => group.key === 'CSM2');

  test('NRR on the book at the window start', () => {
    // CSM1 started with A 100 + H 50: (120 + 0) ÷ 150 = 80%; CSM2 with K 100: 100 ÷ 100 = 100%
    expect(csm1?.nrr).toBeCloseTo(0.8, 12);
    expect(csm2?.nrr).toBeCloseTo(1, 12);
  });

  test('transfer lines make books sum to the company', () => {
    // CSM1: 150 − churn 50 − transfer out 100 = 0
    expect(csm1?.bridge.start).toBe(units(150));
    expect(csm1?.bridge.churn).toBe(units(50));
    expect(csm1?.bridge.transferOut).toBe(units(100));
    expect(csm1?.bridge.end).toBe(0);
    // CSM2: 100 + transfer in 100 + expansion 20 = 220
    expect(csm2?.bridge.transferIn).toBe(units(100));
    expect(csm2?.bridge.expansion).toBe(units(20));
    expect(csm2?.bridge.end).toBe(units(220));
    expect(result.arr).toBe(units(220));
  });
});

describe('currency', () => {
  const rate = (text: string, from: string, to: string | null): FxRate => ({
    currency: 'EUR',
    rate: parseDecimal(text) ?? { coefficient: 0n, scale: 0 },
    from: day(from),
    to: to === null ? null : day(to),
    kind: 'plan',
  });
  const data = dataset(
    [
      line({
        id: 'e',
        account: 'A',
        amount: '100000',
        currency: 'EUR',
        start: '2024-01-01',
        last: '2026-12-31',
      }),
    ],
    { fxRates: [rate('1.08', '2024-01-01', '2025-12-31'), rate('1.10', '2026-01-01', null)] },
  );

  test('constant currency within a fiscal year', () => {
    const result = report(data, DEFAULT_DEFINITIONS, day('2025-12-31'));
    // 100,000 EUR × 1.08 = 108,000 USD at both ends: NRR 100%
    expect(result.arr).toBe(units(108_000));
    expect(result.nrr).toBe(1);
  });

  test('new plan rate shows as FX expansion', () => {
    const result = report(data, DEFAULT_DEFINITIONS, day('2026-06-30'));
    // 100,000 × (1.10 − 1.08) = 2,000 USD of FX expansion
    expect(result.bridge.expansion).toBe(units(2_000));
    expect(result.bridge.expansionBySubtype?.fx).toBe(units(2_000));
  });

  test('missing rate is an error naming the currency', () => {
    const bare = dataset(data.lines);
    expect(() => report(bare, DEFAULT_DEFINITIONS, day('2025-12-31'))).toThrow(/EUR/);
  });
});

describe('parent roll-up', () => {
  const data = dataset(
    [
      line({
        id: 'c1a',
        account: 'C1',
        amount: '50',
        start: '2023-01-01',
        last: '2025-12-31',
        product: 'Core',
      }),
      line({
        id: 'c1b',
        account: 'C1',
        amount: '40',
        start: '2024-07-01',
        last: '2025-12-31',
        product: 'Analytics',
      }),
      line({ id: 'c2', account: 'C2', amount: '30', start: '2023-07-01', last: '2024-06-30' }),
    ],
    { accounts: [{ id: 'P' }, { id: 'C1', parentId: 'P' }, { id: 'C2', parentId: 'P' }] },
  );

  test('nets at the ultimate parent', () => {
    const result = report(data, DEFAULT_DEFINITIONS, day('2024-12-31'));
    // base 50 + 30 = 80; end 90: NRR 90 ÷ 80 = 112.5%, GRR min(90, 80) ÷ 80 = 100%
    expect(result.nrr).toBeCloseTo(1.125, 12);
    expect(result.grr).toBeCloseTo(1, 12);
    expect(result.logoRetention).toBe(1);
  });

  test('nets per account when asked', () => {
    const byAccount = applyDefinitionChanges(DEFAULT_DEFINITIONS, { netting: 'account' });
    const result = report(data, byAccount, day('2024-12-31'));
    // C1 50 → 90 capped at 50, C2 30 → 0: GRR 50 ÷ 80 = 62.5%, NRR still 112.5%, logos 1 of 2
    expect(result.grr).toBeCloseTo(0.625, 12);
    expect(result.nrr).toBeCloseTo(1.125, 12);
    expect(result.logoRetention).toBeCloseTo(0.5, 12);
  });
});

describe('fiscal years', () => {
  test('yearly periods follow the fiscal year start', () => {
    const data = dataset([
      line({
        id: 'a',
        account: 'A',
        amount: '100',
        period: { unit: 'month', count: 1 },
        start: '2024-05-01',
        last: null,
      }),
    ]);
    const april = applyDefinitionChanges(DEFAULT_DEFINITIONS, { fiscalYearStartMonth: 4 });
    const result = report(data, april, day('2025-06-30'), 'year');
    // the fiscal year April 2024 – March 2025 is named 2025; May 2024 brings new 100 × 12 = 1,200
    expect(result.periods?.find((period) => period.period === '2025')?.new).toBe(units(1200));
    // months run from May 2024 (fiscal 2025) to June 2025 (fiscal 2026)
    expect(result.periods?.map((period) => period.period)).toEqual(['2025', '2026']);
  });
});

describe('explanation of adjustments', () => {
  test('co-termed add-on names the renewing line', () => {
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
    const trail = explain(data, DEFAULT_DEFINITIONS, day('2025-09-30'), 'A');
    const old = trail.lines.find((entry) => entry.id === 'old');
    expect(old?.adjustments).toEqual(['renewed by line new, which replaces it from 2025-01-01']);
    expect(old?.effectiveLastDay).toBe('2024-12-31');
    // 12,000 → 18,000: one expansion of 6,000
    expect(trail.movements.map((movement) => [movement.kind, movement.amount])).toEqual([
      ['expansion', units(6000)],
    ]);
  });

  test('lapsed account is flagged', () => {
    const data = dataset([
      line({ id: 'y1', account: 'A', amount: '120', start: '2024-01-01', last: '2024-12-31' }),
    ]);
    const trail = explain(data, DEFAULT_DEFINITIONS, day('2025-01-31'), 'A');
    expect(trail.lapsed).toBe(true);
    expect(trail.lines[0]?.adjustments[0]).toContain('lapsed');
    expect(trail.arrAtEnd).toBe(units(120));
  });
});

describe('grace window per account', () => {
  test('ARR does not depend on the netting level', () => {
    const data = dataset(
      [
        line({ id: 'p', account: 'P', amount: '500', start: '2024-01-01', last: '2025-12-31' }),
        line({ id: 'c', account: 'C', amount: '200', start: '2024-01-01', last: '2024-11-30' }),
      ],
      { accounts: [{ id: 'P' }, { id: 'C', parentId: 'P' }] },
    );
    const byAccount = applyDefinitionChanges(DEFAULT_DEFINITIONS, { netting: 'account' });
    const asOf = day('2024-12-31');
    // C ended 31 days before the as-of date: lapsed, so 500 + 200 = 700 at either level
    expect(report(data, DEFAULT_DEFINITIONS, asOf).arr).toBe(units(700));
    expect(report(data, byAccount, asOf).arr).toBe(units(700));
    expect(report(data, DEFAULT_DEFINITIONS, asOf).lapsed).toEqual({
      accounts: 1,
      arr: units(200),
    });
  });
});

describe('books of a parent and its child', () => {
  test('child owner applies before the parent has one', () => {
    const data = dataset(
      [line({ id: 'c', account: 'C', amount: '100', start: '2024-01-01', last: '2025-12-31' })],
      {
        accounts: [{ id: 'P' }, { id: 'C', parentId: 'P' }],
        assignments: [
          { accountId: 'C', role: 'CSM', person: 'Child Owner', from: day('2024-01-01'), to: null },
          {
            accountId: 'P',
            role: 'CSM',
            person: 'Parent Owner',
            from: day('2025-01-03'),
            to: null,
          },
        ],
      },
    );
    const trail = explain(data, DEFAULT_DEFINITIONS, day('2025-06-30'), 'C');
    expect(trail.books.csm.atStart).toBe('Child Owner');
    expect(trail.books.csm.atEnd).toBe('Parent Owner');
    const result = report(data, DEFAULT_DEFINITIONS, day('2025-06-30'), 'csm');
    // the book at the window start (2024-06-30) keeps the cohort: 100 ÷ 100 = 100%
    expect(result.groups?.find((group) => group.key === 'Child Owner')?.nrr).toBe(1);
    expect(result.groups?.find((group) => group.key === 'Parent Owner')?.bridge.transferIn).toBe(
      units(100),
    );
  });
});

describe('trailing figures per period', () => {
  test('last month matches the cohort figures', () => {
    const data = dataset([
      line({ id: 'a', account: 'A', amount: '100', start: '2023-01-01', last: '2025-12-31' }),
      line({ id: 'b', account: 'B', amount: '50', start: '2023-01-01', last: '2024-06-30' }),
      line({ id: 'c', account: 'C', amount: '80', start: '2024-03-01', last: '2025-12-31' }),
    ]);
    const result = report(data, DEFAULT_DEFINITIONS, day('2024-12-31'), 'month');
    const last = result.periods?.at(-1);
    // cohort on 2023-12-31: A 100 + B 50; on 2024-12-31: A 100, B 0, C excluded → 100 ÷ 150
    expect(last?.trailingNrr).toBeCloseTo(100 / 150, 12);
    expect(last?.trailingGrr).toBeCloseTo(100 / 150, 12);
    expect(result.nrr).toBeCloseTo(100 / 150, 12);
  });
});

describe('FX rate validity', () => {
  test('days outside every rate are flagged', () => {
    const data = dataset(
      [
        line({
          id: 'e',
          account: 'A',
          amount: '1000',
          currency: 'EUR',
          start: '2024-01-01',
          last: '2025-12-31',
        }),
      ],
      {
        fxRates: [
          {
            currency: 'EUR',
            rate: { coefficient: 11n, scale: 1 },
            from: day('2024-01-01'),
            to: day('2025-01-01'),
            kind: 'plan',
          },
        ],
      },
    );
    const result = report(data, DEFAULT_DEFINITIONS, day('2025-06-30'));
    // the 2024 rate 1.1 is carried into 2025: 1,000 × 1.1 = 1,100
    expect(result.arr).toBe(units(1100));
    expect(result.warnings).toEqual([
      'no EUR rate covers some days from 2025-01-01 to 2025-06-30; the nearest rate in time was used (add EUR plan rates for those days)',
    ]);
  });
});
