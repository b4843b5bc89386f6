import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import { scanCsv, type CsvRecords } from '../../src/ingest/csv.js';

/** The records csv-parse reads with the options the importer used before the scanner. */
function csvParseRecords(text: string): string[][] | undefined {
  try {
    const records: string[][] = parse(text, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
    });
    return records.map((record) => record.map((cell) => cell.trim()));
  } catch {
    return undefined;
  }
}

function allCells(records: CsvRecords): string[][] {
  return Array.from({ length: records.length }, (_, index) => records.cells(index));
}

/** Characters that CSV treats specially, whitespace that trimming removes, and plain text. */
const PIECES = [
  ',',
  '"',
  '""',
  '\n',
  '\r',
  '\r\n',
  ' ',
  '\t',
  '\u00a0',
  '\u2028',
  '\uFEFF',
  'a',
  'bc',
  'é',
];

const csvLikeText = fc
  .array(fc.constantFrom(...PIECES), { maxLength: 40 })
  .map((pieces) => pieces.join(''));

describe('CSV scanner', () => {
  test('reads what csv-parse reads', () => {
    fc.assert(
      fc.property(csvLikeText, (text) => {
        const scanned = scanCsv(text);
        // Text the scanner leaves to csv-parse is still read correctly, by csv-parse.
        if (scanned === undefined) return;
        const cells = allCells(scanned);
        expect(cells).toEqual(csvParseRecords(text));
        // The widths and last non-blank cells that the first pass keeps agree with the cells.
        expect(cells.map((_, index) => scanned.width(index))).toEqual(
          cells.map((record) => record.length),
        );
        expect(cells.map((_, index) => scanned.lastFilledCell(index))).toEqual(
          cells.map((record) => record.findLastIndex((cell) => cell !== '')),
        );
      }),
      { numRuns: 20_000 },
    );
  });

  test('leaves rejected quoting to csv-parse', () => {
    fc.assert(
      fc.property(csvLikeText, (text) => {
        if (csvParseRecords(text) === undefined) expect(scanCsv(text)).toBeUndefined();
      }),
      { numRuns: 5_000 },
    );
  });

  test('scans well-formed quoting itself', () => {
    const text = '\uFEFFa, b ,"c"\r\n"x\r\ny", "q""t" ,\r\n\r\n  \r\nlast';
    const scanned = scanCsv(text);
    expect(scanned).toBeDefined();
    expect(allCells(scanned as CsvRecords)).toEqual([
      ['a', 'b', 'c'],
      ['x\r\ny', 'q"t', ''],
      [''],
      [''],
      ['last'],
    ]);
    expect(scanned?.lastFilledCell(1)).toBe(1);
    expect(scanned?.lastFilledCell(2)).toBe(-1);
    expect(scanned?.width(1)).toBe(3);
  });

  test('unpaired surrogates go to csv-parse', () => {
    expect(scanCsv('a,\uD800b\n')).toBeUndefined();
  });

  test('quote left open goes to csv-parse', () => {
    expect(scanCsv('a,b\n"c,d\n')).toBeUndefined();
  });
});
