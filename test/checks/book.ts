/**
 * A hand-built book for the glide path and check tests: fiscal year 2025 from January, cohort
 * taken on 2024-12-31. Amounts are in dollars.
 */
import { dataset, day, line } from '../core/build.js';

export const book = dataset(
  [
    // A: 100,000 due in March, renewed at 110,000 from April.
    line({ id: 'A1', account: 'A', amount: '100000', start: '2024-04-01', last: '2025-03-31' }),
    line({
      id: 'A2',
      account: 'A',
      amount: '110000',
      start: '2025-04-01',
      last: '2026-03-31',
      renews: 'A1',
    }),
    // B: 50,000 ending on the check date, not renewed.
    line({ id: 'B1', account: 'B', amount: '50000', start: '2024-07-01', last: '2025-06-30' }),
    // C: 200,000 due in September, renewal signed at 150,000 (a downgrade).
    line({ id: 'C1', account: 'C', amount: '200000', start: '2023-10-01', last: '2025-09-30' }),
    line({
      id: 'C2',
      account: 'C',
      amount: '150000',
      start: '2025-10-01',
      last: '2026-09-30',
      renews: 'C1',
    }),
    // D: 40,000 due in November, not renewed yet.
    line({ id: 'D1', account: 'D', amount: '40000', start: '2024-12-01', last: '2025-11-30' }),
    // E: 60,000 ended in January and churned once the 60-day grace window passed.
    line({ id: 'E1', account: 'E', amount: '60000', start: '2024-02-01', last: '2025-01-31' }),
    // F: a new logo of 2025, outside the cohort.
    line({ id: 'F1', account: 'F', amount: '30000', start: '2025-01-01', last: '2025-12-31' }),
    // G: 20,000 ended on 2025-05-31; 30 days later it is lapsed, inside the grace window.
    line({ id: 'G1', account: 'G', amount: '20000', start: '2024-06-01', last: '2025-05-31' }),
  ],
  {
    assignments: [
      { accountId: 'A', role: 'CSM', person: 'Ana', from: day('2024-01-01'), to: null },
      { accountId: 'B', role: 'CSM', person: 'Ana', from: day('2024-01-01'), to: null },
      { accountId: 'C', role: 'CSM', person: 'Ben', from: day('2023-01-01'), to: null },
    ],
  },
);
