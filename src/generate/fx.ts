/** Plan exchange rates of the generated company: one rate per currency and calendar year. */
import { dayFromCivil } from '../core/dates.js';
import type { FxRate } from '../core/model.js';
import { Random } from './random.js';

/** Plan rates to USD in the first generated year. Later years drift by up to ±4% a year. */
const BASE_RATES: Readonly<Record<string, number>> = { EUR: 1.08, GBP: 1.26 };

const RATE_SCALE = 4;

export interface PlanRates {
  readonly rates: readonly FxRate[];
  /** Returns the USD value of one unit of `currency` in `year` (1 for USD). */
  usdPerUnit(currency: string, year: number): number;
}

/**
 * Builds plan rates for each year from `firstYear` to `lastYear`, each valid from 1 January to
 * the next 1 January. The last year's rate stays open-ended until a new plan replaces it.
 */
export function buildPlanRates(seed: number, firstYear: number, lastYear: number): PlanRates {
  const random = new Random(seed, -1);
  const table = new Map<string, number>();
  const rates: FxRate[] = [];
  for (const [currency, base] of Object.entries(BASE_RATES)) {
    let rate = base;
    for (let year = firstYear; year <= lastYear; year++) {
      if (year > firstYear) rate *= 1 + random.between(-0.04, 0.04);
      const coefficient = Math.round(rate * 10 ** RATE_SCALE);
      table.set(`${currency}:${year}`, coefficient / 10 ** RATE_SCALE);
      rates.push({
        currency,
        rate: { coefficient: BigInt(coefficient), scale: RATE_SCALE },
        from: dayFromCivil(year, 1, 1),
        to: year === lastYear ? null : dayFromCivil(year + 1, 1, 1),
        kind: 'plan',
      });
    }
  }
  return {
    rates,
    usdPerUnit(currency: string, year: number): number {
      if (currency === 'USD') return 1;
      const clamped = Math.min(Math.max(year, firstYear), lastYear);
      const rate = table.get(`${currency}:${clamped}`);
      if (rate === undefined) {
        throw new RangeError(`plan rate not found for ${currency}: only EUR and GBP have rates`);
      }
      return rate;
    },
  };
}
