/**
 * Rendering for the terminal and CSV. JSON output keeps integer minor units and fractional
 * ratios; only these renderers turn them into decimal amounts and percentages.
 */
import { formatMinor, formatPercent } from '../core/money.js';

/** Escapes each line of a multi-line text with `printable`, keeping the line breaks. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/** Writes a count with its noun, in the singular for one: `1 account`, `2 accounts`. */
export function count(value: number, singular: string, plural = `${singular}s`): string {
  return `${value} ${value === 1 ? singular : plural}`;
}

export function money(value: number, currency: string): string {
  const text = formatMinor(value, currency);
  const [whole = '', fraction] = text.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (value < 0 ? '-' : '') + grouped + (fraction === undefined ? '' : '.' + fraction);
}

/** Writes a ratio for CSV: the fraction itself, or an empty cell when it is undefined. */
export function ratio(value: number | null): string {
  return value === null ? '' : String(value);
}

/** Lists warnings under a heading, or nothing when there are none. */
export function warningLines(warnings: readonly string[]): string[] {
  return warnings.length === 0
    ? []
    : ['', 'Warnings', ...warnings.map((warning) => `- ${warning}`)];
}

export function percent(value: number | null): string {
  return value === null ? 'n/a' : formatPercent(value);
}

/**
 * Replaces control characters, which could move the cursor or retitle the terminal, and
 * bidirectional overrides, which could reorder what is shown, with escapes.
 */
export function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Renders rows as a plain text table; numeric-looking cells are right-aligned. */
export function table(headers: readonly string[], rawRows: readonly (readonly string[])[]): string {
  const rows = rawRows.map((row) => row.map(printable));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = /^[-+]?[\d,.]+%?$|^n\/a$/;
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column > 0 && numeric.test(cell)
          ? cell.padStart(widths[column] ?? 0)
          : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [
    render(headers),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(render),
  ].join('\n');
}

/**
 * Quotes a CSV cell. Cells that a spreadsheet would run as a formula (starting with =, +, -, @,
 * tab or carriage return) and are not plain numbers get a leading apostrophe.
 */
export function csvCell(value: string): string {
  let text = value;
  if (/^[=+\-@\t\r]/.test(text) && !/^[-+]?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csv(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [headers, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}
