/**
 * The accounts behind each bridge movement add up to the company bridge, for a window that
 * starts on a month end and for one that starts inside a month.
 */
import { describe, expect, test } from 'vitest';
import {
  analyse,
  companyBridge,
  dayFromCivil,
  DEFAULT_DEFINITIONS,
  groupBridges,
  groupIndex,
  unitMovements,
} from '../../src/core/index.js';
import { generateCompany } from '../../src/generate/index.js';
import { dataset, line, units } from './build.js';

const company = generateCompany({ accounts: 800, seed: 7 });

describe('unitMovements', () => {
  test.each([
    ['a window from a month end', dayFromCivil(2025, 12, 31)],
    ['a window from inside a month', dayFromCivil(2025, 6, 15)],
  ])('sum to the company bridge for %s', (_name, asOf) => {
    const analysis = analyse(company, DEFAULT_DEFINITIONS, asOf);
    const from = analysis.windowStartSample;
    const to = analysis.asOfSample;
    const bridge = companyBridge(analysis, from, to);
    const movements = unitMovements(analysis, from, to);
    for (const kind of ['new', 'expansion', 'contraction', 'churn', 'reactivation'] as const) {
      const total = movements
        .filter((movement) => movement.kind === kind)
        .reduce((sum, movement) => sum + movement.amount, 0);
      expect(total, kind).toBe(bridge[kind]);
    }
    expect(movements.every((movement) => movement.amount > 0)).toBe(true);
  });

  test('sum to each book bridge when filtered by book', () => {
    const analysis = analyse(company, DEFAULT_DEFINITIONS, dayFromCivil(2025, 12, 31));
    const from = analysis.windowStartSample;
    const to = analysis.asOfSample;
    const groups = groupIndex(analysis, company, 'csm');
    const bridges = groupBridges(analysis, groups, from, to);
    groups.keys.forEach((key, code) => {
      const movements = unitMovements(analysis, from, to, { groups, code });
      for (const kind of ['new', 'expansion', 'contraction', 'churn', 'reactivation'] as const) {
        const total = movements
          .filter((movement) => movement.kind === kind)
          .reduce((sum, movement) => sum + movement.amount, 0);
        expect(total, `${key} ${kind}`).toBe(bridges[code]?.[kind]);
      }
    });
  });

  test('name the account and kind of each movement', () => {
    // Annual prices: A renews at 1,500 from July instead of 1,000, an expansion of 500 (50,000
    // cents); B's 200 ends after June with no grace window, a churn of 200 (20,000 cents).
    const data = dataset([
      line({ id: 'A1', account: 'A', amount: '1000', start: '2024-01-01', last: '2025-06-30' }),
      line({
        id: 'A2',
        account: 'A',
        amount: '1500',
        start: '2025-07-01',
        last: null,
        renews: 'A1',
      }),
      line({ id: 'B1', account: 'B', amount: '200', start: '2024-01-01', last: '2025-06-30' }),
    ]);
    const analysis = analyse(
      data,
      { ...DEFAULT_DEFINITIONS, graceDays: 0 },
      dayFromCivil(2025, 12, 31),
    );
    expect(unitMovements(analysis, analysis.windowStartSample, analysis.asOfSample)).toEqual([
      { account: 'A', kind: 'expansion', amount: units(500) },
      { account: 'B', kind: 'churn', amount: units(200) },
    ]);
  });
});
