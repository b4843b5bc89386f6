/**
 * The made-up company's products, regions and segment playbooks: every probability and price
 * rule that shapes the generated data lives here.
 */
import type { BillingPeriod } from '../core/model.js';
import { WeightedTable } from './random.js';

export type SegmentName = 'High Touch' | 'Growth' | 'Nurture';

export const SEGMENT_NAMES: readonly SegmentName[] = ['High Touch', 'Growth', 'Nurture'];

/** Minimum USD ARR of the High Touch segment. */
export const HIGH_TOUCH_MIN_USD = 50_000;
/** Minimum USD ARR of the Growth segment. Smaller accounts are Nurture. */
export const GROWTH_MIN_USD = 10_000;

export function segmentForArr(usd: number): SegmentName {
  if (usd >= HIGH_TOUCH_MIN_USD) return 'High Touch';
  if (usd >= GROWTH_MIN_USD) return 'Growth';
  return 'Nurture';
}

/**
 * Returns the segment after the yearly review. An account moves only when its ARR is clearly
 * past a boundary (20% past it), so accounts near a boundary do not switch back and forth.
 */
export function reviewSegment(current: SegmentName, usd: number): SegmentName {
  const target = segmentForArr(usd);
  if (target === current) return current;
  const up = SEGMENT_NAMES.indexOf(target) < SEGMENT_NAMES.indexOf(current);
  // The boundary next to the current segment in the direction of the move.
  const boundary = (up ? current === 'Nurture' : current !== 'High Touch')
    ? GROWTH_MIN_USD
    : HIGH_TOUCH_MIN_USD;
  const clear = up ? usd >= boundary * 1.2 : usd < boundary * 0.8;
  return clear ? target : current;
}

/**
 * Parameters of the log-normal ARR of a new account, in USD: median about 4,700 and
 * sigma 1.6, which puts about 7% of accounts at 50k or more and about 68% below 10k.
 */
export const ARR_LOG_MEAN = 8.46;
export const ARR_LOG_SIGMA = 1.6;
export const MIN_ARR_USD = 600;
export const MAX_ARR_USD = 2_500_000;

export type RegionName = 'AMER' | 'EMEA' | 'APAC';

export interface SubRegion {
  readonly region: RegionName;
  readonly name: string;
  /** Share of accounts in this sub-region. */
  readonly weight: number;
  readonly currencies: WeightedTable<string>;
  readonly legalSuffixes: readonly string[];
  /** Country words added to the parent's name for a subsidiary here. */
  readonly subsidiaryLabels: readonly string[];
}

const usdOnly = new WeightedTable([['USD', 1]]);

export const SUB_REGIONS: readonly SubRegion[] = [
  {
    region: 'AMER',
    name: 'North America',
    weight: 0.47,
    currencies: usdOnly,
    legalSuffixes: [', Inc.', ', Inc.', ', LLC', ' Corp.', ' Co.'],
    subsidiaryLabels: ['US', 'Canada'],
  },
  {
    region: 'AMER',
    name: 'LATAM',
    weight: 0.08,
    currencies: usdOnly,
    legalSuffixes: [' S.A.', ' Ltda.', ' S.A. de C.V.'],
    subsidiaryLabels: ['Brasil', 'Mexico', 'Chile'],
  },
  {
    region: 'EMEA',
    name: 'UK&I',
    weight: 0.1,
    currencies: new WeightedTable([
      ['GBP', 0.85],
      ['USD', 0.15],
    ]),
    legalSuffixes: [' Ltd', ' Ltd', ' plc', ' Limited'],
    subsidiaryLabels: ['UK', 'Ireland'],
  },
  {
    region: 'EMEA',
    name: 'DACH',
    weight: 0.09,
    currencies: new WeightedTable([
      ['EUR', 0.85],
      ['USD', 0.15],
    ]),
    legalSuffixes: [' GmbH', ' GmbH', ' AG', ' GmbH & Co. KG'],
    subsidiaryLabels: ['Deutschland', 'Schweiz', 'Austria'],
  },
  {
    region: 'EMEA',
    name: 'Nordics',
    weight: 0.05,
    currencies: new WeightedTable([
      ['EUR', 0.5],
      ['USD', 0.5],
    ]),
    legalSuffixes: [' AB', ' AS', ' Oy', ' A/S'],
    subsidiaryLabels: ['Nordic', 'Sverige', 'Norge'],
  },
  {
    region: 'EMEA',
    name: 'Southern Europe',
    weight: 0.06,
    currencies: new WeightedTable([
      ['EUR', 0.9],
      ['USD', 0.1],
    ]),
    legalSuffixes: [' S.p.A.', ' S.L.', ' SAS', ' S.r.l.', ' Lda.'],
    subsidiaryLabels: ['Iberia', 'Italia', 'France'],
  },
  {
    region: 'APAC',
    name: 'ANZ',
    weight: 0.07,
    currencies: usdOnly,
    legalSuffixes: [' Pty Ltd', ' Limited'],
    subsidiaryLabels: ['Australia', 'New Zealand'],
  },
  {
    region: 'APAC',
    name: 'Japan',
    weight: 0.04,
    currencies: usdOnly,
    legalSuffixes: [' K.K.', ' Co., Ltd.'],
    subsidiaryLabels: ['Japan'],
  },
  {
    region: 'APAC',
    name: 'SEA',
    weight: 0.04,
    currencies: usdOnly,
    legalSuffixes: [' Pte Ltd', ' Sdn Bhd'],
    subsidiaryLabels: ['Singapore', 'Asia'],
  },
];

