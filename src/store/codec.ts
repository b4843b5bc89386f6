/**
 * Conversions between the canonical model and the rows of the workspace tables: CSV text for
 * COPY on the way in, COPY output on the way out. Dates are stored as SQL dates, amounts and rates
 * as exact numerics, so a stored figure reads back bit for bit.
 */
import { formatDay, type Day } from '../core/dates.js';
import { formatDecimal, parseDecimal, type Decimal } from '../core/money.js';
import type {
  Account,
  Assignment,
  BillingPeriod,
  ContractLine,
  FxRate,
  LineKind,
  SegmentSpan,
} from '../core/model.js';
import type { CopyRows } from './copy-rows.js';
import { csvField, StoreError } from './driver.js';

export const LINE_COLUMNS = [
  'id',
  'account_id',
  'contract_id',
  'product',
  'kind',
  'kind_source',
  'amount',
  'period_unit',
  'period_count',
  'currency',
  'start_date',
  'end_date',
  'quantity',
  'renews',
  'signed_date',
  'source_file',
  'source_row',
] as const;

export const ACCOUNT_COLUMNS = ['id', 'name', 'parent_id', 'currency', 'attributes'] as const;

export const ASSIGNMENT_COLUMNS = [
  'account_id',
  'role',
  'person',
  'valid_from',
  'valid_to',
  'source_file',
  'source_row',
] as const;

export const SEGMENT_COLUMNS = [
  'account_id',
  'segment',
  'region',
  'sub_region',
  'valid_from',
  'valid_to',
  'source_file',
  'source_row',
] as const;

export const FX_COLUMNS = [
  'currency',
  'rate',
  'valid_from',
  'valid_to',
  'kind',
  'source_file',
  'source_row',
] as const;

/** Columns every stored record carries besides its own: the source it came from and the import. */
export const OWNER_COLUMNS = ['source', 'import_id'] as const;

/** Rejects NUL characters, which PostgreSQL text cannot store, before COPY fails on them. */
function text(value: string | undefined, what: string): string | null {
  if (value === undefined) return null;
  if (value.includes('\u0000')) {
    throw new StoreError(
      `${what} ${JSON.stringify(value)} contains a NUL character, which cannot be stored`,
    );
  }
  return value;
}

function day(value: Day | null | undefined): string | null {
  return value === null || value === undefined ? null : formatDay(value);
}

function row(fields: readonly (string | number | null | undefined)[]): string {
  return fields.map(csvField).join(',') + '\n';
}

/** The owner columns appended to each row. */
export interface Owner {
  readonly source: string;
  /** `source` as a quoted CSV field, made once per import. */
  readonly quotedSource: string;
  readonly importId: number;
}

export function ownerOf(source: string, importId: number): Owner {
  return { source, quotedSource: quoted(source, 'source name'), importId };
}

/** Day texts already formatted: a million lines share a few thousand distinct dates. */
const dayTexts = new Map<Day, string>();

function dayText(value: Day): string {
  let text = dayTexts.get(value);
  if (text === undefined) {
    text = formatDay(value);
    if (dayTexts.size < 100_000) dayTexts.set(value, text);
  }
  return text;
}

/** Quotes a string field for COPY, always, so an empty string stays distinct from null. */
function quoted(value: string, what: string): string {
  if (value.includes('\u0000')) {
    throw new StoreError(
      `${what} ${JSON.stringify(value)} contains a NUL character, which cannot be stored`,
    );
  }
  return value.includes('"') ? `"${value.replaceAll('"', '""')}"` : `"${value}"`;
}

/** Writes a contract line as a COPY row, field by field because imports write millions. */
export function writeLine(out: CopyRows, line: ContractLine, owner: Owner): void {
  out.quoted(line.id, 'line id');
  out.comma();
  out.quoted(line.accountId, 'account id');
  out.comma();
  if (line.contractId !== undefined) out.quoted(line.contractId, 'contract id');
  out.comma();
  if (line.product !== undefined) out.quoted(line.product, 'product');
  out.comma();
  out.plain(line.kind);
  out.comma();
  if (line.kindSource !== undefined) out.plain(line.kindSource);
  out.comma();
  out.plain(formatDecimal(line.amount));
  out.comma();
  out.plain(line.period.unit);
  out.comma();
  out.plain(String(line.period.count));
  out.comma();
  out.plain(line.currency);
  out.comma();
  out.plain(dayText(line.start));
  out.comma();
  if (line.end !== null) out.plain(dayText(line.end));
  out.comma();
  if (line.quantity !== undefined) out.plain(String(line.quantity));
  out.comma();
  if (line.renews !== undefined) out.quoted(line.renews, 'renewed line id');
  out.comma();
  if (line.signed !== undefined) out.plain(dayText(line.signed));
  out.comma();
  if (line.source !== undefined) {
    out.quoted(line.source.file, 'file name');
    out.comma();
    out.plain(String(line.source.row));
  } else {
    out.comma();
  }
  out.comma();
  out.plain(owner.quotedSource);
  out.comma();
  out.plain(String(owner.importId));
  out.endRow();
}

