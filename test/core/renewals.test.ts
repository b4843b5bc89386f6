/**
 * Renewal worked examples: what is up for renewal, the outcome and timing of each renewal, and
 * what it does to ARR, the bridge and cohort NRR. Amounts are in USD a year unless stated.
 */
import { describe, expect, test } from 'vitest';
import {
  analyse,
  buildRenewalsReport,
  buildTimingReport,
  DEFAULT_DEFINITIONS,
  findRenewals,
  periodAnalysis,
  report,
} from '../../src/core/index.js';
import type { ContractLine, Dataset, Renewal, TimingReport } from '../../src/core/index.js';
import { dataset, day, line, units } from './build.js';
import type { LineInput } from './build.js';

const defaults = DEFAULT_DEFINITIONS;

function renewalsOf(data: Dataset, asOf: string): Renewal[] {
  const analysis = analyse(data, defaults, day(asOf));
  return findRenewals(analysis, data, day(asOf));
}

/** Finds the renewal due on a date, as of another date. */
function renewalDue(data: Dataset, asOf: string, renewalDate: string): Renewal {
  const found = renewalsOf(data, asOf).find((renewal) => renewal.renewalDay === day(renewalDate));
  if (found === undefined) throw new Error(`no renewal due on ${renewalDate}`);
  return found;
}

function timingOver(data: Dataset, from: string, to: string, asOf: string): TimingReport {
  const period = { from: day(from), to: day(to), asOf: day(asOf) };
  const analysis = periodAnalysis(data, defaults, period);
  const renewals = findRenewals(analysis, data, period.asOf);
  return buildTimingReport(analysis, data, renewals, period, {});
}

/** The contract up for renewal in most examples: two years at 12,000 a year, renewal 2025-01-01. */
const base = line({
  id: 'L1',
  account: 'A',
  amount: '12000',
  start: '2023-01-01',
  last: '2024-12-31',
  product: 'Platform',
  contract: 'C1',
});

/** Builds a line renewing L1, for 2025 unless the overrides say otherwise. */
function renewalOfBase(overrides: Partial<LineInput> & { amount: string }): ContractLine {
  return line({
    id: 'R1',
    account: 'A',
    start: '2025-01-01',
    last: '2025-12-31',
    product: 'Platform',
    renews: 'L1',
    ...overrides,
  });
}

describe('on-time renewals', () => {
  test('flat', () => {
    const renewal = renewalOfBase({
      amount: '12000',
      contract: 'C2',
      signed: '2025-01-01',
    });
    const data = dataset([base, renewal]);
    const found = renewalDue(data, '2025-12-31', '2025-01-01');
    // effective on the renewal date and signed on it: on time
    expect(found.status).toBe('renewed');
    expect(found.timing).toBe('on-time');
    expect(found.daysFromRenewalDate).toBe(0);
    expect(found.outcome).toBe('flat');
    expect(found.link).toBe('renews');
    expect(found.atr).toBe(units(12000));
    expect(found.renewedArr).toBe(units(12000));
    // FY2025 NRR: 12,000 ÷ 12,000
    expect(report(data, defaults, day('2025-12-31')).nrr).toBe(1);
  });

  test('with uplift', () => {
    const renewal = renewalOfBase({
      amount: '13200',
    });
    const data = dataset([base, renewal]);
    const found = renewalDue(data, '2025-12-31', '2025-01-01');
    // no signing date: timing follows the effective date alone
    expect(found.timing).toBe('on-time');
    expect(found.outcome).toBe('uplift');
    // 13,200 − 12,000
    expect((found.renewedArr as number) - found.atr).toBe(units(1200));
    const fy2025 = report(data, defaults, day('2025-12-31'));
    // NRR 13,200 ÷ 12,000 = 110%; GRR caps the account at its start: 12,000 ÷ 12,000
    expect(fy2025.nrr).toBe(1.1);
    expect(fy2025.grr).toBe(1);
  });

  test('with downgrade', () => {
    const renewal = renewalOfBase({
      amount: '9000',
    });
    const data = dataset([base, renewal]);
    const found = renewalDue(data, '2025-12-31', '2025-01-01');
    expect(found.outcome).toBe('downgrade');
    // 9,000 − 12,000
    expect((found.renewedArr as number) - found.atr).toBe(-units(3000));
    const fy2025 = report(data, defaults, day('2025-12-31'));
    // NRR and GRR 9,000 ÷ 12,000 = 75%; the account stays, so logo retention is 1 of 1
    expect(fy2025.nrr).toBe(0.75);
    expect(fy2025.grr).toBe(0.75);
    expect(fy2025.logoRetention).toBe(1);
  });

  test('with added products', () => {
    const lines = [
      base,
      renewalOfBase({
        amount: '12000',
        contract: 'C2',
      }),
      // Analytics renews nothing but starts with the renewal in its contract
      line({
        id: 'R2',
        account: 'A',
        amount: '3000',
        start: '2025-01-01',
        last: '2025-12-31',
        product: 'Analytics',
        contract: 'C2',
      }),
    ];
    const found = renewalDue(dataset(lines), '2025-12-31', '2025-01-01');
    expect(found.outcome).toBe('added-products');
    expect(found.addedProducts).toEqual(['Analytics']);
    // 12,000 + 3,000
    expect(found.renewedArr).toBe(units(15000));
  });

  test('churned after the grace window', () => {
    const data = dataset([base]);
    const found = renewalDue(data, '2025-12-31', '2025-01-01');
    // 2025-12-31 is 364 days after the renewal date, past the 60-day grace window
    expect(found.status).toBe('churned');
    expect(found.outcome).toBe('churned');
    expect(found.renewedArr).toBe(0);
    // FY2025 NRR: 0 ÷ 12,000
    expect(report(data, defaults, day('2025-12-31')).nrr).toBe(0);
  });

  test('lapsed inside the grace window', () => {
    const data = dataset([base]);
    const found = renewalDue(data, '2025-01-31', '2025-01-01');
    // 2025-01-31 is 30 days after the renewal date, inside the 60-day grace window
    expect(found.status).toBe('lapsed');
    expect(found.outcome).toBeNull();
    // the account keeps its 12,000 while lapsed
    expect(report(data, defaults, day('2025-01-31')).arr).toBe(units(12000));
  });
});

