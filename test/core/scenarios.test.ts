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

describe('early renewal with an add-on', () => {
  // C (30,000, due 2027-07-01) renews flat 273 days early on 2026-10-01 with 6,000 added,
  // co-termed for 12 months: 273 = 30 + 31 + 30 + 31 + 31 + 28 + 31 + 30 + 31 days.
  const early: ScenarioChoice = {
    account: 'C',
    renewalDate: day('2027-07-01'),
    outcome: 'flat',
    effective: day('2026-10-01'),
    addOn: units(6000),
  };
  const result = runScenario(book, DEFAULT_DEFINITIONS, asOf, { name: 'early', choices: [early] });
  const [current, next] = result.windows;

  test('pulls the expansion into this year', () => {
    const scenario = current?.company.scenario;
    // 65,000 + 6,000 from 2026-10-01 = 71,000; NRR 71,000 ÷ 65,000; GRR capped at 65,000 ÷ 65,000
    expect(scenario?.arr).toBe(units(71000));
    expect(scenario?.bridge.expansion).toBe(units(6000));
    expect(scenario?.nrr).toBeCloseTo(71000 / 65000, 12);
    expect(scenario?.grr).toBe(1);
    expect(current?.company.baseline.nrr).toBe(1);
  });

  test('leaves next year flat', () => {
    // FY2027 starts with C at 36,000 already: 71,000 ÷ 71,000, against 65,000 ÷ 65,000
    expect(next?.company.scenario.cohort.startArr).toBe(units(71000));
    expect(next?.company.scenario.nrr).toBe(1);
    expect(next?.company.scenario.bridge.expansion).toBe(0);
    expect(next?.company.baseline.cohort.startArr).toBe(units(65000));
  });

  test('explains the add-on and the pull', () => {
    expect(result.choices[0]).toMatchObject({
      addOn: units(6000),
      scenarioArr: units(36000),
      daysFromRenewalDate: -273,
      timing: 'early',
    });
    expect(result.explanation[1]).toBe(
      "C (Kai): 30000.00 USD up for renewal on 2027-07-01 renews flat at 30000.00 USD, with an add-on of 6000.00 USD co-termed with it: 30000.00 USD + 6000.00 USD = 36000.00 USD, from 2026-10-01 for 12 months. It starts 273 days early, so its change of +6000.00 USD arrives on 2026-10-01 instead of on the renewal date. That pulls 6000.00 USD of expansion into FY2026 out of FY2027, so FY2027 starts with it already in its cohort's starting ARR.",
    );
  });
});

describe('late by a number of days', () => {
  test('inside the grace window is no churn', () => {
    // A starts 30 days after 2026-01-01; the grace window reaches 2026-01-01 + 60 = 2026-03-02
    const late: ScenarioChoice = {
      account: 'A',
      renewalDate: day('2026-01-01'),
      outcome: 'flat',
      lateDays: 30,
    };
    const result = runScenario(book, DEFAULT_DEFINITIONS, asOf, { name: 'late', choices: [late] });
    const scenario = result.windows[0]?.company.scenario;
    expect(scenario?.bridge.churn).toBe(0);
    expect(scenario?.bridge.reactivation).toBe(0);
    expect(scenario?.arr).toBe(units(65000));
    expect(result.choices[0]).toMatchObject({
      effectiveDate: '2026-01-31',
      daysFromRenewalDate: 30,
      timing: 'late-in-grace',
    });
    expect(result.explanation[1]).toContain(
      'It starts 30 days late, inside the 60-day grace window (a start by 2026-03-02 counts as late, not lost), so there is no churn',
    );
  });

  test('past the grace window churns and reactivates', () => {
    // 90 days after 2026-01-01 is 2026-04-01, with a 7% uplift: 10,000 × 1.07 = 10,700
    const late: ScenarioChoice = {
      account: 'A',
      renewalDate: day('2026-01-01'),
      outcome: 'uplift',
      basisPoints: 700,
      lateDays: 90,
    };
    const result = runScenario(book, DEFAULT_DEFINITIONS, asOf, { name: 'late', choices: [late] });
    const scenario = result.windows[0]?.company.scenario;
    expect(scenario?.bridge.churn).toBe(units(10000));
    expect(scenario?.bridge.reactivation).toBe(units(10700));
    // NRR follows A back: (10,700 + 20,000 + 30,000 + 5,000) ÷ 65,000; GRR caps A at 10,000
    expect(scenario?.nrr).toBeCloseTo(65700 / 65000, 12);
    expect(scenario?.grr).toBe(1);
    expect(result.choices[0]?.timing).toBe('late-after-grace');
    expect(result.explanation[1]).toContain(
      'past the 60-day grace window (a start by 2026-03-02 would have counted as late), so the bridge shows churn of 10000.00 USD in the month of 2026-01-01 and then a reactivation of 10700.00 USD on 2026-04-01.',
    );
  });
});

