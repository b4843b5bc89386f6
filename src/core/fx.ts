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
import { conversionRate, convertMinor, convertWithRate } from './money.js';
import { lowerBound } from './search.js';
import type { ConversionRate, Decimal, Minor } from './money.js';
import type { FxRate } from './model.js';

interface RateStep {
  readonly from: Day;
  /** Exclusive end of the rate's validity; null while current. */
  readonly to: Day | null;
  readonly rate: Decimal;
  readonly conversion: ConversionRate;
}

/** A piece of a line's service at one rate, in the reporting currency. */
export interface ConvertedSegment {
  readonly start: Day;
  readonly end: Day;
  readonly arr: Minor;
}

/**
 * Orders rates by start day. Among rates starting the same day the longer-running one comes first,
 * so the more specific rate comes last and wins where both apply. Equal periods fall back to the
 * rate value, so input order never matters.
 */
function compareRates(a: FxRate, b: FxRate): number {
  if (a.from !== b.from) return a.from - b.from;
  const endA = a.to ?? Number.MAX_SAFE_INTEGER;
  const endB = b.to ?? Number.MAX_SAFE_INTEGER;
  if (endA !== endB) return endB - endA;
  const difference =
    a.rate.coefficient * 10n ** BigInt(b.rate.scale) -
    b.rate.coefficient * 10n ** BigInt(a.rate.scale);
  if (difference < 0n) return -1;
  return difference > 0n ? 1 : 0;
}

export class FxTable {
  private readonly steps = new Map<string, RateStep[]>();
  /** Per currency, every day on which some rate starts or stops, sorted. */
  private readonly cuts = new Map<string, Int32Array>();
  /** Per currency, the first and last day converted with a rate outside its validity. */
  private readonly carried = new Map<string, { first: Day; last: Day }>();
  private readonly ignoredReportingRates: number;

  constructor(
    rates: readonly FxRate[],
    private readonly definitions: Definitions,
  ) {
    const byCurrency = new Map<string, FxRate[]>();
    this.ignoredReportingRates = rates.filter(
      (rate) => rate.currency === definitions.reportingCurrency,
    ).length;
    for (const rate of rates) {
      if (rate.currency === definitions.reportingCurrency) continue;
      const list = byCurrency.get(rate.currency) ?? [];
      list.push(rate);
      byCurrency.set(rate.currency, list);
    }
    for (const [currency, list] of byCurrency) {
      const plan = list.filter((rate) => rate.kind === 'plan');
      const chosen = (plan.length > 0 ? plan : list).slice().sort(compareRates);
      this.steps.set(
        currency,
        chosen.map((rate) => ({
          from: rate.from,
          to: rate.to,
          rate: rate.rate,
          conversion: conversionRate(currency, rate.rate, definitions.reportingCurrency),
        })),
      );
      const cuts = new Set<Day>();
      for (const rate of chosen) {
        cuts.add(rate.from);
        if (rate.to !== null) cuts.add(rate.to);
      }
      this.cuts.set(currency, Int32Array.from(cuts).sort());
    }
  }

  /**
   * Finds the rate steps of a currency. A day no rate covers takes the latest earlier rate, or
   * the first rate when it precedes them all; `warnings` lists such days.
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

  /**
   * Picks the step in force on a day: the latest-starting rate that covers it. When none covers
   * it, the rate that ended most recently before it applies, else the first rate. `covered` is
   * false in those two cases.
   */
  private stepOn(steps: readonly RateStep[], day: Day): { step: RateStep; covered: boolean } {
    let covering: RateStep | undefined;
    let ended: RateStep | undefined;
    for (const step of steps) {
      if (step.from > day) break;
      if (step.to === null || day < step.to) covering = step;
      else if (ended === undefined || step.to >= (ended.to as number)) ended = step;
    }
    if (covering !== undefined) return { step: covering, covered: true };
    return { step: ended ?? (steps[0] as RateStep), covered: false };
  }

