import { describe, expect, test } from 'vitest';

import {
  ImportError,
  ImportOptionsError,
  MAX_PROBLEMS,
  parseColumnOverrides,
  readFile,
  readText,
  type PresetName,
  type ReadOptions,
} from '../../src/ingest/index.js';
import { problemsOf, singleProblem } from './support.js';

const INVOICES: ReadOptions = { preset: 'invoice-lines' };
const HEADER = 'from,to,value,customer';

describe('CSV reading', () => {
  test('blank rows are skipped and counted', () => {
    const text = `${HEADER}\n\n2024-01-01,2025-01-01,5,A\n , , , \n,,,\n2024-01-01,2025-01-01,6,B\n\n`;
    const { dataset, summary } = readText(text, 'inv.csv', INVOICES);
    expect(dataset.lines.map((line) => line.source?.row)).toEqual([3, 6]);
    expect(summary.rows).toBe(2);
    expect(summary.skippedBlankRows).toBe(4);
  });

  test('row numbers count records, not lines', () => {
    const text = `${HEADER},note\n2024-01-01,2025-01-01,5,A,"two\nlines"\n2024-01-01,2025-01-01,x,B,\n`;
    const problem = singleProblem(() => readText(text, 'inv.csv', INVOICES));
    expect(problem.row).toBe(3);
  });

  test('CRLF line endings and BOM', () => {
    const text = `\uFEFF${HEADER}\r\n2024-01-01,2025-01-01,5,A\r\n`;
    const { summary } = readText(text, 'inv.csv', INVOICES);
    expect(summary.columns.from).toBe('from');
    expect(summary.lines).toBe(1);
  });

  test('spaces around quoted cells', () => {
    const text = `${HEADER}\n 2024-01-01 , "2025-01-01" , " 5 " , " A "\n`;
    const { dataset } = readText(text, 'inv.csv', INVOICES);
    expect(dataset.lines[0]).toMatchObject({
      accountId: 'A',
      amount: { coefficient: 5n, scale: 0 },
    });
  });

  test('row with too few cells', () => {
    const problem = singleProblem(() =>
      readText(`${HEADER}\n2024-01-01,2025-01-01,5\n`, 'inv.csv', INVOICES),
    );
    expect(problem).toMatchObject({ row: 2, column: 'customer', value: '' });
    expect(problem.message).toMatch(/has 3 cells but the header has 4/);
  });

  test('row with an extra filled cell', () => {
    const problem = singleProblem(() =>
      readText(`${HEADER}\n2024-01-01,2025-01-01,1,234,A\n`, 'inv.csv', INVOICES),
    );
    expect(problem).toMatchObject({ row: 2, column: '(column 5, no header)', value: 'A' });
  });

  test('extra blank cells are ignored', () => {
    const { summary } = readText(`${HEADER}\n2024-01-01,2025-01-01,5,A,,\n`, 'inv.csv', INVOICES);
    expect(summary.lines).toBe(1);
  });

  test('unclosed quote is one problem', () => {
    const problem = singleProblem(() =>
      readText(
        `${HEADER}\n2024-01-01,2025-01-01,5,A\n2024-01-01,2025-01-01,"5,B\n`,
        'inv.csv',
        INVOICES,
      ),
    );
    expect(problem.row).toBe(3);
    expect(problem.column).toBe('');
    expect(problem.message).toMatch(/not valid CSV near line/);
  });

  test('empty file', () => {
    const problem = singleProblem(() => readText('', 'empty.csv', INVOICES));
    expect(problem.row).toBe(1);
    expect(problem.message).toMatch(/no header/);
  });

  test('header only gives an empty dataset', () => {
    const { dataset, summary } = readText(`${HEADER}\n`, 'inv.csv', INVOICES);
    expect(dataset.lines).toEqual([]);
    expect(summary.rows).toBe(0);
  });

  test('problems are capped', () => {
    const bad = Array.from({ length: MAX_PROBLEMS + 500 }, () => '2024-01-01,2025-01-01,x,A');
    let error: unknown;
    try {
      readText([HEADER, ...bad].join('\n'), 'inv.csv', INVOICES);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ImportError);
    const importError = error as ImportError;
    expect(importError.code).toBe('invalid-rows');
    expect(importError.problems).toHaveLength(MAX_PROBLEMS);
    expect(importError.omittedProblems).toBe(500);
    expect(importError.message).toMatch(/^1500 problems in inv\.csv; nothing was imported:/);
    expect(importError.message).toMatch(/… and 1480 more$/);
  });

  test('long values are cut in messages', () => {
    const long = 'x'.repeat(5000);
    const error = (() => {
      try {
        readText(`${HEADER}\n2024-01-01,2025-01-01,${long},A\n`, 'inv.csv', INVOICES);
      } catch (caught) {
        return caught as ImportError;
      }
      return undefined;
    })();
    expect(error?.problems[0]?.value).toBe(long);
    expect(error?.message).toContain('… (5000 characters) is not a valid amount');
  });

  test('missing file raises the system error', async () => {
    await expect(readFile('/nonexistent/nrr/none.csv', INVOICES)).rejects.toThrow(/ENOENT/);
  });
});

describe('options', () => {
  test.each<[string, ReadOptions, RegExp]>([
    ['unknown preset', { preset: 'stripe' as PresetName }, /unknown preset "stripe"/],
    ['bad currency', { preset: 'invoice-lines', currency: 'usd' }, /not a 3-letter ISO 4217 code/],
    [
      'bad end date',
      { preset: 'invoice-lines', endDate: 'open' as 'inclusive' },
      /must be "inclusive"/,
    ],
    [
      'unknown role',
      { preset: 'invoice-lines', columns: { amount: 'x' } as object },
      /unknown column role "amount"/,
    ],
    ['blank header', { preset: 'invoice-lines', columns: { value: ' ' } }, /needs a header name/],
  ])('%s is rejected', (_name, options, message) => {
    expect(() => readText(`${HEADER}\n`, 'inv.csv', options)).toThrow(ImportOptionsError);
    expect(() => readText(`${HEADER}\n`, 'inv.csv', options)).toThrow(message);
  });

  test('column overrides parse', () => {
    expect(parseColumnOverrides(['value=AUD', 'owner = salesman', 'customer=a=b'])).toEqual({
      value: 'AUD',
      owner: 'salesman',
      customer: 'a=b',
    });
  });

  test.each([
    [['amount=AUD'], /unknown role "amount"/],
    [['value'], /missing header name; use value=NAME/],
    [['value=AUD', 'value=Amount'], /given twice/],
  ])('column override %j is rejected', (values, message) => {
    expect(() => parseColumnOverrides(values)).toThrow(message);
  });

  test('problems name the file as given', () => {
    const problems = problemsOf(() =>
      readText(`${HEADER}\n2024-01-01,x,5,A\n`, 'data/q.csv', INVOICES),
    );
    expect(problems[0]?.file).toBe('data/q.csv');
  });
});
