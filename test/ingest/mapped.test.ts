import { describe, expect, test } from 'vitest';

import { readText, type ReadOptions } from '../../src/ingest/index.js';
import { day, problemsOf, singleProblem } from './support.js';

const PERIODS: ReadOptions = { preset: 'subscription-periods' };
const INVOICES: ReadOptions = { preset: 'invoice-lines' };

const PERIODS_CSV = `subscription_id,customer_id,start_date,end_date,monthly_amount
1,1,2018-11-01,2019-02-01,50
2,1,2019-04-01,2019-06-01,50
3,2,2017-09-01,,25
`;

describe('subscription-periods preset', () => {
  test('reads monthly lines with exclusive ends', () => {
    const { dataset, summary } = readText(PERIODS_CSV, 'periods.csv', PERIODS);
    expect(dataset.lines[0]).toEqual({
      id: '1',
      accountId: '1',
      kind: 'recurring',
      kindSource: 'default',
      amount: { coefficient: 50n, scale: 0 },
      period: { unit: 'month', count: 1 },
      currency: 'USD',
      start: day('2018-11-01'),
      end: day('2019-02-01'),
      source: { file: 'periods.csv', row: 2 },
    });
    expect(dataset.lines[2]?.end).toBeNull();
    expect(summary).toMatchObject({ rows: 3, lines: 3, openEndedLines: 1, endDate: 'exclusive' });
    expect(summary.columns).toEqual({
      line: 'subscription_id',
      customer: 'customer_id',
      from: 'start_date',
      to: 'end_date',
      value: 'monthly_amount',
    });
  });

  test('inclusive ends on request', () => {
    const { dataset } = readText(PERIODS_CSV, 'periods.csv', { ...PERIODS, endDate: 'inclusive' });
    expect(dataset.lines[0]?.end).toBe(day('2019-02-02'));
  });

  test('default currency option', () => {
    const { dataset } = readText(PERIODS_CSV, 'periods.csv', { ...PERIODS, currency: 'NZD' });
    expect(dataset.lines.map((line) => line.currency)).toEqual(['NZD', 'NZD', 'NZD']);
  });

  test('optional roles only when mapped', () => {
    const text = `subscription_id,customer_id,start_date,end_date,monthly_amount,currency,plan,csm,tier,geo
1,C1,2024-01-01,2024-04-01,99.5,EUR,Pro,Ana,SMB,APAC
2,C2,2024-01-01,2024-04-01,10,GBP,Basic,,,
`;
    const unmapped = readText(text, 'p.csv', PERIODS);
    expect(unmapped.dataset.lines[0]?.currency).toBe('USD');
    expect(unmapped.dataset.lines[0]?.product).toBeUndefined();
    expect(unmapped.summary.ignoredColumns).toEqual(['currency', 'plan', 'csm', 'tier', 'geo']);

    const { dataset, summary } = readText(text, 'p.csv', {
      ...PERIODS,
      columns: {
        currency: 'currency',
        product: 'plan',
        owner: 'csm',
        segment: 'tier',
        region: 'geo',
      },
    });
    expect(dataset.lines[0]).toMatchObject({ currency: 'EUR', product: 'Pro' });
    expect(dataset.lines[1]).toMatchObject({ currency: 'GBP', product: 'Basic' });
    expect(dataset.assignments).toEqual([
      {
        accountId: 'C1',
        role: 'CSM',
        person: 'Ana',
        from: day('2024-01-01'),
        to: day('2024-04-01'),
        source: { file: 'p.csv', row: 2 },
      },
    ]);
    expect(dataset.segments).toHaveLength(1);
    expect(dataset.segments[0]).toMatchObject({ accountId: 'C1', segment: 'SMB', region: 'APAC' });
    expect(summary.ignoredColumns).toEqual([]);
  });

  test('renamed columns through overrides', () => {
    const text = 'sub,cust,begins,ends,mrr\nS1,C1,2024-01-01,2024-02-01,"1,200.50"\n';
    const { dataset } = readText(text, 'p.csv', {
      ...PERIODS,
      columns: { line: 'sub', customer: 'cust', from: 'begins', to: 'ends', value: 'MRR' },
    });
    expect(dataset.lines[0]).toMatchObject({ id: 'S1', accountId: 'C1' });
    expect(dataset.lines[0]?.amount).toEqual({ coefficient: 120050n, scale: 2 });
  });

  test('missing columns are one problem each', () => {
    const problems = problemsOf(() => readText('id,customer_id\n1,1\n', 'p.csv', PERIODS));
    expect(problems.map((problem) => problem.column)).toEqual([
      'subscription_id',
      'start_date',
      'end_date',
      'monthly_amount',
    ]);
    expect(problems.every((problem) => problem.row === 1)).toBe(true);
    expect(problems[0]?.message).toContain('--column line=NAME');
  });

  test('zero-length period is a problem', () => {
    const text =
      'subscription_id,customer_id,start_date,end_date,monthly_amount\n1,1,2024-01-01,2024-01-01,5\n';
    const problem = singleProblem(() => readText(text, 'p.csv', PERIODS));
    expect(problem).toMatchObject({ row: 2, column: 'end_date', value: '2024-01-01' });
    expect(problem.message).toMatch(/service period empty/);
  });

  test('duplicate subscription ids', () => {
    const text = `subscription_id,customer_id,start_date,end_date,monthly_amount
1,1,2024-01-01,2024-02-01,5
1,1,2024-01-01,2024-02-01,5
1,1,2024-01-01,2024-03-01,5
`;
    const problem = singleProblem(() => readText(text, 'p.csv', PERIODS));
    expect(problem).toMatchObject({ row: 4, column: 'subscription_id', value: '1' });
    expect(problem.message).toContain(
      'column "end_date" has "2024-02-01" there and "2024-03-01" here',
    );
  });

  test('blank currency cell in a mapped column', () => {
    const text =
      'subscription_id,customer_id,start_date,end_date,monthly_amount,cur\n1,1,2024-01-01,,5,\n';
    const options: ReadOptions = { ...PERIODS, columns: { currency: 'cur' } };
    expect(singleProblem(() => readText(text, 'p.csv', options))).toMatchObject({
      row: 2,
      column: 'cur',
      value: '',
    });
    const { dataset } = readText(text, 'p.csv', { ...options, currency: 'CAD' });
    expect(dataset.lines[0]?.currency).toBe('CAD');
  });
});

