/**
 * The contract history of one account: first order, mid-term add-ons, renewals (early, on time,
 * late or back-dated), price changes, churn and reactivation. It writes lines to a `Ledger` in the
 * account's currency and stops at the end of the data, so nothing is signed on or after that day.
 */
import { addMonths, type Day } from '../core/dates.js';
import type { BillingPeriod } from '../core/model.js';
import {
  ADD_ON_PRODUCTS,
  ANNUAL_PLAN,
  IMPLEMENTATION,
  MONTH,
  ONBOARDING_FEES_USD,
  ONBOARDING_SETUP,
  PLATFORM,
  QUARTER,
  SEAT_PRICES_USD,
  THREE_YEARS,
  TWO_YEARS,
  WHOLE_TERM,
  YEAR,
  type ContractPlan,
  type Product,
  type SegmentPlaybook,
} from './catalog.js';
import type { Ledger } from './ledger.js';
import type { Random } from './random.js';

type TermPlan = Extract<ContractPlan, { kind: 'term' }>;

/** Share of renewals that start early, and of the rest the share that is late. */
const EARLY_RENEWAL = 0.15;
const LATE_RENEWAL = 0.2;
/** Share of late renewals back-dated to the day after the old term, signed weeks later. */
const BACK_DATED = 0.4;
/** Share of renewals (other than early ones) whose lines set `renews` to the line they renew. */
const LINKED_RENEWAL = 0.9;
/** Probability that a renewal keeps the previous contract plan. */
const SAME_PLAN = 0.75;
/** Per renewal: probability of dropping an add-on product, and of buying a new one. */
const DROP_PRODUCT = 0.07;
const CROSS_SELL_AT_RENEWAL = 0.1;
/** Per month of an open subscription: upgrade or downgrade, new product, move to a contract. */
const MONTHLY_PLAN_CHANGE = 0.02;
const MONTHLY_CROSS_SELL = 0.004;
const MONTHLY_CONVERSION = 0.004;

/** One product the account pays for, with the line a renewal of it renews. */
interface Holding {
  readonly product: Product;
  /** Yearly value of the product's main line, in minor units. */
  annual: number;
  /** Yearly value of co-termed add-on lines of this product in the current term. */
  extraAnnual: number;
  /** Seats on the main line, or 0 when the product is not sold per seat. */
  quantity: number;
  extraQuantity: number;
  lineId: string | undefined;
  /** Whether the main line is the last step of a ramp (so it cannot be replaced mid-term). */
  ramped: boolean;
  // The open line of a monthly subscription, written once it ends or the data ends.
  openStart: Day;
  openSigned: Day;
  openRenews: string | undefined;
}

type OpenOutcome =
  | { readonly kind: 'running' }
  | { readonly kind: 'churned'; readonly day: Day }
  | { readonly kind: 'converted'; readonly day: Day };

/** Rounds a price in minor units to whole units below 1,000, tens below 10,000, else hundreds. */
export function roundPrice(minor: number): number {
  const units = minor / 100;
  let step = 100;
  if (units < 1000) step = 1;
  else if (units < 10_000) step = 10;
  return Math.max(1, Math.round(units / step)) * step * 100;
}

export class Lifecycle {
  private holdings: Holding[] = [];
  private plan: ContractPlan = ANNUAL_PLAN;
  private start: Day = 0;
  private signed: Day = 0;
  /** Whether the next contract's lines set `renews` to the lines they replace. */
  private linked = false;
  /** Whether the next contract is a first purchase, which may carry one-time fees. */
  private firstOrder = false;
  /** Changes to an open subscription before this day are not generated. */
  private eventsFrom: Day = 0;

  /**
   * `usdPerUnit` converts the account's currency to USD for pricing. `horizonStart` and
   * `horizonEnd` bound the generated history.
   */
  constructor(
    private readonly random: Random,
    private readonly ledger: Ledger,
    private readonly playbook: SegmentPlaybook,
    private readonly usdPerUnit: number,
    private readonly horizonStart: Day,
    private readonly horizonEnd: Day,
  ) {}