describe('multi-year renewal with ramp steps', () => {
  // A renews flat for 36 months from 2026-01-01, then steps up 10% at month 12 and 1,500 at 24
  const ramp: ScenarioChoice = {
    account: 'A',
    renewalDate: day('2026-01-01'),
    outcome: 'flat',
    termMonths: 36,
    steps: [
      { month: 12, basisPoints: 1000 },
      { month: 24, amount: units(1500) },
    ],
  };
  const result = runScenario(book, DEFAULT_DEFINITIONS, asOf, { name: 'ramp', choices: [ramp] });
  const [current, next] = result.windows;

  test('the first year is flat', () => {
    expect(current?.company.scenario.arr).toBe(units(65000));
    expect(current?.company.scenario.nrr).toBe(1);
  });

  test('a step inside the window is expansion', () => {
    const scenario = next?.company.scenario;
    // 10,000 × 1.10 = 11,000 on 2027-01-01: 65,000 + 1,000 = 66,000; NRR 66,000 ÷ 65,000
    expect(scenario?.bridge.expansion).toBe(units(1000));
    expect(scenario?.arr).toBe(units(66000));
    expect(scenario?.nrr).toBeCloseTo(66000 / 65000, 12);
    // GRR caps A at its 10,000 on 2026-12-31
    expect(scenario?.grr).toBe(1);
  });

  test('explains each step', () => {
    // the step at month 24 starts on 2028-01-01, after the last window
    expect(result.choices[0]?.steps).toEqual([
      { month: 12, start: '2027-01-01', basisPoints: 1000, amount: null, arr: units(11000) },
      { month: 24, start: '2028-01-01', basisPoints: null, amount: units(1500), arr: units(12500) },
    ]);
    expect(result.explanation[1]).toContain(
      'It steps up at month 12 (2027-01-01, FY2027) 10000.00 × (1 + 10.00%) = 11000.00 USD, expansion of 1000.00 USD; at month 24 (2028-01-01, FY2028) 11000.00 + 1500.00 = 12500.00 USD, expansion of 1500.00 USD.',
    );
  });

  test('a percentage step applies to the add-on too', () => {
    // B renews 2026-04-01 with 2,000 added; at month 6 (2026-10-01) +5%: 22,000 × 1.05 = 23,100
    const choice: ScenarioChoice = {
      account: 'B',
      renewalDate: day('2026-04-01'),
      outcome: 'flat',
      addOn: units(2000),
      steps: [{ month: 6, basisPoints: 500 }],
    };
    const run = runScenario(book, DEFAULT_DEFINITIONS, asOf, { name: 'b', choices: [choice] });
    const scenario = run.windows[0]?.company.scenario;
    // 10,000 + 23,100 + 30,000 + 5,000 = 68,100; expansion 2,000 + 1,100 = 3,100
    expect(scenario?.arr).toBe(units(68100));
    expect(scenario?.bridge.expansion).toBe(units(3100));
  });
});

