/**
 * Imports of the public Salesforce and Zuora sample files with the vendor presets. Expected
 * figures were computed outside nrr from the raw stage, amount and close date columns of each
 * file; each comment gives the arithmetic.
 */
import { describe, expect, test } from 'vitest';

import {
  applyDefinitionChanges,
  DEFAULT_DEFINITIONS,
  parseDay,
  report,
} from '../../src/core/index.js';
import { ImportError, readFile, readFiles } from '../../src/ingest/index.js';
import { publicDataAvailable, publicFile } from '../public-data.js';

const SALESFORCE = { preset: 'salesforce-opportunities' } as const;

// Without a grace window, ARR on a day is the plain sum over the lines running that day, which
// is what the expected figures add up; with the default 60 days, lapsed accounts keep their ARR.
const NO_GRACE = applyDefinitionChanges(DEFAULT_DEFINITIONS, { graceDays: 0 });

function arrOn(dataset: Parameters<typeof report>[0], date: string): number {
  return report(dataset, NO_GRACE, parseDay(date) as number).arr;
}

describe.skipIf(!publicDataAvailable('vendor preset samples'))('vendor preset samples', () => {
  test('tcrm opportunities', async () => {
    const file = publicFile('SFDC-Assets-tcrm-handson-training/Opportunity.csv');
    const { dataset, summary } = await readFile(file, SALESFORCE);
    expect(summary.rows).toBe(4833);
    // 986 Closed Won; 3,434 Closed Lost and 413 open opportunities are not won.
    expect(summary.lines).toBe(986);
    expect(summary.skippedRows).toEqual({ 'not won': 3847 });
    expect(new Set(dataset.lines.map((line) => line.accountId)).size).toBe(877);
    // No opportunity has the Renewal type, so no line renews another.
    expect(dataset.lines.filter((line) => line.renews !== undefined)).toHaveLength(0);
    const total = dataset.lines.reduce((sum, line) => sum + line.amount.coefficient, 0n);
    expect(total).toBe(69_665_298n);
    // Won amounts with close date in 2022-01-01 .. 2022-12-31, each a 12-month term running on
    // 2022-12-31: 44,523,157 USD.
    expect(arrOn(dataset, '2022-12-31')).toBe(4_452_315_700);
    expect(dataset.assignments).toHaveLength(986);
  });

  test('data cloud workshop opportunities', async () => {
    const file = publicFile('SFDC-Assets-data-cloud-workshop/Opportunity.csv');
    const { dataset, summary } = await readFile(file, SALESFORCE);
    expect(summary.lines).toBe(12);
    expect(summary.skippedRows).toEqual({ 'not won': 38 });
    // All 12 won deals closed between 2023-02-02 and 2023-11-27, so all run on 2023-12-31:
    // 10,542,562.98 USD.
    expect(arrOn(dataset, '2023-12-31')).toBe(1_054_256_298);
  });

  test('revenue integrity opportunities', async () => {
    const file = publicFile('manoj-seedling-revenue-integrity/opportunities.csv');
    // The file has no account column; each opportunity name stands for its account.
    const { dataset, summary } = await readFile(file, {
      ...SALESFORCE,
      columns: { customer: 'Name' },
    });
    expect(summary.lines).toBe(4);
    expect(summary.skippedRows).toEqual({ 'not won': 116 });
    // M/D/YYYY close dates: the four won deals closed 2027-08-03 .. 2027-11-22.
    expect(dataset.lines.map((line) => line.start).sort()).toContain(parseDay('2027-08-03'));
    // 4,174,914 USD in total, all running on 2027-12-31.
    expect(arrOn(dataset, '2027-12-31')).toBe(417_491_400);
  });

  test('apex recipes hostile opportunities', async () => {
    const file = publicFile('trailheadapps-apex-recipes/Opportunities.csv');
    const error = await readFile(file, SALESFORCE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportError);
    const problems = (error as ImportError).problems;
    // "Closed/Won" is not a standard stage; rows 21, 40 and 51 use it.
    expect(problems.map((problem) => [problem.row, problem.value])).toEqual([
      [21, 'Closed/Won'],
      [40, 'Closed/Won'],
      [51, 'Closed/Won'],
    ]);

    const { dataset, summary } = await readFile(file, {
      ...SALESFORCE,
      wonStages: ['Closed Won', 'Closed/Won'],
    });
    expect(summary.lines).toBe(3);
    // The close dates are date-times such as 2020-11-16T12:04:19Z; their UTC date is the start.
    const starts = dataset.lines.map((line) => line.start).sort((a, b) => a - b);
    expect(starts).toEqual([
      parseDay('2020-11-16'),
      parseDay('2020-12-02'),
      parseDay('2021-02-01'),
    ]);
    // Markup, formula-like text and emoji in the description column are ignored, not parsed.
    expect(summary.ignoredColumns).toEqual(['description', 'name']);
    // 715,534.24 + 620,440.88 run on 2021-01-31 (789,007.48 starts 2021-02-01).
    expect(arrOn(dataset, '2021-01-31')).toBe(133_597_512);
  });

  test('zuora charges with subscriptions and rate plans', async () => {
    const folder = 'fivetran-dbt_zuora/';
    const { dataset, summaries } = await readFiles(
      [
        publicFile(`${folder}zuora_rate_plan_charge_data.csv`),
        publicFile(`${folder}zuora_subscription_data.csv`),
        publicFile(`${folder}zuora_rate_plan_data.csv`),
      ],
      { preset: 'zuora' },
    );
    const [charges, subscriptions, ratePlans] = summaries;
    // Five charge rows: one deleted, three recurring, one usage (JPY, no MRR).
    expect(charges?.lines).toBe(4);
    expect(charges?.skippedRows).toEqual({ deleted: 1 });
    expect(charges?.linesByKind).toMatchObject({ recurring: 3, usage: 1 });
    expect(subscriptions?.fileKind).toBe('subscriptions');
    expect(subscriptions?.skippedRows).toEqual({
      'draft subscription': 1,
      'subscription deleted': 2,
    });
    expect(ratePlans?.fileKind).toBe('rate-plans');
    // C-00000026 "User Charge": MRR 49 from 2019-12-31 to 2023-12-31; 49 × 48 months = 2,352,
    // the TCV the file gives for it.
    const userCharge = dataset.lines.find((line) => line.product?.includes('User Charge'));
    expect(userCharge).toMatchObject({
      amount: { coefficient: 49n, scale: 0 },
      start: parseDay('2019-12-31'),
      end: parseDay('2023-12-31'),
      product: 'Annual Plan: User Charge',
    });
    // The other recurring charges have MRR 0, so ARR on 2022-12-31 is 49 × 12 = 588 USD.
    expect(arrOn(dataset, '2022-12-31')).toBe(58_800);
  });
});
