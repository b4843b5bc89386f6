import { describe, expect, test } from 'vitest';
import {
  applyDefinitionChanges,
  DEFAULT_DEFINITIONS,
  explain,
  parseDecimal,
  report,
} from '../../src/core/index.js';
import type { ContractLine, FxRate } from '../../src/core/index.js';
import { dataset, day, line, MONTHLY, units } from './build.js';

const defaults = DEFAULT_DEFINITIONS;

describe('renewals in any order', () => {
  const a = line({
    id: 'A',
    account: 'X',
    amount: '12000',
    start: '2024-01-01',
    last: '2024-12-31',
  });
  const r1 = line({
    id: 'R1',
    account: 'X',
    amount: '15000',
    start: '2024-12-01',
    last: '2025-11-30',
    renews: 'A',
  });
  const r2 = line({
    id: 'R2',
    account: 'X',
    amount: '15000',
    start: '2025-01-01',
    last: '2025-12-31',
    renews: 'A',
  });

  test.each([
    ['early renewal first', [a, r1, r2]],
    ['early renewal last', [a, r2, r1]],
  ])('two renewals of one line, %s', (_name, lines: ContractLine[]) => {
    // the earliest renewal replaces A from 2024-12-01: ARR 15,000, not 12,000 + 15,000
    expect(report(dataset(lines), defaults, day('2024-12-15')).arr).toBe(units(15000));
  });

  test('renewal of a renewal that starts earlier', () => {
    const b = line({
      id: 'B',
      account: 'X',
      amount: '12000',
      start: '2025-02-01',
      last: '2026-01-31',
      renews: 'A',
    });
    const c = line({
      id: 'C',
      account: 'X',
      amount: '36000',
      start: '2025-01-15',
      last: '2026-01-14',
      renews: 'B',
    });
    // A is bridged to 2025-01-15, where C takes over: ARR on 2025-01-31 is C's 36,000 alone
    expect(report(dataset([a, b, c]), defaults, day('2025-01-31')).arr).toBe(units(36000));
  });
});

describe('credits in the grace window', () => {
  const lines = [
    line({ id: 's', account: 'X', amount: '12000', start: '2023-06-01', last: '2024-05-31' }),
    line({ id: 'c', account: 'X', amount: '-2000', start: '2023-06-01', last: '2024-05-31' }),
  ];

  test('lapsed account keeps its net ARR', () => {
    // 12,000 − 2,000 = 10,000 while lapsed
    expect(report(dataset(lines), defaults, day('2024-06-15')).arr).toBe(units(10000));
  });

  test('late renewal bridges the credit too', () => {
    const renewal = line({
      id: 'r',
      account: 'X',
      amount: '10000',
      start: '2024-07-15',
      last: '2025-07-14',
    });
    const result = report(dataset([...lines, renewal]), defaults, day('2024-08-31'), 'month');
    // 10,000 throughout: no movement in June or July
    for (const month of ['2024-06', '2024-07']) {
      const period = result.periods?.find((candidate) => candidate.period === month);
      expect(period?.end).toBe(units(10000));
      expect(period?.expansion).toBe(0);
      expect(period?.contraction).toBe(0);
    }
  });
});

describe('books with movements only inside the window', () => {
  test('a book that gained and lost an account is listed', () => {
    const data = dataset(
      [
        line({
          id: 'k',
          account: 'K',
          amount: '1000',
          start: '2023-01-01',
          last: null,
          period: MONTHLY,
        }),
        line({
          id: 'n',
          account: 'N',
          amount: '1000',
          start: '2024-03-01',
          last: '2024-07-31',
          period: MONTHLY,
        }),
      ],
      {
        assignments: [
          { accountId: 'K', role: 'CSM', person: 'Kim', from: day('2023-01-01'), to: null },
          { accountId: 'N', role: 'CSM', person: 'Noa', from: day('2024-03-01'), to: null },
        ],
      },
    );
    const result = report(data, defaults, day('2024-12-31'), 'csm');
    const noa = result.groups?.find((group) => group.key === 'Noa');
    // N: new 12,000 in March, churn 12,000 in August
    expect(noa?.bridge.new).toBe(units(12000));
    expect(noa?.bridge.churn).toBe(units(12000));
    expect(result.groups?.reduce((sum, group) => sum + group.bridge.churn, 0)).toBe(
      result.bridge.churn,
    );
  });
});

describe('trailing figures on a mid-month as-of date', () => {
  test('last period matches the report', () => {
    const data = dataset([
      line({ id: 'a', account: 'A', amount: '10000', start: '2022-01-01', last: '2023-03-20' }),
      line({ id: 'b', account: 'B', amount: '10000', start: '2022-01-01', last: null }),
    ]);
    const result = report(data, defaults, day('2024-03-15'), 'month');
    // window starts 2023-03-15: A 10,000 and B 10,000; on 2024-03-15 only B: 10,000 ÷ 20,000
    expect(result.nrr).toBe(0.5);
    expect(result.periods?.at(-1)?.trailingNrr).toBe(0.5);
  });
});

