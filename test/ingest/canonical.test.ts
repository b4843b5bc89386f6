import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, test } from 'vitest';

import {
  formatProblem,
  readFile,
  readFiles,
  readText,
  readTexts,
  type ReadOptions,
} from '../../src/ingest/index.js';
import { day, problemsOf, singleProblem } from './support.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/canonical/', import.meta.url));
const CANONICAL: ReadOptions = { preset: 'canonical' };

const LINE_HEADER = [
  'line_id',
  'account_id',
  'account_name',
  'parent_id',
  'product',
  'kind',
  'amount',
  'billing_period',
  'currency',
  'start_date',
  'end_date',
  'quantity',
  'renews',
  'signed_date',
] as const;
type LineColumn = (typeof LINE_HEADER)[number];

const VALID_LINE: Record<LineColumn, string> = {
  line_id: 'L1',
  account_id: 'A1',
  account_name: 'Acme',
  parent_id: '',
  product: 'Platform',
  kind: 'recurring',
  amount: '100',
  billing_period: 'month',
  currency: 'USD',
  start_date: '2024-01-01',
  end_date: '2024-12-31',
  quantity: '1',
  renews: '',
  signed_date: '2023-12-01',
};

/** Builds a contract-line file: a valid first line (row 2), then each given row. */
function linesCsv(...rows: Partial<Record<LineColumn, string>>[]): string {
  const all = [
    VALID_LINE,
    ...rows.map((row, index) => ({ ...VALID_LINE, line_id: `L${index + 2}`, ...row })),
  ];
  const body = all.map((row) => LINE_HEADER.map((column) => row[column]).join(','));
  return [LINE_HEADER.join(','), ...body].join('\n') + '\n';
}

const linesImport = await readFile(`${FIXTURES}lines.csv`, CANONICAL);

describe('canonical contract lines', () => {
  const { dataset, summary } = linesImport;
  const byId = new Map(dataset.lines.map((line) => [line.id, line]));

  test('reads every field of a line', () => {
    expect(byId.get('L1')).toEqual({
      id: 'L1',
      accountId: 'A1',
      contractId: 'C1',
      product: 'Platform',
      kind: 'recurring',
      kindSource: 'file',
      amount: { coefficient: 120000n, scale: 2 },
      period: { unit: 'month', count: 1 },
      currency: 'USD',
      start: day('2024-01-01'),
      end: day('2025-01-01'),
      quantity: 10,
      signed: day('2023-12-15'),
      source: { file: `${FIXTURES}lines.csv`, row: 2 },
    });
  });

  test('blank kind defaults to recurring', () => {
    expect(byId.get('L3')?.kind).toBe('recurring');
    expect(byId.get('L3')?.kindSource).toBe('default');
    expect(byId.get('L3')?.renews).toBe('L1');
  });

  test('blank end date is open-ended', () => {
    expect(byId.get('L4')?.end).toBeNull();
    expect(byId.get('L4')?.amount).toEqual({ coefficient: 25n, scale: 2 });
  });

  test('grouped amount and multi-year period', () => {
    expect(byId.get('L5')?.amount).toEqual({ coefficient: 36000n, scale: 0 });
    expect(byId.get('L5')?.period).toEqual({ unit: 'year', count: 3 });
    expect(byId.get('L5')?.end).toBe(day('2027-06-01'));
  });

  test('term line keeps its contract value', () => {
    expect(byId.get('L2')?.period).toEqual({ unit: 'term', count: 1 });
    expect(byId.get('L2')?.kind).toBe('one-time');
  });

  test('accounts come from named rows only', () => {
    expect(dataset.accounts).toEqual([
      { id: 'A1', name: 'Acme Holdings' },
      { id: 'A2', name: 'Acme Retail', parentId: 'A1' },
      { id: 'B1', name: 'Birch & Co' },
    ]);
  });

  test('inline owner becomes a CSM assignment', () => {
    expect(dataset.assignments).toHaveLength(4);
    expect(dataset.assignments[0]).toEqual({
      accountId: 'A1',
      role: 'CSM',
      person: 'Dana Reyes',
      from: day('2024-01-01'),
      to: day('2025-01-01'),
      source: { file: `${FIXTURES}lines.csv`, row: 2 },
    });
    expect(dataset.assignments[3]?.person).toBe('Sam Okafor');
  });

  test('inline segment and region become spans', () => {
    expect(dataset.segments).toHaveLength(4);
    expect(dataset.segments[0]).toMatchObject({
      accountId: 'A1',
      segment: 'Enterprise',
      region: 'EMEA',
      subRegion: 'DACH',
      from: day('2024-01-01'),
      to: day('2025-01-01'),
    });
    expect(dataset.segments[3]).toEqual({
      accountId: 'A2',
      segment: 'Mid-Market',
      region: 'EMEA',
      from: day('2024-03-01'),
      to: null,
      source: { file: `${FIXTURES}lines.csv`, row: 5 },
    });
  });

  test('summary counts kinds and values', () => {
    expect(summary).toMatchObject({
      preset: 'canonical',
      fileKind: 'contract-lines',
      endDate: 'inclusive',
      rows: 6,
      lines: 6,
      linesByKind: { recurring: 3, usage: 1, 'one-time': 1, trial: 1 },
      defaultKindLines: 1,
      openEndedLines: 1,
      zeroValueLines: 1,
      negativeValueLines: 0,
      negativeValueTotal: '0',
      accounts: 3,
      assignments: 4,
      segments: 4,
      ignoredColumns: [],
    });
  });
});

