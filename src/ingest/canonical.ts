/**
 * The `canonical` preset: nrr's own CSV format, described in docs/canonical-format.md. Each file
 * contains one kind of record, recognised from its header.
 */
import { formatDay, type Day } from '../core/dates.js';
import type { Assignment, FxRate, SegmentSpan } from '../core/model.js';
import { AccountRegistry, type AccountDraft, type SourcedValue } from './accounts.js';
import { LineCollector, type LineBatch, type LineColumns, type LineSettings } from './lines.js';
import {
  DEFAULT_END_DATE,
  PROGRESS_EVERY,
  type EndDateConvention,
  type ReadOptions,
} from './options.js';
import { buildSummary, type FilePart } from './part.js';
import type { ProblemList } from './problems.js';
import { RowReader } from './row-reader.js';
import type { FileKind } from './summary.js';
import {
  hasHeader,
  resolveColumns,
  type ColumnRef,
  type FieldSpec,
  type ResolvedColumns,
  type Table,
  type TableRow,
} from './table.js';
import { parseCurrency, parseDate, parseRate, parseRateKind } from './values.js';

const LINE_FIELDS = [
  'line_id',
  'account_id',
  'account_name',
  'parent_id',
  'contract_id',
  'product',
  'kind',
  'amount',
  'billing_period',
  'currency',
  'start_date',
  'end_date',
  'quantity',
  'renews',
  'signed_date',
  'owner',
  'segment',
  'region',
  'sub_region',
] as const;
type LineField = (typeof LINE_FIELDS)[number];

/** Roles through which `--column` can point a contract-line field at another header. */
const LINE_FIELD_ROLES: Partial<Record<LineField, FieldSpec<LineField>['role']>> = {
  line_id: 'line',
  account_id: 'customer',
  product: 'product',
  amount: 'value',
  currency: 'currency',
  start_date: 'from',
  end_date: 'to',
  owner: 'owner',
  segment: 'segment',
  region: 'region',
};

function lineSpecs(currencyRequired: boolean): FieldSpec<LineField>[] {
  const required = new Set<LineField>([
    'line_id',
    'account_id',
    'amount',
    'billing_period',
    'start_date',
  ]);
  if (currencyRequired) required.add('currency');
  return LINE_FIELDS.map((field) => {
    const role = LINE_FIELD_ROLES[field];
    return { field, headers: [field], required: required.has(field), ...(role && { role }) };
  });
}

function plainSpecs<Field extends string>(
  fields: readonly Field[],
  required: readonly Field[],
): FieldSpec<Field>[] {
  return fields.map((field) => ({ field, headers: [field], required: required.includes(field) }));
}

const ACCOUNT_SPECS = plainSpecs(
  ['account_id', 'account_name', 'parent_id', 'currency'],
  ['account_id'],
);
const ASSIGNMENT_SPECS = plainSpecs(
  ['account_id', 'role', 'person', 'from_date', 'to_date'],
  ['account_id', 'role', 'person', 'from_date'],
);
const SEGMENT_SPECS = plainSpecs(
  ['account_id', 'segment', 'region', 'sub_region', 'from_date', 'to_date'],
  ['account_id', 'from_date'],
);
const FX_SPECS = plainSpecs(
  ['currency', 'rate', 'from_date', 'to_date', 'kind'],
  ['currency', 'rate', 'from_date'],
);

/** The signature headers of each kind other than contract lines. */
const KIND_SIGNATURES: readonly { kind: FileKind; headers: readonly string[][] }[] = [
  { kind: 'fx-rates', headers: [['rate']] },
  { kind: 'assignments', headers: [['person', 'role']] },
  { kind: 'accounts', headers: [['account_name']] },
  { kind: 'segments', headers: [['segment'], ['region'], ['sub_region']] },
];

/**
 * Recognises an accounts, assignments, segments or FX rate file in the canonical layout. Other
 * presets describe contract lines only, so their imports read these supporting files this way.
 */
export function isCanonicalSupportFile(table: Table): boolean {
  if (
    !hasHeader(table, 'account_id') &&
    !(hasHeader(table, 'currency') && hasHeader(table, 'rate'))
  )
    return false;
  return KIND_SIGNATURES.some((signature) =>
    signature.headers.some((group) => group.every((header) => hasHeader(table, header))),
  );
}

