import { describe, expect, test } from 'vitest';

import { readText, type ReadOptions } from '../../src/ingest/index.js';
import { csvText, day, problemsOf, singleProblem } from './support.js';

const STRIPE: ReadOptions = { preset: 'stripe-subscriptions' };

const DASHBOARD_HEADER = [
  'id',
  'Customer ID',
  'Customer Email',
  'Plan',
  'Quantity',
  'Currency',
  'Interval',
  'Amount',
  'Status',
  'Created (UTC)',
  'Start Date (UTC)',
  'Current Period Start (UTC)',
  'Current Period End (UTC)',
  'Canceled At (UTC)',
  'Ended At (UTC)',
  'seats (metadata)',
];

function dashboard(rows: readonly (readonly string[])[]): string {
  return '\uFEFF' + csvText([DASHBOARD_HEADER, ...rows]);
}

describe('stripe dashboard export', () => {
  const text = dashboard([
    // 149.00 DKK × 3 = 447.00 DKK a month, open-ended
    [
      'sub_1',
      'cus_1',
      'a@x.test',
      'pro',
      '3',
      'dkk',
      'month',
      '149.00',
      'active',
      '2024-01-05 10:00',
      '2024-01-05 10:00',
      '2024-03-05 10:00',
      '2024-04-05 10:00',
      '',
      '',
      '3',
    ],
    // 720 × 1 a year; the Excel re-save writes M/D/YY H:MM
    [
      'sub_2',
      'cus_2',
      '',
      'team',
      '1',
      'dkk',
      'year',
      '720',
      'past_due',
      '12/25/23 20:18',
      '12/25/23 20:18',
      '12/25/23 20:18',
      '12/25/24 20:18',
      '',
      '',
      '',
    ],
    // canceled: service from 2024-02-01 up to Ended At 2024-05-01
    [
      'sub_3',
      'cus_3',
      '',
      'pro',
      '1',
      'usd',
      'month',
      '49',
      'canceled',
      '2024-02-01 09:00',
      '2024-02-01 09:00',
      '2024-04-01 09:00',
      '2024-05-01 09:00',
      '2024-04-20 13:00',
      '2024-05-01 09:00',
      '',
    ],
    // never paid: skipped
    [
      'sub_4',
      'cus_4',
      '',
      'pro',
      '1',
      'usd',
      'month',
      '49',
      'incomplete_expired',
      '2024-02-01 09:00',
      '2024-02-01 09:00',
      '',
      '',
      '',
      '',
      '',
    ],
  ]);

  test('reads subscriptions as lines', () => {
    const { dataset, summary } = readText(text, 'subscriptions.csv', STRIPE);
    expect(dataset.lines).toHaveLength(3);
    expect(dataset.lines[0]).toMatchObject({
      id: 'sub_1',
      contractId: 'sub_1',
      accountId: 'cus_1',
      product: 'pro',
      kind: 'recurring',
      // 149.00 × 3 = 447.00
      amount: { coefficient: 44700n, scale: 2 },
      period: { unit: 'month', count: 1 },
      currency: 'DKK',
      quantity: 3,
      start: day('2024-01-05'),
      end: null,
    });
    expect(dataset.lines[1]).toMatchObject({
      amount: { coefficient: 720n, scale: 0 },
      period: { unit: 'year', count: 1 },
      start: day('2023-12-25'),
      end: null,
    });
    expect(dataset.lines[2]).toMatchObject({
      start: day('2024-02-01'),
      end: day('2024-05-01'),
    });
    expect(summary.skippedRows).toEqual({ 'incomplete (first payment never made)': 1 });
    expect(summary.ignoredColumns).toEqual(['Customer Email', 'seats (metadata)']);
  });

  test('older Start (UTC) header and trials', () => {
    const older = csvText([
      [
        'id',
        'Customer ID',
        'Interval',
        'Amount',
        'Status',
        'Start (UTC)',
        'Trial End (UTC)',
        'Canceled At (UTC)',
      ],
      // paid service starts when the 14-day trial ends
      ['sub_1', 'cus_1', 'month', '10', 'active', '2024-01-01 08:00', '2024-01-15 08:00', ''],
      // still trialing: a trial line up to the trial end
      ['sub_2', 'cus_2', 'month', '10', 'trialing', '2024-03-01 08:00', '2024-03-15 08:00', ''],
      // canceled during the trial: only the trial ran
      [
        'sub_3',
        'cus_3',
        'month',
        '10',
        'canceled',
        '2024-03-01 08:00',
        '2024-03-15 08:00',
        '2024-03-10 12:00',
      ],
    ]);
    const { dataset } = readText(older, 'older.csv', STRIPE);
    expect(dataset.lines.map((line) => [line.kind, line.start, line.end])).toEqual([
      ['recurring', day('2024-01-15'), null],
      ['trial', day('2024-03-01'), day('2024-03-15')],
      ['trial', day('2024-03-01'), day('2024-03-10')],
    ]);
    expect(dataset.lines[0]?.currency).toBe('USD');
  });

  test('each bad value has its own message', () => {
    const bad = dashboard([
      [
        'sub_1',
        'cus_1',
        '',
        'pro',
        '1',
        'usd',
        'fortnight',
        '10',
        'active',
        '',
        '2024-01-05 10:00',
        '',
        '',
        '',
        '',
        '',
      ],
      [
        'sub_2',
        'cus_2',
        '',
        'pro',
        '1',
        'usd',
        'month',
        '10',
        'active',
        '',
        '2024-13-05 10:00',
        '',
        '',
        '',
        '',
        '',
      ],
      [
        'sub_3',
        'cus_3',
        '',
        'pro',
        '1',
        'usd',
        'month',
        '10,5',
        'active',
        '',
        '2024-01-05 10:00',
        '',
        '',
        '',
        '',
        '',
      ],
      [
        'sub_4',
        'cus_4',
        '',
        'pro',
        '1',
        'usd',
        'month',
        '10',
        'canceled',
        '',
        '2024-01-05 10:00',
        '',
        '',
        '',
        '2023-12-01 10:00',
        '',
      ],
      [
        'sub_5',
        'cus_5',
        '',
        'pro',
        '1',
        'usd',
        'month',
        '10',
        'active',
        '',
        '2024-01-05 10:00',
        '',
        '',
        '',
        '',
        '',
      ],
      [
        'sub_5',
        'cus_5',
        '',
        'pro',
        '2',
        'usd',
        'month',
        '10',
        'active',
        '',
        '2024-01-05 10:00',
        '',
        '',
        '',
        '',
        '',
      ],
      [
        'sub_6',
        'cus_6',
        '',
        'pro',
        '1',
        'usd',
        'day',
        '10',
        'active',
        '',
        '2024-01-05 10:00',
        '',
        '',
        '',
        '',
        '',
      ],
      [
        'sub_7',
        'cus_7',
        '',
        'pro',
        '1',
        'usd',
        'month',
        '10',
        'on_hold',
        '',
        '2024-01-05 10:00',
        '',
        '',
        '',
        '',
        '',
      ],
    ]);
    const problems = problemsOf(() => readText(bad, 's.csv', STRIPE));
    const found = problems.map((problem) => [problem.row, problem.column, problem.value]);
    expect(found).toEqual([
      [2, 'Interval', 'fortnight'],
      [3, 'Start Date (UTC)', '2024-13-05 10:00'],
      [4, 'Amount', '10,5'],
      [5, 'Ended At (UTC)', '2023-12-01 10:00'],
      [7, 'id', 'sub_5'],
      [8, 'Interval', 'day'],
      [9, 'Status', 'on_hold'],
    ]);
    expect(problems[0]?.message).toMatch(/is not a known Stripe billing interval/);
    expect(problems[1]?.message).toMatch(/is not a valid date; use YYYY-MM-DD, M\/D\/YYYY/);
    expect(problems[2]?.message).toMatch(/is not a valid amount/);
    expect(problems[3]?.message).toMatch(/is before the start date 2024-01-05/);
    expect(problems[4]?.message).toMatch(
      /is a line id already used on row 6, but column "Quantity" has "1" there and "2" here/,
    );
    expect(problems[5]?.message).toMatch(/billed every 1 days/);
    expect(problems[6]?.message).toMatch(/is not a known Stripe subscription status/);
  });
});

