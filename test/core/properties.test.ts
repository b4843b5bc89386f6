import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  addMonths,
  analyse,
  applyDefinitionChanges,
  bridgeBalances,
  buildComparison,
  companyBridge,
  findRenewals,
  renewalRates,
  viewRenewal,
  DEFAULT_DEFINITIONS,
  groupBridges,
  groupIndex,
  report,
} from '../../src/core/index.js';
import type { ContractLine, Dataset } from '../../src/core/index.js';
import { day } from './build.js';

const FIRST = day('2022-01-01');
const ACCOUNTS = ['A', 'B', 'C', 'D', 'E', 'F'];
const PEOPLE = ['Ana', 'Ben', 'Chen'];

const lineArbitrary = fc.record({
  account: fc.constantFrom(...ACCOUNTS),
  startOffset: fc.integer({ min: 0, max: 1000 }),
  months: fc.option(fc.integer({ min: 1, max: 36 }), { nil: null }),
  extraDays: fc.integer({ min: 0, max: 20 }),
  cents: fc.integer({ min: 0, max: 5_000_000 }),
  unit: fc.constantFrom('month', 'year', 'term') as fc.Arbitrary<'month' | 'year' | 'term'>,
  product: fc.constantFrom('Core', 'Analytics', 'Support'),
  renewsPrevious: fc.boolean(),
});

const bookArbitrary = fc.record({
  lines: fc.array(lineArbitrary, { minLength: 1, maxLength: 30 }),
  owners: fc.array(
    fc.record({
      account: fc.constantFrom(...ACCOUNTS),
      person: fc.constantFrom(...PEOPLE),
      offset: fc.integer({ min: 0, max: 1100 }),
    }),
    { maxLength: 12 },
  ),
  asOfOffset: fc.integer({ min: 200, max: 1400 }),
  graceDays: fc.constantFrom(0, 30, 60),
});

type Book = typeof bookArbitrary extends fc.Arbitrary<infer T> ? T : never;

function toDataset(book: Book): Dataset {
  const lines: ContractLine[] = book.lines.map((input, index) => {
    const start = FIRST + input.startOffset;
    const unit = input.months === null && input.unit === 'term' ? 'month' : input.unit;
    const end =
      input.months === null
        ? null
        : addMonths(start, input.months) + (unit === 'term' ? input.extraDays : 0);
    return {
      id: `L${index}`,
      accountId: input.account,
      kind: 'recurring',
      amount: { coefficient: BigInt(input.cents), scale: 2 },
      period: { unit, count: 1 },
      currency: 'USD',
      start,
      end,
      product: input.product,
      ...(input.renewsPrevious && index > 0 ? { renews: `L${index - 1}` } : {}),
    } satisfies ContractLine;
  });
  const assignments = book.owners.map((owner) => ({
    accountId: owner.account,
    role: 'CSM',
    person: owner.person,
    from: FIRST + owner.offset,
    to: null,
  }));
  return { accounts: [], lines, assignments, segments: [], fxRates: [] };
}