const INVOICE_CSV = `ValidFrom,ValidTo,Value,Name,Rep,Country
2012-01-01,2013-01-01,1000,A,Kim,Australia
2013-01-01,2014-01-01,0,A,,Australia
2013-06-01,2013-09-01,-250.25,B,Lee,
2014-01-01,2015-01-01,"$1,500.75",B,Lee,New Zealand
2014-02-01,2014-05-01,-0.5,B,,
`;

describe('invoice-lines preset', () => {
  test('reads term lines with generated ids', () => {
    const { dataset } = readText(INVOICE_CSV, 'inv.csv', INVOICES);
    expect(dataset.lines[0]).toEqual({
      id: 'inv.csv#2',
      accountId: 'A',
      kind: 'recurring',
      kindSource: 'default',
      amount: { coefficient: 1000n, scale: 0 },
      period: { unit: 'term', count: 1 },
      currency: 'USD',
      start: day('2012-01-01'),
      end: day('2013-01-01'),
      source: { file: 'inv.csv', row: 2 },
    });
    expect(dataset.lines[3]?.amount).toEqual({ coefficient: 150075n, scale: 2 });
  });

  test('counts zero and negative lines', () => {
    const { dataset, summary } = readText(INVOICE_CSV, 'inv.csv', { ...INVOICES, currency: 'AUD' });
    expect(dataset.lines).toHaveLength(5);
    expect(summary.zeroValueLines).toBe(1);
    expect(summary.negativeValueLines).toBe(2);
    expect(summary.negativeValueTotal).toBe('-250.75 AUD');
    expect(summary.negativeValueTotals).toEqual({ AUD: '-250.75' });
  });

  test('negative totals per currency', () => {
    const text =
      'from,to,amount,customer,cur\n2024-01-01,2025-01-01,-5,A,EUR\n2024-01-01,2025-01-01,-7.5,B,USD\n2024-01-01,2025-01-01,-1,C,EUR\n';
    const { summary } = readText(text, 'inv.csv', { ...INVOICES, columns: { currency: 'cur' } });
    expect(summary.negativeValueTotal).toBe('-6 EUR, -7.5 USD');
  });

  test('owner and region by override', () => {
    const { dataset } = readText(INVOICE_CSV, 'inv.csv', {
      ...INVOICES,
      columns: { owner: 'Rep', region: 'Country' },
    });
    expect(dataset.assignments.map((assignment) => assignment.person)).toEqual([
      'Kim',
      'Lee',
      'Lee',
    ]);
    expect(dataset.assignments[0]).toMatchObject({
      accountId: 'A',
      role: 'CSM',
      from: day('2012-01-01'),
      to: day('2013-01-01'),
    });
    expect(dataset.segments.map((span) => span.region)).toEqual([
      'Australia',
      'Australia',
      'New Zealand',
    ]);
  });

  test('line column gives the ids', () => {
    const text = 'from,to,value,customer,invoice\n2024-01-01,2025-01-01,5,A,INV-1\n';
    const { dataset } = readText(text, 'inv.csv', { ...INVOICES, columns: { line: 'invoice' } });
    expect(dataset.lines[0]?.id).toBe('INV-1');
  });

  test.each([
    ['from,to,value,customer', ['from', 'to', 'value', 'customer']],
    [
      'service_from,service_to,amount,customer_id',
      ['service_from', 'service_to', 'amount', 'customer_id'],
    ],
    ['period_start,period_end,Amount,name', ['period_start', 'period_end', 'Amount', 'name']],
  ])('default headers %s', (header, expected) => {
    const { summary } = readText(`${header}\n2024-01-01,2025-01-01,5,A\n`, 'inv.csv', INVOICES);
    expect(Object.values(summary.columns)).toEqual(expected);
  });

  test('end date is required for term values', () => {
    const text = 'from,to,value,customer\n2024-01-01,,5,A\n';
    const problem = singleProblem(() => readText(text, 'inv.csv', INVOICES));
    expect(problem).toMatchObject({ row: 2, column: 'to', value: '' });
    expect(problem.message).toMatch(/needs an end date/);
  });

  test('bad values each give one problem', () => {
    const text = `from,to,value,customer
2024-01-01,2025-01-01,12.3.4,A
2024-02-30,2025-01-01,5,B
2024-01-01,2023-01-01,5,C
2024-01-01,2025-01-01,5,
2024-01-01 10:00:00,2025-01-01,5,D
`;
    const problems = problemsOf(() => readText(text, 'inv.csv', INVOICES));
    expect(problems.map((problem) => [problem.row, problem.column, problem.value])).toEqual([
      [2, 'value', '12.3.4'],
      [3, 'from', '2024-02-30'],
      [4, 'to', '2023-01-01'],
      [5, 'customer', ''],
      [6, 'from', '2024-01-01 10:00:00'],
    ]);
  });

  test('missing value column names the candidates', () => {
    const problem = singleProblem(() =>
      readText('from,to,total,customer\n2024-01-01,2025-01-01,5,A\n', 'inv.csv', INVOICES),
    );
    expect(problem.column).toBe('value');
    expect(problem.message).toContain('no header is named "value" or "amount"');
    expect(problem.message).toContain('--column value=NAME');
  });
});