describe('early renewals', () => {
  test('signed early, effective on the anniversary', () => {
    const renewal = renewalOfBase({
      amount: '13200',
      signed: '2024-10-15',
    });
    const data = dataset([base, renewal]);
    const found = renewalDue(data, '2025-12-31', '2025-01-01');
    expect(found.timing).toBe('early');
    // signed 2024-10-15: 16 days left in October + 30 + 31 + 1 = 78 days before 2025-01-01
    expect(found.daysFromRenewalDate).toBe(-78);
    expect(found.addOnEarlyRenewal).toBe(false);
    // live ARR still 12,000 on 2024-12-31 and 13,200 from 2025-01-01: FY2024 NRR is untouched
    expect(report(data, defaults, day('2024-12-31')).arr).toBe(units(12000));
    expect(report(data, defaults, day('2025-01-31')).arr).toBe(units(13200));
    // starting on the renewal date, it moves nothing to another period
    const timing = timingOver(data, '2024-01-01', '2024-12-31', '2025-12-31');
    expect(timing.effects.early.shiftedRenewals).toBe(0);
    expect(timing.effects.early.arrAtEnd).toBe(0);
  });

  test('restarting the term', () => {
    const renewal = renewalOfBase({
      amount: '13200',
      start: '2024-10-01',
      last: '2025-09-30',
      signed: '2024-09-20',
    });
    const data = dataset([base, renewal]);
    const found = renewalDue(data, '2025-06-30', '2025-01-01');
    expect(found.timing).toBe('early');
    // effective 2024-10-01: 31 + 30 + 31 = 92 days before 2025-01-01
    expect(found.daysFromRenewalDate).toBe(-92);
    expect(found.status).toBe('renewed');
    // the new term's renewal moves to 2025-10-01 with 13,200 up for renewal
    const next = renewalDue(data, '2025-06-30', '2025-10-01');
    expect(next.atr).toBe(units(13200));
    expect(next.status).toBe('upcoming');

    const fy2024 = report(data, defaults, day('2024-12-31'));
    // +1,200 expansion in October 2024: FY2024 NRR 13,200 ÷ 12,000 = 110%
    expect(fy2024.bridge.expansion).toBe(units(1200));
    expect(fy2024.nrr).toBe(1.1);
    const timing = timingOver(data, '2024-01-01', '2024-12-31', '2025-06-30');
    // had it started on 2025-01-01, ARR on 2024-12-31 would be 12,000: 13,200 − 12,000
    expect(timing.effects.early.arrAtEnd).toBe(units(1200));
    expect(timing.effects.early.actual.nrr).toBe(1.1);
    expect(timing.effects.early.onRenewalDate.nrr).toBe(1);
    expect(timing.pulledIn.map((moved) => moved.account)).toEqual(['A']);
    expect(timing.pulledIn[0]?.change).toBe(units(1200));
  });

  test('add-on early renewal, co-termed', () => {
    const lines = [
      line({
        id: 'L1',
        account: 'A',
        amount: '100000',
        quantity: 100,
        start: '2023-01-01',
        last: '2024-12-31',
        product: 'Seats',
        contract: 'C1',
      }),
      // on 2024-07-01 the 100 seats renew for two years and 50 seats are added to the same term
      line({
        id: 'R1',
        account: 'A',
        amount: '100000',
        quantity: 100,
        start: '2024-07-01',
        last: '2026-06-30',
        product: 'Seats',
        contract: 'C2',
        renews: 'L1',
        signed: '2024-06-25',
      }),
      line({
        id: 'A1',
        account: 'A',
        amount: '50000',
        quantity: 50,
        start: '2024-07-01',
        last: '2026-06-30',
        product: 'Seats',
        contract: 'C2',
        signed: '2024-06-25',
      }),
    ];
    const data = dataset(lines);
    const found = renewalDue(data, '2025-06-30', '2025-01-01');
    expect(found.timing).toBe('early');
    // 31 + 31 + 30 + 31 + 30 + 31 = 184 days before 2025-01-01
    expect(found.daysFromRenewalDate).toBe(-184);
    expect(found.successors.map((index) => data.lines[index]?.id).sort()).toEqual(['A1', 'R1']);
    // 100,000 + 50,000 renewed against 100,000 up for renewal
    expect(found.renewedArr).toBe(units(150000));
    expect(found.outcome).toBe('uplift');
    expect(found.coTermed).toBe(true);
    expect(found.addOnEarlyRenewal).toBe(true);

    const fy2024 = report(data, defaults, day('2024-12-31'));
    // +50,000 in July 2024, 50 more seats of the same product: volume
    expect(fy2024.bridge.expansion).toBe(units(50000));
    expect(fy2024.bridge.expansionBySubtype).toEqual({ volume: units(50000) });
    // FY2024 NRR 150,000 ÷ 100,000
    expect(fy2024.nrr).toBe(1.5);
    const timing = timingOver(data, '2024-01-01', '2024-12-31', '2025-06-30');
    // on its renewal date the expansion would land in 2025: 150,000 − 100,000 pulled into 2024
    expect(timing.effects.early.arrAtEnd).toBe(units(50000));
    expect(timing.effects.early.onRenewalDate.nrr).toBe(1);
  });
});