describe('owners on an intermediate parent', () => {
  test('span of a middle account applies', () => {
    const data = dataset(
      [line({ id: 'c', account: 'C', amount: '100', start: '2024-01-01', last: '2025-12-31' })],
      {
        accounts: [{ id: 'P' }, { id: 'M', parentId: 'P' }, { id: 'C', parentId: 'M' }],
        assignments: [
          { accountId: 'M', role: 'CSM', person: 'Mia', from: day('2024-01-01'), to: null },
        ],
      },
    );
    const result = report(data, defaults, day('2024-12-31'), 'csm');
    expect(result.groups?.map((group) => group.key)).toEqual(['Mia']);
  });
});

describe('account parents in a loop', () => {
  test('loop below the line account', () => {
    const data = dataset(
      [line({ id: 'c', account: 'C', amount: '100', start: '2024-01-01', last: '2025-12-31' })],
      {
        accounts: [
          { id: 'C', parentId: 'M' },
          { id: 'M', parentId: 'P' },
          { id: 'P', parentId: 'M' },
        ],
      },
    );
    expect(() => report(data, defaults, day('2024-12-31'))).toThrow(
      /parents form a cycle through M → P → M/,
    );
  });
});

describe('FX rates that overlap in time', () => {
  test('covering rate wins over an expired later one', () => {
    const rate = (value: string, from: string, to: string | null): FxRate => ({
      currency: 'EUR',
      rate: parseDecimal(value) ?? { coefficient: 0n, scale: 0 },
      from: day(from),
      to: to === null ? null : day(to),
      kind: 'plan',
    });
    const data = dataset(
      [
        line({
          id: 'e',
          account: 'A',
          amount: '100',
          currency: 'EUR',
          start: '2022-01-01',
          last: null,
          period: { unit: 'year', count: 1 },
        }),
      ],
      {
        fxRates: [rate('1.0', '2022-01-01', null), rate('2.0', '2023-01-01', '2024-01-01')],
      },
    );
    const result = report(data, defaults, day('2024-06-30'));
    // 2024 is covered only by the open-ended 1.0 rate: 100 × 1.0 = 100
    expect(result.arr).toBe(units(100));
    expect(result.warnings).toEqual([]);
  });
});

describe('book between spans', () => {
  test('most recent span applies when none covers the day', () => {
    const data = dataset(
      [line({ id: 'c', account: 'C', amount: '100', start: '2023-01-01', last: '2025-12-31' })],
      {
        accounts: [{ id: 'P' }, { id: 'C', parentId: 'P' }],
        assignments: [
          {
            accountId: 'P',
            role: 'CSM',
            person: 'Alice',
            from: day('2023-01-01'),
            to: day('2024-07-01'),
          },
          {
            accountId: 'C',
            role: 'CSM',
            person: 'Bob',
            from: day('2023-03-01'),
            to: day('2023-10-01'),
          },
        ],
      },
    );
    const trail = explain(data, defaults, day('2024-08-31'), 'C');
    expect(trail.books.csm.atEnd).toBe('Alice');
  });
});

describe('month rows and the window start', () => {
  test('window start inside a month does not split it', () => {
    const strict = applyDefinitionChanges(defaults, { graceDays: 0, overlapToleranceDays: 0 });
    const data = dataset([
      line({ id: 'a1', account: 'A', amount: '12000', start: '2022-01-01', last: '2023-03-09' }),
      line({ id: 'a2', account: 'A', amount: '12000', start: '2023-03-20', last: '2025-12-31' }),
    ]);
    for (const asOf of ['2024-03-31', '2024-03-15']) {
      const march = report(data, strict, day(asOf), 'month').periods?.find(
        (period) => period.period === '2023-03',
      );
      // both month ends show 12,000: no movement in March 2023
      expect(march?.churn).toBe(0);
      expect(march?.reactivation).toBe(0);
    }
  });
});

