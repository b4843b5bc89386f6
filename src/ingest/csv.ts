/**
 * A CSV scanner that reads the same records and cells as csv-parse 7 with the options
 * `{ bom: true, relax_column_count: true, relax_quotes: true, trim: true }`, followed by trimming
 * each cell, without holding every cell of a large file in memory at once.
 *
 * `scanCsv` makes one pass that stores, for each record, where it starts, its number of cells and
 * its last non-blank cell. `CsvRecords.cells` then builds the cells of one record when a reader
 * asks for them. Text that csv-parse rejects (a quote left open, text after a closing quote) and
 * text with unpaired UTF-16 surrogates are not scanned: the caller parses them with csv-parse,
 * which raises its own error or replaces the surrogates as it always did.
 *
 * The rules copied from csv-parse: the record delimiter is the first CR LF, LF or CR found
 * outside quotes, and other CR and LF characters are ordinary whitespace after that. Whitespace
 * (the characters `String.prototype.trim` removes) before a quote is skipped, so ` "a"` is a
 * quoted cell, and a quote anywhere else in an unquoted cell is an ordinary character. Inside
 * quotes, `""` is one quote. Only whitespace may follow a closing quote before the comma or the
 * end of the record, and only ASCII whitespace after a quoted cell that is not empty. A record at the end of the text without a line break counts only when it
 * has a comma, a quoted cell or a non-blank character.
 */

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const BOM = 0xfeff;

/** Record delimiters; `UNKNOWN` until the first line break outside quotes. */
const UNKNOWN = 0;
const DELIMITER_LF = 1;
const DELIMITER_CR = 2;
const DELIMITER_CRLF = 3;

/** Whether a UTF-16 code unit is whitespace or a line terminator as `String.prototype.trim` sees it. */
export function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === BOM
  );
}

/** The records of a CSV text, whose cells are built on request. */
export class CsvRecords {
  /** Number of records, blank ones included; record i (from 0) is file row i + 1. */
  readonly length: number;

  constructor(
    private readonly text: string,
    private readonly delimiter: number,
    private readonly starts: Int32Array,
    private readonly widths: Int32Array,
    private readonly lastFilled: Int32Array,
  ) {
    this.length = starts.length;
  }

  /** Number of cells in record `index`. */
  width(index: number): number {
    return this.widths[index] ?? 0;
  }

  /** Index of the last non-blank cell of record `index`, or -1 for a blank record. */
  lastFilledCell(index: number): number {
    return this.lastFilled[index] ?? -1;
  }

  /** Builds the trimmed cells of record `index`. */
  cells(index: number): string[] {
    const cells: string[] = [];
    const scanner = new Scanner(this.text, this.starts[index] ?? 0, this.delimiter);
    scanner.record(cells);
    return cells;
  }
}

/**
 * Scans CSV text into records. Returns undefined when the text must be parsed by csv-parse
 * instead: it is not well-formed UTF-16, or csv-parse would reject its quoting.
 */
export function scanCsv(text: string): CsvRecords | undefined {
  if (!text.isWellFormed()) return undefined;
  const scanner = new Scanner(text, text.charCodeAt(0) === BOM ? 1 : 0, UNKNOWN);
  let capacity = 1024;
  let starts = new Int32Array(capacity);
  let widths = new Int32Array(capacity);
  let lastFilled = new Int32Array(capacity);
  let count = 0;
  for (;;) {
    const start = scanner.pos;
    if (!scanner.record(undefined)) break;
    if (count === capacity) {
      capacity *= 2;
      starts = grow(starts, capacity);
      widths = grow(widths, capacity);
      lastFilled = grow(lastFilled, capacity);
    }
    starts[count] = start;
    widths[count] = scanner.width;
    lastFilled[count] = scanner.lastFilled;
    count += 1;
  }
  if (scanner.rejected) return undefined;
  return new CsvRecords(
    text,
    scanner.delimiter,
    starts.slice(0, count),
    widths.slice(0, count),
    lastFilled.slice(0, count),
  );
}

function grow(array: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(capacity);
  larger.set(array);
  return larger;
}