describe('late renewals', () => {
  test('back-dated inside the grace window', () => {
    const renewal = renewalOfBase({
      amount: '12000',
      signed: '2025-02-20',
    });
    const data = dataset([base, renewal]);
    const found = renewalDue(data, '2025-12-31', '2025-01-01');
    // signed 31 + 19 = 50 days after the renewal date, inside 60 days
    expect(found.timing).toBe('late-in-grace');
    expect(found.daysFromRenewalDate).toBe(50);
    const fy2025 = report(data, defaults, day('2025-12-31'));
    // back-dated: service never stops, so no churn and no reactivation
    expect(fy2025.bridge.churn).toBe(0);
    expect(fy2025.bridge.reactivation).toBe(0);
    expect(fy2025.nrr).toBe(1);
  });

  test('starting inside the grace window, across a quarter', () => {
    const lines = [
      line({
        id: 'L1',
        account: 'A',
        amount: '12000',
        start: '2023-03-01',
        last: '2025-02-28',
        product: 'Platform',
      }),
      renewalOfBase({
        amount: '13200',
        start: '2025-04-15',
        last: '2026-04-14',
        signed: '2025-04-10',
      }),
    ];
    const data = dataset(lines);
    const found = renewalDue(data, '2025-12-31', '2025-03-01');
    // effective 31 + 14 = 45 days after 2025-03-01, inside 60 days
    expect(found.timing).toBe('late-in-grace');
    expect(found.daysFromRenewalDate).toBe(45);
    const months = report(data, defaults, day('2025-04-30'), 'month').periods ?? [];
    const march = months.find((period) => period.period === '2025-03');
    const april = months.find((period) => period.period === '2025-04');
    // the grace window keeps 12,000 through March; the +1,200 uplift lands in April
    expect(march?.end).toBe(units(12000));
    expect(march?.churn).toBe(0);
    expect(april?.expansion).toBe(units(1200));

    const q1 = timingOver(data, '2025-01-01', '2025-03-31', '2025-12-31');
    expect(q1.crossings.map((moved) => [moved.renewalQuarter, moved.effectiveQuarter])).toEqual([
      ['2025-Q1', '2025-Q2'],
    ]);
    expect(q1.pushedOut.map((moved) => moved.change)).toEqual([units(1200)]);
    // on time, Q1 would end at 13,200: 12,000 − 13,200
    expect(q1.effects.late.arrAtEnd).toBe(-units(1200));
    // Q1 cohort NRR 12,000 ÷ 12,000 against 13,200 ÷ 12,000 on the renewal date
    expect(q1.effects.late.actual.nrr).toBe(1);
    expect(q1.effects.late.onRenewalDate.nrr).toBe(1.1);
  });

  test('starting after the grace window', () => {
    const renewal = renewalOfBase({
      amount: '10000',
      start: '2025-04-01',
      last: '2026-03-31',
      signed: '2025-03-25',
    });
    const data = dataset([base, renewal]);
    const found = renewalDue(data, '2025-12-31', '2025-01-01');
    // effective 31 + 28 + 31 = 90 days after the renewal date, past 60 days
    expect(found.timing).toBe('late-after-grace');
    expect(found.daysFromRenewalDate).toBe(90);
    expect(found.outcome).toBe('downgrade');

    const fy2025 = report(data, defaults, day('2025-12-31'));
    // the bridge shows churn of 12,000 in January and a reactivation of 10,000 in April
    expect(fy2025.bridge.churn).toBe(units(12000));
    expect(fy2025.bridge.reactivation).toBe(units(10000));
    // the cohort follows the account: 10,000 ÷ 12,000, and it is still a customer
    expect(fy2025.nrr).toBeCloseTo(10000 / 12000, 12);
    expect(fy2025.logoRetention).toBe(1);

    const year = timingOver(data, '2025-01-01', '2025-12-31', '2025-12-31');
    // by year end the timing no longer matters to ARR or NRR, only to the bridge:
    // churn 12,000 and reactivation 10,000 instead of a contraction of 2,000
    expect(year.effects.late.arrAtEnd).toBe(0);
    expect(year.effects.late.bridge.churn).toBe(units(12000));
    expect(year.effects.late.bridge.reactivation).toBe(units(10000));
    expect(year.effects.late.bridge.contraction).toBe(-units(2000));
    const q1 = timingOver(data, '2025-01-01', '2025-03-31', '2025-12-31');
    // on 2025-03-31 the account has no service: Q1 NRR 0 against 10,000 ÷ 12,000 on time
    expect(q1.effects.late.arrAtEnd).toBe(-units(10000));
    expect(q1.effects.late.actual.nrr).toBe(0);
  });
});

