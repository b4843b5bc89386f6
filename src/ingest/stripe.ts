/**
 * The `stripe-subscriptions` preset: the Stripe Dashboard subscriptions export (CSV or XLSX) and
 * Stripe API subscription objects (JSON). One line per subscription item; docs/presets.md gives
 * the conventions for statuses, trials and cancellations.
 */
import type { Day } from '../core/dates.js';
import { minorExponent, parseDecimal, type Decimal } from '../core/money.js';
import type { BillingPeriod, ContractLine, LineKind } from '../core/model.js';
import { ITEM_PREFIX } from './json-table.js';
import { LineCollector, readInlineAttributes } from './lines.js';
import { DEFAULT_END_DATE, FALLBACK_CURRENCY, type ReadOptions } from './options.js';
import type { FilePart } from './part.js';
import type { ProblemList } from './problems.js';
import type { RowReader } from './row-reader.js';
import {
  fieldSpec,
  resolveColumns,
  type ColumnRef,
  type FieldSpec,
  type ResolvedColumns,
  type Table,
} from './table.js';
import { parseAmount, parseCurrency, type Parsed } from './values.js';
import {
  parseEpochSeconds,
  parseFlag,
  parseVendorDate,
  wholeNumberParser,
} from './vendor-values.js';
import { eachRow, linePart, SkipCounter } from './vendor.js';

type Field =
  | 'line'
  | 'subscription'
  | 'customer'
  | 'product'
  | 'quantity'
  | 'currency'
  | 'interval'
  | 'intervalCount'
  | 'usageType'
  | 'value'
  | 'valueDecimal'
  | 'status'
  | 'from'
  | 'created'
  | 'periodStart'
  | 'periodEnd'
  | 'trialEnd'
  | 'canceledAt'
  | 'endedAt'
  | 'cancelAt'
  | 'cancelAtPeriodEnd'
  | 'owner'
  | 'segment'
  | 'region';

type Columns = ResolvedColumns<Field>;

const spec = fieldSpec;

const MAPPED_ONLY: readonly FieldSpec<Field>[] = [
  spec('owner', 'owner', []),
  spec('segment', 'segment', []),
  spec('region', 'region', []),
];

/** Dashboard export labels; the export lets users pick columns, so most are optional. */
const DASHBOARD_SPECS: readonly FieldSpec<Field>[] = [
  spec('line', 'line', ['id']),
  spec('subscription', undefined, ['id']),
  spec('customer', 'customer', ['Customer ID', 'Customer'], true),
  spec('product', 'product', ['Product', 'Plan']),
  spec('quantity', undefined, ['Quantity']),
  spec('currency', 'currency', ['Currency']),
  spec('interval', undefined, ['Interval', 'Plan Interval'], true),
  spec('intervalCount', undefined, ['Interval Count', 'Plan Interval Count']),
  spec('value', 'value', ['Amount'], true),
  spec('status', undefined, ['Status']),
  spec('from', 'from', ['Start Date (UTC)', 'Start (UTC)']),
  spec('created', undefined, ['Created (UTC)']),
  spec('periodStart', undefined, ['Current Period Start (UTC)']),
  spec('periodEnd', undefined, ['Current Period End (UTC)']),
  spec('trialEnd', undefined, ['Trial End (UTC)']),
  spec('canceledAt', undefined, ['Canceled At (UTC)']),
  spec('endedAt', 'to', ['Ended At (UTC)']),
  spec('cancelAt', undefined, ['Cancel At (UTC)']),
  spec('cancelAtPeriodEnd', undefined, ['Cancel At Period End']),
  ...MAPPED_ONLY,
];

const item = (path: string): string => ITEM_PREFIX + path;

