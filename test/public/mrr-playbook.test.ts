/**
 * The monthly bridge on the mrr-playbook subscription periods, reconciled month by month with
 * the reference method written out independently below. That method samples MRR on the first of
 * each month with end dates exclusive. A customer's first month with MRR is new, a return after
 * any gap is a reactivation, and there is no grace window.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  addMonths,
  analyse,
  classifyMovement,
  unitArr,
  wasActiveBy,
  applyDefinitionChanges,
  DEFAULT_DEFINITIONS,
  formatMonth,
  parseDay,
  report,
} from '../../src/core/index.js';
import type { Dataset, PeriodReport, Report } from '../../src/core/index.js';
import { readFile } from '../../src/ingest/index.js';
import { publicDataAvailable, publicFile } from '../public-data.js';

const FILE = 'mrr-playbook/subscription_periods.csv';

interface Totals {
  new: number;
  expansion: number;
  contraction: number;
  churn: number;
  reactivation: number;
}

/** The reference method: MRR per customer on the first of each month, classified by its lag. */
function referenceBridge(text: string): Map<string, Totals> {
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split(','));
  const periods = rows.map(([, customer, start, end, amount]) => ({
    customer: customer as string,
    start: parseDay(start as string) as number,
    end: parseDay(end as string) as number,
    mrr: Number(amount),
  }));
  const months = new Map<string, Totals>();
  const first = Math.min(...periods.map((period) => period.start));
  const last = Math.max(...periods.map((period) => period.end));
  for (const customer of new Set(periods.map((period) => period.customer))) {
    const own = periods.filter((period) => period.customer === customer);
    let previous = 0;
    let seen = false;
    for (let day = first; day <= last; day = addMonths(day, 1)) {
      const mrr = own
        .filter((period) => period.start <= day && day < period.end)
        .reduce((sum, period) => sum + period.mrr, 0);
      const totals = months.get(formatMonth(day)) ?? {
        new: 0,
        expansion: 0,
        contraction: 0,
        churn: 0,
        reactivation: 0,
      };
      if (previous === 0 && mrr > 0) totals[seen ? 'reactivation' : 'new'] += mrr;
      else if (previous > 0 && mrr === 0) totals.churn += previous;
      else if (mrr > previous) totals.expansion += mrr - previous;
      else if (mrr < previous) totals.contraction += previous - mrr;
      months.set(formatMonth(day), totals);
      if (mrr > 0) seen = true;
      previous = mrr;
    }
  }
  return months;
}

describe.skipIf(!publicDataAvailable('mrr-playbook reconciliation'))(
  'mrr-playbook subscription periods',
  () => {
    const noGrace = applyDefinitionChanges(DEFAULT_DEFINITIONS, { graceDays: 0 });
    // Read inside the tests only: the suite body runs even when the suite is skipped.
    let cached: { dataset: Dataset; result: Report; periods: PeriodReport[] } | undefined;
    const load = async (): Promise<{
      dataset: Dataset;
      result: Report;
      periods: PeriodReport[];
    }> => {
      if (cached === undefined) {
        const { dataset } = await readFile(publicFile(FILE), { preset: 'subscription-periods' });
        const result = report(dataset, noGrace, parseDay('2020-02-29') as number, 'month');
        cached = { dataset, result, periods: result.periods ?? [] };
      }
      return cached;
    };
    // ARR = 12 × MRR, in cents: one MRR unit is 12 × 100 minor units of ARR.
    const PER_MRR = 1200;

    test('reconciles month by month with the reference method', async () => {
      const { periods } = await load();
      const reference = referenceBridge(readFileSync(publicFile(FILE), 'utf8'));
      expect(reference.size).toBeGreaterThan(24);
      for (const [month, expected] of reference) {
        const period = periods.find((candidate) => candidate.period === month);
        const actual =
          period === undefined
            ? { new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0 }
            : period;
        for (const field of ['new', 'expansion', 'contraction', 'churn', 'reactivation'] as const) {
          expect({ month, field, mrr: actual[field] / PER_MRR }).toEqual({
            month,
            field,
            mrr: expected[field],
          });
        }
      }
    });

    test('totals over the whole file', async () => {
      const { periods, result } = await load();
      const sum = (field: keyof Totals): number =>
        periods.reduce((total, period) => total + period[field], 0) / PER_MRR;
      expect(sum('new')).toBe(2295);
      expect(sum('reactivation')).toBe(150);
      expect(sum('expansion')).toBe(660);
      expect(sum('contraction')).toBe(555);
      expect(sum('churn')).toBe(2550);
      // new 2,295 + reactivation 150 + expansion 660 − contraction 555 − churn 2,550 = 0 left at the end
      expect(result.arr).toBe(0);
    });

    test('new from 55 customers, once each', async () => {
      const { dataset } = await load();
      const analysis = analyse(dataset, noGrace, parseDay('2020-02-29') as number);
      const width = analysis.samples.length;
      const newPerUnit = new Map<number, number>();
      for (let unit = 0; unit < analysis.units; unit++) {
        for (let k = 1; k < width; k++) {
          const before = unitArr(analysis, unit, k - 1);
          const after = unitArr(analysis, unit, k);
          const active =
            before === 0 &&
            wasActiveBy(analysis.firstPositiveMonthDay, unit, analysis.samples[k - 1] as number);
          if (classifyMovement(before, after, active)?.kind === 'new')
            newPerUnit.set(unit, (newPerUnit.get(unit) ?? 0) + 1);
        }
      }
      expect(newPerUnit.size).toBe(55);
      expect([...newPerUnit.values()].every((count) => count === 1)).toBe(true);
    });
  },
);
