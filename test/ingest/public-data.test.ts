/**
 * Imports of the public mrr-playbook and flipRevenueMetrics files, which are not part of the
 * repository. The environment variable NRR_PUBLIC_DATA overrides the folder they are read from.
 */
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import { readFile } from '../../src/ingest/index.js';
import { PUBLIC_DATA, publicDataAvailable } from '../public-data.js';
import { day } from './support.js';

const available = publicDataAvailable('public data imports');

describe.skipIf(!available)('public data imports', () => {
  test('mrr-playbook subscription periods', async () => {
    const file = path.join(PUBLIC_DATA, 'mrr-playbook/subscription_periods.csv');
    const { dataset, summary } = await readFile(file, { preset: 'subscription-periods' });
    expect(summary.rows).toBe(121);
    expect(summary.lines).toBe(121);
    expect(summary.openEndedLines).toBe(0);
    expect(summary.zeroValueLines).toBe(0);
    expect(new Set(dataset.lines.map((line) => line.accountId)).size).toBe(55);
    expect(dataset.lines[0]).toMatchObject({
      id: '1',
      accountId: '1',
      amount: { coefficient: 50n, scale: 0 },
      start: day('2018-11-01'),
      end: day('2019-02-01'),
    });
  });

  test('flipRevenueMetrics q invoice lines', async () => {
    const file = path.join(PUBLIC_DATA, 'flipRevenueMetrics/q_invoice_lines.csv');
    const { dataset, summary } = await readFile(file, {
      preset: 'invoice-lines',
      currency: 'AUD',
      columns: { value: 'AUD', owner: 'salesman', region: 'country', customer: 'name' },
    });
    expect(summary.rows).toBe(3769);
    expect(summary.lines).toBe(3769);
    expect(summary.zeroValueLines).toBe(438);
    expect(summary.negativeValueLines).toBe(15);
    expect(summary.negativeValueTotal).toBe('-25630.60544401544 AUD');
    expect(new Set(dataset.lines.map((line) => line.accountId)).size).toBe(777);
    // salesman is blank on 2,313 rows, and blank owners give no assignment.
    expect(dataset.assignments).toHaveLength(3769 - 2313);
    expect(dataset.segments).toHaveLength(3769);
    expect(dataset.lines[0]).toMatchObject({
      id: `${file}#2`,
      accountId: 'Organization 33',
      amount: { coefficient: 37475n, scale: 1 },
      period: { unit: 'term', count: 1 },
      currency: 'AUD',
      start: day('2009-05-11'),
      end: day('2009-11-11'),
    });
  });

  test('flipRevenueMetrics fake invoice lines', async () => {
    const file = path.join(PUBLIC_DATA, 'flipRevenueMetrics/fake_invoice_lines.csv');
    const { dataset, summary } = await readFile(file, { preset: 'invoice-lines' });
    expect(summary.columns).toEqual({ from: 'From', to: 'To', value: 'Value', customer: 'Name' });
    expect(summary.lines).toBe(18);
    expect(dataset.lines.filter((line) => line.accountId === 'A')).toHaveLength(6);
    expect(dataset.lines.filter((line) => line.accountId === 'B')).toHaveLength(12);
  });
});