export function accountRow(account: Account, owner: Owner): string {
  return row([
    text(account.id, 'account id'),
    text(account.name, 'account name'),
    text(account.parentId, 'parent id'),
    account.currency ?? null,
    account.attributes === undefined ? null : JSON.stringify(account.attributes),
    owner.source,
    owner.importId,
  ]);
}

export function assignmentRow(assignment: Assignment, owner: Owner): string {
  return row([
    text(assignment.accountId, 'account id'),
    text(assignment.role, 'role'),
    text(assignment.person, 'person'),
    day(assignment.from),
    day(assignment.to),
    text(assignment.source?.file, 'file name'),
    assignment.source?.row ?? null,
    owner.source,
    owner.importId,
  ]);
}

export function segmentRow(span: SegmentSpan, owner: Owner): string {
  return row([
    text(span.accountId, 'account id'),
    text(span.segment, 'segment'),
    text(span.region, 'region'),
    text(span.subRegion, 'sub-region'),
    day(span.from),
    day(span.to),
    text(span.source?.file, 'file name'),
    span.source?.row ?? null,
    owner.source,
    owner.importId,
  ]);
}

export function fxRow(rate: FxRate, owner: Owner): string {
  return row([
    rate.currency,
    formatDecimal(rate.rate),
    day(rate.from),
    day(rate.to),
    rate.kind,
    text(rate.source?.file, 'file name'),
    rate.source?.row ?? null,
    owner.source,
    owner.importId,
  ]);
}

type Fields = readonly (string | null)[];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Columns of SQL type date, read back as day numbers. */
const DATE_COLUMNS = new Set(['start_date', 'end_date', 'signed_date', 'valid_from', 'valid_to']);

/**
 * Returns the SELECT list that reads `columns` back in order, with dates as day numbers (days
 * since 1970-01-01, the engine's `Day`), so no date text is written or parsed.
 */
export function selectList(columns: readonly string[], prefix = ''): string {
  return columns
    .map((column) =>
      DATE_COLUMNS.has(column)
        ? `(${prefix}${column} - DATE '1970-01-01') AS ${column}`
        : `${prefix}${column}`,
    )
    .join(', ');
}

/** Returns the SELECT list that reads lines back in `lineFromFields` order; see `selectList`. */
export function lineSelectList(prefix = ''): string {
  return selectList(LINE_COLUMNS, prefix);
}

function readDay(value: string | null | undefined): Day {
  const parsed = value === null || value === undefined || value === '' ? NaN : Number(value);
  if (!Number.isInteger(parsed)) {
    throw new StoreError(`stored day number ${String(value)} cannot be read`);
  }
  return parsed;
}

function readOptionalDay(value: string | null | undefined): Day | null {
  return value === null || value === undefined ? null : readDay(value);
}

/**
 * Amounts already read, by their text. A million lines share a few thousand amounts, and
 * decimals are never changed, so lines can share one object each.
 */
const decimalsRead = new Map<string, Decimal>();

function readDecimal(value: string | null | undefined): Decimal {
  const known = value === null || value === undefined ? undefined : decimalsRead.get(value);
  if (known !== undefined) return known;
  const parsed = value === null || value === undefined ? undefined : parseDecimal(value);
  if (parsed === undefined) throw new StoreError(`stored amount ${String(value)} cannot be read`);
  if (decimalsRead.size < 100_000) decimalsRead.set(value as string, parsed);
  return parsed;
}

/** Billing periods by unit and count; like decimals, lines share them. */
const periodsRead = new Map<string, BillingPeriod>();

function readPeriod(unit: string | null | undefined, count: string | null | undefined) {
  const key = `${unit ?? ''} ${count ?? ''}`;
  let period = periodsRead.get(key);
  if (period === undefined) {
    period = { unit: unit as BillingPeriod['unit'], count: Number(count) };
    periodsRead.set(key, period);
  }
  return period;
}