/** Recognises a contract-line file: its header has the line id column. */
export function isCanonicalLineFile(table: Table, options: ReadOptions): boolean {
  return hasHeader(table, options.columns?.line ?? 'line_id');
}

/**
 * Recognises the kind of a canonical file from its header. A header with the line id column is
 * a contract-line file whatever else it has; otherwise exactly one other kind must match.
 */
function detectKind(
  table: Table,
  options: ReadOptions,
  problems: ProblemList,
): FileKind | undefined {
  const lineHeader = options.columns?.line ?? 'line_id';
  if (isCanonicalLineFile(table, options)) return 'contract-lines';
  const matches = KIND_SIGNATURES.filter((signature) =>
    signature.headers.some((group) => group.every((header) => hasHeader(table, header))),
  ).map((signature) => signature.kind);
  if (matches.length === 1) return matches[0];
  const headers = table.headers.filter((header) => header !== '').map((h) => JSON.stringify(h));
  const message =
    matches.length === 0
      ? `the header fits no canonical file kind: contract lines need ${JSON.stringify(lineHeader)}, accounts "account_name", assignments "person" and "role", segments "segment" or "region", FX rates "rate"; the headers are ${headers.join(', ')}`
      : `the header fits several canonical file kinds (${matches.join(', ')}); put each kind in a file of its own`;
  problems.add({ file: table.file, row: 1, column: '', value: '', message });
  return undefined;
}

/**
 * Starts reading a canonical file: a contract-line file as a reader of batches, any other kind
 * read whole. Returns undefined when the kind cannot be recognised.
 */
export function stageCanonicalFile(
  table: Table,
  options: ReadOptions,
  problems: ProblemList,
): LineFileReader | FilePart | undefined {
  const kind = detectKind(table, options, problems);
  if (kind === undefined) return undefined;
  const endDate = options.endDate ?? DEFAULT_END_DATE.canonical;
  if (kind === 'contract-lines') return new LineFileReader(table, options, endDate, problems);
  return readKind(kind, table, options, endDate, problems);
}

/** Reads a canonical file; returns undefined when its kind cannot be recognised. */
export function readCanonicalFile(
  table: Table,
  options: ReadOptions,
  problems: ProblemList,
): FilePart | undefined {
  const kind = detectKind(table, options, problems);
  if (kind === undefined) return undefined;
  return readKind(kind, table, options, options.endDate ?? DEFAULT_END_DATE.canonical, problems);
}

function readKind(
  kind: FileKind,
  table: Table,
  options: ReadOptions,
  endDate: EndDateConvention,
  problems: ProblemList,
): FilePart | undefined {
  switch (kind) {
    case 'contract-lines':
      return readLines(table, options, endDate, problems);
    case 'accounts':
      return readAccounts(table, problems);
    case 'assignments':
      return readAssignments(table, endDate, problems);
    case 'segments':
      return readSegments(table, endDate, problems);
    case 'fx-rates':
      return readFxRates(table, endDate, problems);
    default:
      return undefined;
  }
}

function sourced(
  reader: RowReader,
  column: ColumnRef | undefined,
  value: string | undefined,
): SourcedValue | undefined {
  if (column === undefined || value === undefined) return undefined;
  return { value, source: { file: reader.file, row: reader.row.row }, column: column.header };
}

function readLines(
  table: Table,
  options: ReadOptions,
  endDate: EndDateConvention,
  problems: ProblemList,
): FilePart {
  const reader = new LineFileReader(table, options, endDate, problems);
  const [batch] = [...reader.batches(Infinity)];
  return reader.part(batch);
}

/**
 * A canonical contract-line file read and checked a batch of rows at a time, so that an import
 * can store each batch before it reads the next. Its columns are found, and missing ones
 * reported, when it is made.
 */
export class LineFileReader {
  /** Header read for each field. */
  readonly columns: ResolvedColumns<LineField>;
  private readonly lineColumns: LineColumns;
  private readonly settings: LineSettings;
  private readonly collector: LineCollector;
  private readonly accounts: AccountRegistry;

