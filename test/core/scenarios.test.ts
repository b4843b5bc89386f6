/**
 * The scenario lab on a hand-built book as of 2025-12-31, amounts in USD a year. Kai owns
 * A (10,000, due 2026-01-01), B (20,000, due 2026-04-01) and C (30,000 for three years, due
 * 2027-07-01); Lee owns D (5,000 a year, open-ended).
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_DEFINITIONS, runScenario } from '../../src/core/index.js';
import type { Assignment, ScenarioChoice } from '../../src/core/index.js';
import { dataset, day, line, units } from './build.js';

const owner = (accountId: string, person: string): Assignment => ({
  accountId,
  role: 'CSM',
  person,
  from: day('2024-01-01'),
  to: null,
});

const book = dataset(
  [
    line({ id: 'A1', account: 'A', amount: '10000', start: '2025-01-01', last: '2025-12-31' }),
    line({ id: 'B1', account: 'B', amount: '20000', start: '2025-04-01', last: '2026-03-31' }),
    line({
      id: 'C1',
      account: 'C',
      amount: '30000',
      start: '2024-07-01',
      last: '2027-06-30',
    }),
    line({ id: 'D1', account: 'D', amount: '5000', start: '2024-01-01', last: null }),
  ],
  { assignments: [owner('A', 'Kai'), owner('B', 'Kai'), owner('C', 'Kai'), owner('D', 'Lee')] },
);

const asOf = day('2025-12-31');

const choices: ScenarioChoice[] = [
  { account: 'A', renewalDate: day('2026-01-01'), outcome: 'uplift', basisPoints: 700 },
  { account: 'B', renewalDate: day('2026-04-01'), outcome: 'churn' },
];

describe('scenario on two open renewals', () => {
  const result = runScenario(book, DEFAULT_DEFINITIONS, asOf, {
    name: 'uplift A, lose B',
    choices,
  });
  const [current, next] = result.windows;

  test('windows are this and next fiscal year', () => {
    // the day after 2025-12-31 is in FY2026
    expect(result.windows.map((window) => window.year)).toEqual([2026, 2027]);
    expect(current?.window).toEqual({ start: '2025-12-31', end: '2026-12-31' });
  });

  test('baseline renews every open renewal flat', () => {
    // A, B and C are open; D has no end. Cohort 10,000 + 20,000 + 30,000 + 5,000 = 65,000
    expect(result.openRenewals).toBe(3);
    expect(current?.company.baseline.cohort.startArr).toBe(units(65000));
    expect(current?.company.baseline.nrr).toBe(1);
    // C's renewal on 2027-07-01 is flat too, so FY2027 keeps 65,000
    expect(next?.company.baseline.arr).toBe(units(65000));
  });

  test('choices change the current year', () => {
    const scenario = current?.company.scenario;
    // A 10,000 × 1.07 = 10,700; B churns; C 30,000; D 5,000: 45,700
    expect(scenario?.arr).toBe(units(45700));
    // NRR 45,700 ÷ 65,000; GRR (10,000 + 0 + 30,000 + 5,000) ÷ 65,000; 3 of 4 logos
    expect(scenario?.nrr).toBeCloseTo(45700 / 65000, 12);
    expect(scenario?.grr).toBeCloseTo(45000 / 65000, 12);
    expect(scenario?.logoRetention).toBe(0.75);
    expect(scenario?.bridge.expansion).toBe(units(700));
    expect(scenario?.bridge.churn).toBe(units(20000));
  });

  test('choices carry into the next year', () => {
    const scenario = next?.company.scenario;
    // B is gone before FY2027, so its cohort is A 10,700 + C 30,000 + D 5,000 = 45,700, kept flat
    expect(scenario?.cohort.startArr).toBe(units(45700));
    expect(scenario?.nrr).toBe(1);
    expect(scenario?.arr).toBe(units(45700));
  });

  test('books move only where the choices are', () => {
    const csm = current?.books.csm ?? [];
    const kai = csm.find((row) => row.key === 'Kai');
    const lee = csm.find((row) => row.key === 'Lee');
    // Kai: 10,700 + 30,000 against 10,000 + 20,000 + 30,000
    expect(kai?.scenario.nrr).toBeCloseTo(40700 / 60000, 12);
    expect(kai?.baseline.nrr).toBe(1);
    expect(lee?.scenario).toEqual(lee?.baseline);
  });

  test('explanation shows the arithmetic', () => {
    expect(result.explanation[0]).toContain('the 3 renewals open on 2025-12-31');
    expect(result.explanation[0]).toContain('12 months at a time, through FY2027');
    expect(result.explanation).toContain(
      'A (Kai): 10000.00 USD up for renewal on 2026-01-01 renews with a 7.00% uplift: 10000.00 USD × (1 + 7.00%) = 10700.00 USD, each line rounded to the minor unit, from 2026-01-01 for 12 months.',
    );
    expect(result.explanation.some((step) => step.startsWith('B (Kai): 20000.00 USD'))).toBe(true);
    // B churned before FY2027, so that year's cohort starts 20,000 lower and ends 20,000 lower:
    // 10,700 − 10,000 − 20,000 = −19,300 at both ends
    expect(result.explanation).toContain(
      'FY2027 (2026-12-31 to 2027-12-31): cohort NRR goes from 65000.00 ÷ 65000.00 = 100.0% to 45700.00 ÷ 45700.00 = 100.0%. The starting ARR changes by -19300.00 USD, because the choices act before the window, and the ending ARR changes by -19300.00 USD.',
    );
    expect(result.explanation).toContain(
      'FY2026 (2025-12-31 to 2026-12-31): cohort NRR goes from 65000.00 ÷ 65000.00 = 100.0% to 45700.00 ÷ 65000.00 = 70.3%. The starting ARR is the same, and the ending ARR changes by -19300.00 USD.',
    );
  });
});

describe('scenario timing', () => {
  test('a late start past the grace window churns and returns', () => {
    const late: ScenarioChoice = {
      account: 'A',
      renewalDate: day('2026-01-01'),
      outcome: 'flat',
      effective: day('2026-04-01'),
    };
    const result = runScenario(book, DEFAULT_DEFINITIONS, asOf, { name: 'late', choices: [late] });
    const scenario = result.windows[0]?.company.scenario;
    // 31 + 28 + 31 = 90 days after 2026-01-01: churn 10,000 in January, reactivation in April
    expect(scenario?.bridge.churn).toBe(units(10000));
    expect(scenario?.bridge.reactivation).toBe(units(10000));
    expect(scenario?.nrr).toBe(1);
    expect(result.explanation[1]).toContain('90 days late, past the 60-day grace window');
  });
});

describe('scenario checks', () => {
  test.each([
    [{ account: 'A', renewalDate: day('2026-02-01'), outcome: 'flat' }, 'is not in the data'],
    [{ account: 'D', renewalDate: day('2026-01-01'), outcome: 'flat' }, 'is not in the data'],
    [{ account: 'A', renewalDate: day('2026-01-01'), outcome: 'uplift' }, 'needs a whole number'],
    [
      { account: 'A', renewalDate: day('2026-01-01'), outcome: 'churn', basisPoints: 5 },
      'takes no basis points',
    ],
    [
      { account: 'A', renewalDate: day('2026-01-01'), outcome: 'downgrade', basisPoints: 12_000 },
      'more than 100%',
    ],
  ] as [ScenarioChoice, string][])('rejects %j', (choice, message) => {
    expect(() =>
      runScenario(book, DEFAULT_DEFINITIONS, asOf, { name: 'bad', choices: [choice] }),
    ).toThrow(message);
  });

  test('a decided renewal cannot change', () => {
    const renewed = dataset([
      ...book.lines,
      line({
        id: 'A2',
        account: 'A',
        amount: '10000',
        start: '2026-01-01',
        last: '2026-12-31',
        renews: 'A1',
      }),
    ]);
    const choice: ScenarioChoice = {
      account: 'A',
      renewalDate: day('2026-01-01'),
      outcome: 'churn',
    };
    expect(() =>
      runScenario(renewed, DEFAULT_DEFINITIONS, asOf, { name: 'bad', choices: [choice] }),
    ).toThrow('is already renewed');
  });
});
