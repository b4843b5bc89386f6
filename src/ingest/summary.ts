/**
 * The import summary of one file: what was read, what was skipped, and the lines worth a second
 * look (zero and negative amounts).
 */
import { formatDecimal, type Decimal } from '../core/money.js';
import type { LineKind } from '../core/model.js';
import type { EndDateConvention, PresetName } from './options.js';

/** The kind of records a file contains; a canonical import recognises it from the header. */
export type FileKind =
  | 'contract-lines'
  | 'accounts'
  | 'assignments'
  | 'segments'
  | 'fx-rates'
  | 'subscriptions'
  | 'rate-plans';

export interface ImportSummary {
  readonly file: string;
  readonly preset: PresetName;
  readonly fileKind: FileKind;
  /** Header read for each field, keyed by canonical column name or, for other presets, role. */
  readonly columns: Readonly<Record<string, string>>;
  /** Non-blank headers that no field reads. */
  readonly ignoredColumns: readonly string[];
  readonly endDate: EndDateConvention;
  /** Data rows read, not counting the header or blank rows. */
  readonly rows: number;
  readonly skippedBlankRows: number;
  /** Report footer lines after the data (such as `Grand Totals (N records)`) that were dropped. */
  readonly skippedFooterRows: number;
  /**
   * Data rows that the preset reads but that give no line, counted by reason (such as
   * `not won` or `deleted`); see docs/presets.md for each preset's reasons.
   */
  readonly skippedRows: Readonly<Record<string, number>>;
  /** Rows identical to an earlier row with the same id; each was kept once. */
  readonly duplicateRows: number;
  readonly lines: number;
  readonly linesByKind: Readonly<Record<LineKind, number>>;
  /** Lines with a blank kind, read as recurring. */
  readonly defaultKindLines: number;
  /** Lines without an end date. */
  readonly openEndedLines: number;
  readonly zeroValueLines: number;
  readonly negativeValueLines: number;
  /**
   * Exact sum of the negative amounts as written, followed by the currency code (`-1234.5 AUD`).
   * Totals in several currencies are separated by commas. With no negative amounts it is `0`.
   */
  readonly negativeValueTotal: string;
  /** Exact sum of the negative amounts per currency code. */
  readonly negativeValueTotals: Readonly<Record<string, string>>;
  /** Distinct account ids with a name, parent or currency stated in the file. */
  readonly accounts: number;
  readonly assignments: number;
  readonly segments: number;
  readonly fxRates: number;
}

/** Adds two exact decimals. */
export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  const coefficient =
    a.coefficient * 10n ** BigInt(scale - a.scale) + b.coefficient * 10n ** BigInt(scale - b.scale);
  return { coefficient, scale };
}

/** Counts lines by kind and amount sign while a file is read. */
export class LineCounts {
  lines = 0;
  defaultKindLines = 0;
  openEndedLines = 0;
  zeroValueLines = 0;
  negativeValueLines = 0;
  readonly linesByKind: Record<LineKind, number> = {
    recurring: 0,
    usage: 0,
    'one-time': 0,
    trial: 0,
  };
  private readonly negativeTotals = new Map<string, Decimal>();

  count(line: {
    kind: LineKind;
    kindSource?: 'file' | 'default';
    amount: Decimal;
    currency: string;
    end: number | null;
  }): void {
    this.lines += 1;
    this.linesByKind[line.kind] += 1;
    if (line.kindSource === 'default') this.defaultKindLines += 1;
    if (line.end === null) this.openEndedLines += 1;
    if (line.amount.coefficient === 0n) this.zeroValueLines += 1;
    if (line.amount.coefficient < 0n) {
      this.negativeValueLines += 1;
      const total = this.negativeTotals.get(line.currency) ?? { coefficient: 0n, scale: 0 };
      this.negativeTotals.set(line.currency, addDecimals(total, line.amount));
    }
  }

  /** Negative totals per currency, sorted by currency code. */
  negativeValueTotals(): Record<string, string> {
    const totals: Record<string, string> = {};
    const currencies = [...this.negativeTotals.keys()].sort();
    for (const currency of currencies) {
      const total = this.negativeTotals.get(currency);
      if (total) totals[currency] = formatDecimal(total);
    }
    return totals;
  }

  negativeValueTotal(): string {
    const entries = Object.entries(this.negativeValueTotals());
    if (entries.length === 0) return '0';
    return entries.map(([currency, total]) => `${total} ${currency}`).join(', ');
  }
}