  constructor(
    readonly table: Table,
    private readonly options: ReadOptions,
    private readonly endDate: EndDateConvention,
    private readonly problems: ProblemList,
  ) {
    const found = resolveColumns(
      table,
      lineSpecs(options.currency === undefined),
      options.columns ?? {},
      problems,
    );
    this.columns = found;
    this.lineColumns = {
      id: found.line_id,
      accountId: found.account_id,
      contractId: found.contract_id,
      product: found.product,
      kind: found.kind,
      amount: found.amount,
      period: found.billing_period,
      currency: found.currency,
      start: found.start_date,
      end: found.end_date,
      quantity: found.quantity,
      renews: found.renews,
      signed: found.signed_date,
      owner: found.owner,
      segment: found.segment,
      region: found.region,
      subRegion: found.sub_region,
    };
    this.settings = {
      endDate,
      currency: options.currency,
      endHeader: found.end_date?.header ?? 'end_date',
    };
    this.collector = new LineCollector(table);
    this.accounts = new AccountRegistry(problems);
  }

  /**
   * Reads the rows, yielding the records of every `batchRows` rows and then those of the rest.
   * Rows with problems give no records. Call it once.
   */
  *batches(batchRows: number): Generator<LineBatch> {
    const { table, options, collector, accounts } = this;
    const found = this.columns;
    let checked = 0;
    for (const row of table.rows) {
      if (checked > 0 && checked % batchRows === 0) yield collector.takeBatch();
      if (++checked % PROGRESS_EVERY === 0) options.onProgress?.(checked, table.rows.length);
      const reader = new RowReader(table.file, row, this.problems);
      if (collector.readRow(reader, this.lineColumns, this.settings, '') === 'duplicate') continue;
      const accountId = reader.text(found.account_id);
      const nameText = reader.text(found.account_name);
      const parentText = reader.text(found.parent_id);
      if (accountId === undefined || accounts.repeats(accountId, nameText, parentText)) continue;
      const name = sourced(reader, found.account_name, nameText);
      const parentId = sourced(reader, found.parent_id, parentText);
      if (name || parentId) {
        accounts.add({ id: accountId, ...(name && { name }), ...(parentId && { parentId }) });
      }
    }
    options.onProgress?.(checked, table.rows.length);
    yield collector.takeBatch();
  }

  /**
   * Returns the file's part once every batch was read: its summary and account drafts, with
   * `rest` as its records (none when the batches were stored as they came).
   */
  part(rest: LineBatch = { lines: [], assignments: [], segments: [] }): FilePart {
    const { table, collector } = this;
    const found = this.columns;
    return {
      file: table.file,
      ...rest,
      fxRates: [],
      accountDrafts: this.accounts.list(),
      ...(found.line_id && { lineIdHeader: found.line_id.header }),
      uniqueLineIds: collector.idsAreUnique,
      summary: buildSummary({
        table,
        preset: 'canonical',
        fileKind: 'contract-lines',
        endDate: this.endDate,
        columns: found,
        duplicateRows: collector.duplicateRows,
        counts: collector.counts,
        accounts: this.accounts.size,
        assignments: collector.assignmentCount,
        segments: collector.segmentCount,
        fxRates: 0,
      }),
    };
  }
}

/** Yields the rows of a table, skipping and counting rows identical to an earlier row. */
class DistinctRows {
  duplicates = 0;
  /** Rows with no comma in any cell, keyed by their cells joined with commas. */
  private readonly seenJoined = new Set<string>();
  /** Other rows, keyed by the JSON of their cells, which cannot be confused with each other. */
  private readonly seenJson = new Set<string>();

  constructor(private readonly table: Table) {}

  *rows(): Generator<TableRow> {
    for (const row of this.table.rows) {
      const { cells } = row;
      // Every row has one cell per header, so joining with a comma that no cell contains gives
      // a different key for each different row, and costs less than JSON.
      const plain = cells.every((cell) => !cell.includes(','));
      const seen = plain ? this.seenJoined : this.seenJson;
      const key = plain ? cells.join(',') : JSON.stringify(cells);
      const before = seen.size;
      seen.add(key);
      if (seen.size === before) {
        this.duplicates += 1;
        continue;
      }
      yield row;
    }
  }
}

