/**
 * Monthly MRR of the public Stripe API sample (1,661 subscription objects), compared with the
 * MRR timeline its generator wrote. The generator's figure for a month is the sum, in dollars,
 * of unit_amount × quantity (÷ 12 for yearly prices) over every subscription created before the
 * month ends. nrr's figure differs by two named conventions, which the test computes from the raw
 * objects and checks to the cent:
 *
 * - trials: nrr counts a subscription from its trial end, and a subscription still trialing not at
 *   all (docs/presets.md, "Trials"); the generator counts both from creation.
 * - UTC dates: nrr reads epoch seconds as UTC calendar dates. The generator assigns months by a
 *   clock behind UTC, so subscriptions created at 00:30 UTC on the first of a month fall in the
 *   previous month there.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

import {
  addMonths,
  DEFAULT_DEFINITIONS,
  formatMonth,
  parseDay,
  report,
} from '../../src/core/index.js';
import { readFile } from '../../src/ingest/index.js';
import { publicDataAvailable, publicFile } from '../public-data.js';

const FOLDER = 'swanson-stripe-synthetic-dataset';

interface ApiSubscription {
  readonly status: string;
  readonly created: number;
  readonly trial_end: number | null;
  readonly items: {
    readonly data: readonly {
      readonly quantity: number;
      readonly price: { readonly unit_amount: number; readonly recurring: { interval: string } };
    }[];
  };
}

/** Monthly amount in cents, as the generator computes it. */
function monthlyCents(subscription: ApiSubscription): number {
  const item = subscription.items.data[0];
  if (item === undefined) return 0;
  const total = item.price.unit_amount * item.quantity;
  return item.price.recurring.interval === 'year' ? total / 12 : total;
}

const SECONDS_PER_DAY = 86_400;

describe.skipIf(!publicDataAvailable('Stripe API MRR'))('Stripe API subscriptions', () => {
  // Read inside the tests only: the suite body runs even when the suite is skipped.
  const load = async () => {
    const imported = await readFile(publicFile(`${FOLDER}/subscriptions.json`), {
      preset: 'stripe-subscriptions',
    });
    const subscriptions = JSON.parse(
      readFileSync(publicFile(`${FOLDER}/subscriptions.json`), 'utf8'),
    ) as ApiSubscription[];
    const timeline = JSON.parse(
      readFileSync(publicFile(`${FOLDER}/mrr_timeline.json`), 'utf8'),
    ) as Record<string, number>;
    return { ...imported, subscriptions, timeline };
  };

  test('one line per subscription item', async () => {
    const { summary, dataset } = await load();
    expect(summary.rows).toBe(1661);
    expect(summary.lines).toBe(1661);
    // 1,577 active and 41 canceled subscriptions are recurring; the 43 trialing ones are trials.
    expect(summary.linesByKind).toEqual({ recurring: 1618, usage: 0, 'one-time': 0, trial: 43 });
    expect(summary.skippedRows).toEqual({});
    // Canceled subscriptions end at canceled_at (2025-08-27); none has ended_at.
    expect(dataset.lines.filter((line) => line.end !== null)).toHaveLength(41 + 43);
    expect(dataset.lines[0]).toMatchObject({
      id: 'si_daa5574c159441a9aae7f0a7',
      contractId: 'sub_1d2d4e49f4c345b58b7a5c6d',
      accountId: 'cus_95876301be5f4f',
      // unit_amount 4900 cents × quantity 5 = 24500 cents = 245.00 USD a month
      amount: { coefficient: 24500n, scale: 2 },
      period: { unit: 'month', count: 1 },
      currency: 'USD',
      start: parseDay('2023-09-07'),
      end: null,
      product: 'Starter',
    });
  });

  test('monthly MRR matches the generator timeline', async () => {
    const { dataset, subscriptions, timeline } = await load();
    const months = Object.keys(timeline);
    expect(months).toHaveLength(23);
    let monthsExactlyEqual = 0;
    for (const month of months) {
      const first = parseDay(`${month}-01`) as number;
      const nextFirst = addMonths(first, 1);
      const lastDay = nextFirst - 1;
      // ARR in cents ÷ 12 is MRR in cents; ÷ 100 is dollars, the timeline's unit.
      const mrr = report(dataset, DEFAULT_DEFINITIONS, lastDay).arr / 12 / 100;
      const generator = timeline[month] as number;

      let inTrial = 0;
      let earlierClock = 0;
      for (const subscription of subscriptions) {
        const createdDay = Math.floor(subscription.created / SECONDS_PER_DAY);
        const cents = monthlyCents(subscription);
        if (createdDay === nextFirst && subscription.created % SECONDS_PER_DAY < 3600) {
          earlierClock += cents;
        }
        if (createdDay >= nextFirst) continue;
        const trialEndDay =
          subscription.trial_end === null
            ? undefined
            : Math.floor(subscription.trial_end / SECONDS_PER_DAY);
        const trialing = subscription.status === 'trialing';
        if (trialing || (trialEndDay !== undefined && trialEndDay > lastDay)) inTrial += cents;
      }
      const explained = generator - (inTrial + earlierClock) / 100;
      expect(
        Math.abs(mrr - explained),
        `${month}: nrr ${mrr}, generator ${generator}`,
      ).toBeLessThan(0.01);
      if (Math.abs(mrr - generator) < 0.01) monthsExactlyEqual += 1;
      expect(formatMonth(lastDay)).toBe(month);
    }
    expect(monthsExactlyEqual).toBeGreaterThan(0);
  });
});