  /**
   * Writes the account's history. A new logo starts on `newLogoStart`. An account of the
   * installed base (`newLogoStart` null) is mid-contract when the data begins.
   */
  run(targetUsd: number, newLogoStart: Day | null): void {
    this.holdings = this.initialHoldings(targetUsd);
    this.plan = this.playbook.plans.sample(this.random);
    this.linked = false;
    if (newLogoStart === null) {
      this.start = this.installedBaseStart(this.plan);
      this.firstOrder = false;
      this.eventsFrom = this.horizonStart;
    } else {
      this.start = newLogoStart;
      this.firstOrder = true;
      this.eventsFrom = newLogoStart;
    }
    this.signed = this.start - this.random.int(0, 30);

    for (;;) {
      if (this.plan.kind === 'open') {
        const outcome = this.runOpenSubscription();
        if (outcome.kind === 'running') return;
        if (outcome.kind === 'converted') {
          this.convertToContract(outcome.day);
          continue;
        }
        if (!this.reactivate(outcome.day, targetUsd)) return;
        continue;
      }
      const { end, hasExtras } = this.runTerm(this.plan);
      if (this.random.chance(this.playbook.termChurn)) {
        if (end >= this.horizonEnd || !this.reactivate(end, targetUsd)) return;
        continue;
      }
      if (!this.scheduleRenewal(end, hasExtras)) return;
      this.applyRenewalChanges();
      if (!this.random.chance(SAME_PLAN)) this.plan = this.playbook.plans.sample(this.random);
    }
  }

  private installedBaseStart(plan: ContractPlan): Day {
    if (plan.kind === 'open') return this.horizonStart - this.random.int(30, 1000);
    const termDays = addMonths(this.horizonStart, plan.months) - this.horizonStart;
    return this.horizonStart - this.random.int(0, termDays - 1);
  }

  private initialHoldings(targetUsd: number): Holding[] {
    const weights = [1];
    const products: Product[] = [PLATFORM];
    ADD_ON_PRODUCTS.forEach((product, index) => {
      if (this.random.chance(this.playbook.attach[index] ?? 0)) {
        products.push(product);
        weights.push(this.random.between(product.relativePrice[0], product.relativePrice[1]));
      }
    });
    const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
    return products.map((product, index) =>
      this.newHolding(product, (targetUsd * (weights[index] ?? 0)) / totalWeight),
    );
  }

  /** Prices a product at about `usd` a year, in whole seats for a per-seat product. */
  private newHolding(product: Product, usd: number): Holding {
    let annual: number;
    let quantity = 0;
    if (product.perSeat) {
      const seatPrice = roundPrice(this.toMinor(this.random.pick(SEAT_PRICES_USD)));
      quantity = Math.max(1, Math.round(this.toMinor(usd) / seatPrice));
      annual = quantity * seatPrice;
    } else {
      annual = roundPrice(this.toMinor(usd));
    }
    return {
      product,
      annual,
      extraAnnual: 0,
      quantity,
      extraQuantity: 0,
      lineId: undefined,
      ramped: false,
      openStart: 0,
      openSigned: 0,
      openRenews: undefined,
    };
  }

  /** Converts USD to minor units of the account's currency. */
  private toMinor(usd: number): number {
    return Math.round((usd * 100) / this.usdPerUnit);
  }

  private platformAnnual(): number {
    return this.holdings.find((holding) => holding.product === PLATFORM)?.annual ?? 0;
  }

  private totalAnnual(): number {
    return this.holdings.reduce((sum, holding) => sum + holding.annual + holding.extraAnnual, 0);
  }

  /** Writes implementation and onboarding fees on a first order, with the playbook's odds. */
  private writeOneTimeFees(contractId: string): void {
    if (this.random.chance(this.playbook.implementation)) {
      const fee = roundPrice(this.totalAnnual() * this.random.between(0.1, 0.25));
      const end = addMonths(this.start, this.random.int(1, 3));
      this.ledger.addOneTime(contractId, IMPLEMENTATION, fee, this.start, end, this.signed);
    }
    if (this.random.chance(this.playbook.onboarding)) {
      const fee = roundPrice(this.toMinor(this.random.pick(ONBOARDING_FEES_USD)));
      const end = addMonths(this.start, 1);
      this.ledger.addOneTime(contractId, ONBOARDING_SETUP, fee, this.start, end, this.signed);
    }
  }

  /** Writes one term contract from `this.start` with its mid-term add-ons. */
  private runTerm(plan: TermPlan): { end: Day; hasExtras: boolean } {
    const contractId = this.ledger.newContractId();
    const end = addMonths(this.start, plan.months);
    if (this.firstOrder) this.writeOneTimeFees(contractId);
    this.firstOrder = false;
    for (const holding of this.holdings) this.writeTermLines(holding, contractId, plan, end);
    const hasExtras = this.writeMidTermAddOns(plan, end);
    return { end, hasExtras };
  }