describe('renewal described by hand', () => {
  // N is not in the data: Northwind, Lee's, 8,000 a year due 2026-06-01. Its term starts on
  // the earlier of 2025-06-01 (12 months before) and 2025-01-01 (the start of FY2025).
  const described: ScenarioChoice = {
    account: 'N',
    renewalDate: day('2026-06-01'),
    outcome: 'churn',
    synthetic: { name: 'Northwind', csm: 'Lee', segment: 'SMB', region: 'EMEA', arr: units(8000) },
  };
  const result = runScenario(book, DEFAULT_DEFINITIONS, asOf, {
    name: 'described',
    choices: [described],
  });
  const [current, next] = result.windows;

  test('enters the baseline', () => {
    // cohort 65,000 + 8,000 = 73,000, all renewed flat
    expect(result.openRenewals).toBe(4);
    expect(current?.company.baseline.cohort.startArr).toBe(units(73000));
    expect(current?.company.baseline.nrr).toBe(1);
    expect(next?.company.baseline.cohort.startArr).toBe(units(73000));
  });

  test('its outcome alone moves the figures', () => {
    // NRR 65,000 ÷ 73,000; Lee's book (5,000 + 0) ÷ (5,000 + 8,000)
    expect(current?.company.scenario.nrr).toBeCloseTo(65000 / 73000, 12);
    expect(current?.company.scenario.bridge.churn).toBe(units(8000));
    const lee = current?.books.csm?.find((row) => row.key === 'Lee');
    expect(lee?.scenario.nrr).toBeCloseTo(5000 / 13000, 12);
    expect(lee?.baseline.nrr).toBe(1);
    expect(next?.company.scenario.cohort.startArr).toBe(units(65000));
  });

  test('is explained as described by hand', () => {
    expect(result.choices[0]?.synthetic).toEqual({
      name: 'Northwind',
      csm: 'Lee',
      segment: 'SMB',
      region: 'EMEA',
      arr: units(8000),
      from: '2025-01-01',
    });
    expect(result.explanation[0]).toContain('1 of them are described by hand');
    expect(result.explanation[1]).toBe(
      'N (Northwind; CSM Lee, SMB, EMEA) is not in the data. The baseline and the scenario both hold it at 8000.00 USD of ARR from 2025-01-01 to the day before 2026-06-01, so it is in the cohort of each window and both renew it. Only its outcome below differs.',
    );
    expect(result.explanation[2]).toContain(
      'N (Lee): 8000.00 USD up for renewal on 2026-06-01 is not renewed.',
    );
  });
});

describe('checks of the new choices', () => {
  const a = { account: 'A', renewalDate: day('2026-01-01') };
  const northwind = { name: 'Northwind', csm: 'Lee', segment: 'SMB', region: 'EMEA', arr: 800000 };
  test.each([
    [{ ...a, outcome: 'flat', lateDays: 10, effective: day('2026-01-11') }, 'not both'],
    [{ ...a, outcome: 'flat', lateDays: 0 }, 'lateDays must be a whole number of days from 1'],
    [{ ...a, outcome: 'churn', addOn: 100 }, 'takes no add-on'],
    [{ ...a, outcome: 'flat', addOn: -5 }, 'the add-on must be an amount above 0'],
    [{ ...a, outcome: 'flat', steps: [{ month: 12, basisPoints: 100 }] }, 'between 1 and 11'],
    [
      {
        ...a,
        outcome: 'flat',
        termMonths: 36,
        steps: [
          { month: 24, amount: 100 },
          { month: 12, amount: 100 },
        ],
      },
      'increasing months',
    ],
    [
      { ...a, outcome: 'flat', termMonths: 24, steps: [{ month: 12, basisPoints: 1, amount: 1 }] },
      'not both and not neither',
    ],
    [{ ...a, outcome: 'flat', synthetic: northwind }, 'account A is already in the data'],
    [
      { account: 'N', renewalDate: day('2025-12-01'), outcome: 'flat', synthetic: northwind },
      'must fall after the as-of date 2025-12-31',
    ],
    [
      {
        account: 'N',
        renewalDate: day('2026-03-01'),
        outcome: 'flat',
        synthetic: { ...northwind, csm: ' ' },
      },
      "needs its account's csm",
    ],
  ] as [ScenarioChoice, string][])('rejects %j', (choice, message) => {
    expect(() =>
      runScenario(book, DEFAULT_DEFINITIONS, asOf, { name: 'bad', choices: [choice] }),
    ).toThrow(message);
  });
});
