/**
 * Books narrowed by other dimensions, the accounts behind a book's figures, and acquisition
 * cohorts: hand-built cases with their arithmetic, and sums checked against the plain reports on
 * the generated company.
 */
import { describe, expect, test } from 'vitest';
import { analyse, buildReport, dayFromCivil, DEFAULT_DEFINITIONS } from '../../src/core/index.js';
import { bookAccounts, filteredBooks, filteredGroupReports } from '../../src/core/books.js';
import { acquisitionCohorts, cohortAccounts } from '../../src/core/cohorts.js';
import { generateCompany } from '../../src/generate/index.js';
import { dataset, day, line, units } from './build.js';

/**
 * Kim holds A and B. A (Growth) has 12,000 a year and adds 3,000 a year from 2025-06-01. B has
 * 6,000 a year and moves from Nurture to Growth on 2025-07-01.
 */
const kim = dataset(
  [
    line({ id: 'A-1', account: 'A', amount: '12000', start: '2024-01-01', last: null }),
    line({ id: 'A-2', account: 'A', amount: '3000', start: '2025-06-01', last: null }),
    line({ id: 'B-1', account: 'B', amount: '6000', start: '2024-01-01', last: null }),
  ],
  {
    accounts: [
      { id: 'A', name: 'Alder Ltd' },
      { id: 'B', name: 'Beech plc' },
    ],
    assignments: [
      { accountId: 'A', role: 'CSM', person: 'Kim', from: day('2024-01-01'), to: null },
      { accountId: 'B', role: 'CSM', person: 'Kim', from: day('2024-01-01'), to: null },
    ],
    segments: [
      { accountId: 'A', segment: 'Growth', region: 'EMEA', from: day('2024-01-01'), to: null },
      {
        accountId: 'B',
        segment: 'Nurture',
        region: 'EMEA',
        from: day('2024-01-01'),
        to: day('2025-07-01'),
      },
      { accountId: 'B', segment: 'Growth', region: 'EMEA', from: day('2025-07-01'), to: null },
    ],
  },
);

describe('filtered books', () => {
  const analysis = analyse(kim, DEFAULT_DEFINITIONS, dayFromCivil(2025, 12, 31));

  test("a CSM's Growth book gains the account that moved into Growth as a transfer", () => {
    const [growth] = filteredGroupReports(
      analysis,
      filteredBooks(analysis, kim, 'csm', { segment: 'Growth' }),
    );
    expect(growth?.key).toBe('Kim');
    // Start: A only (B was in Nurture on 2024-12-31) = 12,000.
    // 12,000 + expansion 3,000 + transfer in 6,000 (B) = end 21,000.
    expect(growth?.bridge).toMatchObject({
      start: units(12_000),
      expansion: units(3_000),
      transferIn: units(6_000),
      transferOut: 0,
      end: units(21_000),
    });
    // The cohort is read on the window's first day: A alone, 15,000 ÷ 12,000 = 125%.
    expect(growth?.cohort).toMatchObject({ startArr: units(12_000), endArr: units(15_000) });
    expect(growth?.nrr).toBe(1.25);
  });

  test("a CSM's Nurture book keeps the cohort of the window's first day", () => {
    const [nurture] = filteredGroupReports(
      analysis,
      filteredBooks(analysis, kim, 'csm', { segment: 'Nurture' }),
    );
    // 6,000 − transfer out 6,000 = end 0; B stays in the Nurture cohort: 6,000 ÷ 6,000 = 100%.
    expect(nurture?.bridge).toMatchObject({
      start: units(6_000),
      transferOut: units(6_000),
      end: 0,
    });
    expect(nurture?.nrr).toBe(1);
  });

  test('a filter in the grouping dimension is refused', () => {
    expect(() => filteredBooks(analysis, kim, 'segment', { segment: 'Growth' })).toThrow(
      /cannot narrow books that are grouped by segment/,
    );
  });

  test('the accounts behind a filtered book add up to its figures', () => {
    const books = filteredBooks(analysis, kim, 'csm', { segment: 'Growth' });
    const book = { groups: books.groups, code: books.codes.get('Kim') as number };
    // Active on the as-of date in Kim's Growth book: A 15,000 + B 6,000 = 21,000, the book's end.
    const active = bookAccounts(analysis, kim, 'active', book);
    expect(active.accounts.map((account) => account.account)).toEqual(['A', 'B']);
    expect(active.arrAtEnd).toBe(units(21_000));
    expect(active.accounts[0]?.name).toBe('Alder Ltd');
    // The cohort on 2024-12-31 is A alone: start 12,000, end 15,000, capped min(12,000, 15,000).
    const cohort = bookAccounts(analysis, kim, 'cohort', book);
    expect(cohort).toMatchObject({
      count: 1,
      arrAtStart: units(12_000),
      arrAtEnd: units(15_000),
      capped: units(12_000),
      retained: 1,
    });
    expect(cohort.accounts[0]?.books).toMatchObject({ csm: 'Kim', segment: 'Growth' });
  });
});

