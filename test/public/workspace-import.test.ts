/**
 * Every preset's public sample file imported into a workspace: the figures read back from the
 * workspace equal the figures of the same file read directly, which the other public-data tests
 * check against reference methods and peer tools.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  applyDefinitionChanges,
  DEFAULT_DEFINITIONS,
  parseDay,
  report,
} from '../../src/core/index.js';
import type { Definitions } from '../../src/core/definitions.js';
import { readFiles, type ReadOptions } from '../../src/ingest/index.js';
import { importFiles } from '../../src/service/import.js';
import { Workspace } from '../../src/store/workspace.js';
import { publicDataAvailable, publicFile } from '../public-data.js';
import { embeddedLocation, type TestLocation } from '../store/databases.js';

interface Sample {
  readonly name: string;
  readonly files: readonly string[];
  readonly options: ReadOptions;
  readonly asOf: string;
  readonly definitions?: Partial<Definitions>;
}

const SAMPLES: readonly Sample[] = [
  {
    name: 'subscription periods (mrr-playbook)',
    files: ['mrr-playbook/subscription_periods.csv'],
    options: { preset: 'subscription-periods' },
    asOf: '2019-12-31',
  },
  {
    name: 'invoice lines (flipRevenueMetrics)',
    files: ['flipRevenueMetrics/q_invoice_lines.csv'],
    options: {
      preset: 'invoice-lines',
      currency: 'AUD',
      columns: { value: 'AUD', owner: 'salesman', region: 'country', customer: 'name' },
    },
    asOf: '2013-12-31',
    definitions: { reportingCurrency: 'AUD' },
  },
  {
    name: 'Stripe API subscriptions (swanson-stripe)',
    files: ['swanson-stripe-synthetic-dataset/subscriptions.json'],
    options: { preset: 'stripe-subscriptions' },
    asOf: '2025-06-30',
  },
  {
    name: 'Salesforce opportunities (tcrm-handson-training)',
    files: ['SFDC-Assets-tcrm-handson-training/Opportunity.csv'],
    options: { preset: 'salesforce-opportunities' },
    asOf: '2022-12-31',
  },
  {
    name: 'Zuora charges, subscriptions and rate plans (dbt_zuora)',
    files: [
      'fivetran-dbt_zuora/zuora_rate_plan_charge_data.csv',
      'fivetran-dbt_zuora/zuora_subscription_data.csv',
      'fivetran-dbt_zuora/zuora_rate_plan_data.csv',
    ],
    options: { preset: 'zuora' },
    asOf: '2022-12-31',
  },
];

describe.skipIf(!publicDataAvailable('workspace imports of public samples'))(
  'workspace imports of public samples',
  () => {
    let location: TestLocation;
    let workspace: Workspace;

    // Each sample gets a workspace of its own, because their reporting currencies differ.
    beforeEach(async () => {
      location = embeddedLocation();
      workspace = await Workspace.open(location.location);
    });

    afterEach(async () => {
      await workspace.close();
      await location.drop();
    });

    test.each(SAMPLES)('$name', async (sample) => {
      const definitions = applyDefinitionChanges(DEFAULT_DEFINITIONS, sample.definitions ?? {});
      await workspace.setCurrentDefinitions(await workspace.saveDefinitions(definitions, 'tester'));
      const files = sample.files.map((file) => publicFile(file));
      // The Zuora sample has a usage charge in JPY; a rate lets the import accept it.
      const extra: string[] = [];
      if (sample.options.preset === 'zuora') {
        const rates = path.join(
          location.location.kind === 'embedded' ? location.location.folder : '',
          'jpy.csv',
        );
        writeFileSync(rates, 'currency,rate,from_date,to_date,kind\nJPY,0.0067,2015-01-01,,plan\n');
        extra.push(rates);
      }
      const inputs = [...files, ...extra].map((file) => {
        const data = readFileSync(file);
        return {
          path: file,
          source: `${sample.name}: ${path.basename(file)}`,
          checksum: createHash('sha256').update(data).digest('hex'),
          data,
        };
      });
      const run = await importFiles(workspace, inputs, sample.options);
      expect(run.rejected).toEqual([]);
      const direct = await readFiles([...files, ...extra], sample.options);
      const stored = await workspace.loadDataset();
      const ids = new Set(direct.dataset.lines.map((line) => line.id));
      const accounts = new Set(direct.dataset.lines.map((line) => line.accountId));
      const storedHere = {
        accounts: stored.accounts.filter((item) => accounts.has(item.id)),
        lines: stored.lines.filter((line) => ids.has(line.id)),
        assignments: stored.assignments.filter((item) => accounts.has(item.accountId)),
        segments: stored.segments.filter((item) => accounts.has(item.accountId)),
        fxRates: stored.fxRates,
      };
      expect(storedHere.lines).toHaveLength(direct.dataset.lines.length);
      const asOf = parseDay(sample.asOf) as number;
      const fromWorkspace = report(storedHere, definitions, asOf, 'csm');
      const fromFile = report(direct.dataset, definitions, asOf, 'csm');
      expect(fromWorkspace.arr).toBeGreaterThan(0);
      expect(fromWorkspace).toEqual(fromFile);
    });
  },
);
