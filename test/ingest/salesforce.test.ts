import { describe, expect, test } from 'vitest';

import { readText, type ReadOptions } from '../../src/ingest/index.js';
import { day, problemsOf } from './support.js';

const SALESFORCE: ReadOptions = { preset: 'salesforce-opportunities' };

const REPORT = `"Opportunity Name","Account Name","Amount","Close Date","Stage","Type","Opportunity Owner","Opportunity Currency"
"Acme new","Acme","12,000.00","1/15/2024","Closed Won","New Business","Ana","USD"
"Acme upsell","Acme","6000","7/1/2024","Closed Won","Add-On Business","Ana","USD"
"Acme renewal","Acme","13000","1/10/2025","Closed Won","Renewal","Ana","USD"
"Beta lost","Beta","9000","2/1/2024","Closed Lost","New Business","Bo","USD"
"Gamma open","Gamma","5000","3/1/2024","Negotiation","New Business","Bo","EUR"

"Grand Totals (5 records)"
"Confidential Information - Do Not Distribute"
"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."
`;

describe('salesforce report export', () => {
  test('won opportunities become 12-month lines', () => {
    const { dataset, summary } = readText(REPORT, 'report1700000000000.csv', SALESFORCE);
    expect(summary.skippedFooterRows).toBe(4);
    expect(summary.skippedRows).toEqual({ 'not won': 2 });
    expect(dataset.lines).toHaveLength(3);
    expect(dataset.lines[0]).toMatchObject({
      accountId: 'Acme',
      // 12,000.00 over 2024-01-15 .. 2025-01-15: ARR 12,000
      amount: { coefficient: 1200000n, scale: 2 },
      period: { unit: 'term', count: 1 },
      start: day('2024-01-15'),
      end: day('2025-01-15'),
      signed: day('2024-01-15'),
      currency: 'USD',
    });
    // The add-on runs its own 12 months beside the first line.
    expect(dataset.lines[1]).toMatchObject({ start: day('2024-07-01'), end: day('2025-07-01') });
    expect(dataset.lines[1]?.renews).toBeUndefined();
    // The renewal replaces the account's latest earlier line, the add-on.
    expect(dataset.lines[2]).toMatchObject({
      start: day('2025-01-10'),
      renews: 'report1700000000000.csv#3',
    });
    expect(dataset.assignments[0]).toMatchObject({ accountId: 'Acme', person: 'Ana' });
  });

  test('won stages are configurable', () => {
    const { dataset } = readText(REPORT, 'r.csv', {
      ...SALESFORCE,
      wonStages: ['Closed Won', 'negotiation'],
    });
    expect(dataset.lines).toHaveLength(4);
    expect(dataset.lines[3]).toMatchObject({ accountId: 'Gamma', currency: 'EUR' });
  });

  test('API names, ISO datetimes and a term column', () => {
    const text = `\uFEFFId,IsDeleted,AccountId,StageName,Amount,CloseDate,Type,OwnerId,CurrencyIsoCode,ContractTerm,CreatedDate
006A,,001A,Closed Won,36000,2024-03-31,New Business,005X,GBP,36,2024-01-22T16:14:25.000+0000
006B,1,001B,Closed Won,100,2024-03-31,,005X,GBP,,2024-01-22T16:14:25.000+0000
006C,,001C,Closed Won,1200,2024-03-31T23:30:00.000-0200,,005X,,,2024-01-22T16:14:25.000+0000
`;
    const { dataset, summary } = readText(text, 'Opportunity.csv', SALESFORCE);
    expect(summary.skippedRows).toEqual({ deleted: 1 });
    expect(dataset.lines[0]).toMatchObject({
      id: '006A',
      accountId: '001A',
      // 36,000 over 36 months: ARR 12,000
      start: day('2024-03-31'),
      end: day('2027-03-31'),
      currency: 'GBP',
    });
    // 23:30 at UTC-2 is 01:30 UTC the next day; a blank currency cell falls back to USD.
    expect(dataset.lines[1]).toMatchObject({ start: day('2024-04-01'), currency: 'USD' });
  });

  test('start and end columns give the term', () => {
    const text = `Id,AccountId,StageName,Amount,CloseDate,StartDate,EndDate
006A,001A,Closed Won,6000,2024-01-20,2024-02-01,2024-07-31
`;
    const { dataset } = readText(text, 'o.csv', SALESFORCE);
    // End dates are inclusive: service is 2024-02-01 .. 2024-07-31, 6 months, ARR 12,000.
    expect(dataset.lines[0]).toMatchObject({ start: day('2024-02-01'), end: day('2024-08-01') });
  });

  test('each bad value has its own message', () => {
    const text = `Id,AccountId,StageName,Amount,CloseDate,EndDate,ContractTerm
006A,001A,Closed Won,1E02,2024-01-20,,
006B,001B,Closed Won,100,2024-31-01,,
006C,001C,Closed Won,100,2024-01-20,2023-12-31,
006D,001D,Closed/Won,100,2024-01-20,,
006E,001E,Closed Won,100,2024-01-20,,
006E,001E,Closed Won,200,2024-01-20,,
006F,001F,Closed Won,100,2024-01-20,,twelve
`;
    const problems = problemsOf(() => readText(text, 'o.csv', SALESFORCE));
    expect(problems.map((problem) => [problem.row, problem.column, problem.value])).toEqual([
      [2, 'Amount', '1E02'],
      [3, 'CloseDate', '2024-31-01'],
      [4, 'EndDate', '2023-12-31'],
      [5, 'StageName', 'Closed/Won'],
      [7, 'Id', '006E'],
      [8, 'ContractTerm', 'twelve'],
    ]);
    expect(problems[0]?.message).toMatch(/is not a valid amount/);
    expect(problems[1]?.message).toMatch(/is not a valid date/);
    expect(problems[2]?.message).toMatch(/is before the start date 2024-01-20/);
    expect(problems[3]?.message).toMatch(/reads like a won stage; .*--won-stage "Closed\/Won"/);
    expect(problems[4]?.message).toMatch(/is a line id already used on row 6/);
    expect(problems[5]?.message).toMatch(/is not a valid term in months/);
  });
});