  private writeTermLines(holding: Holding, contractId: string, plan: TermPlan, end: Day): void {
    const renews = this.linked ? holding.lineId : undefined;
    const quantity = holding.product.perSeat ? holding.quantity : undefined;
    holding.ramped = plan.style === 'ramp' && holding.product === PLATFORM;
    if (holding.ramped) {
      // Yearly steps rise by 8-15% of the full price each, reaching it in the last year.
      const years = plan.months / 12;
      const step = this.random.between(0.08, 0.15);
      for (let year = 0; year < years; year++) {
        const factor = 1 - (years - 1 - year) * step;
        holding.lineId = this.ledger.addRecurring({
          contractId,
          product: holding.product.name,
          annual: year === years - 1 ? holding.annual : roundPrice(holding.annual * factor),
          period: YEAR,
          start: addMonths(this.start, 12 * year),
          end: addMonths(this.start, 12 * (year + 1)),
          signed: this.signed,
          ...(year === 0 && renews !== undefined ? { renews } : {}),
        });
      }
      return;
    }
    holding.lineId = this.ledger.addRecurring({
      contractId,
      product: holding.product.name,
      annual: holding.annual,
      period: termPeriod(plan),
      start: this.start,
      end,
      signed: this.signed,
      ...(quantity === undefined ? {} : { quantity }),
      ...(renews === undefined ? {} : { renews }),
    });
  }

  /**
   * Writes the add-on orders of the term: on average `addOnsPerYear` a year, each at least 30
   * days after the start and 120 days before the end. Returns whether any add-on is a separate
   * co-termed line, which rules out an early renewal.
   */
  private writeMidTermAddOns(plan: TermPlan, end: Day): boolean {
    const first = this.start + 30;
    const last = Math.min(end - 120, this.horizonEnd - 1);
    if (last < first) return false;
    const days: Day[] = [];
    for (let year = 0; year < plan.months / 12; year++) {
      if (this.random.chance(this.playbook.addOnsPerYear)) days.push(this.random.int(first, last));
    }
    days.sort((a, b) => a - b);
    let hasExtras = false;
    for (const day of days) {
      if (this.writeAddOn(plan, day, end)) hasExtras = true;
    }
    return hasExtras;
  }

  /**
   * Writes one add-on order on `day`, co-termed with the contract ending on `end`: a new product,
   * an extra line for more of a product, or a new line that renews the product's line with the
   * combined amount. Returns whether it wrote a separate extra line.
   */
  private writeAddOn(plan: TermPlan, day: Day, end: Day): boolean {
    const signed = day - this.random.int(0, 10);
    const contractId = this.ledger.newContractId();
    const missing = ADD_ON_PRODUCTS.filter(
      (product) => !this.holdings.some((holding) => holding.product === product),
    );
    if (missing.length > 0 && this.random.chance(0.4)) {
      const product = this.random.pick(missing);
      const usd = (this.platformAnnual() / 100) * this.usdPerUnit;
      const holding = this.newHolding(
        product,
        usd * this.random.between(product.relativePrice[0], product.relativePrice[1]),
      );
      holding.lineId = this.ledger.addRecurring({
        contractId,
        product: product.name,
        annual: holding.annual,
        period: this.addOnPeriod(plan),
        start: day,
        end,
        signed,
        ...(product.perSeat ? { quantity: holding.quantity } : {}),
      });
      this.holdings.push(holding);
      if (product.name === 'Automation' && this.random.chance(0.3)) {
        const fee = roundPrice(holding.annual * this.random.between(0.2, 0.5));
        this.ledger.addOneTime(contractId, IMPLEMENTATION, fee, day, addMonths(day, 1), signed);
      }
      return false;
    }

    const seats = this.holdings.find((holding) => holding.product.perSeat);
    const holding =
      seats !== undefined && this.random.chance(0.5) ? seats : this.random.pick(this.holdings);
    let increase: number;
    let extraSeats = 0;
    if (holding.product.perSeat) {
      extraSeats = Math.max(1, Math.round(holding.quantity * this.random.between(0.1, 0.5)));
      increase = Math.round((holding.annual * extraSeats) / holding.quantity);
    } else {
      increase = roundPrice(holding.annual * this.random.between(0.1, 0.4));
    }
    const quantityOf = (seatCount: number): { quantity?: number } =>
      holding.product.perSeat ? { quantity: seatCount } : {};

    if (!holding.ramped && holding.lineId !== undefined && this.random.chance(0.3)) {
      holding.annual += increase;
      holding.quantity += extraSeats;
      holding.lineId = this.ledger.addRecurring({
        contractId,
        product: holding.product.name,
        annual: holding.annual,
        period: billingPeriod(plan.billing),
        start: day,
        end,
        signed,
        renews: holding.lineId,
        ...quantityOf(holding.quantity),
      });
      return false;
    }
    this.ledger.addRecurring({
      contractId,
      product: holding.product.name,
      annual: increase,
      period: this.addOnPeriod(plan),
      start: day,
      end,
      signed,
      ...quantityOf(extraSeats),
    });
    holding.extraAnnual += increase;
    holding.extraQuantity += extraSeats;
    return true;
  }

