/**
 * Writes a dataset in the canonical CSV layout: lines.csv, accounts.csv, assignments.csv,
 * segments.csv and fx-rates.csv. Every end or `to_date` column contains the last day included
 * (the model's exclusive end minus one) and is blank when open-ended.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { formatDay, type Day } from '../core/dates.js';
import type { Account, BillingPeriod, Dataset } from '../core/model.js';
import { formatDecimal } from '../core/money.js';

export const LINE_COLUMNS = [
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
] as const;
export const ACCOUNT_COLUMNS = ['account_id', 'account_name', 'parent_id', 'currency'] as const;
export const ASSIGNMENT_COLUMNS = ['account_id', 'role', 'person', 'from_date', 'to_date'] as const;
export const SEGMENT_COLUMNS = [
  'account_id',
  'segment',
  'region',
  'sub_region',
  'from_date',
  'to_date',
] as const;
export const FX_RATE_COLUMNS = ['currency', 'rate', 'from_date', 'to_date', 'kind'] as const;

/** Bytes of text collected before each write to the file. */
const WRITE_CHUNK = 1 << 20;

/** Quotes a CSV field when it contains a comma, a double quote or a line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Formats a billing period as month, quarter, year, week, term, `N months` or `N years`. */
export function formatBillingPeriod(period: BillingPeriod): string {
  if (period.unit === 'month' && period.count === 3) return 'quarter';
  if (period.count === 1) return period.unit;
  return `${period.count} ${period.unit}s`;
}

/**
 * Formats days as YYYY-MM-DD and keeps each result, because a dataset of a million lines
 * contains only a few thousand distinct days.
 */
class DayFormatter {
  private readonly cache = new Map<Day, string>();

  day(value: Day): string {
    let text = this.cache.get(value);
    if (text === undefined) {
      text = formatDay(value);
      this.cache.set(value, text);
    }
    return text;
  }

  /** Formats an exclusive end day as the last day included, or blank when open-ended. */
  lastDay(end: Day | null): string {
    return end === null ? '' : this.day(end - 1);
  }
}

/** Writes CSV rows to a file in large chunks, so a million rows need few system calls. */
class CsvFile {
  private readonly descriptor: number;
  private buffer = '';

  constructor(
    readonly path: string,
    columns: readonly string[],
  ) {
    this.descriptor = openSync(path, 'w');
    this.buffer = columns.join(',') + '\n';
  }

  /** Appends one row of fields that are already quoted where needed. */
  row(fields: string): void {
    this.buffer += fields + '\n';
    if (this.buffer.length >= WRITE_CHUNK) this.flush();
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.descriptor);
    }
  }

  private flush(): void {
    writeSync(this.descriptor, this.buffer);
    this.buffer = '';
  }
}

/**
 * Writes the dataset's five CSV files into `folder` (created if missing, files overwritten) and
 * returns their paths.
 */
export function writeCanonicalCsv(dataset: Dataset, folder: string): { files: string[] } {
  mkdirSync(folder, { recursive: true });
  const accountsById = new Map<string, Account>();
  for (const account of dataset.accounts) accountsById.set(account.id, account);

  const days = new DayFormatter();
  const files: string[] = [];
  const write = (name: string, columns: readonly string[], fill: (file: CsvFile) => void) => {
    const file = new CsvFile(join(folder, name), columns);
    try {
      fill(file);
    } finally {
      file.close();
    }
    files.push(file.path);
  };

  write('lines.csv', LINE_COLUMNS, (file) => {
    for (const line of dataset.lines) {
      const account = accountsById.get(line.accountId);
      file.row(
        [
          csvField(line.id),
          csvField(line.accountId),
          csvField(account?.name ?? ''),
          csvField(account?.parentId ?? ''),
          csvField(line.contractId ?? ''),
          csvField(line.product ?? ''),
          line.kind,
          formatDecimal(line.amount),
          formatBillingPeriod(line.period),
          line.currency,
          days.day(line.start),
          days.lastDay(line.end),
          line.quantity === undefined ? '' : String(line.quantity),
          csvField(line.renews ?? ''),
          line.signed === undefined ? '' : days.day(line.signed),
        ].join(','),
      );
    }
  });

  write('accounts.csv', ACCOUNT_COLUMNS, (file) => {
    for (const account of dataset.accounts) {
      file.row(
        [
          csvField(account.id),
          csvField(account.name ?? ''),
          csvField(account.parentId ?? ''),
          account.currency ?? '',
        ].join(','),
      );
    }
  });

  write('assignments.csv', ASSIGNMENT_COLUMNS, (file) => {
    for (const assignment of dataset.assignments) {
      file.row(
        [
          csvField(assignment.accountId),
          csvField(assignment.role),
          csvField(assignment.person),
          days.day(assignment.from),
          days.lastDay(assignment.to),
        ].join(','),
      );
    }
  });

  write('segments.csv', SEGMENT_COLUMNS, (file) => {
    for (const span of dataset.segments) {
      file.row(
        [
          csvField(span.accountId),
          csvField(span.segment ?? ''),
          csvField(span.region ?? ''),
          csvField(span.subRegion ?? ''),
          days.day(span.from),
          days.lastDay(span.to),
        ].join(','),
      );
    }
  });

  write('fx-rates.csv', FX_RATE_COLUMNS, (file) => {
    for (const rate of dataset.fxRates) {
      file.row(
        [
          rate.currency,
          formatDecimal(rate.rate),
          days.day(rate.from),
          days.lastDay(rate.to),
          rate.kind,
        ].join(','),
      );
    }
  });

  return { files };
}
