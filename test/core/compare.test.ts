/**
 * ARR growth against NRR per book: a hand-built year in which each account stands for one
 * explanation category, and the generated company's last full year reconciled with its bridge.
 */
import { describe, expect, test } from 'vitest';
import {
  buildComparison,
  DEFAULT_DEFINITIONS,
  fiscalYear,
  fiscalYearAnalysis,
  formatDay,
  parseDecimal,
  report,
} from '../../src/core/index.js';
import type { Assignment, Comparison, CompareRow, Dataset, FxRate } from '../../src/core/index.js';
import { generateCompany } from '../../src/generate/index.js';
import { dataset, day, line, MONTHLY, units } from './build.js';

const defaults = DEFAULT_DEFINITIONS;

function compare(data: Dataset, year: number, by: 'csm' | 'segment' | 'region' = 'csm') {
  const analysis = fiscalYearAnalysis(data, defaults, year);
  return buildComparison(analysis, data, year, by, day(`${year}-12-31`));
}

function row(comparison: Comparison, key: string): CompareRow {
  const found = comparison.rows.find((candidate) => candidate.key === key);
  if (found === undefined) throw new Error(`no row ${key}`);
  return found;
}

function owner(accountId: string, person: string, from: string, to: string | null = null) {
  const assignment: Assignment = {
    accountId,
    role: 'CSM',
    person,
    from: day(from),
    to: to === null ? null : day(to),
  };
  return assignment;
}

function planRate(rate: string, from: string, to: string | null): FxRate {
  return {
    currency: 'EUR',
    rate: parseDecimal(rate) ?? { coefficient: 0n, scale: 0 },
    from: day(from),
    to: to === null ? null : day(to),
    kind: 'plan',
  };
}

/**
 * FY2025, USD a year. Kai's book on 2024-12-31: A 10,000, B (EUR 10,000 at 1.10) 11,000,
 * C (a ramp at 5,000) and T 7,000, so 33,000. Lee's: U 3,000.
 */
const books = dataset(
  [
    line({ id: 'A', account: 'A', amount: '10000', start: '2023-01-01', last: null }),
    line({
      id: 'B',
      account: 'B',
      amount: '10000',
      currency: 'EUR',
      start: '2023-01-01',
      last: null,
    }),
    line({
      id: 'C1',
      account: 'C',
      amount: '5000',
      start: '2024-01-01',
      last: '2024-12-31',
      product: 'Platform',
      contract: 'C-RAMP',
    }),
    line({
      id: 'C2',
      account: 'C',
      amount: '8000',
      start: '2025-01-01',
      last: '2025-12-31',
      product: 'Platform',
      contract: 'C-RAMP',
    }),
    // N is a new logo of March 2025
    line({
      id: 'N',
      account: 'N',
      amount: '500',
      period: MONTHLY,
      start: '2025-03-01',
      last: null,
    }),
    // R left in 2023 and comes back in May 2025
    line({ id: 'R1', account: 'R', amount: '4000', start: '2023-01-01', last: '2023-06-30' }),
    line({ id: 'R2', account: 'R', amount: '5000', start: '2025-05-01', last: null }),
    // T moves from Kai to Lee on 2025-07-01 and grows to 9,000 on 2025-09-01
    line({ id: 'T1', account: 'T', amount: '7000', start: '2023-01-01', last: '2025-08-31' }),
    line({
      id: 'T2',
      account: 'T',
      amount: '9000',
      start: '2025-09-01',
      last: null,
      renews: 'T1',
    }),
    // U churns: its contract ends 2025-03-31 and is not renewed
    line({ id: 'U', account: 'U', amount: '3000', start: '2023-04-01', last: '2025-03-31' }),
  ],
  {
    assignments: [
      ...['A', 'B', 'C', 'N', 'R'].map((account) => owner(account, 'Kai', '2023-01-01')),
      owner('T', 'Kai', '2023-01-01', '2025-07-01'),
      owner('T', 'Lee', '2025-07-01'),
      owner('U', 'Lee', '2023-01-01'),
    ],
    fxRates: [
      planRate('1.05', '2023-01-01', '2024-01-01'),
      planRate('1.10', '2024-01-01', '2025-01-01'),
      planRate('1.20', '2025-01-01', null),
    ],
  },
);