function emptyPart(table: Table): Omit<FilePart, 'summary'> {
  return {
    file: table.file,
    lines: [],
    assignments: [],
    segments: [],
    fxRates: [],
    accountDrafts: [],
  };
}

interface PlainSummaryInput<Field extends string> {
  readonly table: Table;
  readonly fileKind: FileKind;
  readonly endDate: EndDateConvention;
  readonly columns: ResolvedColumns<Field>;
  readonly duplicateRows: number;
  readonly counts: Partial<Record<'accounts' | 'assignments' | 'segments' | 'fxRates', number>>;
}

function plainSummary<Field extends string>(input: PlainSummaryInput<Field>): FilePart['summary'] {
  return buildSummary({
    table: input.table,
    preset: 'canonical',
    fileKind: input.fileKind,
    endDate: input.endDate,
    columns: input.columns,
    duplicateRows: input.duplicateRows,
    accounts: input.counts.accounts ?? 0,
    assignments: input.counts.assignments ?? 0,
    segments: input.counts.segments ?? 0,
    fxRates: input.counts.fxRates ?? 0,
  });
}

function readAccounts(table: Table, problems: ProblemList): FilePart {
  const found = resolveColumns(table, ACCOUNT_SPECS, {}, problems);
  const accounts = new AccountRegistry(problems);
  const distinct = new DistinctRows(table);
  for (const row of distinct.rows()) {
    const reader = new RowReader(table.file, row, problems);
    const id = reader.required(found.account_id, 'every account row needs an account_id');
    const currencyText = reader.optional(found.currency, parseCurrency);
    if (id === undefined || reader.failed) continue;
    const draft: AccountDraft = {
      id,
      ...optionalField(
        'name',
        sourced(reader, found.account_name, reader.text(found.account_name)),
      ),
      ...optionalField('parentId', sourced(reader, found.parent_id, reader.text(found.parent_id))),
      ...optionalField('currency', sourced(reader, found.currency, currencyText)),
    };
    accounts.add(draft);
  }
  return {
    ...emptyPart(table),
    accountDrafts: accounts.list(),
    summary: plainSummary({
      table,
      fileKind: 'accounts',
      endDate: DEFAULT_END_DATE.canonical,
      columns: found,
      duplicateRows: distinct.duplicates,
      counts: { accounts: accounts.size },
    }),
  };
}

function optionalField<Key extends string>(
  key: Key,
  value: SourcedValue | undefined,
): Partial<Record<Key, SourcedValue>> {
  return value === undefined ? {} : ({ [key]: value } as Record<Key, SourcedValue>);
}

/** Reads a from/to pair of dates; `to` is null when blank, meaning the record is current. */
function readSpan(
  reader: RowReader,
  fromColumn: ColumnRef | undefined,
  toColumn: ColumnRef | undefined,
  endDate: EndDateConvention,
): { from: Day; to: Day | null } | undefined {
  const from = reader.parseRequired(fromColumn, parseDate, 'give the first day as YYYY-MM-DD');
  const to = reader.endDate(toColumn, from, endDate);
  if (from === undefined || to === undefined) return undefined;
  return { from, to };
}

function readAssignments(
  table: Table,
  endDate: EndDateConvention,
  problems: ProblemList,
): FilePart {
  const found = resolveColumns(table, ASSIGNMENT_SPECS, {}, problems);
  const assignments: Assignment[] = [];
  const distinct = new DistinctRows(table);
  for (const row of distinct.rows()) {
    const reader = new RowReader(table.file, row, problems);
    const accountId = reader.required(found.account_id, 'every assignment needs an account_id');
    const role = reader.required(found.role, 'give the role, such as CSM');
    const person = reader.required(found.person, 'give the person assigned to the account');
    const span = readSpan(reader, found.from_date, found.to_date, endDate);
    if (accountId === undefined || role === undefined || person === undefined) continue;
    if (span === undefined || reader.failed) continue;
    assignments.push({
      accountId,
      role,
      person,
      ...span,
      source: { file: table.file, row: row.row },
    });
  }
  return {
    ...emptyPart(table),
    assignments,
    summary: plainSummary({
      table,
      fileKind: 'assignments',
      endDate,
      columns: found,
      duplicateRows: distinct.duplicates,
      counts: { assignments: assignments.length },
    }),
  };
}

