/**
 * Contract lines read from rows, with the CSM assignments and segment spans that columns on the
 * same rows imply. All presets that produce lines share this reader.
 */
import type {
  Assignment,
  BillingPeriod,
  ContractLine,
  LineKind,
  SegmentSpan,
} from '../core/model.js';
import { IdIndex } from '../core/id-index.js';
import type { EndDateConvention } from './options.js';
import { quoteValue } from './problems.js';
import type { RowReader } from './row-reader.js';
import { LineCounts } from './summary.js';
import type { ColumnRef, Table } from './table.js';
import {
  parseLineAmount,
  parseBillingPeriod,
  parseCurrency,
  parseDate,
  parseLineKind,
  parseQuantity,
} from './values.js';

/** Role given to assignments built from an owner column on line rows. */
export const INLINE_OWNER_ROLE = 'CSM';

/** The columns a line reader uses; any of them may be absent from a file. */
export interface LineColumns {
  readonly id?: ColumnRef;
  readonly accountId?: ColumnRef;
  readonly contractId?: ColumnRef;
  readonly product?: ColumnRef;
  readonly kind?: ColumnRef;
  readonly amount?: ColumnRef;
  readonly period?: ColumnRef;
  readonly currency?: ColumnRef;
  readonly start?: ColumnRef;
  readonly end?: ColumnRef;
  readonly quantity?: ColumnRef;
  readonly renews?: ColumnRef;
  readonly signed?: ColumnRef;
  readonly owner?: ColumnRef;
  readonly segment?: ColumnRef;
  readonly region?: ColumnRef;
  readonly subRegion?: ColumnRef;
}

export interface LineSettings {
  readonly endDate: EndDateConvention;
  /** Currency for a blank currency cell or a file without a currency column. */
  readonly currency: string | undefined;
  /** Billing period of every line when the file has no billing period column. */
  readonly period?: BillingPeriod;
  /** Header name used in problems about an end date when the file has no end column. */
  readonly endHeader: string;
}

/** Records that line rows give: the lines, and the owners and segments stated on them. */
export interface LineBatch {
  readonly lines: readonly ContractLine[];
  readonly assignments: readonly Assignment[];
  readonly segments: readonly SegmentSpan[];
}

/** Collects the lines of one file, dropping rows that exactly repeat an earlier row with the same id. */
export class LineCollector {
  /** Records collected since the last `takeBatch`, or since the start. */
  lines: ContractLine[] = [];
  assignments: Assignment[] = [];
  segments: SegmentSpan[] = [];
  /** Assignments and segments collected in all, those of taken batches included. */
  assignmentCount = 0;
  segmentCount = 0;
  readonly counts = new LineCounts();
  duplicateRows = 0;
  /** Set once a line is added whose id was not checked against the earlier rows. */
  private uncheckedIdAdded = false;
  /** Ids read so far, numbered; the first row with an id is read again on a repeat. */
  private readonly ids = new IdIndex();
  /** Table index of the first row with each id, by the id's number in `ids`. */
  private readonly firstRowOfId: number[] = [];

  constructor(private readonly table: Table) {}

  /**
   * Reads one row into a line, using `fallbackId` when the file has no id column. A row
   * identical to an earlier row with the same id is counted and skipped; a different row with
   * the same id is a problem.
   */
  readRow(
    reader: RowReader,
    columns: LineColumns,
    settings: LineSettings,
    fallbackId: string,
  ): 'added' | 'duplicate' | 'failed' {
    const id =
      columns.id === undefined
        ? fallbackId
        : reader.required(columns.id, 'every line needs an id that no other line uses');
    if (id !== undefined && columns.id !== undefined && !this.claimId(id, reader, columns.id)) {
      return 'duplicate';
    }
    const line = readLineFields(reader, columns, settings);
    if (line?.renews !== undefined && line.renews === id && columns.renews) {
      reader.report(columns.renews, id, "is the line's own id; a line cannot renew itself");
    }
    if (id === undefined || line === undefined || reader.failed) return 'failed';
    if (columns.id === undefined) this.uncheckedIdAdded = true;
    this.add(completeLine(line, id), readInlineAttributes(reader, columns));
    return 'added';
  }

  /**
   * Adds a line that a preset built itself. With an `idColumn`, a row identical to an earlier
   * row with the same id is skipped and a different row with the same id is a problem, as in
   * `readRow`.
   */
  addLine(
    reader: RowReader,
    line: ContractLine,
    idColumn: ColumnRef | undefined,
    inline: InlineAttributes = {},
  ): 'added' | 'duplicate' {
    if (idColumn !== undefined && !this.claimId(line.id, reader, idColumn)) return 'duplicate';
    if (reader.failed) return 'added';
    if (idColumn === undefined) this.uncheckedIdAdded = true;
    this.add(line, inline);
    return 'added';
  }

  /**
   * Whether no two collected lines share an id. Each id read from an id column is checked
   * against the earlier rows, and a row that repeats one is skipped or fails, so this holds
   * unless a line was added without that check.
   */
  get idsAreUnique(): boolean {
    return !this.uncheckedIdAdded;
  }

  /** Returns the records collected since the last call, and starts new lists. */
  takeBatch(): LineBatch {
    const batch = { lines: this.lines, assignments: this.assignments, segments: this.segments };
    this.lines = [];
    this.assignments = [];
    this.segments = [];
    return batch;
  }

