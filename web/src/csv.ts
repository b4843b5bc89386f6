/** Tables exported as CSV files that spreadsheets open safely. */

export type CsvCell = string | number | null;

/**
 * Quotes a cell when it needs it. Text that a spreadsheet would read as a formula (starting with
 * =, +, -, @, tab or carriage return) gets a leading apostrophe; numbers, negative ones included,
 * are written as they are.
 */
export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const formulaLike = /^[=+\-@\t\r]/.test(value) && !/^-\d+(\.\d+)?$/.test(value);
  const text = formulaLike ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