  /** Billing of a co-termed add-on: as the contract, or prorated over the rest of a long term. */
  private addOnPeriod(plan: TermPlan): BillingPeriod {
    if (plan.billing !== 'year') return billingPeriod(plan.billing);
    return plan.months === 12 || this.random.chance(0.5) ? YEAR : WHOLE_TERM;
  }

  /**
   * Picks when the renewal of a term ending on `end` starts and is signed. Returns false when it
   * would be signed on or after the end of the data.
   */
  private scheduleRenewal(end: Day, hasExtras: boolean): boolean {
    const draw = this.random.next();
    if (draw < EARLY_RENEWAL && !hasExtras) {
      // The new term starts before the old one ends and replaces it from then on.
      this.start = end - this.random.int(20, 90);
      this.signed = this.start - this.random.int(0, 20);
      this.linked = true;
    } else if (draw < 1 - LATE_RENEWAL) {
      this.start = end;
      this.signed = end - this.random.int(0, 45);
      this.linked = this.random.chance(LINKED_RENEWAL);
    } else {
      const delay = this.random.int(10, 90);
      if (this.random.chance(BACK_DATED)) {
        this.start = end;
        this.signed = end + delay;
      } else {
        this.start = end + delay;
        this.signed = this.start - this.random.int(0, 5);
      }
      this.linked = this.random.chance(LINKED_RENEWAL);
    }
    this.eventsFrom = this.start;
    return this.signed < this.horizonEnd;
  }

  /**
   * Folds co-termed add-ons into the renewed products, then applies the renewal's price changes:
   * a downgrade, an uplift of 3-10%, an expansion of 10-50% or no change, and sometimes drops an
   * add-on product or adds a new one.
   */
  private applyRenewalChanges(): void {
    const renewed: Holding[] = [];
    for (const holding of this.holdings) {
      holding.annual += holding.extraAnnual;
      holding.quantity += holding.extraQuantity;
      holding.extraAnnual = 0;
      holding.extraQuantity = 0;
      if (holding.product !== PLATFORM && this.random.chance(DROP_PRODUCT)) continue;
      const draw = this.random.next();
      const downgrade = this.playbook.downgrade;
      if (draw < downgrade) this.resize(holding, 1 - this.random.between(0.1, 0.4));
      else if (draw < downgrade + 0.5) {
        holding.annual = roundPrice(holding.annual * (1 + this.random.between(0.03, 0.1)));
      } else if (draw < downgrade + 0.68) this.resize(holding, 1 + this.random.between(0.1, 0.5));
      renewed.push(holding);
    }
    this.holdings = renewed;
    const missing = ADD_ON_PRODUCTS.filter(
      (product) => !renewed.some((holding) => holding.product === product),
    );
    if (missing.length > 0 && this.random.chance(CROSS_SELL_AT_RENEWAL)) {
      const product = this.random.pick(missing);
      const usd = (this.platformAnnual() / 100) * this.usdPerUnit;
      this.holdings.push(
        this.newHolding(
          product,
          usd * this.random.between(product.relativePrice[0], product.relativePrice[1]),
        ),
      );
    }
  }

  /** Scales a product's volume: seats for a per-seat product, otherwise the price. */
  private resize(holding: Holding, factor: number): void {
    if (!holding.product.perSeat) {
      holding.annual = roundPrice(holding.annual * factor);
      return;
    }
    const seats = Math.max(1, Math.round(holding.quantity * factor));
    holding.annual = Math.round((holding.annual * seats) / holding.quantity);
    holding.quantity = seats;
  }

  /**
   * Runs an open-ended monthly subscription from `this.start`. Each month after `eventsFrom` it
   * may be cancelled, moved to a term contract, upgraded or downgraded, or gain a product.
   */
  private runOpenSubscription(): OpenOutcome {
    const contractId = this.ledger.newContractId();
    if (this.firstOrder) this.writeOneTimeFees(contractId);
    this.firstOrder = false;
    for (const holding of this.holdings) {
      this.openLine(holding, this.start, this.signed, this.linked ? holding.lineId : undefined);
    }
    for (let month = 1; ; month++) {
      const day = addMonths(this.start, month);
      if (day >= this.horizonEnd) break;
      if (day < this.eventsFrom) continue;
      if (this.random.chance(this.playbook.monthlyChurn)) {
        this.closeOpenLines(contractId, day);
        return { kind: 'churned', day };
      }
      if (this.random.chance(MONTHLY_CONVERSION)) {
        this.closeOpenLines(contractId, day);
        return { kind: 'converted', day };
      }
      if (this.random.chance(MONTHLY_PLAN_CHANGE)) this.changeOpenLine(contractId, day);
      if (this.random.chance(MONTHLY_CROSS_SELL)) this.addOpenProduct(day);
    }
    for (const holding of this.holdings) this.writeOpenLine(holding, contractId, null);
    return { kind: 'running' };
  }