function sourceOf(file: string | null | undefined, rowText: string | null | undefined) {
  if (file === null || file === undefined) return undefined;
  return { file, row: rowText === null || rowText === undefined ? 0 : Number(rowText) };
}

/** Builds a line from fields read with `lineSelectList`, directly because reads cover every line. */
export function lineFromFields(f: Fields): ContractLine {
  const start = f[10];
  if (start === null || start === undefined) throw new StoreError('a stored line has no start');
  const line: Mutable<ContractLine> = {
    id: f[0] ?? '',
    accountId: f[1] ?? '',
    kind: f[4] as LineKind,
    amount: readDecimal(f[6]),
    period: readPeriod(f[7], f[8]),
    currency: f[9] ?? '',
    start: Number(start),
    end: f[11] === null || f[11] === undefined ? null : Number(f[11]),
  };
  if (f[2] !== null && f[2] !== undefined) line.contractId = f[2];
  if (f[3] !== null && f[3] !== undefined) line.product = f[3];
  if (f[5] !== null && f[5] !== undefined) line.kindSource = f[5] as 'file' | 'default';
  if (f[12] !== null && f[12] !== undefined) line.quantity = Number(f[12]);
  if (f[13] !== null && f[13] !== undefined) line.renews = f[13];
  if (f[14] !== null && f[14] !== undefined) line.signed = Number(f[14]);
  const source = sourceOf(f[15], f[16]);
  if (source !== undefined) line.source = source;
  return line;
}

export function accountFromFields(f: Fields): Account {
  const account: Mutable<Account> = { id: f[0] ?? '' };
  if (f[1] !== null && f[1] !== undefined) account.name = f[1];
  if (f[2] !== null && f[2] !== undefined) account.parentId = f[2];
  if (f[3] !== null && f[3] !== undefined) account.currency = f[3];
  if (f[4] !== null && f[4] !== undefined) {
    account.attributes = JSON.parse(f[4]) as Readonly<Record<string, string>>;
  }
  return account;
}

/** Builds an assignment from fields read with `selectList(ASSIGNMENT_COLUMNS)`. */
export function assignmentFromFields(f: Fields): Assignment {
  const assignment: Mutable<Assignment> = {
    accountId: f[0] ?? '',
    role: f[1] ?? '',
    person: f[2] ?? '',
    from: readDay(f[3]),
    to: readOptionalDay(f[4]),
  };
  const source = sourceOf(f[5], f[6]);
  if (source !== undefined) assignment.source = source;
  return assignment;
}

/** Builds a segment span from fields read with `selectList(SEGMENT_COLUMNS)`. */
export function segmentFromFields(f: Fields): SegmentSpan {
  const span: Mutable<SegmentSpan> = { accountId: f[0] ?? '', from: 0, to: null };
  if (f[1] !== null && f[1] !== undefined) span.segment = f[1];
  if (f[2] !== null && f[2] !== undefined) span.region = f[2];
  if (f[3] !== null && f[3] !== undefined) span.subRegion = f[3];
  span.from = readDay(f[4]);
  span.to = readOptionalDay(f[5]);
  const source = sourceOf(f[6], f[7]);
  if (source !== undefined) span.source = source;
  return span;
}

/** Builds an FX rate from fields read with `selectList(FX_COLUMNS)`. */
export function fxFromFields(f: Fields): FxRate {
  const rate: Mutable<FxRate> = {
    currency: f[0] ?? '',
    rate: readDecimal(f[1]),
    from: readDay(f[2]),
    to: readOptionalDay(f[3]),
    kind: f[4] as FxRate['kind'],
  };
  const source = sourceOf(f[5], f[6]);
  if (source !== undefined) rate.source = source;
  return rate;
}

/**
 * Returns a line's content as one string, without where it was read from: two lines with the
 * same id and the same key are the same line, which several sources may state.
 */
export function lineContentKey(line: ContractLine): string {
  return [
    line.accountId,
    line.contractId ?? '',
    line.product ?? '',
    line.kind,
    line.kindSource ?? '',
    formatDecimal(line.amount),
    line.period.unit,
    line.period.count,
    line.currency,
    line.start,
    line.end ?? '',
    line.quantity ?? '',
    line.renews ?? '',
    line.signed ?? '',
  ].join('\u0001');
}