const API_SUBSCRIPTION = {
  id: 'sub_A',
  object: 'subscription',
  customer: 'cus_A',
  status: 'active',
  // 2024-01-31T23:30:00Z
  created: 1706743800,
  current_period_start: 1706743800,
  current_period_end: 1709249400,
  trial_end: null,
  canceled_at: null,
  ended_at: null,
  cancel_at_period_end: false,
  items: {
    object: 'list',
    data: [
      {
        id: 'si_1',
        quantity: 4,
        price: {
          currency: 'eur',
          unit_amount: 2500,
          nickname: 'Seat',
          recurring: { interval: 'month', interval_count: 3, usage_type: 'licensed' },
        },
      },
      {
        id: 'si_2',
        price: {
          currency: 'eur',
          unit_amount: 5,
          recurring: { interval: 'month', interval_count: 1, usage_type: 'metered' },
        },
      },
    ],
  },
  metadata: { tier: 'smb' },
};

describe('stripe API objects', () => {
  test('list object with items', () => {
    const text = JSON.stringify({ object: 'list', data: [API_SUBSCRIPTION] });
    const { dataset, summary } = readText(text, 'subs.json', {
      ...STRIPE,
      columns: { segment: 'metadata.tier' },
    });
    expect(dataset.lines).toHaveLength(2);
    expect(dataset.lines[0]).toMatchObject({
      id: 'si_1',
      contractId: 'sub_A',
      // 2500 cents × 4 = 10000 cents = 100.00 EUR per 3 months
      amount: { coefficient: 10000n, scale: 2 },
      period: { unit: 'month', count: 3 },
      currency: 'EUR',
      kind: 'recurring',
      start: day('2024-01-31'),
      source: { file: 'subs.json', row: 1 },
    });
    // A metered price has no amount in the subscription object.
    expect(dataset.lines[1]).toMatchObject({ kind: 'usage', amount: { coefficient: 0n } });
    expect(dataset.segments[0]).toMatchObject({ accountId: 'cus_A', segment: 'smb' });
    expect(summary.columns['value']).toBe('items.data[].price.unit_amount');
  });

  test('array with cancel at period end', () => {
    const ending = { ...API_SUBSCRIPTION, cancel_at_period_end: true };
    const { dataset } = readText(JSON.stringify([ending]), 'subs.json', STRIPE);
    // current_period_end 1709249400 is 2024-02-29T23:30:00Z
    expect(dataset.lines[0]?.end).toBe(day('2024-02-29'));
  });

  test('bad JSON values name object and field', () => {
    const bad = {
      ...API_SUBSCRIPTION,
      created: 'yesterday',
      items: {
        data: [
          {
            id: 'si_9',
            quantity: 1,
            price: { currency: 'usd', unit_amount: 12.5, recurring: { interval: 'month' } },
          },
        ],
      },
    };
    const problems = problemsOf(() =>
      readText(JSON.stringify([API_SUBSCRIPTION, bad]), 'subs.json', STRIPE),
    );
    expect(problems.map((problem) => [problem.row, problem.column, problem.value])).toEqual([
      [2, 'items.data[].price.unit_amount', '12.5'],
      [2, 'created', 'yesterday'],
    ]);
    expect(problems[0]?.message).toMatch(/not a valid amount in minor units/);
    expect(problems[1]?.message).toMatch(/is not a valid Unix time/);
  });

  test('not a list', () => {
    const problem = singleProblem(() => readText('{"object":"subscription"}', 'one.json', STRIPE));
    expect(problem.message).toMatch(/neither an array of subscription objects nor a list object/);
  });
});
