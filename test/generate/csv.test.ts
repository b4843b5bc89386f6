import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { formatDay } from '../../src/core/dates.js';
import { formatDecimal } from '../../src/core/money.js';
import {
  ACCOUNT_COLUMNS,
  ASSIGNMENT_COLUMNS,
  FX_RATE_COLUMNS,
  LINE_COLUMNS,
  SEGMENT_COLUMNS,
  csvField,
  formatBillingPeriod,
} from '../../src/generate/csv.js';
import { generateCompany, writeCanonicalCsv } from '../../src/generate/index.js';

const dataset = generateCompany({ accounts: 1500 });
let folder = '';
let files: string[] = [];

function readCsv(name: string): string[][] {
  return parse(readFileSync(join(folder, name), 'utf8')) as string[][];
}

/** Reads a CSV file into objects keyed by its header. */
function readRecords(name: string): Record<string, string>[] {
  return parse(readFileSync(join(folder, name), 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
}

beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'nrr-generate-'));
  folder = join(root, 'nested', 'company');
  files = writeCanonicalCsv(dataset, folder).files;
});

afterAll(() => {
  if (folder !== '') rmSync(join(folder, '..', '..'), { recursive: true, force: true });
});

describe('writeCanonicalCsv', () => {
  test('writes five files into a new folder', () => {
    expect(files).toEqual(
      ['lines.csv', 'accounts.csv', 'assignments.csv', 'segments.csv', 'fx-rates.csv'].map((name) =>
        join(folder, name),
      ),
    );
  });

  test.each([
    ['lines.csv', LINE_COLUMNS, dataset.lines.length],
    ['accounts.csv', ACCOUNT_COLUMNS, dataset.accounts.length],
    ['assignments.csv', ASSIGNMENT_COLUMNS, dataset.assignments.length],
    ['segments.csv', SEGMENT_COLUMNS, dataset.segments.length],
    ['fx-rates.csv', FX_RATE_COLUMNS, dataset.fxRates.length],
  ])('%s has its header and one row per record', (name, columns, count) => {
    const [header, ...rows] = readCsv(name);
    expect(header).toEqual([...columns]);
    expect(rows).toHaveLength(count);
    expect(rows.every((row) => row.length === columns.length)).toBe(true);
  });

  test('lines.csv header is the canonical layout', () => {
    expect(readCsv('lines.csv')[0]).toEqual([
      'line_id',
      'account_id',
      'account_name',
      'parent_id',
      'contract_id',
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
    ]);
  });

  test('line rows match the dataset', () => {
    const rows = readRecords('lines.csv');
    const accounts = new Map(dataset.accounts.map((account) => [account.id, account]));
    dataset.lines.forEach((line, index) => {
      const row = rows[index];
      expect(row?.line_id).toBe(line.id);
      expect(row?.account_name).toBe(accounts.get(line.accountId)?.name);
      expect(row?.parent_id).toBe(accounts.get(line.accountId)?.parentId ?? '');
      expect(row?.amount).toBe(formatDecimal(line.amount));
      expect(row?.start_date).toBe(formatDay(line.start));
      expect(row?.end_date).toBe(line.end === null ? '' : formatDay(line.end - 1));
      expect(row?.renews).toBe(line.renews ?? '');
      expect(row?.quantity).toBe(line.quantity === undefined ? '' : String(line.quantity));
    });
  });

  test('billing periods use the canonical words', () => {
    const periods = new Set(readRecords('lines.csv').map((row) => row.billing_period));
    expect(periods).toEqual(new Set(['month', 'quarter', 'year', '2 years', '3 years', 'term']));
  });

  test('names with commas and quotes survive', () => {
    const rows = readRecords('accounts.csv');
    expect(rows.map((row) => row.account_name)).toEqual(dataset.accounts.map((a) => a.name));
    expect(rows.some((row) => row.account_name?.includes(','))).toBe(true);
    expect(rows.some((row) => row.account_name?.includes('"'))).toBe(true);
  });

  test('to_date is the last day and blank while current', () => {
    const rows = readRecords('assignments.csv');
    dataset.assignments.forEach((assignment, index) => {
      expect(rows[index]?.from_date).toBe(formatDay(assignment.from));
      expect(rows[index]?.to_date).toBe(assignment.to === null ? '' : formatDay(assignment.to - 1));
    });
    const rates = readRecords('fx-rates.csv');
    expect(rates[0]).toMatchObject({ currency: 'EUR', from_date: '2020-01-01' });
    expect(rates[0]?.to_date).toBe('2020-12-31');
    expect(rates.filter((rate) => rate.to_date === '')).toHaveLength(2);
  });
});

describe('csvField', () => {
  test.each([
    ['plain', 'plain'],
    ['Acme, Inc.', '"Acme, Inc."'],
    ['Acme "Blue"', '"Acme ""Blue"""'],
    ['two\nlines', '"two\nlines"'],
    ['', ''],
  ])('%j is written as %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });
});

describe('formatBillingPeriod', () => {
  test.each([
    [{ unit: 'month', count: 1 }, 'month'],
    [{ unit: 'month', count: 3 }, 'quarter'],
    [{ unit: 'month', count: 6 }, '6 months'],
    [{ unit: 'year', count: 1 }, 'year'],
    [{ unit: 'year', count: 3 }, '3 years'],
    [{ unit: 'week', count: 1 }, 'week'],
    [{ unit: 'term', count: 1 }, 'term'],
  ] as const)('%j is %s', (period, text) => {
    expect(formatBillingPeriod(period)).toBe(text);
  });
});