describe('filtered books on the generated company', () => {
  const company = generateCompany({ accounts: 600, seed: 11 });
  const analysis = analyse(company, DEFAULT_DEFINITIONS, dayFromCivil(2025, 12, 31));
  const plain = buildReport(analysis, company, 'csm').groups ?? [];
  const segments = (buildReport(analysis, company, 'segment').groups ?? []).map(
    (group) => group.key,
  );

  test("each CSM's books over all segments add up to the CSM's book", () => {
    const sums = new Map<string, number[]>();
    for (const segment of segments) {
      const rows = filteredGroupReports(
        analysis,
        filteredBooks(analysis, company, 'csm', { segment }),
      );
      for (const row of rows) {
        const values = [
          row.cohort.startArr,
          row.cohort.endArr,
          row.cohort.cappedArr,
          row.cohort.cohortAccounts,
          row.bridge.start,
          row.bridge.new,
          row.bridge.expansion,
          row.bridge.contraction,
          row.bridge.churn,
          row.bridge.reactivation,
          row.bridge.end,
        ];
        const sum = sums.get(row.key) ?? values.map(() => 0);
        sums.set(
          row.key,
          sum.map((value, index) => value + (values[index] as number)),
        );
      }
    }
    expect(plain.length).toBeGreaterThan(3);
    for (const row of plain) {
      expect(sums.get(row.key), row.key).toEqual([
        row.cohort.startArr,
        row.cohort.endArr,
        row.cohort.cappedArr,
        row.cohort.cohortAccounts,
        row.bridge.start,
        row.bridge.new,
        row.bridge.expansion,
        row.bridge.contraction,
        row.bridge.churn,
        row.bridge.reactivation,
        row.bridge.end,
      ]);
    }
  });

  test("the accounts behind each CSM's figures add up to them", () => {
    for (const row of plain) {
      const books = filteredBooks(analysis, company, 'csm');
      const book = { groups: books.groups, code: books.codes.get(row.key) as number };
      const cohort = bookAccounts(analysis, company, 'cohort', book);
      expect(cohort.arrAtStart, row.key).toBe(row.cohort.startArr);
      expect(cohort.arrAtEnd, row.key).toBe(row.cohort.endArr);
      expect(cohort.capped, row.key).toBe(row.cohort.cappedArr);
      expect(cohort.retained, row.key).toBe(row.cohort.retainedAccounts);
      expect(bookAccounts(analysis, company, 'active', book).arrAtEnd, row.key).toBe(
        row.bridge.end,
      );
    }
  });

  test("the cohorts' ARR on the as-of date adds up to the company's ARR", () => {
    const rows = acquisitionCohorts(analysis);
    const total = rows.reduce((sum, row) => sum + (row.arr[row.arr.length - 1] as number), 0);
    expect(total).toBe(buildReport(analysis, company).arr);
    for (const row of rows.slice(0, 5)) {
      const accounts = cohortAccounts(analysis, company, row.month) ?? [];
      expect(accounts.length).toBe(row.accounts);
      expect(accounts.reduce((sum, account) => sum + account.arrFirstMonth, 0)).toBe(row.arr[0]);
    }
  });
});

describe('acquisition cohorts', () => {
  // A and B start in January 2024, C in March. A adds 3,000 from June; B's last day is 2024-09-30.
  const lines = dataset([
    line({ id: 'A-1', account: 'A', amount: '12000', start: '2024-01-15', last: null }),
    line({ id: 'A-2', account: 'A', amount: '3000', start: '2024-06-01', last: null }),
    line({ id: 'B-1', account: 'B', amount: '6000', start: '2024-01-20', last: '2024-09-30' }),
    line({ id: 'C-1', account: 'C', amount: '2400', start: '2024-03-01', last: null }),
  ]);
  const analysis = analyse(lines, DEFAULT_DEFINITIONS, dayFromCivil(2025, 6, 30));
  const rows = acquisitionCohorts(analysis);

  test('group accounts by their first month with ARR and follow them', () => {
    expect(rows.map((row) => [row.month, row.accounts])).toEqual([
      ['2024-01', 2],
      ['2024-03', 1],
    ]);
    const january = rows[0];
    // Month 0 (2024-01-31): A 12,000 + B 6,000 = 18,000.
    expect(january?.arr[0]).toBe(units(18_000));
    // Month 5 (2024-06-30): 12,000 + 3,000 + 6,000 = 21,000; 21,000 ÷ 18,000 = 116.7%.
    expect(january?.arr[5]).toBe(units(21_000));
    expect(january?.nrr[5]).toBeCloseTo(21_000 / 18_000, 12);
    // Month 9 (2024-10-31): B has left; A's 15,000 ÷ 18,000 = 83.3%, one account of two active.
    expect(january?.arr[9]).toBe(units(15_000));
    expect(january?.active[9]).toBe(1);
    expect(january?.nrr[9]).toBeCloseTo(15_000 / 18_000, 12);
    // March's cohort is C alone: 2,400 throughout, so 100% in every month to 2025-06 (16 months).
    expect(rows[1]?.arr).toEqual(new Array(16).fill(units(2_400)));
  });

  test("list a cohort's accounts, and nothing for a month outside the data", () => {
    expect(cohortAccounts(analysis, lines, '2024-01')).toEqual([
      { account: 'A', name: null, arrFirstMonth: units(12_000), arrNow: units(15_000) },
      { account: 'B', name: null, arrFirstMonth: units(6_000), arrNow: 0 },
    ]);
    expect(cohortAccounts(analysis, lines, '2019-01')).toBeUndefined();
  });
});
