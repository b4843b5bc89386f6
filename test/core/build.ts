/** Factories for hand-built datasets in core tests. Amounts are written in currency units. */
import { parseDay, parseDecimal } from '../../src/core/index.js';
import type { BillingPeriod, ContractLine, Dataset, Day, LineKind } from '../../src/core/index.js';

export function day(text: string): Day {
  const value = parseDay(text);
  if (value === undefined) throw new Error(`bad test date ${text}`);
  return value;
}

export interface LineInput {
  id: string;
  account: string;
  amount: string;
  /** First day of service. */
  start: string;
  /** Last day of service (inclusive), or null for open-ended. */
  last: string | null;
  period?: BillingPeriod;
  kind?: LineKind;
  product?: string;
  contract?: string;
  currency?: string;
  quantity?: number;
  renews?: string;
  /** Day the line was signed. */
  signed?: string;
  explicitKind?: boolean;
}

export const MONTHLY: BillingPeriod = { unit: 'month', count: 1 };
export const ANNUAL: BillingPeriod = { unit: 'year', count: 1 };
export const TERM: BillingPeriod = { unit: 'term', count: 1 };

export function line(input: LineInput): ContractLine {
  const amount = parseDecimal(input.amount);
  if (amount === undefined) throw new Error(`bad test amount ${input.amount}`);
  return {
    id: input.id,
    accountId: input.account,
    kind: input.kind ?? 'recurring',
    kindSource: input.explicitKind === false || input.kind === undefined ? 'default' : 'file',
    amount,
    period: input.period ?? ANNUAL,
    currency: input.currency ?? 'USD',
    start: day(input.start),
    end: input.last === null ? null : day(input.last) + 1,
    ...(input.product === undefined ? {} : { product: input.product }),
    ...(input.contract === undefined ? {} : { contractId: input.contract }),
    ...(input.quantity === undefined ? {} : { quantity: input.quantity }),
    ...(input.renews === undefined ? {} : { renews: input.renews }),
    ...(input.signed === undefined ? {} : { signed: day(input.signed) }),
  };
}

export function dataset(lines: readonly ContractLine[], extra: Partial<Dataset> = {}): Dataset {
  return { accounts: [], assignments: [], segments: [], fxRates: [], ...extra, lines };
}

/** Cents from currency units, for readable expectations: units(3600) === 360000. */
export function units(value: number): number {
  return Math.round(value * 100);
}