describe('engine invariants on generated books', () => {
  test('every period balances and chains', () => {
    fc.assert(
      fc.property(bookArbitrary, (book) => {
        const definitions = applyDefinitionChanges(DEFAULT_DEFINITIONS, {
          graceDays: book.graceDays,
        });
        const result = report(toDataset(book), definitions, FIRST + book.asOfOffset, 'month');
        let previousEnd = 0;
        for (const period of result.periods ?? []) {
          expect(period.start).toBe(previousEnd);
          expect(
            period.start +
              period.new +
              period.expansion +
              period.reactivation -
              period.contraction -
              period.churn,
          ).toBe(period.end);
          previousEnd = period.end;
        }
        expect(previousEnd).toBe(result.arr);
      }),
      { numRuns: 200 },
    );
  });

  test('GRR is at most 100% and at most NRR', () => {
    fc.assert(
      fc.property(bookArbitrary, (book) => {
        const definitions = applyDefinitionChanges(DEFAULT_DEFINITIONS, {
          graceDays: book.graceDays,
        });
        const result = report(toDataset(book), definitions, FIRST + book.asOfOffset);
        if (result.grr === null || result.nrr === null) {
          expect(result.cohort.startArr).toBe(0);
          return;
        }
        expect(result.grr).toBeLessThanOrEqual(1);
        expect(result.grr).toBeLessThanOrEqual(result.nrr);
        expect(result.cohort.cappedArr).toBeLessThanOrEqual(result.cohort.endArr);
      }),
      { numRuns: 200 },
    );
  });

  test('results do not depend on row order', () => {
    fc.assert(
      fc.property(bookArbitrary, fc.integer(), (book, seed) => {
        const definitions = applyDefinitionChanges(DEFAULT_DEFINITIONS, {
          graceDays: book.graceDays,
        });
        const data = toDataset(book);
        const shuffled = {
          ...data,
          lines: shuffle(data.lines, seed),
          assignments: shuffle(data.assignments, seed + 1),
        };
        const asOf = FIRST + book.asOfOffset;
        for (const by of ['month', 'csm'] as const) {
          const a = report(data, definitions, asOf, by);
          const b = report(shuffled, definitions, asOf, by);
          expect(b).toEqual(a);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('book bridges balance and sum to the company', () => {
    fc.assert(
      fc.property(bookArbitrary, (book) => {
        const data = toDataset(book);
        const analysis = analyse(data, DEFAULT_DEFINITIONS, FIRST + book.asOfOffset);
        const from = analysis.windowStartSample;
        const to = analysis.asOfSample;
        const company = companyBridge(analysis, from, to);
        const books = groupBridges(analysis, groupIndex(analysis, data, 'csm'), from, to);
        for (const totals of books) expect(bridgeBalances(totals)).toBe(true);
        for (const field of [
          'start',
          'new',
          'expansion',
          'contraction',
          'churn',
          'reactivation',
          'end',
        ] as const) {
          expect(books.reduce((sum, totals) => sum + totals[field], 0)).toBe(company[field]);
        }
        expect(books.reduce((sum, totals) => sum + totals.transferIn, 0)).toBe(
          books.reduce((sum, totals) => sum + totals.transferOut, 0),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('comparison and renewal invariants on generated books', () => {
  test('each book explains its gap between ARR growth and NRR', () => {
    fc.assert(
      fc.property(bookArbitrary, (book) => {
        const data = toDataset(book);
        const asOf = FIRST + book.asOfOffset;
        const analysis = analyse(data, DEFAULT_DEFINITIONS, asOf);
        const comparison = buildComparison(analysis, data, 2025, 'csm', asOf);
        for (const row of [...comparison.rows, comparison.company]) {
          const { explanation } = row;
          expect(row.startArr).toBe(row.cohort.startArr);
          expect(
            explanation.newLogos.amount +
              explanation.reactivations.amount +
              explanation.transfersIn.amount -
              explanation.transfersOut.amount,
          ).toBe(row.netNewArr - (row.cohort.endArr - row.cohort.startArr));
        }
        for (const check of comparison.reconciliation.columns) {
          expect(check.books, check.column).toBe(check.company);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('gross renewal rate is at most 100% and at most the net rate', () => {
    fc.assert(
      fc.property(bookArbitrary, (book) => {
        const data = toDataset(book);
        const asOf = FIRST + book.asOfOffset;
        const rates = renewalRates(
          findRenewals(analyse(data, DEFAULT_DEFINITIONS, asOf), data, asOf),
        );
        if (rates.grossRenewalRate === null || rates.netRenewalRate === null) {
          expect(rates.decided.atr).toBe(0);
          return;
        }
        expect(rates.grossRenewalRate).toBeLessThanOrEqual(1);
        expect(rates.grossRenewalRate).toBeLessThanOrEqual(rates.netRenewalRate);
      }),
      { numRuns: 200 },
    );
  });

  test('renewals do not depend on row order', () => {
    fc.assert(
      fc.property(bookArbitrary, fc.integer(), (book, seed) => {
        const data = toDataset(book);
        const shuffled = { ...data, lines: shuffle(data.lines, seed) };
        const asOf = FIRST + book.asOfOffset;
        const views = (input: Dataset) => {
          const analysis = analyse(input, DEFAULT_DEFINITIONS, asOf);
          return findRenewals(analysis, input, asOf).map((renewal) => {
            const view = viewRenewal(analysis, renewal, new Map());
            return { ...view, lines: view.lines.sort(), renewalLines: view.renewalLines.sort() };
          });
        };
        expect(views(shuffled)).toEqual(views(data));
      }),
      { numRuns: 150 },
    );
  });
});

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const result = items.slice();
  let state = seed >>> 0 || 1;
  for (let index = result.length - 1; index > 0; index--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const other = (state >>> 0) % (index + 1);
    [result[index], result[other]] = [result[other] as T, result[index] as T];
  }
  return result;
}
