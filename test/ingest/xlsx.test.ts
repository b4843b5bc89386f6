import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import ExcelJS from 'exceljs';
import { afterAll, describe, expect, test } from 'vitest';

import { ImportError, readFile } from '../../src/ingest/index.js';
import { numberText } from '../../src/ingest/xlsx.js';
import { day } from './support.js';

const folder = mkdtempSync(path.join(tmpdir(), 'nrr-xlsx-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes a workbook whose first sheet has `rows`, and a second sheet that must be ignored. */
async function writeWorkbook(name: string, rows: ExcelJS.CellValue[][]): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Lines');
  for (const row of rows) sheet.addRow(row);
  workbook.addWorksheet('Notes').addRow(['ignored']);
  const file = path.join(folder, name);
  await workbook.xlsx.writeFile(file);
  return file;
}

describe('xlsx input', () => {
  test('a blank last cell is blank, not missing', async () => {
    const file = await writeWorkbook('open-ended.xlsx', [
      ['line_id', 'account_id', 'amount', 'billing_period', 'currency', 'start_date', 'end_date'],
      ['O1', 'A1', 100, 'month', 'USD', '2024-01-01', null],
    ]);
    const { dataset } = await readFile(file, { preset: 'canonical' });
    expect(dataset.lines[0]).toMatchObject({ id: 'O1', end: null });
  });

  test('a workbook that unpacks beyond the limit is rejected unread', async () => {
    // A zip whose central directory declares a 2 GiB part (the part itself is not needed).
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    const central = Buffer.alloc(46 + name.length);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(0x7fffffff, 24);
    central.writeUInt16LE(name.length, 28);
    name.copy(central, 46);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(central.length, 12);
    end.writeUInt32LE(0, 16);
    const file = path.join(folder, 'bomb.xlsx');
    writeFileSync(file, Buffer.concat([central, end]));
    const error = await readFile(file, { preset: 'canonical' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).problems[0]?.message).toMatch(
      /unpack to 2048 MiB, more than the 1024 MiB/,
    );
  });

  test('cells convert to exact text', async () => {
    const file = await writeWorkbook('periods.xlsx', [
      ['subscription_id', 'customer_id', 'start_date', 'end_date', 'monthly_amount'],
      // A date cell is its UTC calendar date; 0.1 + 0.2 is cached as 0.30000000000000004.
      [
        { richText: [{ text: 'S-' }, { text: '1', font: { bold: true } }] },
        'C1',
        new Date(Date.UTC(2024, 0, 31)),
        new Date(Date.UTC(2024, 3, 1)),
        { formula: '0.1+0.2', result: 0.1 + 0.2 },
      ],
      ['S-2', 'C2', new Date(Date.UTC(2024, 1, 29)), null, 1234.5],
    ]);
    const { dataset, summary } = await readFile(file, { preset: 'subscription-periods' });
    expect(summary.file).toBe(`${file} sheet "Lines"`);
    expect(dataset.lines[0]).toMatchObject({
      id: 'S-1',
      start: day('2024-01-31'),
      end: day('2024-04-01'),
      // 0.3 exactly, not 0.30000000000000004
      amount: { coefficient: 3n, scale: 1 },
      source: { file: `${file} sheet "Lines"`, row: 2 },
    });
    expect(dataset.lines[1]).toMatchObject({
      start: day('2024-02-29'),
      end: null,
      amount: { coefficient: 12345n, scale: 1 },
    });
  });

  test('problems name sheet, row and header', async () => {
    const file = await writeWorkbook('bad.xlsx', [
      ['subscription_id', 'customer_id', 'start_date', 'end_date', 'monthly_amount'],
      ['S-1', 'C1', '2024-01-01', '', 10],
      [],
      ['S-2', 'C2', 'soon', '', 10],
    ]);
    const error = await readFile(file, { preset: 'subscription-periods' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ImportError);
    const problem = (error as ImportError).problems[0];
    expect(problem).toMatchObject({
      file: `${file} sheet "Lines"`,
      row: 4,
      column: 'start_date',
      value: 'soon',
    });
  });

  test('vendor preset reads a workbook', async () => {
    const file = await writeWorkbook('opportunities.xlsx', [
      ['Opportunity Name', 'Account Name', 'Amount', 'Close Date', 'Stage'],
      ['Deal', 'Acme', 24000, new Date(Date.UTC(2024, 5, 30, 14, 5)), 'Closed Won'],
      [],
      ['Grand Totals (1 records)'],
    ]);
    const { dataset, summary } = await readFile(file, { preset: 'salesforce-opportunities' });
    expect(summary.skippedFooterRows).toBe(2);
    // A date and time cell gives its UTC calendar date.
    expect(dataset.lines[0]).toMatchObject({ start: day('2024-06-30'), end: day('2025-06-30') });
  });

  test('not a workbook', async () => {
    const file = path.join(folder, 'fake.xlsx');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'id,amount\n1,2\n');
    const error = await readFile(file, { preset: 'canonical' }).catch((caught: unknown) => caught);
    expect((error as ImportError).problems[0]?.message).toMatch(/is not a readable XLSX workbook/);
  });

  test.each([
    [0.1 + 0.2, '0.3'],
    [1234.5, '1234.5'],
    [-0.000001, '-0.000001'],
    [1e-7, '0.0000001'],
    [1e21, '1000000000000000000000'],
    [42, '42'],
  ])('number %s is written %s', (value, text) => {
    expect(numberText(value)).toBe(text);
  });
});