  /** Starts a holding's open monthly line; the price becomes a whole monthly amount. */
  private openLine(holding: Holding, start: Day, signed: Day, renews: string | undefined): void {
    holding.annual = 12 * roundPrice(holding.annual / 12);
    holding.openStart = start;
    holding.openSigned = signed;
    holding.openRenews = renews;
  }

  private writeOpenLine(holding: Holding, contractId: string, end: Day | null): void {
    holding.lineId = this.ledger.addRecurring({
      contractId,
      product: holding.product.name,
      annual: holding.annual,
      period: MONTH,
      start: holding.openStart,
      end,
      signed: holding.openSigned,
      ...(holding.product.perSeat ? { quantity: holding.quantity } : {}),
      ...(holding.openRenews === undefined ? {} : { renews: holding.openRenews }),
    });
  }

  private closeOpenLines(contractId: string, day: Day): void {
    for (const holding of this.holdings) this.writeOpenLine(holding, contractId, day);
  }

  /** Ends one product's monthly line on `day` and continues it at a new price (70% upgrades). */
  private changeOpenLine(contractId: string, day: Day): void {
    const holding = this.random.pick(this.holdings);
    this.writeOpenLine(holding, contractId, day);
    const factor = this.random.chance(0.7)
      ? 1 + this.random.between(0.2, 1)
      : 1 - this.random.between(0.2, 0.5);
    this.resize(holding, factor);
    this.openLine(holding, day, day, holding.lineId);
  }

  private addOpenProduct(day: Day): void {
    const missing = ADD_ON_PRODUCTS.filter(
      (product) => !this.holdings.some((holding) => holding.product === product),
    );
    if (missing.length === 0) return;
    const product = this.random.pick(missing);
    const usd = (this.platformAnnual() / 100) * this.usdPerUnit;
    const holding = this.newHolding(
      product,
      usd * this.random.between(product.relativePrice[0], product.relativePrice[1]),
    );
    this.openLine(holding, day, day, undefined);
    this.holdings.push(holding);
  }

  /** Moves a monthly subscriber to a one-year contract starting on `day`. */
  private convertToContract(day: Day): void {
    this.plan = this.random.chance(0.5) ? ANNUAL_PLAN : this.playbook.plans.sample(this.random);
    if (this.plan.kind === 'open') this.plan = ANNUAL_PLAN;
    this.start = day;
    this.signed = day - this.random.int(0, 10);
    this.linked = true;
    this.eventsFrom = day;
  }

  /**
   * Decides whether an account that churned on `churnDay` buys again 90 to 540 days later, at
   * 40-110% of its first ARR. Returns false when it does not, or not before the data ends.
   */
  private reactivate(churnDay: Day, targetUsd: number): boolean {
    if (!this.random.chance(this.playbook.reactivation)) return false;
    const start = churnDay + this.random.int(90, 540);
    const signed = start - this.random.int(0, 21);
    if (signed >= this.horizonEnd) return false;
    this.holdings = this.initialHoldings(targetUsd * this.random.between(0.4, 1.1));
    this.plan = this.playbook.plans.sample(this.random);
    this.start = start;
    this.signed = signed;
    this.linked = false;
    this.firstOrder = true;
    this.eventsFrom = start;
    return true;
  }
}

function billingPeriod(billing: 'month' | 'quarter' | 'year'): BillingPeriod {
  switch (billing) {
    case 'month':
      return MONTH;
    case 'quarter':
      return QUARTER;
    case 'year':
      return YEAR;
  }
}

/** Billing period of the main lines of a term contract. */
function termPeriod(plan: TermPlan): BillingPeriod {
  switch (plan.style) {
    case 'per-period':
      return billingPeriod(plan.billing);
    case 'whole-term':
      if (plan.months === 36) return THREE_YEARS;
      if (plan.months === 24) return TWO_YEARS;
      return YEAR;
    case 'contract-value':
      return WHOLE_TERM;
    case 'ramp':
      return YEAR;
  }
}