export const SUB_REGION_TABLE = new WeightedTable(
  SUB_REGIONS.map((subRegion) => [subRegion, subRegion.weight] as const),
);

export const REGION_NAMES: readonly RegionName[] = ['AMER', 'EMEA', 'APAC'];

/** Share of accounts in a region (the sum of its sub-regions' weights). */
export function regionShare(region: RegionName): number {
  return SUB_REGIONS.filter((s) => s.region === region).reduce((sum, s) => sum + s.weight, 0);
}

export type ProductName =
  'Platform' | 'Analytics' | 'Automation' | 'Premium Support' | 'Seats add-on';

export interface Product {
  readonly name: ProductName;
  /** Price range [min, max) relative to the Platform price, which is 1. */
  readonly relativePrice: readonly [number, number];
  /** Whether the price is per seat, so the line carries a quantity. */
  readonly perSeat: boolean;
}

export const PLATFORM: Product = { name: 'Platform', relativePrice: [1, 1], perSeat: false };

export const ADD_ON_PRODUCTS: readonly Product[] = [
  { name: 'Analytics', relativePrice: [0.15, 0.3], perSeat: false },
  { name: 'Automation', relativePrice: [0.2, 0.35], perSeat: false },
  { name: 'Premium Support', relativePrice: [0.1, 0.2], perSeat: false },
  { name: 'Seats add-on', relativePrice: [0.1, 0.3], perSeat: true },
];

/** Yearly list prices of one extra seat, in USD. */
export const SEAT_PRICES_USD: readonly number[] = [96, 120, 180, 240];

export const IMPLEMENTATION = 'Implementation';
export const ONBOARDING_SETUP = 'Onboarding setup';

/** Flat onboarding setup fees, in USD. */
export const ONBOARDING_FEES_USD: readonly number[] = [500, 750, 1000, 1500, 2500];

/**
 * Pricing and billing of a contract. `open` is a monthly subscription without an end date. A
 * `term` plan runs `months` months: `per-period` prices each line per billing period,
 * `whole-term` per whole term ({ unit: 'year', count: years }), `contract-value` as the total
 * over the line ({ unit: 'term' }), and `ramp` splits the Platform line into yearly steps that
 * rise towards the full price.
 */
export type ContractPlan =
  | { readonly kind: 'open' }
  | {
      readonly kind: 'term';
      readonly months: 12 | 24 | 36;
      readonly billing: 'month' | 'quarter' | 'year';
      readonly style: 'per-period' | 'whole-term' | 'contract-value' | 'ramp';
    };

export const OPEN_PLAN: ContractPlan = { kind: 'open' };

function term(
  months: 12 | 24 | 36,
  billing: 'month' | 'quarter' | 'year',
  style: 'per-period' | 'whole-term' | 'contract-value' | 'ramp' = 'per-period',
): ContractPlan {
  return { kind: 'term', months, billing, style };
}

export const ANNUAL_PLAN = term(12, 'year');