describe('three-year ramp', () => {
  const steps = [
    ['Y1', '100000', '2024-01-01', '2024-12-31'],
    ['Y2', '150000', '2025-01-01', '2025-12-31'],
    ['Y3', '200000', '2026-01-01', '2026-12-31'],
  ].map(([id, amount, start, last]) =>
    line({
      id: id as string,
      account: 'A',
      amount: amount as string,
      start: start as string,
      last: last as string,
      product: 'Platform',
      contract: 'RAMP',
    }),
  );
  const data = dataset(steps);

  test('renews once, at the final-year value', () => {
    const renewals = renewalsOf(data, '2025-12-31');
    // the steps ending 2024-12-31 and 2025-12-31 are inside the contract: not renewals
    expect(renewals.map((renewal) => renewal.renewalDay)).toEqual([day('2027-01-01')]);
    expect(renewals[0]?.atr).toBe(units(200000));
    expect(renewals[0]?.status).toBe('upcoming');
  });

  test('each step is a ramp-step expansion', () => {
    const fy2025 = report(data, defaults, day('2025-12-31'));
    // 150,000 − 100,000 on 2025-01-01: FY2025 NRR 150,000 ÷ 100,000
    expect(fy2025.bridge.expansionBySubtype).toEqual({ 'ramp-step': units(50000) });
    expect(fy2025.nrr).toBe(1.5);
  });
});