/** API field paths, as json-table.ts flattens them; price fields before the legacy plan fields. */
const API_SPECS: readonly FieldSpec<Field>[] = [
  spec('line', 'line', [item('id')]),
  spec('subscription', undefined, ['id']),
  spec('customer', 'customer', ['customer'], true),
  spec('product', 'product', [
    item('price.nickname'),
    item('plan.nickname'),
    item('price.product'),
    item('plan.product'),
  ]),
  spec('quantity', undefined, [item('quantity')]),
  spec('currency', 'currency', [item('price.currency'), item('plan.currency'), 'currency']),
  spec('interval', undefined, [item('price.recurring.interval'), item('plan.interval')], true),
  spec('intervalCount', undefined, [
    item('price.recurring.interval_count'),
    item('plan.interval_count'),
  ]),
  spec('usageType', undefined, [item('price.recurring.usage_type'), item('plan.usage_type')]),
  spec('value', 'value', [item('price.unit_amount'), item('plan.amount')], true),
  spec('valueDecimal', undefined, [item('price.unit_amount_decimal'), item('plan.amount_decimal')]),
  spec('status', undefined, ['status']),
  spec('from', 'from', ['start_date']),
  spec('created', undefined, ['created']),
  spec('periodStart', undefined, ['current_period_start', item('current_period_start')]),
  spec('periodEnd', undefined, ['current_period_end', item('current_period_end')]),
  spec('trialEnd', undefined, ['trial_end']),
  spec('canceledAt', undefined, ['canceled_at']),
  spec('endedAt', 'to', ['ended_at']),
  spec('cancelAt', undefined, ['cancel_at']),
  spec('cancelAtPeriodEnd', undefined, ['cancel_at_period_end']),
  ...MAPPED_ONLY,
];

/** Time and amount format of one of the two layouts. */
interface Dialect {
  readonly specs: readonly FieldSpec<Field>[];
  /** Header named in the problem when a row has no start date at all. */
  readonly startHeader: string;
  readonly parseTime: (text: string) => Parsed<Day>;
  /** Reads the price of one unit in the line's currency. */
  readonly readUnitAmount: (
    reader: RowReader,
    columns: Columns,
    currency: string | undefined,
  ) => Decimal | undefined;
}

const DASHBOARD: Dialect = {
  specs: DASHBOARD_SPECS,
  startHeader: 'Start Date (UTC)',
  parseTime: parseVendorDate,
  readUnitAmount: (reader, columns) =>
    reader.parseRequired(
      columns.value,
      parseAmount,
      'every subscription needs its price; write 0 for a free plan',
    )?.amount,
};

/** Parses `unit_amount`: a whole number of minor units, such as 4900 cents. */
function parseMinorUnits(text: string): Parsed<Decimal> {
  const value = /^\d+$/.test(text) ? parseDecimal(text) : undefined;
  if (value !== undefined) return { ok: true, value };
  return {
    ok: false,
    message:
      'is not a valid amount in minor units; the API gives a whole number of cents such as 4900',
  };
}

/** Parses `unit_amount_decimal`: minor units with an optional fraction, such as 12.5 cents. */
function parseDecimalMinorUnits(text: string): Parsed<Decimal> {
  const value = /^\d+(?:\.\d+)?$/.test(text) ? parseDecimal(text) : undefined;
  if (value !== undefined) return { ok: true, value };
  return {
    ok: false,
    message: 'is not a valid decimal amount in minor units, such as 12.5 for 12.5 cents',
  };
}

const API: Dialect = {
  specs: API_SPECS,
  startHeader: 'start_date',
  parseTime: parseEpochSeconds,
  readUnitAmount: (reader, columns, currency) => {
    const useDecimal =
      reader.text(columns.value) === undefined && reader.text(columns.valueDecimal) !== undefined;
    const minor = useDecimal
      ? reader.optional(columns.valueDecimal, parseDecimalMinorUnits)
      : reader.parseRequired(
          columns.value,
          parseMinorUnits,
          'every subscription item needs a unit amount; tiered prices are not supported, so give the price per unit',
        );
    if (minor === undefined || currency === undefined) return undefined;
    return { coefficient: minor.coefficient, scale: minor.scale + minorExponent(currency) };
  },
};

const STATUSES = [
  'active',
  'past_due',
  'trialing',
  'canceled',
  'unpaid',
  'paused',
  'incomplete',
  'incomplete_expired',
] as const;
type Status = (typeof STATUSES)[number];

function parseStatus(text: string): Parsed<Status> {
  const status = STATUSES.find((candidate) => candidate === text.toLowerCase());
  if (status !== undefined) return { ok: true, value: status };
  return {
    ok: false,
    message: `is not a known Stripe subscription status; use one of ${STATUSES.join(', ')}`,
  };
}