  /** Returns false when the row must be skipped as a duplicate of an earlier row. */
  private claimId(id: string, reader: RowReader, idColumn: ColumnRef): boolean {
    const known = this.ids.size;
    const number = this.ids.add(id);
    if (number === known) {
      this.firstRowOfId.push(reader.row.index);
      return true;
    }
    const earlier = this.table.rows.get(this.firstRowOfId[number] ?? 0);
    const differing = reader.row.cells.findIndex((cell, index) => cell !== earlier.cells[index]);
    if (differing < 0) {
      this.duplicateRows += 1;
      return false;
    }
    const header = this.table.headers[differing] ?? '';
    const before = earlier.cells[differing] ?? '';
    const now = reader.row.cells[differing] ?? '';
    reader.report(
      idColumn,
      id,
      `is a line id already used on row ${earlier.row}, but column ${JSON.stringify(header)} has ${quoteValue(before)} there and ${quoteValue(now)} here; give each line its own id, or delete one of the two rows`,
    );
    return true;
  }

  private add(line: ContractLine, inline: InlineAttributes): void {
    this.lines.push(line);
    this.counts.count(line);
    const { accountId, start: from, end: to, source } = line;
    if (inline.owner !== undefined) {
      this.assignmentCount += 1;
      this.assignments.push({
        accountId,
        role: INLINE_OWNER_ROLE,
        person: inline.owner,
        from,
        to,
        ...(source && { source }),
      });
    }
    if (
      inline.segment !== undefined ||
      inline.region !== undefined ||
      inline.subRegion !== undefined
    ) {
      this.segmentCount += 1;
      this.segments.push({
        accountId,
        ...(inline.segment !== undefined && { segment: inline.segment }),
        ...(inline.region !== undefined && { region: inline.region }),
        ...(inline.subRegion !== undefined && { subRegion: inline.subRegion }),
        from,
        to,
        ...(source && { source }),
      });
    }
  }
}

export interface InlineAttributes {
  readonly owner?: string;
  readonly segment?: string;
  readonly region?: string;
  readonly subRegion?: string;
}

export function readInlineAttributes(reader: RowReader, columns: LineColumns): InlineAttributes {
  return {
    owner: reader.text(columns.owner),
    segment: reader.text(columns.segment),
    region: reader.text(columns.region),
    subRegion: reader.text(columns.subRegion),
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A line without its id, as `readLineFields` builds it. */
type LineFields = Mutable<Omit<ContractLine, 'id'>>;

/**
 * Adds the id to a line that `readLineFields` built, as its last key. Adding the property, rather
 * than spreading into a new object, lets V8 give all lines a few shared hidden classes; a spread
 * copy gets one of its own per line, about 200 bytes each.
 */
function completeLine(fields: LineFields, id: string): ContractLine {
  const line: LineFields & { id?: string } = fields;
  line.id = id;
  return line as ContractLine;
}

/** Reads every line field except the id; returns undefined after any problem in the row. */
function readLineFields(
  reader: RowReader,
  columns: LineColumns,
  settings: LineSettings,
): LineFields | undefined {
  const accountId = reader.required(
    columns.accountId,
    "every line needs the customer's account id",
  );
  const parsedAmount = reader.parseRequired(
    columns.amount,
    parseLineAmount,
    'every line needs an amount; write 0 for a free line',
  );
  const currency = readCurrency(reader, columns.currency, settings.currency);
  const period =
    columns.period === undefined && settings.period !== undefined
      ? settings.period
      : reader.parseRequired(
          columns.period,
          parseBillingPeriod,
          'give the period the amount covers, such as month, year or term',
        );
  const start = reader.parseRequired(
    columns.start,
    parseDate,
    'give the first day of service as YYYY-MM-DD',
  );
  const end = reader.endDate(columns.end, start, settings.endDate);
  const kindText = reader.text(columns.kind);
  const kind: LineKind | undefined =
    kindText === undefined ? 'recurring' : reader.optional(columns.kind, parseLineKind);
  const quantity = reader.optional(columns.quantity, parseQuantity);
  const signed = reader.optional(columns.signed, parseDate);

  if (parsedAmount?.symbolCurrency !== undefined && currency !== undefined && columns.amount) {
    if (parsedAmount.symbolCurrency !== currency) {
      reader.report(
        columns.amount,
        reader.text(columns.amount) ?? '',
        `has the symbol ${parsedAmount.symbol ?? ''} but the line's currency is ${currency}; correct the amount or the currency`,
      );
    }
  }
  if (period?.unit === 'term' && end === null) {
    reader.report(
      columns.end ?? { index: -1, header: settings.endHeader },
      '',
      'value is missing; a line whose amount covers the whole term needs an end date',
    );
  }
  if (
    accountId === undefined ||
    parsedAmount === undefined ||
    currency === undefined ||
    period === undefined ||
    start === undefined ||
    end === undefined ||
    kind === undefined ||
    reader.failed
  ) {
    return undefined;
  }

  const line: LineFields = {
    accountId,
    kind,
    kindSource: kindText === undefined ? 'default' : 'file',
    amount: parsedAmount.amount,
    period,
    currency,
    start,
    end,
    source: { file: reader.file, row: reader.row.row },
  };
  const contractId = reader.text(columns.contractId);
  if (contractId !== undefined) line.contractId = contractId;
  const product = reader.text(columns.product);
  if (product !== undefined) line.product = product;
  if (quantity !== undefined) line.quantity = quantity;
  const renews = reader.text(columns.renews);
  if (renews !== undefined) line.renews = renews;
  if (signed !== undefined) line.signed = signed;
  return line;
}

/** Reads the currency cell, falling back to the default for a blank cell or absent column. */
function readCurrency(
  reader: RowReader,
  column: ColumnRef | undefined,
  fallback: string | undefined,
): string | undefined {
  const text = reader.text(column);
  if (column !== undefined && text !== undefined) return reader.optional(column, parseCurrency);
  if (fallback !== undefined) return fallback;
  return reader.required(
    column,
    'give the 3-letter ISO 4217 code, or read the file with a default currency',
  );
}
