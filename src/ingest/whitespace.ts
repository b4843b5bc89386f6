/**
 * The white space input files: the product catalogue, the pipeline and the potential seat counts
 * (see docs/checks.md). A file with any bad row is rejected as a whole.
 */
import { parseDecimal, scaleToMinor, type Decimal, type RoundingMode } from '../core/money.js';
import type { CatalogueProduct, PipelineEntry, Pricing, SeatCount } from '../core/whitespace.js';
import { ProblemList } from './problems.js';
import { RowReader } from './row-reader.js';
import {
  fieldSpec,
  parseTable,
  resolveColumns,
  type FieldSpec,
  type ResolvedColumns,
  type Table,
} from './table.js';
import { parseAmount, parseQuantity, type Parsed } from './values.js';

function readTable(text: string, file: string, problems: ProblemList): Table | undefined {
  const table = parseTable(text, file, problems);
  if (table === undefined) problems.throwIfAny();
  return table;
}

function parsePrice(text: string): Parsed<Decimal> {
  const parsed = parseAmount(text);
  if (!parsed.ok) return parsed;
  if (parsed.value.amount.coefficient < 0n) {
    return { ok: false, message: 'is negative; a list price is zero or more' };
  }
  return { ok: true, value: parsed.value.amount };
}

function parsePercent(text: string): Parsed<Decimal> {
  const match = /^(\d{1,3}(?:\.\d{1,4})?)\s*%?$/.exec(text);
  const value = match?.[1] === undefined ? undefined : parseDecimal(match[1]);
  if (value === undefined || value.coefficient <= 0n) {
    return { ok: false, message: 'is not a percentage above 0; write it as 15 or 12.5%' };
  }
  return { ok: true, value };
}

/** Reads a catalogue: product, price_per_seat or percent_of_arr, eligible_segments. */
export function readCatalogueText(text: string, file: string): CatalogueProduct[] {
  const problems = new ProblemList();
  const table = readTable(text, file, problems);
  if (table === undefined) return [];
  const columns = resolveColumns(
    table,
    [
      fieldSpec('product', undefined, ['product'], true),
      fieldSpec('seat', undefined, ['price_per_seat']),
      fieldSpec('percent', undefined, ['percent_of_arr']),
      fieldSpec('segments', undefined, ['eligible_segments']),
    ],
    {},
    problems,
  );
  const products: CatalogueProduct[] = [];
  const firstRow = new Map<string, number>();
  for (const row of table.rows) {
    const reader = new RowReader(file, row, problems);
    const product = reader.required(columns.product, 'name the product');
    const seat = reader.optional(columns.seat, parsePrice);
    const percent = reader.optional(columns.percent, parsePercent);
    const seatText = reader.text(columns.seat);
    const percentText = reader.text(columns.percent);
    if ((seatText === undefined) === (percentText === undefined)) {
      problems.add({
        file,
        row: row.row,
        column: columns.seat?.header ?? 'price_per_seat',
        value: seatText ?? '',
        message:
          'give exactly one price: price_per_seat (annual list price per seat) or percent_of_arr',
      });
    }
    const segments = (reader.text(columns.segments) ?? '')
      .split(';')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    if (reader.failed || product === undefined) continue;
    const key = product.toLowerCase();
    const earlier = firstRow.get(key);
    if (earlier !== undefined) {
      problems.add({
        file,
        row: row.row,
        column: columns.product?.header ?? 'product',
        value: product,
        message: `is listed again after row ${earlier}; keep one row per product`,
      });
      continue;
    }
    firstRow.set(key, row.row);
    const pricing: Pricing | undefined =
      seat !== undefined
        ? { kind: 'seat', price: seat }
        : percent !== undefined
          ? { kind: 'percent', percent }
          : undefined;
    if (pricing !== undefined) products.push({ product, pricing, segments });
  }
  problems.throwIfAny();
  return products;
}

/**
 * Reads the rows of a simple CSV file: `readRow` returns a record, or undefined for a row with a
 * problem. Throws an `ImportError` listing every problem.
 */
function readRows<Field extends string, T>(
  text: string,
  file: string,
  specs: readonly FieldSpec<Field>[],
  readRow: (reader: RowReader, columns: ResolvedColumns<Field>) => T | undefined,
): T[] {
  const problems = new ProblemList();
  const table = readTable(text, file, problems);
  if (table === undefined) return [];
  const columns = resolveColumns(table, specs, {}, problems);
  const records: T[] = [];
  for (const row of table.rows) {
    const reader = new RowReader(file, row, problems);
    const record = readRow(reader, columns);
    if (record !== undefined && !reader.failed) records.push(record);
  }
  problems.throwIfAny();
  return records;
}

/**
 * Reads a pipeline file: account_id, product, arr (annual, in the reporting currency), rounding
 * each amount to minor units with `mode`.
 */
export function readPipelineText(
  text: string,
  file: string,
  currency: string,
  mode: RoundingMode,
): PipelineEntry[] {
  const specs = [
    fieldSpec('account', undefined, ['account_id'], true),
    fieldSpec('product', undefined, ['product'], true),
    fieldSpec('arr', undefined, ['arr'], true),
  ];
  return readRows(text, file, specs, (reader, columns) => {
    const account = reader.required(columns.account, 'give the account id');
    const product = reader.required(columns.product, 'name the product');
    const arr = reader.parseRequired(columns.arr, parsePrice, 'give the ARR in the pipeline');
    if (account === undefined || product === undefined || arr === undefined) return undefined;
    return { account, product, arr: scaleToMinor(arr, 1, 1, currency, mode) };
  });
}

function parseSeats(cell: string): Parsed<number> {
  const parsed = parseQuantity(cell);
  return parsed.ok && Number.isInteger(parsed.value) && parsed.value >= 0
    ? parsed
    : { ok: false, message: 'is not a whole number of seats, such as 140' };
}

/** Reads a seat count file: account_id, potential_seats (a whole number). */
export function readSeatsText(text: string, file: string): SeatCount[] {
  const specs = [
    fieldSpec('account', undefined, ['account_id'], true),
    fieldSpec('seats', undefined, ['potential_seats'], true),
  ];
  return readRows(text, file, specs, (reader, columns) => {
    const account = reader.required(columns.account, 'give the account id');
    const seats = reader.parseRequired(
      columns.seats,
      parseSeats,
      'give the number of seats the account could use',
    );
    if (account === undefined || seats === undefined) return undefined;
    return { account, potentialSeats: seats };
  });
}