/** Reads one record at a time from `pos`. */
class Scanner {
  /** Cells in the record read last. */
  width = 0;
  /** Index of the last non-blank cell in the record read last, -1 when all are blank. */
  lastFilled = -1;
  /** Set when the text has quoting that csv-parse rejects; no more records are read. */
  rejected = false;

  constructor(
    private readonly text: string,
    public pos: number,
    public delimiter: number,
  ) {}

  /**
   * Reads the record at `pos`, pushing its cells onto `cells` when given, and moves `pos` past
   * its line break. Returns false when there is no further record, or the quoting is rejected.
   */
  record(cells: string[] | undefined): boolean {
    const text = this.text;
    const end = text.length;
    let pos = this.pos;
    if (pos >= end || this.rejected) return false;
    let width = 0;
    let lastFilled = -1;
    for (;;) {
      let code = 0;
      while (pos < end) {
        code = text.charCodeAt(pos);
        if (code === COMMA || !isWhitespace(code) || this.lineBreakAt(pos) > 0) break;
        pos += 1;
      }
      let valueStart: number;
      let valueEnd: number;
      let quoted = false;
      let escaped = false;
      if (pos < end && code === QUOTE) {
        quoted = true;
        valueStart = pos + 1;
        let search = valueStart;
        for (;;) {
          const quote = text.indexOf('"', search);
          if (quote < 0) return this.reject();
          if (text.charCodeAt(quote + 1) === QUOTE) {
            escaped = true;
            search = quote + 2;
            continue;
          }
          valueEnd = quote;
          pos = quote + 1;
          break;
        }
        while (pos < end) {
          code = text.charCodeAt(pos);
          if (code === COMMA || this.lineBreakAt(pos) > 0) break;
          // After a quoted cell that is not empty, csv-parse 7 steps over only the first byte of
          // a multi-byte character, so it rejects whitespace outside ASCII there.
          const multiByte = code > 0x7f && valueEnd > valueStart;
          if (multiByte || !isWhitespace(code)) return this.reject();
          pos += 1;
        }
      } else {
        valueStart = pos;
        while (pos < end) {
          code = text.charCodeAt(pos);
          if (code === COMMA) break;
          if ((code === LF || code === CR) && this.lineBreakAt(pos) > 0) break;
          pos += 1;
        }
        valueEnd = pos;
      }
      while (valueStart < valueEnd && isWhitespace(text.charCodeAt(valueStart))) valueStart += 1;
      while (valueEnd > valueStart && isWhitespace(text.charCodeAt(valueEnd - 1))) valueEnd -= 1;
      if (valueEnd > valueStart) lastFilled = width;
      if (cells !== undefined) {
        const value = text.slice(valueStart, valueEnd);
        cells.push(escaped ? value.replaceAll('""', '"') : value);
      }
      width += 1;

      if (pos >= end) {
        // csv-parse drops a last line without a line break that has nothing in it.
        this.pos = end;
        if (width === 1 && !quoted && lastFilled < 0) return false;
        break;
      }
      if (text.charCodeAt(pos) === COMMA) {
        pos += 1;
        continue;
      }
      this.pos = pos + this.lineBreakAt(pos);
      break;
    }
    this.width = width;
    this.lastFilled = lastFilled;
    return true;
  }

  private reject(): false {
    this.rejected = true;
    return false;
  }

  /** Returns the length of the record delimiter at `pos`, or 0, choosing it at the first line break. */
  private lineBreakAt(pos: number): number {
    const code = this.text.charCodeAt(pos);
    if (code !== LF && code !== CR) return 0;
    const crlf = code === CR && this.text.charCodeAt(pos + 1) === LF;
    if (this.delimiter === UNKNOWN) {
      this.delimiter = crlf ? DELIMITER_CRLF : code === CR ? DELIMITER_CR : DELIMITER_LF;
    }
    switch (this.delimiter) {
      case DELIMITER_CRLF:
        return crlf ? 2 : 0;
      case DELIMITER_CR:
        return code === CR ? 1 : 0;
      default:
        return code === LF ? 1 : 0;
    }
  }
}
