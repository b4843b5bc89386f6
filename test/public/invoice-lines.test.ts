/**
 * Yearly ARR, NRR and GRR on real invoice lines (amounts in AUD, owner in `salesman`, region in
 * `country`), checked against a peer tool's published ARR and against the bridge identity.
 */
import { describe, expect, test } from 'vitest';
import {
  applyDefinitionChanges,
  DEFAULT_DEFINITIONS,
  parseDay,
  report,
} from '../../src/core/index.js';
import { readFile } from '../../src/ingest/index.js';
import { publicDataAvailable, publicFile } from '../public-data.js';

describe.skipIf(!publicDataAvailable('invoice-line figures'))('q_invoice_lines', () => {
  // Read inside the suite's tests only: the suite body runs even when the suite is skipped.
  let loaded: ReturnType<typeof readFile> | undefined;
  // The promise is kept, so the file is read once however many tests await it.
  const load = (): ReturnType<typeof readFile> =>
    (loaded ??= readFile(publicFile('flipRevenueMetrics/q_invoice_lines.csv'), {
      preset: 'invoice-lines',
      columns: { value: 'AUD', owner: 'salesman', region: 'country', customer: 'name' },
      currency: 'AUD',
    }));
  const aud = applyDefinitionChanges(DEFAULT_DEFINITIONS, { reportingCurrency: 'AUD' });

  test('zero and negative lines are counted, not dropped', async () => {
    const { dataset, summary } = await load();
    expect(summary.lines).toBe(3769);
    expect(summary.zeroValueLines).toBe(438);
    expect(summary.negativeValueLines).toBe(15);
    expect(dataset.lines).toHaveLength(3769);
  });

  test('ARR on 2013-01-01 agrees with the peer figure within 2%', async () => {
    const { dataset } = await load();
    const result = report(dataset, aud, parseDay('2013-01-01') as number);
    // peer: 1,211,959 AUD (lines count when from < d <= to, value ÷ days × 365)
    const peer = 121_195_900;
    expect(Math.abs(result.arr - peer) / peer).toBeLessThan(0.02);
  });

  test('yearly bridges balance and chain', async () => {
    const { dataset } = await load();
    const result = report(dataset, aud, parseDay('2016-06-30') as number, 'year');
    const years = result.periods ?? [];
    expect(years.map((year) => year.period)).toContain('2013');
    let previous = 0;
    for (const year of years) {
      expect(year.start).toBe(previous);
      expect(
        year.start + year.new + year.expansion + year.reactivation - year.contraction - year.churn,
      ).toBe(year.end);
      previous = year.end;
    }
  });

  test('yearly NRR and GRR', async () => {
    const { dataset } = await load();
    for (const asOf of ['2012-12-31', '2013-12-31', '2014-12-31', '2015-12-31']) {
      const result = report(dataset, aud, parseDay(asOf) as number);
      expect(result.nrr).not.toBeNull();
      expect(result.grr as number).toBeLessThanOrEqual(1);
      expect(result.grr as number).toBeLessThanOrEqual(result.nrr as number);
      // NRR = cohort end ÷ cohort start, from the cohort sums printed with the report
      expect(result.nrr).toBe(result.cohort.endArr / result.cohort.startArr);
    }
  });

  test('per salesman and per country books sum to the company', async () => {
    const { dataset } = await load();
    const asOf = parseDay('2015-12-31') as number;
    const company = report(dataset, aud, asOf);
    for (const by of ['csm', 'region'] as const) {
      const grouped = report(dataset, aud, asOf, by);
      const groups = grouped.groups ?? [];
      expect(groups.length).toBeGreaterThan(1);
      expect(groups.reduce((sum, group) => sum + group.arr, 0)).toBe(company.arr);
      expect(groups.reduce((sum, group) => sum + group.cohort.startArr, 0)).toBe(
        company.cohort.startArr,
      );
      expect(groups.reduce((sum, group) => sum + group.cohort.endArr, 0)).toBe(
        company.cohort.endArr,
      );
    }
  });
});
