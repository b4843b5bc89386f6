/**
 * XLSX workbooks: the first worksheet read into records of cell text, so that every preset reads
 * it as it reads a CSV file.
 */
import type ExcelJS from 'exceljs';

import { formatDay, dayFromCivil } from '../core/dates.js';

/** The cell text of one worksheet; record i is sheet row i + 1. */
export interface SheetRecords {
  readonly sheetName: string;
  readonly records: string[][];
}

/**
 * Loads the first worksheet of an XLSX workbook. Returns undefined when the workbook has no
 * worksheet.
 *
 * @throws the exceljs error when the bytes are not an XLSX workbook.
 */
export async function readFirstSheet(data: Buffer): Promise<SheetRecords | undefined> {
  const unpacked = unpackedSize(data);
  if (unpacked > MAX_UNPACKED_BYTES) {
    throw new Error(
      `its parts unpack to ${(unpacked / 2 ** 20).toFixed(0)} MiB, more than the ${MAX_UNPACKED_BYTES / 2 ** 20} MiB a workbook may hold`,
    );
  }
  // Loaded here, so that commands and threads that read no workbook do not load the library.
  const { default: excel } = await import('exceljs');
  const workbook = new excel.Workbook();
  // exceljs declares its own Buffer type, which Node's Buffer does not match exactly.
  await workbook.xlsx.load(data as unknown as ExcelJS.Buffer);
  const sheet = workbook.worksheets[0];
  if (sheet === undefined) return undefined;
  const records: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, columnNumber) => {
      cells[columnNumber - 1] = cellText(cell.value);
    });
    records[rowNumber - 1] = Array.from(cells, (cell) => cell ?? '');
  });
  // A spreadsheet leaves trailing blank cells out of a row; they are blank, not missing.
  const width = records[0]?.length ?? 0;
  const padded = Array.from(records, (record = []) =>
    record.length < width ? [...record, ...Array<string>(width - record.length).fill('')] : record,
  );
  return { sheetName: sheet.name, records: padded };
}

/** Largest total size of a workbook's parts once unpacked, against zip bombs. */
const MAX_UNPACKED_BYTES = 1024 * 2 ** 20;

/**
 * Sums the uncompressed sizes in a zip file's central directory, without unpacking anything.
 * Returns 0 when the directory cannot be found (the workbook reader then reports the file), and
 * Infinity for ZIP64 sizes, which no workbook within the limit needs.
 */
function unpackedSize(data: Buffer): number {
  const endSignature = 0x06054b50;
  const searchFrom = Math.max(0, data.length - 65_557);
  let end = -1;
  for (let index = data.length - 22; index >= searchFrom; index--) {
    if (data.readUInt32LE(index) === endSignature) {
      end = index;
      break;
    }
  }
  if (end < 0) return 0;
  const entries = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  let total = 0;
  for (let entry = 0; entry < entries; entry++) {
    if (offset + 46 > data.length || data.readUInt32LE(offset) !== 0x02014b50) return total;
    const size = data.readUInt32LE(offset + 24);
    if (size === 0xffffffff) return Infinity;
    total += size;
    offset +=
      46 +
      data.readUInt16LE(offset + 28) +
      data.readUInt16LE(offset + 30) +
      data.readUInt16LE(offset + 32);
  }
  return total;
}

/**
 * Converts a cell value to the text a CSV export would contain. A formula gives its cached
 * result, and rich text and hyperlinks give their plain text. A date gives its UTC calendar date,
 * with the time when it is not midnight, and a number its decimal digits.
 */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result ?? null);
  if ('hyperlink' in value) return cellText(value.text);
  if ('error' in value) return value.error;
  return '';
}

/** Significant digits kept from a cell's number: any 15-digit decimal survives a round trip through a double. */
const SIGNIFICANT_DIGITS = 15;

/**
 * Writes a number as a plain decimal. Rounding to 15 significant digits removes binary
 * floating-point noise (0.1 + 0.2 is stored as 0.30000000000000004 and is written 0.3), and an
 * exponent form such as 1e-7 is expanded to 0.0000001.
 */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(SIGNIFICANT_DIGITS));
  const text = String(rounded);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign = '', lead = '', fraction = '', exponentText = '0'] = match;
  const digits = lead + fraction;
  const pointAt = 1 + Number(exponentText);
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

/** exceljs gives dates as the sheet's wall-clock time in UTC, so UTC fields are the calendar date. */
function dateText(cellDate: Date): string {
  if (Number.isNaN(cellDate.getTime())) return '';
  // A serial date converts to a time a millisecond off a whole second at times.
  const value = new Date(Math.round(cellDate.getTime() / 1000) * 1000);
  const day = formatDay(
    dayFromCivil(value.getUTCFullYear(), value.getUTCMonth() + 1, value.getUTCDate()),
  );
  const hours = value.getUTCHours();
  const minutes = value.getUTCMinutes();
  const seconds = value.getUTCSeconds();
  if (hours === 0 && minutes === 0 && seconds === 0) return day;
  const pad = (part: number): string => String(part).padStart(2, '0');
  return `${day}T${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
}
