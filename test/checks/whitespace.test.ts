/**
 * White space on the worked example. Account WA owns Core with 100 seats (ARR 100,000) and may
 * buy Analytics at 200 per seat and Premium Support at 15% of ARR. It has Analytics in the
 * pipeline for 10,000 and could use 140 seats. Amounts are in dollars.
 */
import { describe, expect, test } from 'vitest';
import { analyse, DEFAULT_DEFINITIONS } from '../../src/core/index.js';
import { whiteSpace, whiteSpaceByBook } from '../../src/core/whitespace.js';
import { ImportError } from '../../src/ingest/index.js';
import { readCatalogueText, readPipelineText, readSeatsText } from '../../src/ingest/whitespace.js';
import { dataset, day, line, units } from '../core/build.js';

const catalogue = readCatalogueText(
  [
    'product,price_per_seat,percent_of_arr,eligible_segments',
    'Core,1000,,',
    'Analytics,200,,Enterprise;Growth',
    'Premium Support,,15%,',
    'Mobile,50,,SMB',
  ].join('\n'),
  'catalog.csv',
);
const pipeline = readPipelineText(
  'account_id,product,arr\nWA,analytics,10000\n',
  'pipeline.csv',
  'USD',
  'half-even',
);
const seats = readSeatsText('account_id,potential_seats\nWA,140\n', 'seats.csv');

const data = dataset(
  [
    line({
      id: 'WA1',
      account: 'WA',
      amount: '100000',
      start: '2025-01-01',
      last: '2025-12-31',
      product: 'Core',
      quantity: 100,
    }),
    // WB: no seat count on its line, so seat-priced products have no known potential.
    line({
      id: 'WB1',
      account: 'WB',
      amount: '50000',
      start: '2025-01-01',
      last: '2025-12-31',
      product: 'Core',
    }),
  ],
  {
    segments: [
      { accountId: 'WA', segment: 'Enterprise', from: day('2025-01-01'), to: null },
      { accountId: 'WB', segment: 'Growth', from: day('2025-01-01'), to: null },
    ],
  },
);
const analysis = analyse(data, DEFAULT_DEFINITIONS, day('2025-06-30'));
const accounts = whiteSpace(analysis, data, catalogue, pipeline, seats);

describe('white space matrix', () => {
  test('cells of the worked example', () => {
    const wa = accounts.find((account) => account.account === 'WA');
    expect(wa?.cells).toEqual([
      { product: 'Core', status: 'owned', potential: null, pipeline: 0, unpursued: 0 },
      // 200 × 100 seats = 20,000; 20,000 − 10,000 in the pipeline = 10,000
      {
        product: 'Analytics',
        status: 'in-pipeline',
        potential: units(20000),
        pipeline: units(10000),
        unpursued: units(10000),
      },
      // 15% × 100,000 = 15,000
      {
        product: 'Premium Support',
        status: 'white-space',
        potential: units(15000),
        pipeline: 0,
        unpursued: units(15000),
      },
      { product: 'Mobile', status: 'not-eligible', potential: null, pipeline: 0, unpursued: 0 },
    ]);
  });

  test('sums of the worked example', () => {
    const wa = accounts.find((account) => account.account === 'WA');
    // 20,000 + 15,000 = 35,000 gross; 35,000 − 10,000 = 25,000 unpursued
    expect(wa?.gross).toBe(units(35000));
    expect(wa?.pipeline).toBe(units(10000));
    expect(wa?.unpursued).toBe(units(25000));
    // (140 − 100) seats × 1,000 = 40,000
    expect(wa?.seatHeadroom).toBe(units(40000));
    // 25,000 + 40,000 = 65,000
    expect(wa?.potential).toBe(units(65000));
    expect(wa?.seats).toBe(100);
    expect(wa?.potentialSeats).toBe(140);
  });

  test('unknown seats give no potential', () => {
    const wb = accounts.find((account) => account.account === 'WB');
    expect(wb?.seats).toBeNull();
    expect(wb?.cells[1]).toEqual({
      product: 'Analytics',
      status: 'white-space',
      potential: null,
      pipeline: 0,
      unpursued: 0,
    });
    // Only Premium Support: 15% × 50,000 = 7,500
    expect(wb?.potential).toBe(units(7500));
  });

  test('roll-up per segment and company', () => {
    const bySegment = whiteSpaceByBook(analysis, data, accounts, 'segment');
    expect(bySegment.map((book) => [book.book, book.potential])).toEqual([
      ['Enterprise', units(65000)],
      ['Growth', units(7500)],
    ]);
    // 65,000 + 7,500 = 72,500
    const company = whiteSpaceByBook(analysis, data, accounts);
    expect(company).toEqual([
      {
        book: '',
        accounts: 2,
        gross: units(42500),
        pipeline: units(10000),
        unpursued: units(32500),
        seatHeadroom: units(40000),
        potential: units(72500),
      },
    ]);
  });
});

describe('white space files', () => {
  function problems(read: () => unknown): string[] {
    try {
      read();
    } catch (error) {
      if (error instanceof ImportError) {
        return error.problems.map((p) => `row ${p.row} ${p.column} "${p.value}": ${p.message}`);
      }
      throw error;
    }
    return [];
  }

  test('catalogue rows need one price', () => {
    expect(
      problems(() =>
        readCatalogueText(
          [
            'product,price_per_seat,percent_of_arr,eligible_segments',
            'A,10,5,',
            'B,,,',
            'C,-3,,',
            'D,,0,',
            'E,1,,',
            'e,2,,',
          ].join('\n'),
          'catalog.csv',
        ),
      ),
    ).toEqual([
      'row 2 price_per_seat "10": give exactly one price: price_per_seat (annual list price per seat) or percent_of_arr',
      'row 3 price_per_seat "": give exactly one price: price_per_seat (annual list price per seat) or percent_of_arr',
      'row 4 price_per_seat "-3": is negative; a list price is zero or more',
      'row 5 percent_of_arr "0": is not a percentage above 0; write it as 15 or 12.5%',
      'row 7 product "e": is listed again after row 6; keep one row per product',
    ]);
  });

  test('seat counts are whole numbers', () => {
    expect(
      problems(() => readSeatsText('account_id,potential_seats\nA,1.5\n,3\n', 'seats.csv')),
    ).toEqual([
      'row 2 potential_seats "1.5": is not a whole number of seats, such as 140',
      'row 3 account_id "": value is missing; give the account id',
    ]);
  });
});