describe('canonical file kinds', () => {
  test('accounts file', async () => {
    const { dataset, summary } = await readFile(`${FIXTURES}accounts.csv`, CANONICAL);
    expect(summary.fileKind).toBe('accounts');
    expect(dataset.accounts).toHaveLength(4);
    expect(dataset.accounts[1]).toEqual({
      id: 'A2',
      name: 'Acme Retail',
      parentId: 'A1',
      currency: 'EUR',
    });
  });

  test('assignments file', async () => {
    const { dataset, summary } = await readFile(`${FIXTURES}assignments.csv`, CANONICAL);
    expect(summary.fileKind).toBe('assignments');
    expect(dataset.assignments).toHaveLength(3);
    expect(dataset.assignments[0]).toMatchObject({
      accountId: 'A1',
      role: 'CSM',
      person: 'Dana Reyes',
      from: day('2024-01-01'),
      to: day('2024-07-01'),
    });
    expect(dataset.assignments[1]?.to).toBeNull();
  });

  test('segments file', async () => {
    const { dataset, summary } = await readFile(`${FIXTURES}segments.csv`, CANONICAL);
    expect(summary.fileKind).toBe('segments');
    expect(dataset.segments[1]).toEqual({
      accountId: 'B1',
      segment: 'SMB',
      region: 'UK&I',
      from: day('2024-06-01'),
      to: day('2025-06-01'),
      source: { file: `${FIXTURES}segments.csv`, row: 3 },
    });
  });

  test('fx rates file', async () => {
    const { dataset, summary } = await readFile(`${FIXTURES}fx-rates.csv`, CANONICAL);
    expect(summary.fileKind).toBe('fx-rates');
    expect(dataset.fxRates[0]).toMatchObject({
      currency: 'EUR',
      rate: { coefficient: 108n, scale: 2 },
      from: day('2024-01-01'),
      to: day('2025-01-01'),
      kind: 'plan',
    });
    expect(dataset.fxRates[2]?.kind).toBe('actual');
  });

  test('fx kind defaults to plan', () => {
    const { dataset } = readText(
      'currency,rate,from_date\nEUR,1.1,2024-01-01\n',
      'fx.csv',
      CANONICAL,
    );
    expect(dataset.fxRates[0]?.kind).toBe('plan');
    expect(dataset.fxRates[0]?.to).toBeNull();
  });

  test('all files combine into one dataset', async () => {
    const names = ['lines', 'accounts', 'assignments', 'segments', 'fx-rates'];
    const { dataset, summaries } = await readFiles(
      names.map((name) => `${FIXTURES}${name}.csv`),
      CANONICAL,
    );
    expect(summaries.map((summary) => summary.fileKind)).toEqual([
      'contract-lines',
      'accounts',
      'assignments',
      'segments',
      'fx-rates',
    ]);
    expect(dataset.lines).toHaveLength(6);
    expect(dataset.accounts).toHaveLength(4);
    expect(dataset.accounts[0]).toEqual({ id: 'A1', name: 'Acme Holdings', currency: 'USD' });
    expect(dataset.assignments).toHaveLength(7);
    expect(dataset.segments).toHaveLength(6);
    expect(dataset.fxRates).toHaveLength(3);
  });

  test('unrecognised header is one problem', () => {
    const problem = singleProblem(() => readText('id,value\n1,2\n', 'x.csv', CANONICAL));
    expect(problem.row).toBe(1);
    expect(problem.message).toMatch(/fits no canonical file kind/);
    expect(problem.message).toContain('"id", "value"');
  });

  test('ambiguous header is one problem', () => {
    const text = 'account_id,account_name,segment,from_date\nA1,Acme,SMB,2024-01-01\n';
    const problem = singleProblem(() => readText(text, 'x.csv', CANONICAL));
    expect(problem.message).toMatch(/fits several canonical file kinds \(accounts, segments\)/);
  });
});