// Billing periods are shared by many lines, so they are frozen.
export const MONTH: BillingPeriod = Object.freeze({ unit: 'month', count: 1 });
export const QUARTER: BillingPeriod = Object.freeze({ unit: 'month', count: 3 });
export const YEAR: BillingPeriod = Object.freeze({ unit: 'year', count: 1 });
export const TWO_YEARS: BillingPeriod = Object.freeze({ unit: 'year', count: 2 });
export const THREE_YEARS: BillingPeriod = Object.freeze({ unit: 'year', count: 3 });
export const WHOLE_TERM: BillingPeriod = Object.freeze({ unit: 'term', count: 1 });

/** Coverage and buying behaviour of one segment: book size, plans, churn, expansion and fees. */
export interface SegmentPlaybook {
  /** Target number of accounts per CSM. */
  readonly bookSize: number;
  readonly plans: WeightedTable<ContractPlan>;
  /** Probability that the account does not renew at the end of a term. */
  readonly termChurn: number;
  /** Probability per month that an open monthly subscription is cancelled. */
  readonly monthlyChurn: number;
  /** Probability that a churned account buys again within 3 to 18 months. */
  readonly reactivation: number;
  /** Expected mid-term add-on orders per contract year. */
  readonly addOnsPerYear: number;
  /** Probability that a renewal lowers a product's price or seats by 10 to 40%. */
  readonly downgrade: number;
  /** Probability that a new account buys each add-on product, in `ADD_ON_PRODUCTS` order. */
  readonly attach: readonly number[];
  /** Probability that a new account pays an implementation fee (10 to 25% of its ARR). */
  readonly implementation: number;
  /** Probability that a new account pays a flat onboarding setup fee. */
  readonly onboarding: number;
}

export const PLAYBOOKS: Readonly<Record<SegmentName, SegmentPlaybook>> = {
  'High Touch': {
    bookSize: 25,
    plans: new WeightedTable([
      [term(12, 'year'), 0.36],
      [term(12, 'quarter'), 0.09],
      [term(24, 'year'), 0.08],
      [term(24, 'year', 'whole-term'), 0.07],
      [term(24, 'year', 'ramp'), 0.07],
      [term(24, 'year', 'contract-value'), 0.03],
      [term(36, 'year'), 0.08],
      [term(36, 'year', 'whole-term'), 0.08],
      [term(36, 'year', 'ramp'), 0.1],
      [term(36, 'year', 'contract-value'), 0.04],
    ]),
    termChurn: 0.06,
    monthlyChurn: 0.005,
    reactivation: 0.1,
    addOnsPerYear: 0.8,
    downgrade: 0.08,
    attach: [0.6, 0.45, 0.55, 0.5],
    implementation: 0.9,
    onboarding: 0,
  },
  Growth: {
    bookSize: 80,
    plans: new WeightedTable([
      [OPEN_PLAN, 0.08],
      [term(12, 'year'), 0.42],
      [term(12, 'quarter'), 0.15],
      [term(12, 'month'), 0.05],
      [term(24, 'year'), 0.08],
      [term(24, 'year', 'whole-term'), 0.05],
      [term(24, 'year', 'ramp'), 0.04],
      [term(24, 'quarter'), 0.03],
      [term(36, 'year'), 0.04],
      [term(36, 'year', 'whole-term'), 0.03],
      [term(36, 'year', 'ramp'), 0.02],
      [term(36, 'year', 'contract-value'), 0.01],
    ]),
    termChurn: 0.11,
    monthlyChurn: 0.01,
    reactivation: 0.15,
    addOnsPerYear: 0.5,
    downgrade: 0.1,
    attach: [0.4, 0.25, 0.15, 0.4],
    implementation: 0.5,
    onboarding: 0.3,
  },
  Nurture: {
    bookSize: 400,
    plans: new WeightedTable([
      [OPEN_PLAN, 0.45],
      [term(12, 'month'), 0.25],
      [term(12, 'year'), 0.25],
      [term(12, 'quarter'), 0.05],
    ]),
    termChurn: 0.17,
    monthlyChurn: 0.017,
    reactivation: 0.2,
    addOnsPerYear: 0.1,
    downgrade: 0.16,
    attach: [0.15, 0.08, 0.02, 0.2],
    implementation: 0,
    onboarding: 0.5,
  },
};

/** Expected share of accounts per segment at first purchase, from the ARR distribution above. */
export const SEGMENT_SHARES: Readonly<Record<SegmentName, number>> = {
  'High Touch': 0.07,
  Growth: 0.25,
  Nurture: 0.68,
};