/** Parses a Stripe interval (`day`, `week`, `month`, `year`, any case) with its count. */
function billingPeriod(interval: string, count: number): Parsed<BillingPeriod> {
  switch (interval.toLowerCase()) {
    case 'week':
      return { ok: true, value: { unit: 'week', count } };
    case 'month':
      return { ok: true, value: { unit: 'month', count } };
    case 'year':
      return { ok: true, value: { unit: 'year', count } };
    case 'day':
      if (count % 7 === 0) return { ok: true, value: { unit: 'week', count: count / 7 } };
      return {
        ok: false,
        message: `is billed every ${count} days, which nrr cannot annualise; only day counts that are whole weeks (7, 14, …) are read`,
      };
    default:
      return {
        ok: false,
        message: 'is not a known Stripe billing interval; use day, week, month or year',
      };
  }
}

/** Reads a Dashboard export (`dialect` dashboard) or API objects (`dialect` api). */
export function readStripeFile(
  table: Table,
  dialect: 'dashboard' | 'api',
  options: ReadOptions,
  problems: ProblemList,
): FilePart {
  const layout = dialect === 'api' ? API : DASHBOARD;
  const columns = resolveColumns(table, layout.specs, options.columns ?? {}, problems);
  const endDate = options.endDate ?? DEFAULT_END_DATE['stripe-subscriptions'];
  const collector = new LineCollector(table);
  const skipped = new SkipCounter();

  eachRow(table, options, problems, (reader) => {
    const status = reader.optional(columns.status, parseStatus) ?? 'active';
    if (reader.failed) return;
    if (status === 'incomplete' || status === 'incomplete_expired') {
      skipped.skip('incomplete (first payment never made)');
      return;
    }
    const line = readSubscriptionItem(reader, columns, layout, status, options);
    if (line === 'skip') {
      skipped.skip('ended on the day it started');
      return;
    }
    if (line === undefined) return;
    collector.addLine(reader, line, columns.line, readInlineAttributes(reader, columns));
  });

  return linePart({
    table,
    preset: 'stripe-subscriptions',
    endDate,
    columns,
    collector,
    skipped,
    ...(columns.line && { lineIdHeader: columns.line.header }),
  });
}

/** A parsed time with the column it came from, for problems about the service period. */
interface Dated {
  readonly day: Day;
  readonly column: ColumnRef;
}

function readTime(
  reader: RowReader,
  column: ColumnRef | undefined,
  layout: Dialect,
): Dated | undefined {
  const day = reader.optional(column, layout.parseTime);
  return day === undefined || column === undefined ? undefined : { day, column };
}

function readSubscriptionItem(
  reader: RowReader,
  columns: Columns,
  layout: Dialect,
  status: Status,
  options: ReadOptions,
): ContractLine | 'skip' | undefined {
  const id = readLineId(reader, columns);
  const accountId = reader.required(columns.customer, 'every subscription needs its customer id');
  const currency =
    reader.text(columns.currency) === undefined
      ? (options.currency ?? FALLBACK_CURRENCY)
      : reader.optional(columns.currency, parseCurrency);
  const unitAmount = layout.readUnitAmount(reader, columns, currency);
  const quantity =
    reader.optional(columns.quantity, wholeNumberParser(0, 999_999_999, 'quantity')) ?? 1;
  const period = readPeriod(reader, columns);
  const metered = reader.text(columns.usageType)?.toLowerCase() === 'metered';

  const start =
    readTime(reader, columns.from, layout) ??
    readTime(reader, columns.created, layout) ??
    readTime(reader, columns.periodStart, layout);
  if (start === undefined && !reader.failed) {
    reader.report(
      columns.from ?? columns.created ?? { index: -1, header: layout.startHeader },
      '',
      'value is missing; every subscription needs its start date (or its created or current period start date)',
    );
  }
  const trialEnd = readTime(reader, columns.trialEnd, layout);
  const service =
    start === undefined
      ? undefined
      : servicePeriod(reader, columns, layout, status, start, trialEnd);

  if (
    id === undefined ||
    accountId === undefined ||
    currency === undefined ||
    unitAmount === undefined ||
    period === undefined ||
    service === undefined ||
    reader.failed
  ) {
    return undefined;
  }
  if (service === 'skip') return 'skip';
  const kind: LineKind = service.trial ? 'trial' : metered ? 'usage' : 'recurring';
  // The subscription object carries no usage, so a metered item has no amount to annualise.
  const amount: Decimal = metered
    ? { coefficient: 0n, scale: 0 }
    : { coefficient: unitAmount.coefficient * BigInt(quantity), scale: unitAmount.scale };
  const product = reader.text(columns.product);
  const subscription = reader.text(columns.subscription);
  return {
    id,
    accountId,
    kind,
    kindSource: 'file',
    amount,
    period,
    currency,
    start: service.start,
    end: service.end,
    quantity,
    ...(subscription !== undefined && { contractId: subscription }),
    ...(product !== undefined && { product }),
    source: { file: reader.file, row: reader.row.row },
  };
}