describe('one year of two CSM books', () => {
  const comparison = compare(books, 2025);
  const kai = row(comparison, 'Kai');
  const lee = row(comparison, 'Lee');

  test('window is the fiscal year', () => {
    expect(comparison.window).toEqual({ start: '2024-12-31', end: '2025-12-31' });
  });

  test('ARR growth and NRR of each book', () => {
    // Kai ends with A 10,000 + B 12,000 + C 8,000 + N 6,000 + R 5,000 = 41,000
    expect(kai.startArr).toBe(units(33000));
    expect(kai.endArr).toBe(units(41000));
    // 41,000 ÷ 33,000 − 1
    expect(kai.arrGrowth).toBeCloseTo(8000 / 33000, 12);
    // cohort A, B, C, T on 2025-12-31: 10,000 + 12,000 + 8,000 + 9,000 = 39,000 ÷ 33,000
    expect(kai.cohort.endArr).toBe(units(39000));
    expect(kai.nrr).toBeCloseTo(39000 / 33000, 12);
    // no cohort account shrank: GRR 33,000 ÷ 33,000
    expect(kai.grr).toBe(1);
    // Lee goes from U 3,000 to T 9,000: growth 9,000 ÷ 3,000 − 1 = 200%, NRR 0 ÷ 3,000
    expect(lee.arrGrowth).toBe(2);
    expect(lee.nrr).toBe(0);
    expect(lee.logoRetention).toBe(0);
  });

  test('new logos and reactivations count in ARR growth only', () => {
    // N: 500 a month × 12; R: 5,000, back after 2023
    expect(kai.explanation.newLogos).toEqual({
      amount: units(6000),
      accounts: [{ account: 'N', amount: units(6000) }],
    });
    expect(kai.explanation.reactivations).toEqual({
      amount: units(5000),
      accounts: [{ account: 'R', amount: units(5000) }],
    });
  });

  test('transfers count in one measure each', () => {
    // T counts in Kai's NRR (cohort book) and in Lee's end ARR, at its 9,000 on 2025-12-31
    expect(kai.explanation.transfersOut).toEqual({
      amount: units(9000),
      accounts: [{ account: 'T', amount: units(9000) }],
    });
    expect(lee.explanation.transfersIn.amount).toBe(units(9000));
    // the book bridges move T's 7,000 at the change of owner, and credit Lee its +2,000
    expect(kai.bridge.transferOut).toBe(units(7000));
    expect(lee.bridge.transferIn).toBe(units(7000));
    expect(lee.bridge.expansion).toBe(units(2000));
  });

  test('difference items sum to the gap between the measures', () => {
    // Kai: net new 8,000 − (39,000 − 33,000) = 2,000 = 6,000 + 5,000 + 0 − 9,000
    expect(kai.explanation.difference).toBe(units(2000));
    expect(kai.netNewArr - (kai.cohort.endArr - kai.cohort.startArr)).toBe(units(2000));
    // Lee: net new 6,000 − (0 − 3,000) = 9,000 = transfers in
    expect(lee.explanation.difference).toBe(units(9000));
    expect(lee.netNewArr - (lee.cohort.endArr - lee.cohort.startArr)).toBe(units(9000));
  });

  test('FX and ramp steps move both measures', () => {
    // B: EUR 10,000 × (1.20 − 1.10) on the 2025 plan rate
    expect(kai.explanation.fx).toEqual({
      amount: units(1000),
      accounts: [{ account: 'B', amount: units(1000) }],
    });
    // C: 8,000 − 5,000 on 2025-01-01
    expect(kai.explanation.rampSteps).toEqual({
      amount: units(3000),
      accounts: [{ account: 'C', amount: units(3000) }],
    });
    expect(lee.explanation.fx.amount).toBe(0);
  });

  test('ranks change between the measures', () => {
    // ARR growth: Lee 200% before Kai 24.2%; NRR: Kai 118.2% before Lee 0%
    expect(lee.ranks.arrGrowth).toBe(1);
    expect(kai.ranks.arrGrowth).toBe(2);
    expect(kai.ranks.nrr).toBe(1);
    expect(lee.ranks.nrr).toBe(2);
    // net new: Kai 8,000 before Lee 6,000
    expect(kai.ranks.netNewArr).toBe(1);
  });

  test('books sum to the company', () => {
    const company = comparison.company;
    // start 33,000 + 3,000; end 41,000 + 9,000
    expect(company.startArr).toBe(units(36000));
    expect(company.endArr).toBe(units(50000));
    // company difference = new logos 6,000 + reactivations 5,000, no transfers
    expect(company.explanation.difference).toBe(units(11000));
    for (const check of comparison.reconciliation.columns) {
      expect(check.books, check.column).toBe(check.company);
    }
    expect(comparison.reconciliation.transfers).toEqual({ in: units(7000), out: units(7000) });
  });
});