describe('canonical header handling', () => {
  test('header names ignore case, spaces and BOM', () => {
    const text =
      '\uFEFF LINE_ID ,Account_ID,Amount,Billing_Period,CURRENCY,Start_Date\r\nL1,A1,5,month,usd,2024-01-01\r\n';
    const { dataset } = readText(text, 'x.csv', CANONICAL);
    expect(dataset.lines[0]).toMatchObject({ id: 'L1', currency: 'USD', end: null });
  });

  test('missing required column names role and fix', () => {
    const text =
      'line_id,account_id,price,billing_period,currency,start_date\nL1,A1,5,month,USD,2024-01-01\n';
    const problem = singleProblem(() => readText(text, 'x.csv', CANONICAL));
    expect(problem.row).toBe(1);
    expect(problem.column).toBe('amount');
    expect(problem.value).toBe('');
    expect(problem.message).toContain('role "value"');
    expect(problem.message).toContain('"line_id", "account_id", "price"');
    expect(problem.message).toContain('--column value=NAME');
  });

  test('missing billing_period has no role fix', () => {
    const text = 'line_id,account_id,amount,currency,start_date\nL1,A1,5,USD,2024-01-01\n';
    const problem = singleProblem(() => readText(text, 'x.csv', CANONICAL));
    expect(problem.column).toBe('billing_period');
    expect(problem.message).toContain('rename the header to "billing_period"');
  });

  test('column override reads another header', () => {
    const text =
      'line_id,account_id,price,billing_period,currency,start_date\nL1,A1,5,month,USD,2024-01-01\n';
    const { dataset, summary } = readText(text, 'x.csv', {
      ...CANONICAL,
      columns: { value: 'Price' },
    });
    expect(dataset.lines[0]?.amount).toEqual({ coefficient: 5n, scale: 0 });
    expect(summary.columns.amount).toBe('price');
  });

  test('override naming no header is a problem', () => {
    const problem = singleProblem(() =>
      readText(linesCsv(), 'x.csv', { ...CANONICAL, columns: { owner: 'csm' } }),
    );
    expect(problem.column).toBe('csm');
    expect(problem.message).toContain('given by --column owner=csm');
  });

  test('duplicate header used by a field', () => {
    const text =
      'line_id,account_id,amount,AMOUNT,billing_period,currency,start_date\nL1,A1,5,6,month,USD,2024-01-01\n';
    const problem = singleProblem(() => readText(text, 'x.csv', CANONICAL));
    expect(problem.column).toBe('amount');
    expect(problem.message).toMatch(/2 columns named "amount"/);
  });

  test('currency column may be absent with a default', () => {
    const text = 'line_id,account_id,amount,billing_period,start_date\nL1,A1,5,month,2024-01-01\n';
    expect(singleProblem(() => readText(text, 'x.csv', CANONICAL)).column).toBe('currency');
    const { dataset } = readText(text, 'x.csv', { ...CANONICAL, currency: 'EUR' });
    expect(dataset.lines[0]?.currency).toBe('EUR');
  });

  test('blank currency cell uses the default', () => {
    const text = linesCsv({ currency: '' });
    expect(singleProblem(() => readText(text, 'x.csv', CANONICAL))).toMatchObject({
      row: 3,
      column: 'currency',
      value: '',
    });
    const { dataset } = readText(text, 'x.csv', { ...CANONICAL, currency: 'JPY' });
    expect(dataset.lines[1]?.currency).toBe('JPY');
  });

  test('exclusive end dates on request', () => {
    const { dataset, summary } = readText(linesCsv(), 'x.csv', {
      ...CANONICAL,
      endDate: 'exclusive',
    });
    expect(dataset.lines[0]?.end).toBe(day('2024-12-31'));
    expect(summary.endDate).toBe('exclusive');
  });
});

