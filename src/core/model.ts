/**
 * The canonical model that every importer maps onto and the engine reads. Importers never hand
 * the engine a vendor format.
 */
import type { Day } from './dates.js';
import type { Decimal } from './money.js';

/** Source file and row of a record, so errors and explanations can point at it. */
export interface SourceRef {
  readonly file: string;
  /** 1-based row number in the file, counting the header as row 1. */
  readonly row: number;
}

export interface Account {
  readonly id: string;
  readonly name?: string;
  /** The account this one rolls up to; the engine nets at the ultimate parent. */
  readonly parentId?: string;
  readonly currency?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/**
 * Kind of a line. Only `recurring` lines count towards ARR by default, and `usage` counts when the
 * definitions include usage. `one-time` (setup, services, activation) and `trial` never count.
 */
export type LineKind = 'recurring' | 'usage' | 'one-time' | 'trial';

/**
 * The period an amount covers. `{ unit: 'month', count: 3 }` is a quarterly price,
 * `{ unit: 'year', count: 3 }` a three-year price, and `{ unit: 'term', count: 1 }` a contract
 * value over the line's whole service period (start to end).
 */
export interface BillingPeriod {
  readonly unit: 'week' | 'month' | 'year' | 'term';
  readonly count: number;
}

export interface ContractLine {
  readonly id: string;
  readonly accountId: string;
  readonly contractId?: string;
  readonly product?: string;
  readonly kind: LineKind;
  /**
   * `file` when the source stated the kind, `default` when the importer assumed `recurring`. For
   * `default` lines the engine still treats products matching the one-time patterns as one-time.
   */
  readonly kindSource?: 'file' | 'default';
  /** Price per billing period after discounts, in `currency`. */
  readonly amount: Decimal;
  readonly period: BillingPeriod;
  readonly currency: string;
  /** First day of service. */
  readonly start: Day;
  /** First day after service ends (exclusive); null for an open-ended subscription. */
  readonly end: Day | null;
  readonly quantity?: number;
  /** Id of the line this one renews or replaces; the renewed line stops where this one starts. */
  readonly renews?: string;
  readonly signed?: Day;
  readonly source?: SourceRef;
}

/** An effective-dated assignment of a person to an account (the CSM, by default). */
export interface Assignment {
  readonly accountId: string;
  readonly role: string;
  readonly person: string;
  readonly from: Day;
  /** Exclusive; null while current. */
  readonly to: Day | null;
  readonly source?: SourceRef;
}

/** An effective-dated segment and region membership. */
export interface SegmentSpan {
  readonly accountId: string;
  readonly segment?: string;
  readonly region?: string;
  readonly subRegion?: string;
  readonly from: Day;
  /** Exclusive; null while current. */
  readonly to: Day | null;
  readonly source?: SourceRef;
}

/** Units of the reporting currency per one unit of `currency`, valid over [from, to). */
export interface FxRate {
  readonly currency: string;
  readonly rate: Decimal;
  readonly from: Day;
  readonly to: Day | null;
  readonly kind: 'plan' | 'actual';
  readonly source?: SourceRef;
}

export interface Dataset {
  readonly accounts: readonly Account[];
  readonly lines: readonly ContractLine[];
  readonly assignments: readonly Assignment[];
  readonly segments: readonly SegmentSpan[];
  readonly fxRates: readonly FxRate[];
}
