import { describe, expect, test } from 'vitest';

import { readTexts, type ReadOptions } from '../../src/ingest/index.js';
import { day, problemsOf } from './support.js';

const ZUORA: ReadOptions = { preset: 'zuora' };

const SUBSCRIPTIONS = `id,original_id,name,version,is_latest_version,account_id,status,_fivetran_deleted,subscription_start_date,term_type
S1v1,S1,A-S001,1,FALSE,ACC1,Active,FALSE,2024-01-01,TERMED
S1v2,S1,A-S001,2,TRUE,ACC1,Active,FALSE,2024-01-01,TERMED
S2,S2,A-S002,1,TRUE,ACC2,Draft,FALSE,2024-05-01,EVERGREEN
`;

const CHARGES = `id,account_id,subscription_id,charge_number,segment,version,charge_type,mrr,billing_period,effective_start_date,effective_end_date,transaction_currency,quantity,name,_fivetran_deleted
C1a,,S1v1,C-001,1,1,Recurring,100,Month,2024-01-01,2025-01-01,USD,1,Base,FALSE
C1b,,S1v2,C-001,1,1,Recurring,100,Month,2024-01-01,2024-07-01,USD,1,Base,FALSE
C1c,,S1v2,C-001,2,1,Recurring,150,Month,2024-07-01,2025-01-01,USD,1,Base,FALSE
C2,ACC1,S1v2,C-002,1,1,Usage,,Month,2024-01-01,2025-01-01,USD,,Calls,FALSE
C3,ACC1,S1v2,C-003,1,1,OneTime,,,2024-01-01,2024-01-02,USD,,Setup,FALSE
C4,ACC2,S2,C-004,1,1,Recurring,80,Annual,2024-05-01,,EUR,1,Base,FALSE
C5,ACC1,S1v2,C-005,1,1,Recurring,10,Month,2024-01-01,2025-01-01,USD,1,Gone,TRUE
C6,ACC1,S1v2,C-006,1,1,Recurring,10,Month,2024-03-01,2024-03-01,USD,1,Same day,FALSE
`;

describe('zuora charges', () => {
  test('latest subscription version with segments', () => {
    const { dataset, summaries } = readTexts(
      [
        { text: CHARGES, fileName: 'charges.csv' },
        { text: SUBSCRIPTIONS, fileName: 'subscriptions.csv' },
      ],
      ZUORA,
    );
    expect(dataset.lines.map((line) => line.id)).toEqual(['C1b', 'C1c', 'C2', 'C3']);
    expect(dataset.lines[0]).toMatchObject({
      // the account comes from the subscription export
      accountId: 'ACC1',
      contractId: 'A-S001',
      kind: 'recurring',
      // MRR 100 a month: ARR 1,200 from 2024-01-01 to 2024-07-01 (end exclusive)
      amount: { coefficient: 100n, scale: 0 },
      period: { unit: 'month', count: 1 },
      start: day('2024-01-01'),
      end: day('2024-07-01'),
      product: 'Base',
    });
    // segment 2: MRR 150, ARR 1,800 from 2024-07-01
    expect(dataset.lines[1]).toMatchObject({ start: day('2024-07-01'), end: day('2025-01-01') });
    expect(dataset.lines[2]).toMatchObject({ kind: 'usage', amount: { coefficient: 0n } });
    expect(dataset.lines[3]).toMatchObject({ kind: 'one-time' });
    expect(summaries[0]?.skippedRows).toEqual({
      deleted: 1,
      'draft subscription': 1,
      'empty segment (starts and ends on the same day)': 1,
      'older subscription version': 1,
    });
    expect(summaries[1]?.fileKind).toBe('subscriptions');
  });

  test('charge versions without the subscription export', () => {
    const text = `Charge Number,Segment,Version,Account ID,Charge Type,MRR,Effective Start Date,Effective End Date
C-1,1,1,A1,Recurring,50,2024-01-01,
C-1,1,2,A1,Recurring,60,2024-01-01,
C-1,1,2,A1,Recurring,70,2024-01-01,
`;
    const problems = problemsOf(() => readTexts([{ text, fileName: 'c.csv' }], ZUORA));
    expect(problems.map((problem) => [problem.row, problem.column, problem.value])).toEqual([
      [4, 'Version', '2'],
    ]);
    expect(problems[0]?.message).toMatch(/repeats version 2 of charge C-1 segment 1 from row 3/);

    const { dataset, summaries } = readTexts(
      [{ text: text.split('\n').slice(0, 3).join('\n'), fileName: 'c.csv' }],
      ZUORA,
    );
    expect(dataset.lines.map((line) => line.amount.coefficient)).toEqual([60n]);
    expect(dataset.lines[0]?.end).toBeNull();
    expect(summaries[0]?.skippedRows).toEqual({ 'older charge version': 1 });
  });

  test('each bad value has its own message', () => {
    const text = `id,account_id,charge_type,mrr,billing_period,effective_start_date,effective_end_date
X1,A,Recurring,10,Fortnight,2024-01-01,2025-01-01
X2,A,Recurring,10,Month,01.01.2024,2025-01-01
X3,A,Recurring,ten,Month,2024-01-01,2025-01-01
X4,A,Recurring,10,Month,2024-01-01,2023-01-01
X5,A,Recurring,10,Month,2024-01-01,2025-01-01
X5,A,Recurring,20,Month,2024-01-01,2025-01-01
X6,A,Discount,10,Month,2024-01-01,2025-01-01
`;
    const problems = problemsOf(() => readTexts([{ text, fileName: 'z.csv' }], ZUORA));
    expect(problems.map((problem) => [problem.row, problem.column, problem.value])).toEqual([
      [2, 'billing_period', 'Fortnight'],
      [3, 'effective_start_date', '01.01.2024'],
      [4, 'mrr', 'ten'],
      [5, 'effective_end_date', '2023-01-01'],
      [8, 'charge_type', 'Discount'],
      // Line ids are checked after the latest charge versions are chosen.
      [7, 'id', 'X5'],
    ]);
    expect(problems[0]?.message).toMatch(/is not a known Zuora billing period/);
    expect(problems[1]?.message).toMatch(/is not a valid date/);
    expect(problems[2]?.message).toMatch(/is not a valid amount/);
    expect(problems[3]?.message).toMatch(/is before the start date 2024-01-01/);
    expect(problems[4]?.message).toMatch(/is not a known Zuora charge type/);
    expect(problems[5]?.message).toMatch(/is a line id already used on row 6/);
  });

  test('unknown file in a zuora import', () => {
    const problems = problemsOf(() =>
      readTexts([{ text: 'a,b\n1,2\n', fileName: 'other.csv' }], ZUORA),
    );
    expect(problems[0]?.message).toMatch(/is not that of a Zuora rate plan charge/);
  });
});