describe('canonical bad rows', () => {
  // Each case changes one cell of the line on row 3 and must give exactly one problem there.
  const cases: [string, Partial<Record<LineColumn, string>>, LineColumn, string, RegExp][] = [
    [
      'impossible date',
      { start_date: '2013-02-30' },
      'start_date',
      '2013-02-30',
      /^is not a valid date; use YYYY-MM-DD$/,
    ],
    ['day-first date', { end_date: '31/12/2024' }, 'end_date', '31/12/2024', /not a valid date/],
    [
      'time of day',
      { start_date: '2024-01-01 09:30:00' },
      'start_date',
      '2024-01-01 09:30:00',
      /time of day/,
    ],
    ['two decimal points', { amount: '12.3.4' }, 'amount', '12.3.4', /^is not a valid amount/],
    ['exponent amount', { amount: '1e5' }, 'amount', '1e5', /^is not a valid amount/],
    ['text amount', { amount: 'TBD' }, 'amount', 'TBD', /^is not a valid amount/],
    [
      'symbol mismatch',
      { amount: '€100' },
      'amount',
      '€100',
      /symbol € but the line's currency is USD/,
    ],
    [
      'missing amount',
      { amount: '' },
      'amount',
      '',
      /^value is missing; every line needs an amount/,
    ],
    ['missing account', { account_id: '' }, 'account_id', '', /^value is missing/],
    ['missing start', { start_date: '' }, 'start_date', '', /^value is missing/],
    [
      'unknown period',
      { billing_period: 'fortnight' },
      'billing_period',
      'fortnight',
      /^is not a known billing period/,
    ],
    ['missing period', { billing_period: '' }, 'billing_period', '', /^value is missing/],
    ['invalid currency', { currency: 'US$' }, 'currency', 'US$', /^is not a valid currency code/],
    [
      'end before start',
      { end_date: '2023-12-31' },
      'end_date',
      '2023-12-31',
      /^is before the start date 2024-01-01/,
    ],
    [
      'term without end',
      { billing_period: 'term', end_date: '' },
      'end_date',
      '',
      /needs an end date/,
    ],
    ['text quantity', { quantity: 'ten' }, 'quantity', 'ten', /^is not a number/],
    ['unknown kind', { kind: 'subscription' }, 'kind', 'subscription', /^is not a known kind/],
    [
      'bad signed date',
      { signed_date: 'yesterday' },
      'signed_date',
      'yesterday',
      /not a valid date/,
    ],
    ['self renewal', { renews: 'L2' }, 'renews', 'L2', /cannot renew itself/],
    ['missing line id', { line_id: '' }, 'line_id', '', /^value is missing/],
  ];

  test.each(cases)('%s', (_name, change, column, value, message) => {
    const problem = singleProblem(() => readText(linesCsv(change), 'q.csv', CANONICAL));
    expect(problem.file).toBe('q.csv');
    expect(problem.row).toBe(3);
    expect(problem.column).toBe(column);
    expect(problem.value).toBe(value);
    expect(problem.message).toMatch(message);
  });

  test('problem formats as one line', () => {
    const problem = singleProblem(() =>
      readText(
        linesCsv(...Array<object>(11).fill({}), { end_date: '2013-02-30' }),
        'q.csv',
        CANONICAL,
      ),
    );
    expect(formatProblem(problem)).toBe(
      'q.csv row 14, column "end_date": "2013-02-30" is not a valid date; use YYYY-MM-DD',
    );
  });

  test('zero-length period with exclusive ends', () => {
    const problem = singleProblem(() =>
      readText(linesCsv({ end_date: '2024-01-01' }), 'q.csv', {
        ...CANONICAL,
        endDate: 'exclusive',
      }),
    );
    expect(problem.row).toBe(3);
    expect(problem.column).toBe('end_date');
    expect(problem.value).toBe('2024-01-01');
    expect(problem.message).toMatch(/service period empty/);
  });

  test('one-day period with inclusive ends', () => {
    const { dataset } = readText(linesCsv({ end_date: '2024-01-01' }), 'q.csv', CANONICAL);
    expect(dataset.lines[1]?.end).toBe(day('2024-01-02'));
  });

  test('every bad row is reported', () => {
    const problems = problemsOf(() =>
      readText(
        linesCsv({ amount: 'x' }, {}, { start_date: '2024-02-30', currency: 'dollars' }),
        'q.csv',
        CANONICAL,
      ),
    );
    expect(problems.map((problem) => [problem.row, problem.column])).toEqual([
      [3, 'amount'],
      [5, 'currency'],
      [5, 'start_date'],
    ]);
  });

  test('identical duplicate row is kept once', () => {
    const text = linesCsv({ line_id: 'L1' }, { line_id: 'L1' });
    const { dataset, summary } = readText(text, 'q.csv', CANONICAL);
    expect(dataset.lines).toHaveLength(1);
    expect(summary.rows).toBe(3);
    expect(summary.duplicateRows).toBe(2);
    expect(summary.lines).toBe(1);
  });

  test('duplicate id with other content', () => {
    const problem = singleProblem(() =>
      readText(linesCsv({ line_id: 'L1', amount: '120' }), 'q.csv', CANONICAL),
    );
    expect(problem.row).toBe(3);
    expect(problem.column).toBe('line_id');
    expect(problem.value).toBe('L1');
    expect(problem.message).toContain('already used on row 2');
    expect(problem.message).toContain('column "amount" has "100" there and "120" here');
  });

  test('conflicting account names', () => {
    const problem = singleProblem(() =>
      readText(linesCsv({ account_name: 'Acme Inc' }), 'q.csv', CANONICAL),
    );
    expect(problem.row).toBe(3);
    expect(problem.column).toBe('account_name');
    expect(problem.value).toBe('Acme Inc');
    expect(problem.message).toContain(
      'differs from the name "Acme" given for account "A1" on row 2',
    );
  });

  test('blank account name is no conflict', () => {
    const { dataset } = readText(linesCsv({ account_name: '' }), 'q.csv', CANONICAL);
    expect(dataset.accounts).toEqual([{ id: 'A1', name: 'Acme' }]);
  });

  test('line id repeated in another file', () => {
    const problem = singleProblem(() =>
      readTexts(
        [
          { text: linesCsv(), fileName: 'a.csv' },
          { text: linesCsv().replace('L2', 'L9'), fileName: 'b.csv' },
        ],
        CANONICAL,
      ),
    );
    expect(problem.file).toBe('b.csv');
    expect(problem.row).toBe(2);
    expect(problem.value).toBe('L1');
    expect(problem.message).toContain('already used in a.csv row 2');
  });

  test('account name differs across files', () => {
    const problem = singleProblem(() =>
      readTexts(
        [
          { text: linesCsv(), fileName: 'lines.csv' },
          { text: 'account_id,account_name\nA1,Acme Corp\n', fileName: 'accounts.csv' },
        ],
        CANONICAL,
      ),
    );
    expect(problem.file).toBe('accounts.csv');
    expect(problem.column).toBe('account_name');
    expect(problem.message).toContain('on lines.csv row 2');
  });
});

