/**
 * The monthly check on the hand-built book as of 2025-06-30, with two accounts (H and I) that
 * contract in June: the books' figures against their targets, and the alerts raised.
 */
import { describe, expect, test } from 'vitest';
import { analyse, DEFAULT_DEFINITIONS, parseDecimal } from '../../src/core/index.js';
import type { Decimal, Target } from '../../src/core/index.js';
import { runCheck, type AccountEvent } from '../../src/core/checks.js';
import { readEventsText } from '../../src/ingest/events.js';
import { ImportError } from '../../src/ingest/index.js';
import { dataset, day, line, units } from '../core/build.js';
import { book } from './book.js';

function percent(text: string): Decimal {
  const value = parseDecimal(text);
  if (value === undefined) throw new Error(`bad percentage ${text}`);
  return value;
}

const data = dataset(
  [
    ...book.lines,
    // H: 100,000 renewed at 70,000 from June, a 30% contraction.
    line({ id: 'H1', account: 'H', amount: '100000', start: '2024-06-01', last: '2025-05-31' }),
    line({
      id: 'H2',
      account: 'H',
      amount: '70000',
      start: '2025-06-01',
      last: '2026-05-31',
      renews: 'H1',
    }),
    // I: 100,000 renewed at 90,000 from June, a 10% contraction.
    line({ id: 'I1', account: 'I', amount: '100000', start: '2024-06-01', last: '2025-05-31' }),
    line({
      id: 'I2',
      account: 'I',
      amount: '90000',
      start: '2025-06-01',
      last: '2026-05-31',
      renews: 'I1',
    }),
  ],
  {
    assignments: [
      ...book.assignments,
      { accountId: 'D', role: 'CSM', person: 'Ben', from: day('2024-01-01'), to: null },
      { accountId: 'E', role: 'CSM', person: 'Ben', from: day('2024-01-01'), to: null },
      { accountId: 'G', role: 'CSM', person: 'Ana', from: day('2024-01-01'), to: null },
    ],
  },
);

const targets: Target[] = [
  { scope: 'company', book: '', fiscalYear: 2025, nrr: percent('105'), grr: percent('90') },
  { scope: 'csm', book: 'Ana', fiscalYear: 2025, nrr: percent('100'), grr: null },
  { scope: 'csm', book: 'Ben', fiscalYear: 2025, nrr: percent('95'), grr: null },
  // Another year's target is ignored.
  { scope: 'csm', book: 'Ana', fiscalYear: 2026, nrr: percent('200'), grr: null },
];

const events: AccountEvent[] = [
  { account: 'D', kind: 'plan', date: day('2025-06-15'), note: 'sponsor call booked' },
  { account: 'C', kind: 'notice', date: day('2025-06-20'), note: 'budget cut' },
  { account: 'X', kind: 'plan', date: day('2025-06-01'), note: '' },
];

const analysis = analyse(data, DEFAULT_DEFINITIONS, day('2025-06-30'));
const threshold = { contractionThreshold: percent('20') };
const result = runCheck(analysis, data, targets, events, threshold);

function bookOf(scope: string, key: string) {
  const found = result.books.find((entry) => entry.scope === scope && entry.book === key);
  if (found === undefined) throw new Error(`no book ${scope} ${key}`);
  return found;
}

describe('monthly check of books', () => {
  test('books with targets are checked', () => {
    expect(result.fiscalYear).toBe(2025);
    // Ben and Ana have targets, so every CSM book with a cohort is listed, (unassigned) too.
    expect(result.books.map((entry) => `${entry.scope} ${entry.book}`)).toEqual([
      'company ',
      'csm (unassigned)',
      'csm Ana',
      'csm Ben',
    ]);
  });

  test('Ben is behind his glide path', () => {
    const ben = bookOf('csm', 'Ben');
    // Cohort C 200,000 + D 40,000 + E 60,000 = 300,000; at June C 200,000 + D 40,000 = 240,000
    expect(ben.fiscalYearToDate.startArr).toBe(units(300000));
    expect(ben.fiscalYearToDate.endArr).toBe(units(240000));
    // 240,000 ÷ 300,000 = 0.8
    expect(ben.fiscalYearToDate.nrr).toBe(0.8);
    // Path: 300,000 + (285,000 − 300,000) × 60,000 due by June ÷ 300,000 due in the year = 297,000
    expect(ben.plan.nrr?.expectedNow).toBe(units(297000));
    expect(ben.behind).toBe(true);
    // Needed: 95% × 300,000 − contracted C 150,000 = 135,000
    expect(ben.plan.nrr?.needed).toBe(units(135000));
    expect(ben.nrrTarget).toBe('95');
  });

  test('Ana is on course', () => {
    const ana = bookOf('csm', 'Ana');
    // Target 100%: the path stays at A 100,000 + B 50,000 + G 20,000 = 170,000
    expect(ana.plan.nrr?.expectedNow).toBe(units(170000));
    // A 110,000 + B 50,000 + G 20,000 = 180,000 ≥ 170,000
    expect(ana.fiscalYearToDate.endArr).toBe(units(180000));
    expect(ana.behind).toBe(false);
    // Trailing: cohort on 2024-06-30 is A 100,000 + G 20,000 = 120,000; now 110,000 + 20,000
    expect(ana.trailing.startArr).toBe(units(120000));
    expect(ana.trailing.endArr).toBe(units(130000));
  });

  test('books without a target are never behind', () => {
    expect(bookOf('csm', '(unassigned)').behind).toBe(false);
    expect(bookOf('csm', '(unassigned)').nrrTarget).toBeNull();
  });

  test('company behind on NRR and GRR', () => {
    const company = bookOf('company', '');
    // Cohort: 470,000 of the hand-built book + H 100,000 + I 100,000 = 670,000
    expect(company.fiscalYearToDate.startArr).toBe(units(670000));
    expect(company.plan.nrr?.behind).toBe(true);
    expect(company.plan.grr?.behind).toBe(true);
  });
});

