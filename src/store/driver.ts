/**
 * The one interface the workspace talks to, with two drivers behind it: the embedded PostgreSQL
 * (PGlite, a data folder) and a PostgreSQL server reached through a connection string. Both speak
 * the same SQL; the schema in `migrations.ts` is written to run on either.
 */

/** A value bound to a query parameter. Dates travel as `YYYY-MM-DD` text. */
export type SqlValue = string | number | boolean | null;

/** A row as returned by a query: column name to text, number, boolean or null. */
export type Row = Readonly<Record<string, unknown>>;

/** The queries of one transaction, or of the whole database outside one. */
export interface Queryable {
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /**
   * Loads rows with COPY: `rows` yields chunks of CSV text (no header) or its UTF-8 bytes, each a
   * whole number of rows, in the column order given. Chunks are requested as the database takes them, so a
   * producer that builds each chunk on request never holds more than a few.
   */
  copyIn(
    table: string,
    columns: readonly string[],
    rows: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  ): Promise<void>;
  /** Runs `COPY (query) TO` and returns the rows as CSV text without a header. */
  copyOut(query: string): Promise<string>;
}

export interface Database extends Queryable {
  /** `embedded` for PGlite, `server` for a PostgreSQL server. */
  readonly kind: 'embedded' | 'server';
  /** Location of the data, for messages: the folder, or the server URL without its password. */
  readonly location: string;
  /**
   * Runs `work` in one transaction: it commits when `work` resolves and rolls back when it
   * throws, so a failed import leaves nothing behind.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Raised when the database cannot be opened or used, with what to do about it. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** Quotes an identifier that the code itself chose (table and column names). */
export function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new StoreError(`unexpected identifier ${name}`);
  return `"${name}"`;
}

/** Builds a COPY statement that reads CSV rows into the given columns. */
export function copyInStatement(table: string, columns: readonly string[], source: string): string {
  return `COPY ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')}) FROM ${source} WITH (FORMAT csv)`;
}

/**
 * Writes one CSV field for COPY: null as an unquoted empty field, every other value quoted, so an empty
 * string stays distinct from null and commas, quotes and line breaks survive.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  return `"${value.replaceAll('"', '""')}"`;
}

/**
 * Reads CSV text written by `COPY ... TO ... WITH (FORMAT csv)`, calling `onRow` with the fields
 * of each row. An unquoted empty field is null; a quoted one is the empty string. The array
 * passed to `onRow` is reused for the next row, so copy what must outlive the call.
 */
export function forEachCopyRow(
  text: string,
  columns: number,
  onRow: (fields: readonly (string | null)[]) => void,
): void {
  const row: (string | null)[] = new Array<string | null>(columns).fill(null);
  let field = 0;
  let index = 0;
  const length = text.length;
  while (index < length) {
    let value: string | null;
    if (text.charCodeAt(index) === 34 /* " */) {
      let end = index + 1;
      let pieces = '';
      for (;;) {
        const quote = text.indexOf('"', end);
        if (quote < 0) throw new StoreError('unterminated quoted field in COPY output');
        pieces += text.slice(end, quote);
        if (text.charCodeAt(quote + 1) === 34) {
          pieces += '"';
          end = quote + 2;
          continue;
        }
        index = quote + 1;
        break;
      }
      value = pieces;
    } else {
      let end = index;
      while (end < length) {
        const code = text.charCodeAt(end);
        if (code === 44 /* , */ || code === 10 /* \n */) break;
        end++;
      }
      value = end === index ? null : text.slice(index, end);
      index = end;
    }
    if (field >= columns) throw new StoreError(`COPY output row has more than ${columns} fields`);
    row[field++] = value;
    const separator = text.charCodeAt(index);
    index++;
    if (separator !== 44) {
      if (field !== columns) {
        throw new StoreError(`COPY output row has ${field} fields, expected ${columns}`);
      }
      onRow(row);
      field = 0;
    }
  }
}

/** Reads COPY CSV output into rows of fields; see `forEachCopyRow`. */
export function parseCopyCsv(text: string, columns: number): (string | null)[][] {
  const rows: (string | null)[][] = [];
  forEachCopyRow(text, columns, (fields) => rows.push([...fields]));
  return rows;
}

/** Rows per COPY chunk: large enough to be fast, small enough to keep memory flat. */
export const COPY_CHUNK_ROWS = 20_000;

/** Groups CSV rows into chunks of `COPY_CHUNK_ROWS` rows for `copyIn`. */
export function* chunkRows<T>(items: Iterable<T>, toRow: (item: T) => string): Iterable<string> {
  let chunk: string[] = [];
  for (const item of items) {
    chunk.push(toRow(item));
    if (chunk.length >= COPY_CHUNK_ROWS) {
      yield chunk.join('');
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('');
}

/** SQL that formats a timestamp as ISO 8601 in UTC, such as 2026-12-04T18:15:43.120Z. */
export function isoTime(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * Describes a value the database rejected as unstorable, with what to do, or undefined for any other
 * error. PostgreSQL text cannot hold a NUL character (SQLSTATE 22021, or 22P05 for `\u0000` in
 * JSON), and an index entry has a size limit (54000).
 */
export function describeUnstorableValue(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '22021' || code === '22P05') {
    return 'a text value contains a NUL character, which the workspace cannot store; remove it and try again';
  }
  if (code === '54000') {
    return 'a text value is too long for the workspace to store; shorten it (names of books, people and scenarios need no more than a few hundred characters) and try again';
  }
  return undefined;
}