function readLineId(reader: RowReader, columns: Columns): string | undefined {
  if (columns.line === undefined) return `${reader.file}#${reader.row.row}`;
  // API objects from older exports may lack item ids; the subscription id and row then serve.
  const text = reader.text(columns.line);
  if (text !== undefined) return text;
  return reader.required(columns.line, 'every subscription needs its id');
}

function readPeriod(reader: RowReader, columns: Columns): BillingPeriod | undefined {
  const interval = reader.required(
    columns.interval,
    'every subscription needs its billing interval: day, week, month or year',
  );
  const count =
    reader.optional(columns.intervalCount, wholeNumberParser(1, 999, 'interval count')) ?? 1;
  if (interval === undefined || columns.interval === undefined) return undefined;
  const parsed = billingPeriod(interval, count);
  if (parsed.ok) return parsed.value;
  reader.report(columns.interval, interval, parsed.message);
  return undefined;
}

interface Service {
  readonly start: Day;
  readonly end: Day | null;
  readonly trial: boolean;
}

/**
 * Works out the paid service period (or, for a subscription still in trial, the trial) from
 * the status and dates; see docs/presets.md. Returns 'skip' for a subscription that ended on
 * the day it started.
 */
function servicePeriod(
  reader: RowReader,
  columns: Columns,
  layout: Dialect,
  status: Status,
  start: Dated,
  trialEnd: Dated | undefined,
): Service | 'skip' | undefined {
  const periodStart = readTime(reader, columns.periodStart, layout);
  const periodEnd = readTime(reader, columns.periodEnd, layout);
  const endedAt = readTime(reader, columns.endedAt, layout);
  const canceledAt = readTime(reader, columns.canceledAt, layout);
  const cancelAt = readTime(reader, columns.cancelAt, layout);
  const cancelAtPeriodEnd = reader.optional(columns.cancelAtPeriodEnd, parseFlag) === true;

  let end: Dated | undefined;
  if (endedAt !== undefined) end = endedAt;
  else if (status === 'canceled') end = canceledAt;
  else if (status === 'unpaid' || status === 'paused') end = periodStart;
  else if (status === 'trialing') end = trialEnd ?? periodEnd;
  else end = cancelAt ?? (cancelAtPeriodEnd ? periodEnd : undefined);

  if (end === undefined && (status === 'canceled' || status === 'unpaid' || status === 'paused')) {
    const column = columns.endedAt ?? columns.canceledAt ?? columns.status;
    if (column !== undefined) {
      reader.report(
        column,
        '',
        `value is missing; a ${status} subscription needs ${status === 'canceled' ? 'Ended At or Canceled At' : 'Ended At or Current Period Start'} to know when service stopped`,
      );
    }
    return undefined;
  }
  if (end !== undefined && end.day < start.day) {
    reader.reportEmptyPeriod(end.column, reader.text(end.column) ?? '', end.day, start.day);
    return undefined;
  }
  if (reader.failed) return undefined;

  const paidStart = trialEnd !== undefined && trialEnd.day > start.day ? trialEnd.day : start.day;
  if (status === 'trialing') {
    if (end !== undefined && end.day <= start.day) return 'skip';
    return { start: start.day, end: end?.day ?? null, trial: true };
  }
  if (end === undefined) return { start: paidStart, end: null, trial: false };
  if (end.day > paidStart) return { start: paidStart, end: end.day, trial: false };
  // Ended before its trial did: only the trial ran.
  if (end.day > start.day) return { start: start.day, end: end.day, trial: true };
  return 'skip';
}