  /** Converts ARR in a currency at the rate in force on a day, as rateOn and convert would. */
  convertOn(arrLocal: Minor, currency: string, day: Day, lineId: string): Minor {
    if (currency === this.definitions.reportingCurrency) return arrLocal;
    const { step } = this.stepOn(this.stepsFor(currency, lineId), day);
    return convertWithRate(arrLocal, step.conversion, this.definitions.rounding);
  }

  /** Finds the rate in force on a day; undefined for the reporting currency itself. */
  rateOn(currency: string, day: Day, lineId: string): Decimal | undefined {
    if (currency === this.definitions.reportingCurrency) return undefined;
    return this.stepOn(this.stepsFor(currency, lineId), day).step.rate;
  }

  /** Splits [start, end) where any rate starts or ends, and converts the ARR of each piece. */
  segments(
    arrLocal: Minor,
    currency: string,
    start: Day,
    end: Day,
    lineId: string,
  ): ConvertedSegment[] {
    const result: ConvertedSegment[] = [];
    this.visitSegments(arrLocal, currency, start, end, lineId, (pieceStart, pieceEnd, arr) => {
      result.push({ start: pieceStart, end: pieceEnd, arr });
    });
    return result;
  }

  /**
   * Calls `visit` with each piece that segments returns, in order, without building the list:
   * the analysis converts every foreign-currency line this way.
   */
  visitSegments(
    arrLocal: Minor,
    currency: string,
    start: Day,
    end: Day,
    lineId: string,
    visit: (start: Day, end: Day, arr: Minor) => void,
  ): void {
    if (currency === this.definitions.reportingCurrency) {
      visit(start, end, arrLocal);
      return;
    }
    const steps = this.stepsFor(currency, lineId);
    const cuts = this.cuts.get(currency) as Int32Array;
    // Neighbouring pieces with the same converted ARR are merged into the pending piece.
    let pendingStart = start;
    let pendingArr = 0;
    let pieceStart = start;
    let k = lowerBound(cuts, start + 1);
    // At least one piece, also for an empty interval, as segments has always returned.
    do {
      const cut = k < cuts.length ? (cuts[k] as number) : end;
      const pieceEnd = cut < end ? cut : end;
      k++;
      const { step, covered } = this.stepOn(steps, pieceStart);
      if (!covered) this.noteCarried(currency, pieceStart, pieceEnd - 1);
      const arr = convertWithRate(arrLocal, step.conversion, this.definitions.rounding);
      if (pieceStart === start) pendingArr = arr;
      else if (arr !== pendingArr) {
        visit(pendingStart, pieceStart, pendingArr);
        pendingStart = pieceStart;
        pendingArr = arr;
      }
      pieceStart = pieceEnd;
    } while (pieceStart < end);
    visit(pendingStart, end, pendingArr);
  }

  private noteCarried(currency: string, first: Day, last: Day): void {
    const known = this.carried.get(currency);
    if (known === undefined) this.carried.set(currency, { first, last });
    else
      this.carried.set(currency, {
        first: Math.min(known.first, first),
        last: Math.max(known.last, last),
      });
  }

  /** Describes conversions that used a rate outside its validity, and rates that were ignored. */
  warnings(): string[] {
    const messages = [...this.carried]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([currency, { first, last }]) =>
          `no ${currency} rate covers some days from ${formatDay(first)} to ${formatDay(last)}; the nearest rate in time was used (add ${currency} plan rates for those days)`,
      );
    if (this.ignoredReportingRates > 0) {
      messages.push(
        `${this.ignoredReportingRates} FX rates for the reporting currency ${this.definitions.reportingCurrency} itself were ignored`,
      );
    }
    return messages;
  }

  describeRate(currency: string, day: Day, lineId: string): string {
    const rate = this.rateOn(currency, day, lineId);
    if (rate === undefined) return 'reporting currency';
    const { step, covered } = this.stepOn(this.stepsFor(currency, lineId), day);
    const validity =
      step.to === null
        ? `from ${formatDay(step.from)}`
        : `from ${formatDay(step.from)} to ${formatDay(step.to - 1)}`;
    return `rate ${validity}${covered ? '' : ', used outside its validity'}`;
  }
}