describe('canonical other kinds, bad rows', () => {
  test('account parent cycle', () => {
    const text = 'account_id,account_name,parent_id\nA,Alpha,B\nB,Beta,C\nC,Gamma,A\nD,Delta,A\n';
    const problem = singleProblem(() => readText(text, 'acc.csv', CANONICAL));
    expect(problem.row).toBe(4);
    expect(problem.column).toBe('parent_id');
    expect(problem.value).toBe('A');
    expect(problem.message).toContain('"A" → "B" → "C" → "A"');
  });

  test('account is its own parent', () => {
    const problem = singleProblem(() =>
      readText('account_id,account_name,parent_id\nA,Alpha,A\n', 'acc.csv', CANONICAL),
    );
    expect(problem.row).toBe(2);
    expect(problem.message).toMatch(/cannot be its own parent/);
  });

  test('account with two names in one file', () => {
    const text = 'account_id,account_name\nA,Alpha\nA,Alfa\nA,Alpha\n';
    const problem = singleProblem(() => readText(text, 'acc.csv', CANONICAL));
    expect(problem.row).toBe(3);
    expect(problem.value).toBe('Alfa');
  });

  test('account currency must be a code', () => {
    const problem = singleProblem(() =>
      readText('account_id,account_name,currency\nA,Alpha,Euro\n', 'acc.csv', CANONICAL),
    );
    expect(problem).toMatchObject({ row: 2, column: 'currency', value: 'Euro' });
  });

  test('assignment without person', () => {
    const text = 'account_id,role,person,from_date,to_date\nA1,CSM,,2024-01-01,\n';
    const problem = singleProblem(() => readText(text, 'as.csv', CANONICAL));
    expect(problem).toMatchObject({ row: 2, column: 'person', value: '' });
  });

  test('assignment ending before it starts', () => {
    const text = 'account_id,role,person,from_date,to_date\nA1,CSM,Kim,2024-05-01,2024-04-30\n';
    const problem = singleProblem(() => readText(text, 'as.csv', CANONICAL));
    expect(problem).toMatchObject({ row: 2, column: 'to_date', value: '2024-04-30' });
  });

  test('identical assignment rows kept once', () => {
    const text = 'account_id,role,person,from_date\nA1,CSM,Kim,2024-05-01\nA1,CSM,Kim,2024-05-01\n';
    const { dataset, summary } = readText(text, 'as.csv', CANONICAL);
    expect(dataset.assignments).toHaveLength(1);
    expect(summary.duplicateRows).toBe(1);
  });

  test('segment row with nothing to say', () => {
    const text = 'account_id,segment,region,from_date\nA1,,,2024-01-01\n';
    const problem = singleProblem(() => readText(text, 'seg.csv', CANONICAL));
    expect(problem).toMatchObject({ row: 2, column: 'segment', value: '' });
  });

  test('fx rate must be positive', () => {
    const problem = singleProblem(() =>
      readText('currency,rate,from_date\nEUR,0,2024-01-01\n', 'fx.csv', CANONICAL),
    );
    expect(problem).toMatchObject({ row: 2, column: 'rate', value: '0' });
  });

  test('fx rate kind must be known', () => {
    const problem = singleProblem(() =>
      readText('currency,rate,from_date,kind\nEUR,1.1,2024-01-01,forecast\n', 'fx.csv', CANONICAL),
    );
    expect(problem).toMatchObject({ row: 2, column: 'kind', value: 'forecast' });
  });

  test('overlapping fx rates', () => {
    const text =
      'currency,rate,from_date,to_date\nEUR,1.1,2024-01-01,2024-12-31\nEUR,1.2,2024-06-01,2024-12-31\nEUR,1.3,2025-01-01,\n';
    const problem = singleProblem(() => readText(text, 'fx.csv', CANONICAL));
    expect(problem).toMatchObject({ row: 3, column: 'from_date', value: '2024-06-01' });
    expect(problem.message).toContain('plan rate for EUR on row 2');
  });
});

test('fixture file is plain canonical CSV', () => {
  // The docs quote this fixture; keep its header in the documented column order.
  const header = readFileSync(`${FIXTURES}lines.csv`, 'utf8').split('\n')[0];
  expect(header).toBe(
    'line_id,account_id,account_name,parent_id,contract_id,product,kind,amount,billing_period,currency,start_date,end_date,quantity,renews,signed_date,owner,segment,region,sub_region',
  );
});