describe('renewals, credits and overlaps together', () => {
  test('renewal on another account of the group is not also lapsed', () => {
    const data = dataset(
      [
        line({ id: 'a', account: 'X', amount: '12000', start: '2023-06-01', last: '2024-05-31' }),
        line({
          id: 'r',
          account: 'Y',
          amount: '12000',
          start: '2024-06-01',
          last: '2025-05-31',
          renews: 'a',
        }),
      ],
      { accounts: [{ id: 'P' }, { id: 'X', parentId: 'P' }, { id: 'Y', parentId: 'P' }] },
    );
    const result = report(data, defaults, day('2024-06-15'));
    // r replaces a: 12,000, not a lapsed 12,000 on X plus r's 12,000 on Y
    expect(result.arr).toBe(units(12000));
    expect(result.lapsed.accounts).toBe(0);
  });

  test('late renewal by id carries the credit across the gap', () => {
    const data = dataset([
      line({ id: 's', account: 'X', amount: '12000', start: '2023-06-01', last: '2024-05-31' }),
      line({ id: 'c', account: 'X', amount: '-2000', start: '2023-06-01', last: '2024-05-31' }),
      line({
        id: 'r',
        account: 'X',
        amount: '10000',
        start: '2024-07-15',
        last: '2025-07-14',
        renews: 's',
      }),
    ]);
    const june = report(data, defaults, day('2024-08-31'), 'month').periods?.find(
      (period) => period.period === '2024-06',
    );
    // 12,000 − 2,000 = 10,000 through the gap
    expect(june?.end).toBe(units(10000));
  });

  test('credit starting on the last day does not cut the subscription', () => {
    const data = dataset([
      line({ id: 's', account: 'X', amount: '12000', start: '2024-01-01', last: '2024-12-31' }),
      line({ id: 'c', account: 'X', amount: '-1000', start: '2024-12-31', last: '2025-03-31' }),
    ]);
    const december = report(data, defaults, day('2025-06-30'), 'month').periods?.find(
      (period) => period.period === '2024-12',
    );
    // on 2024-12-31 both count: 12,000 − 1,000 = 11,000
    expect(december?.end).toBe(units(11000));
  });

  test('unit that only ever netted to zero returns as new', () => {
    const data = dataset([
      line({ id: 's', account: 'X', amount: '1000', start: '2023-01-01', last: '2023-06-30' }),
      line({ id: 'c', account: 'X', amount: '-2000', start: '2023-01-01', last: '2023-06-30' }),
      line({ id: 'n', account: 'X', amount: '5000', start: '2024-01-01', last: null }),
    ]);
    const result = report(data, defaults, day('2024-06-30'));
    expect(result.bridge.new).toBe(units(5000));
    expect(result.bridge.reactivation).toBe(0);
  });
});

describe('FX rate selection', () => {
  const eur = (value: string, from: string, to: string | null): FxRate => ({
    currency: 'EUR',
    rate: parseDecimal(value) ?? { coefficient: 0n, scale: 0 },
    from: day(from),
    to: to === null ? null : day(to),
    kind: 'plan',
  });
  const euroLine = line({
    id: 'e',
    account: 'A',
    amount: '100',
    currency: 'EUR',
    start: '2023-01-01',
    last: null,
  });

  test('rates starting the same day give the same result in any order', () => {
    const open = eur('1.0', '2024-01-01', null);
    const year = eur('2.0', '2024-01-01', '2025-01-01');
    const first = report(
      dataset([euroLine], { fxRates: [open, year] }),
      defaults,
      day('2024-06-30'),
    );
    const second = report(
      dataset([euroLine], { fxRates: [year, open] }),
      defaults,
      day('2024-06-30'),
    );
    // the more specific 2024 rate wins: 100 × 2.0 = 200
    expect(first.arr).toBe(units(200));
    expect(second.arr).toBe(units(200));
  });

  test('in a gap the rate that ended last applies', () => {
    const rates = [eur('1.0', '2023-01-01', '2025-01-01'), eur('2.0', '2023-03-01', '2023-07-01')];
    const result = report(
      dataset([euroLine], { fxRates: rates }),
      defaults,
      day('2025-01-31'),
      'month',
    );
    const january = result.periods?.find((period) => period.period === '2025-01');
    // 1.0 was in force on 2024-12-31 and carries into 2025: 100 × 1.0, no FX movement
    expect(january?.end).toBe(units(100));
    expect(january?.expansion).toBe(0);
  });
});

describe('monthly rows and the as-of date', () => {
  test('new or reactivation does not depend on the as-of date', () => {
    const data = dataset([
      line({
        id: 'a',
        account: 'A',
        amount: '1',
        period: MONTHLY,
        start: '2021-04-24',
        last: '2021-04-24',
      }),
      line({
        id: 'b',
        account: 'A',
        amount: '1',
        period: MONTHLY,
        start: '2022-01-01',
        last: '2022-01-31',
      }),
    ]);
    const strict = applyDefinitionChanges(defaults, { graceDays: 0, overlapToleranceDays: 0 });
    for (const asOf of ['2022-04-24', '2022-04-30']) {
      const january = report(data, strict, day(asOf), 'month').periods?.find(
        (period) => period.period === '2022-01',
      );
      // A had ARR at no earlier month end: January brings new 1 × 12 = 12
      expect(january?.new).toBe(units(12));
      expect(january?.reactivation).toBe(0);
    }
  });
});