describe('renewal rates beside NRR', () => {
  // Contracts of 2024 renewing on 2025-01-01 unless stated, each 10,000.
  const contract = (account: string, last = '2024-12-31', start = '2024-01-01') =>
    line({ id: `${account}0`, account, amount: '10000', start, last, product: 'Platform' });
  const renewal = (account: string, amount: string) =>
    line({
      id: `${account}1`,
      account,
      amount,
      start: '2025-01-01',
      last: '2025-12-31',
      product: 'Platform',
      renews: `${account}0`,
    });
  const data = dataset([
    contract('A'),
    renewal('A', '10000'),
    contract('B'),
    renewal('B', '11000'),
    contract('C'),
    renewal('C', '8000'),
    contract('D'),
    // E renews on 2025-12-01 and is lapsed on 2025-12-31
    contract('E', '2025-11-30', '2024-12-01'),
    // F is mid-way through three years and adds 5,000 on 2025-06-01: no renewal in 2025
    line({
      id: 'F0',
      account: 'F',
      amount: '20000',
      start: '2024-01-01',
      last: '2026-12-31',
      product: 'Platform',
    }),
    line({
      id: 'F1',
      account: 'F',
      amount: '5000',
      start: '2025-06-01',
      last: '2026-12-31',
      product: 'Analytics',
    }),
  ]);

  test('gross and net on the ARR available to renew', () => {
    const period = { from: day('2025-01-01'), to: day('2025-12-31'), asOf: day('2025-12-31') };
    const built = buildRenewalsReport(periodAnalysis(data, defaults, period), data, period, {});
    const rates = built.renewalRates;
    // due: A, B, C, D and E, 5 × 10,000
    expect(rates.due).toEqual({ renewals: 5, atr: units(50000) });
    // E is still inside its grace window
    expect(rates.open).toEqual({ renewals: 1, atr: units(10000) });
    expect(rates.decided).toEqual({ renewals: 4, atr: units(40000) });
    // gross: min(10,000, 10,000) + min(11,000, 10,000) + 8,000 + 0 = 28,000 ÷ 40,000 = 70%
    expect(rates.renewedCapped).toBe(units(28000));
    expect(rates.grossRenewalRate).toBe(0.7);
    // net: 10,000 + 11,000 + 8,000 + 0 = 29,000 ÷ 40,000 = 72.5%
    expect(rates.netRenewalRate).toBe(0.725);
    // cohort NRR over the same year also counts F's add-on and E's lapsed ARR:
    // (10,000 + 11,000 + 8,000 + 0 + 10,000 + 25,000) ÷ (5 × 10,000 + 20,000) = 64,000 ÷ 70,000
    expect(built.cohort?.figures.endArr).toBe(units(64000));
    expect(built.cohort?.figures.startArr).toBe(units(70000));
    expect(built.cohort?.nrr).toBeCloseTo(64 / 70, 12);
  });

  test('filters by outcome keep the rates of the whole book', () => {
    const period = { from: day('2025-01-01'), to: day('2025-12-31'), asOf: day('2025-12-31') };
    const analysis = periodAnalysis(data, defaults, period);
    const built = buildRenewalsReport(analysis, data, period, { outcome: 'uplift' });
    expect(built.renewals.map((renewal) => renewal.account)).toEqual(['B']);
    expect(built.renewalRates.due.renewals).toBe(5);
  });
});

describe('renewals without a renews link', () => {
  test.each([
    // 31 days after the renewal date: the engine bridges the gap as a late renewal
    ['inside the grace window', '2025-02-01', '2026-01-31', 'renewed', 'service-resumed'],
    // 90 days later with no link: churn, and the bridge shows the return as a reactivation
    ['after the grace window', '2025-04-01', '2026-03-31', 'churned', null],
  ])('a new contract %s', (_case, start, last, status, link) => {
    const next = line({
      id: 'N1',
      account: 'A',
      amount: '12000',
      start,
      last,
      product: 'Platform',
      contract: 'C2',
    });
    const found = renewalDue(dataset([base, next]), '2025-12-31', '2025-01-01');
    expect(found.status).toBe(status);
    expect(found.link).toBe(link);
  });

  test('a co-termed add-on renews with its contract', () => {
    const lines = [
      base,
      line({
        id: 'L2',
        account: 'A',
        amount: '2000',
        start: '2024-06-01',
        last: '2024-12-31',
        product: 'Seats',
        contract: 'ADD',
      }),
      renewalOfBase({
        amount: '14000',
      }),
    ];
    const renewals = renewalsOf(dataset(lines), '2025-12-31');
    const due = renewals.filter((renewal) => renewal.renewalDay === day('2025-01-01'));
    // one renewal of both lines: 12,000 + 2,000 up, 14,000 renewed
    expect(due).toHaveLength(1);
    expect(due[0]?.atr).toBe(units(14000));
    expect(due[0]?.outcome).toBe('flat');
    expect(due[0]?.removedProducts).toEqual(['Seats']);
  });
});