describe('ranks with ties', () => {
  test('equal NRR shares a rank', () => {
    const data = dataset(
      ['P', 'Q', 'S'].map((account, index) =>
        line({
          id: account,
          account,
          amount: String(1000 * (index + 1)),
          start: '2024-01-01',
          last: null,
        }),
      ),
      {
        assignments: [owner('P', 'Pat', '2024-01-01'), owner('Q', 'Quinn', '2024-01-01')],
      },
    );
    const comparison = compare(data, 2025);
    // every book keeps its ARR: NRR 100% for both CSMs, ranked 1 and 1
    expect(row(comparison, 'Pat').ranks.nrr).toBe(1);
    expect(row(comparison, 'Quinn').ranks.nrr).toBe(1);
    // S has no owner: listed, not ranked
    expect(row(comparison, '(unassigned)').ranks.nrr).toBeNull();
  });
});

describe('fiscal years', () => {
  test('named by the calendar year they end in', () => {
    const { first, last } = fiscalYear(2025, 4);
    expect([formatDay(first), formatDay(last)]).toEqual(['2024-04-01', '2025-03-31']);
  });
});

describe('generated company, 2025', () => {
  // The generator's data ends on 2026-01-01, so 2025 is its last full year.
  const company = generateCompany({ seed: 7, accounts: 1500 });
  const expected = report(company, defaults, day('2025-12-31'));

  test.each(['csm', 'segment', 'region'] as const)('%s books reconcile with the bridge', (by) => {
    const comparison = compare(company, 2025, by);
    const sum = (read: (book: CompareRow) => number): number =>
      comparison.rows.reduce((total, book) => total + read(book), 0);
    // Σ over books of each bridge column = the company bridge of the same window
    for (const column of [
      'start',
      'new',
      'expansion',
      'reactivation',
      'contraction',
      'churn',
      'end',
    ] as const) {
      expect(
        sum((book) => book.bridge[column]),
        column,
      ).toBe(expected.bridge[column]);
    }
    // net new ARR: end − start, for the company and summed over books
    expect(sum((book) => book.netNewArr)).toBe(expected.bridge.end - expected.bridge.start);
    // transfers between books cancel: Σ in = Σ out
    expect(sum((book) => book.bridge.transferIn)).toBe(sum((book) => book.bridge.transferOut));
    expect(sum((book) => book.explanation.transfersIn.amount)).toBe(
      sum((book) => book.explanation.transfersOut.amount),
    );
    // cohort sums = the company cohort of the standard report
    expect(sum((book) => book.cohort.startArr)).toBe(expected.cohort.startArr);
    expect(sum((book) => book.cohort.endArr)).toBe(expected.cohort.endArr);
    expect(comparison.company.nrr).toBe(expected.nrr);
  });

  test('each book explains its difference', () => {
    const comparison = compare(company, 2025, 'csm');
    for (const book of [...comparison.rows, comparison.company]) {
      const { explanation } = book;
      // net new − (cohort end − cohort start) = new logos + reactivations + in − out
      expect(
        explanation.newLogos.amount +
          explanation.reactivations.amount +
          explanation.transfersIn.amount -
          explanation.transfersOut.amount,
        book.key,
      ).toBe(book.netNewArr - (book.cohort.endArr - book.cohort.startArr));
      // each item's accounts add up to it
      for (const item of [explanation.newLogos, explanation.fx, explanation.rampSteps]) {
        expect(item.accounts.reduce((total, entry) => total + entry.amount, 0)).toBe(item.amount);
      }
    }
    // the company's own difference has no transfers: new logos + reactivations
    const { explanation } = comparison.company;
    expect(explanation.difference).toBe(
      explanation.newLogos.amount + explanation.reactivations.amount,
    );
  });
});
