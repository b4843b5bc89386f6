/**
 * The `subscription-periods` and `invoice-lines` presets: files with one line per row whose
 * columns are found by role, with defaults for common header names.
 */
import type { BillingPeriod } from '../core/model.js';
import { LineCollector, type LineColumns, type LineSettings } from './lines.js';
import { DEFAULT_END_DATE, FALLBACK_CURRENCY, type ReadOptions, type Role } from './options.js';
import type { FilePart } from './part.js';
import type { ProblemList } from './problems.js';
import { resolveColumns, type FieldSpec, type Table } from './table.js';
import { eachRow, linePart, SkipCounter } from './vendor.js';

interface MappedPreset {
  readonly specs: readonly FieldSpec<Role>[];
  readonly period: BillingPeriod;
}

/** Roles that a preset reads only when `--column` maps them. */
const OPTIONAL_ROLES = ['owner', 'segment', 'region', 'currency', 'product'] as const;

function optionalSpecs(roles: readonly Role[]): FieldSpec<Role>[] {
  return roles.map((role) => ({ field: role, role, headers: [], required: false }));
}

const SUBSCRIPTION_PERIODS: MappedPreset = {
  specs: [
    { field: 'line', role: 'line', headers: ['subscription_id'], required: true },
    { field: 'customer', role: 'customer', headers: ['customer_id'], required: true },
    { field: 'from', role: 'from', headers: ['start_date'], required: true },
    { field: 'to', role: 'to', headers: ['end_date'], required: true },
    { field: 'value', role: 'value', headers: ['monthly_amount'], required: true },
    ...optionalSpecs(OPTIONAL_ROLES),
  ],
  period: { unit: 'month', count: 1 },
};

const INVOICE_LINES: MappedPreset = {
  specs: [
    {
      field: 'from',
      role: 'from',
      headers: ['from', 'ValidFrom', 'valid_from', 'service_from', 'period_start', 'start_date'],
      required: true,
    },
    {
      field: 'to',
      role: 'to',
      headers: ['to', 'ValidTo', 'valid_to', 'service_to', 'period_end', 'end_date'],
      required: true,
    },
    { field: 'value', role: 'value', headers: ['value', 'amount'], required: true },
    {
      field: 'customer',
      role: 'customer',
      headers: ['customer', 'customer_id', 'name', 'customer_name', 'account_id'],
      required: true,
    },
    ...optionalSpecs(['line', ...OPTIONAL_ROLES]),
  ],
  // The value is the contract value over the whole service period.
  period: { unit: 'term', count: 1 },
};

/**
 * Reads a file of the `subscription-periods` or `invoice-lines` preset. Without a `line` column,
 * a line's id is `<file>#<row>`.
 */
export function readMappedFile(
  table: Table,
  preset: 'subscription-periods' | 'invoice-lines',
  options: ReadOptions,
  problems: ProblemList,
): FilePart {
  const { specs, period } = preset === 'invoice-lines' ? INVOICE_LINES : SUBSCRIPTION_PERIODS;
  const found = resolveColumns(table, specs, options.columns ?? {}, problems);
  const columns: LineColumns = {
    id: found.line,
    accountId: found.customer,
    product: found.product,
    amount: found.value,
    currency: found.currency,
    start: found.from,
    end: found.to,
    owner: found.owner,
    segment: found.segment,
    region: found.region,
  };
  const endDate = options.endDate ?? DEFAULT_END_DATE[preset];
  const settings: LineSettings = {
    endDate,
    currency: options.currency ?? (found.currency === undefined ? FALLBACK_CURRENCY : undefined),
    period,
    endHeader: found.to?.header ?? 'to',
  };

  const collector = new LineCollector(table);
  eachRow(table, options, problems, (reader, row) => {
    collector.readRow(reader, columns, settings, `${table.file}#${row.row}`);
  });
  return linePart({
    table,
    preset,
    endDate,
    columns: found,
    collector,
    skipped: new SkipCounter(),
    ...(found.line && { lineIdHeader: found.line.header }),
  });
}
