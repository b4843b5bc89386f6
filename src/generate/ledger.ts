/**
 * Collects the generated contract lines and numbers them. It also keeps a compact copy of the
 * current account's recurring lines, so the generator can read the account's ARR on a given day
 * (for the yearly segment review) without scanning the whole dataset.
 */
import { OPEN_END, wholeMonthsBetween, type Day } from '../core/dates.js';
import type { BillingPeriod, ContractLine } from '../core/model.js';
import { decimalFromMinor, type Decimal } from '../core/money.js';
import { WHOLE_TERM } from './catalog.js';

/** A recurring line to write, priced by its yearly value in minor units of the currency. */
export interface RecurringLineSpec {
  readonly contractId: string;
  readonly product: string;
  /** Yearly value in minor units. The written amount is this value over `period`. */
  readonly annual: number;
  readonly period: BillingPeriod;
  readonly start: Day;
  readonly end: Day | null;
  readonly signed: Day;
  readonly quantity?: number;
  readonly renews?: string;
}

/**
 * Returns the amount per billing period for a yearly value. A `term` period covers the whole
 * line: whole months count as twelfths of a year, other spans as days over 365.
 */
export function amountPerPeriod(
  annual: number,
  period: BillingPeriod,
  start: Day,
  end: Day | null,
): number {
  switch (period.unit) {
    case 'month':
      return Math.round((annual * period.count) / 12);
    case 'year':
      return annual * period.count;
    case 'week':
      return Math.round((annual * period.count * 7) / 365);
    case 'term': {
      if (end === null) throw new RangeError('a line priced per term needs an end date');
      const months = wholeMonthsBetween(start, end);
      return months === undefined
        ? Math.round((annual * (end - start)) / 365)
        : Math.round((annual * months) / 12);
    }
  }
}

export class Ledger {
  readonly lines: ContractLine[] = [];

  private accountId = '';
  private currency = 'USD';
  private lineCount = 0;
  private contractCount = 0;
  /**
   * Amount objects by currency and minor units. Rounded prices repeat, so at 200,000 accounts
   * about 15 lines share each amount object (measured) instead of allocating one each.
   */
  private readonly amounts = new Map<string, Map<number, Decimal>>();

  // The current account's recurring lines: start, effective end (exclusive) and yearly value.
  private readonly ids: string[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly annuals: number[] = [];

  /** Starts writing lines for another account. Line and contract numbers restart at 1. */
  beginAccount(accountId: string, currency: string): void {
    this.accountId = accountId;
    this.currency = currency;
    this.lineCount = 0;
    this.contractCount = 0;
    this.ids.length = 0;
    this.starts.length = 0;
    this.ends.length = 0;
    this.annuals.length = 0;
  }

  newContractId(): string {
    this.contractCount++;
    return `${this.accountId}-C${this.contractCount}`;
  }

  /** Writes a recurring line and returns its id. */
  addRecurring(spec: RecurringLineSpec): string {
    const id = this.nextLineId();
    const amount = amountPerPeriod(spec.annual, spec.period, spec.start, spec.end);
    const line: { -readonly [Key in keyof ContractLine]: ContractLine[Key] } = {
      id,
      accountId: this.accountId,
      contractId: spec.contractId,
      product: spec.product,
      kind: 'recurring',
      amount: this.amountOf(amount),
      period: spec.period,
      currency: this.currency,
      start: spec.start,
      end: spec.end,
      signed: spec.signed,
    };
    if (spec.quantity !== undefined) line.quantity = spec.quantity;
    if (spec.renews !== undefined) line.renews = spec.renews;
    this.lines.push(line);
    if (spec.renews !== undefined) this.cutRenewedLine(spec.renews, spec.start);
    this.ids.push(id);
    this.starts.push(spec.start);
    this.ends.push(spec.end ?? OPEN_END);
    this.annuals.push(spec.annual);
    return id;
  }

  /** Writes a one-time fee of `amount` minor units over [start, end) and returns its id. */
  addOneTime(
    contractId: string,
    product: string,
    amount: number,
    start: Day,
    end: Day,
    signed: Day,
  ): string {
    const id = this.nextLineId();
    this.lines.push({
      id,
      accountId: this.accountId,
      contractId,
      product,
      kind: 'one-time',
      amount: this.amountOf(amount),
      period: WHOLE_TERM,
      currency: this.currency,
      start,
      end,
      signed,
    });
    return id;
  }

  /** Returns the current account's ARR on `day`, in minor units of its currency. */
  arrOn(day: Day): number {
    let total = 0;
    for (let index = 0; index < this.starts.length; index++) {
      if ((this.starts[index] ?? OPEN_END) <= day && day < (this.ends[index] ?? 0)) {
        total += this.annuals[index] ?? 0;
      }
    }
    return total;
  }

  /** Returns the first day of service of the current account, or undefined before any line. */
  firstStart(): Day | undefined {
    let first: Day | undefined;
    for (const start of this.starts) if (first === undefined || start < first) first = start;
    return first;
  }

  private amountOf(minor: number): Decimal {
    let byMinor = this.amounts.get(this.currency);
    if (byMinor === undefined) {
      byMinor = new Map();
      this.amounts.set(this.currency, byMinor);
    }
    let amount = byMinor.get(minor);
    if (amount === undefined) {
      amount = Object.freeze(decimalFromMinor(minor, this.currency));
      byMinor.set(minor, amount);
    }
    return amount;
  }

  private nextLineId(): string {
    this.lineCount++;
    return `${this.accountId}-L${this.lineCount}`;
  }

  /** Ends the renewed line's ARR at `start`, because a renewal replaces the line it renews. */
  private cutRenewedLine(renewedId: string, start: Day): void {
    const index = this.ids.lastIndexOf(renewedId);
    if (index >= 0 && (this.ends[index] ?? 0) > start) this.ends[index] = start;
  }
}
