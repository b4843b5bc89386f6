/**
 * Constant-currency conversion. ARR in another currency converts at the plan rate in force on
 * the day, and plan rates are set per fiscal year. Exchange-rate swings during a year therefore
 * move no figure, while a new year's plan rate shows as an FX movement in the bridge. Actual rates
 * are used only for a currency that has no plan rate.
 */
import type { Day } from './dates.js';
import { formatDay } from './dates.js';
import type { Definitions } from './definitions.js';
import { EngineError } from './errors.js';
import { convertMinor } from './money.js';
import type { Decimal, Minor } from './money.js';
import type { FxRate } from './model.js';

interface RateStep {
  readonly from: Day;
  readonly rate: Decimal;
}

/** A piece of a line's service at one rate, in the reporting currency. */
export interface ConvertedSegment {
  readonly start: Day;
  readonly end: Day;
  readonly arr: Minor;
}

export class FxTable {
  private readonly steps = new Map<string, RateStep[]>();

  constructor(
    rates: readonly FxRate[],
    private readonly definitions: Definitions,
  ) {
    const byCurrency = new Map<string, FxRate[]>();
    for (const rate of rates) {
      const list = byCurrency.get(rate.currency) ?? [];
      list.push(rate);
      byCurrency.set(rate.currency, list);
    }
    for (const [currency, list] of byCurrency) {
      const plan = list.filter((rate) => rate.kind === 'plan');
      const chosen = (plan.length > 0 ? plan : list).slice().sort((a, b) => a.from - b.from);
      this.steps.set(
        currency,
        chosen.map((rate) => ({ from: rate.from, rate: rate.rate })),
      );
    }
  }

  /**
   * Rate steps for a currency. Before the first rate, the first rate applies; after the last, the
   * last one does (a plan rate carries forward until the next plan is loaded).
   */
  private stepsFor(currency: string, lineId: string): RateStep[] {
    const steps = this.steps.get(currency);
    if (steps === undefined || steps.length === 0) {
      throw new EngineError(
        'missing-fx-rate',
        `line ${lineId} is in ${currency} but no rate converts ${currency} to ${this.definitions.reportingCurrency}; add an FX rate file with a ${currency} plan rate`,
      );
    }
    return steps;
  }

  convert(arrLocal: Minor, currency: string, rate: Decimal): Minor {
    return convertMinor(
      arrLocal,
      currency,
      rate,
      this.definitions.reportingCurrency,
      this.definitions.rounding,
    );
  }

  /** Finds the rate in force on a day; undefined for the reporting currency itself. */
  rateOn(currency: string, day: Day, lineId: string): Decimal | undefined {
    if (currency === this.definitions.reportingCurrency) return undefined;
    const steps = this.stepsFor(currency, lineId);
    let chosen = steps[0] as RateStep;
    for (const step of steps) {
      if (step.from <= day) chosen = step;
      else break;
    }
    return chosen.rate;
  }

  /** Splits [start, end) at rate changes and converts the ARR of each piece. */
  segments(
    arrLocal: Minor,
    currency: string,
    start: Day,
    end: Day,
    lineId: string,
  ): ConvertedSegment[] {
    if (currency === this.definitions.reportingCurrency) return [{ start, end, arr: arrLocal }];
    const steps = this.stepsFor(currency, lineId);
    const result: ConvertedSegment[] = [];
    let pieceStart = start;
    for (let k = 0; k < steps.length && pieceStart < end; k++) {
      const next = steps[k + 1];
      const pieceEnd = next === undefined ? end : Math.min(end, next.from);
      if (pieceEnd > pieceStart) {
        result.push({
          start: pieceStart,
          end: pieceEnd,
          arr: this.convert(arrLocal, currency, (steps[k] as RateStep).rate),
        });
        pieceStart = pieceEnd;
      }
    }
    return result;
  }

  describeRate(currency: string, day: Day, lineId: string): string {
    const rate = this.rateOn(currency, day, lineId);
    if (rate === undefined) return 'reporting currency';
    const steps = this.stepsFor(currency, lineId);
    const step = steps.filter((candidate) => candidate.from <= day).pop() ?? steps[0];
    return `plan rate from ${formatDay((step as RateStep).from)}`;
  }
}