describe('monthly check alerts', () => {
  test('one alert per subject', () => {
    expect(result.alerts.map((alert) => alert.key)).toEqual([
      'behind-target|2025-06|company|',
      'behind-target|2025-06|csm|Ben',
      'renewal-90-days|B|2025-06-30',
      'notice-received|C|2025-06-20',
      'renewal-lapsed|G|2025-05-31',
      // H: (100,000 − 70,000) × 100 = 3,000,000 ≥ 20 × 100,000; I: 1,000,000 < 2,000,000
      'large-contraction|H|2025-06',
    ]);
  });

  test('alerts name the CSM book', () => {
    const lapsed = result.alerts.find((alert) => alert.kind === 'renewal-lapsed');
    expect(lapsed?.scope).toBe('csm');
    expect(lapsed?.book).toBe('Ana');
    expect(lapsed?.account).toBe('G');
    expect(lapsed?.message).toBe(
      'Account G has not renewed: service ended on 2025-05-31 and 20000.00 USD ARR is lapsed inside the 60-day grace window.',
    );
  });

  test('behind alert lists ranked actions', () => {
    const ben = result.alerts.find((alert) => alert.key === 'behind-target|2025-06|csm|Ben');
    expect(ben?.message).toBe(
      "CSM Ben is behind target at 2025-06-30: NRR cohort ARR 240000.00 USD is below the glide path's 297000.00 USD to 95%; 135000.00 USD more contracted ARR is needed by 2025-12-31.",
    );
    const actions = ben?.details['actions'] as { account: string; arr: number }[];
    // C's signed downgrade 50,000 is not a renewal to save; D's 40,000 is.
    expect(actions.map((item) => [item.account, item.arr])).toEqual([
      ['D', units(40000)],
      ['C', units(50000)],
    ]);
  });

  test('threshold equal to the drop alerts', () => {
    // I: (100,000 − 90,000) × 100 = 1,000,000 ≥ 10 × 100,000
    const lower = runCheck(analysis, data, targets, events, {
      contractionThreshold: percent('10'),
    });
    const keys = lower.alerts.map((alert) => alert.key);
    expect(keys).toContain('large-contraction|I|2025-06');
    expect(keys).toContain('large-contraction|H|2025-06');
  });

  test('renewal without a plan alerts', () => {
    // Without D's plan, D's 40,000 due on 2025-11-30 (153 days ahead) needs one.
    const unplanned = runCheck(analysis, data, targets, [], threshold);
    const alert = unplanned.alerts.find((item) => item.account === 'D');
    expect(alert?.key).toBe('renewal-180-days|D|2025-11-30');
    expect(alert?.details['days']).toBe(153);
  });

  test('unknown event accounts are listed', () => {
    expect(result.unknownEventAccounts).toEqual(['X']);
  });

  test('unknown target books are listed', () => {
    const misspelt = runCheck(
      analysis,
      data,
      [...targets, { scope: 'csm', book: 'Bem', fiscalYear: 2025, nrr: percent('95'), grr: null }],
      events,
      threshold,
    );
    expect(misspelt.unknownTargetBooks).toEqual(['csm Bem']);
    expect(result.unknownTargetBooks).toEqual([]);
  });

  test('same month gives the same keys', () => {
    const again = runCheck(analysis, data, targets, events, threshold);
    expect(again.alerts.map((alert) => alert.key)).toEqual(result.alerts.map((alert) => alert.key));
  });
});

describe('events file', () => {
  test('reads plans and notices', () => {
    const read = readEventsText(
      'account_id,kind,date,note\nA,plan,2025-06-01,QBR booked\nB,Notice,2025-06-02,\n',
      'events.csv',
    );
    expect(read).toEqual([
      { account: 'A', kind: 'plan', date: day('2025-06-01'), note: 'QBR booked' },
      { account: 'B', kind: 'notice', date: day('2025-06-02'), note: '' },
    ]);
  });

  test('names each bad cell', () => {
    let problems: string[] = [];
    try {
      readEventsText(
        [
          'account_id,kind,date,note',
          ',plan,2025-06-01,',
          'A,call,2025-06-01,',
          'A,plan,2025-13-01,',
          'A,plan,2025-06-01,first',
          'A,plan,2025-06-01,again',
          `A,notice,2025-06-01,${'x'.repeat(2001)}`,
        ].join('\n'),
        'events.csv',
      );
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      problems = error.problems.map((p) => `row ${p.row} ${p.column}: ${p.message}`);
    }
    expect(problems).toEqual([
      'row 2 account_id: value is missing; give the account id the event is about',
      'row 3 kind: is not an event kind; use plan (a renewal plan is recorded) or notice (a notice of termination was received)',
      'row 4 date: is not a valid date; use YYYY-MM-DD',
      'row 6 : repeats the plan of account "A" on the same date as row 5; keep one row',
      'row 7 note: is longer than 2000 characters; shorten it or link to the document',
    ]);
  });
});