function readSegments(table: Table, endDate: EndDateConvention, problems: ProblemList): FilePart {
  const found = resolveColumns(table, SEGMENT_SPECS, {}, problems);
  const segments: SegmentSpan[] = [];
  const distinct = new DistinctRows(table);
  for (const row of distinct.rows()) {
    const reader = new RowReader(table.file, row, problems);
    const accountId = reader.required(found.account_id, 'every segment row needs an account_id');
    const segment = reader.text(found.segment);
    const region = reader.text(found.region);
    const subRegion = reader.text(found.sub_region);
    const span = readSpan(reader, found.from_date, found.to_date, endDate);
    const firstColumn = found.segment ?? found.region ?? found.sub_region;
    if (segment === undefined && region === undefined && subRegion === undefined && firstColumn) {
      reader.report(
        firstColumn,
        '',
        'value is missing; give a segment, region or sub_region, or delete the row',
      );
    }
    if (accountId === undefined || span === undefined || reader.failed) continue;
    segments.push({
      accountId,
      ...(segment !== undefined && { segment }),
      ...(region !== undefined && { region }),
      ...(subRegion !== undefined && { subRegion }),
      ...span,
      source: { file: table.file, row: row.row },
    });
  }
  return {
    ...emptyPart(table),
    segments,
    summary: plainSummary({
      table,
      fileKind: 'segments',
      endDate,
      columns: found,
      duplicateRows: distinct.duplicates,
      counts: { segments: segments.length },
    }),
  };
}

function readFxRates(table: Table, endDate: EndDateConvention, problems: ProblemList): FilePart {
  const found = resolveColumns(table, FX_SPECS, {}, problems);
  const rates: FxRate[] = [];
  const distinct = new DistinctRows(table);
  for (const row of distinct.rows()) {
    const reader = new RowReader(table.file, row, problems);
    const currency = reader.parseRequired(
      found.currency,
      parseCurrency,
      'give the 3-letter ISO 4217 code the rate converts from',
    );
    const rate = reader.parseRequired(
      found.rate,
      parseRate,
      'give the units of the reporting currency per 1 unit of the currency',
    );
    const span = readSpan(reader, found.from_date, found.to_date, endDate);
    const kind = reader.optional(found.kind, parseRateKind) ?? 'plan';
    if (currency === undefined || rate === undefined || span === undefined || reader.failed) {
      continue;
    }
    rates.push({ currency, rate, ...span, kind, source: { file: table.file, row: row.row } });
  }
  reportOverlappingRates(rates, found.from_date, problems);
  return {
    ...emptyPart(table),
    fxRates: rates,
    summary: plainSummary({
      table,
      fileKind: 'fx-rates',
      endDate,
      columns: found,
      duplicateRows: distinct.duplicates,
      counts: { fxRates: rates.length },
    }),
  };
}

/**
 * Reports a rate whose period overlaps an earlier rate of the same currency and kind, since the
 * rate for a day would then be ambiguous.
 */
function reportOverlappingRates(
  rates: readonly FxRate[],
  fromColumn: ColumnRef | undefined,
  problems: ProblemList,
): void {
  const groups = new Map<string, FxRate[]>();
  for (const rate of rates) {
    const key = `${rate.currency} ${rate.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), rate]);
  }
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => a.from - b.from);
    for (let index = 1; index < sorted.length; index += 1) {
      const previous = sorted[index - 1];
      const current = sorted[index];
      if (!previous || !current?.source || !previous.source) continue;
      if (previous.to !== null && previous.to <= current.from) continue;
      problems.add({
        file: current.source.file,
        row: current.source.row,
        column: fromColumn?.header ?? 'from_date',
        value: formatDay(current.from),
        message: `starts inside the period of the ${current.kind} rate for ${current.currency} on row ${previous.source.row}; end the earlier rate before this one starts`,
      });
    }
  }
}
