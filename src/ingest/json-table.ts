/**
 * Stripe API list responses as a table: one row per subscription item, with a column per field
 * path (`customer`, `items.data[].price.unit_amount`, `metadata.seats`), so that the
 * `stripe-subscriptions` preset reads API objects as it reads the Dashboard export.
 */
import type { ProblemList } from './problems.js';
import { listedRows, type Table, type TableRow } from './table.js';

/** Prefix of the columns that come from a subscription item. */
export const ITEM_PREFIX = 'items.data[].';

/** Returns whether text is JSON rather than CSV, because it starts with `[` or `{`. */
export function looksLikeJson(text: string): boolean {
  return /^\uFEFF?\s*[[{]/.test(text);
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a JSON array of subscription objects, or a list object `{ "data": [...] }`, into a
 * table. Row N is the Nth object of the list; a subscription with several items gives several
 * rows with the same number. Returns undefined after reporting a problem when the text is not
 * such a list.
 */
export function parseJsonTable(
  text: string,
  file: string,
  problems: ProblemList,
): Table | undefined {
  let parsed: Json;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, '')) as Json;
  } catch (error) {
    problems.add({
      file,
      row: 1,
      column: '',
      value: '',
      message: `the file is not valid JSON (${(error as Error).message}); export the subscriptions again`,
    });
    return undefined;
  }
  const list = Array.isArray(parsed) ? parsed : isObject(parsed) ? parsed['data'] : undefined;
  if (!Array.isArray(list)) {
    problems.add({
      file,
      row: 1,
      column: '',
      value: '',
      message:
        'the JSON is neither an array of subscription objects nor a list object with a "data" array; give the API response of GET /v1/subscriptions or its "data" array',
    });
    return undefined;
  }

  const headers: string[] = [];
  const indexOf = new Map<string, number>();
  const flatRows: { row: number; fields: Map<string, string> }[] = [];
  list.forEach((subscription, index) => {
    const row = index + 1;
    if (!isObject(subscription)) {
      problems.add({
        file,
        row,
        column: '',
        value: '',
        message: 'is not a subscription object; each element of the list must be a JSON object',
      });
      return;
    }
    const { items, ...fields } = subscription;
    const base = new Map<string, string>();
    flatten(fields, '', base);
    const itemList = isObject(items) && Array.isArray(items['data']) ? items['data'] : [];
    if (itemList.length === 0) flatRows.push({ row, fields: base });
    for (const item of itemList) {
      const cells = new Map(base);
      if (isObject(item)) flatten(item, ITEM_PREFIX, cells);
      flatRows.push({ row, fields: cells });
    }
  });
  for (const { fields } of flatRows) {
    for (const key of fields.keys()) {
      if (!indexOf.has(key)) {
        indexOf.set(key, headers.length);
        headers.push(key);
      }
    }
  }
  const rows: TableRow[] = flatRows.map(({ row, fields }, index) => {
    const cells = headers.map(() => '');
    for (const [key, value] of fields) cells[indexOf.get(key) as number] = value.trim();
    return { index, row, cells };
  });
  return { file, headers, rows: listedRows(rows), blankRows: 0 };
}

/**
 * Adds the scalar fields of an object under their dotted path. An expanded object that has an
 * `id` (such as an expanded `customer`) also gives its id under the field's own name; arrays
 * other than the item list are left out.
 */
function flatten(value: { [key: string]: Json }, prefix: string, into: Map<string, string>): void {
  for (const [key, field] of Object.entries(value)) {
    const path = prefix + key;
    if (isObject(field)) {
      const id = field['id'];
      if (typeof id === 'string') into.set(path, id);
      flatten(field, `${path}.`, into);
    } else if (Array.isArray(field)) {
      continue;
    } else if (field === null) {
      into.set(path, '');
    } else {
      into.set(path, String(field));
    }
  }
}
