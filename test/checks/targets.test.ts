/**
 * Targets: the file's row-level validation, and storing and listing on each driver.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { formatDecimal } from '../../src/core/money.js';
import {
  fiscalYearEnd,
  fiscalYearOfDay,
  fiscalYearStart,
  percentOf,
} from '../../src/core/targets.js';
import { formatDay, parseDecimal } from '../../src/core/index.js';
import { ImportError } from '../../src/ingest/index.js';
import { readTargetsText } from '../../src/ingest/targets.js';
import { listTargets, storeTargets } from '../../src/store/targets.js';
import { Workspace } from '../../src/store/workspace.js';
import { DRIVERS, openLocation, type TestLocation } from '../store/databases.js';
import { day } from '../core/build.js';

const HEADER = 'scope,book,fiscal_year,nrr_target,grr_target';

function problemsOf(text: string): string[] {
  try {
    readTargetsText(text, 'targets.csv');
  } catch (error) {
    if (error instanceof ImportError) {
      return error.problems.map((p) => `row ${p.row} ${p.column} "${p.value}": ${p.message}`);
    }
    throw error;
  }
  return [];
}

describe('targets file', () => {
  test('reads every scope', () => {
    const targets = readTargetsText(
      [
        HEADER,
        'company,,2026,105%,92',
        'CSM,Dana Reyes,2026,108.25,',
        'segment,Enterprise,2026,,95',
        'region,EMEA,2026,104,90',
        'sub-region,DACH,2026,103,88.5',
      ].join('\n'),
      'targets.csv',
    );
    expect(targets.map((t) => [t.scope, t.book, t.fiscalYear])).toEqual([
      ['company', '', 2026],
      ['csm', 'Dana Reyes', 2026],
      ['segment', 'Enterprise', 2026],
      ['region', 'EMEA', 2026],
      ['sub-region', 'DACH', 2026],
    ]);
    expect(targets.map((t) => (t.nrr === null ? null : formatDecimal(t.nrr)))).toEqual([
      '105',
      '108.25',
      null,
      '104',
      '103',
    ]);
    expect(targets.map((t) => (t.grr === null ? null : formatDecimal(t.grr)))).toEqual([
      '92',
      null,
      '95',
      '90',
      '88.5',
    ]);
  });

  test('names row, column and value of each bad cell', () => {
    const problems = problemsOf(
      [
        HEADER,
        'division,Alpha,2026,105,',
        'csm,,2026,105,',
        'company,Acme,2026,105,',
        'region,EMEA,26,105,',
        'region,AMER,2026,abc,',
        'region,APAC,2026,104,101',
        'region,LATAM,2026,0,',
        'segment,SMB,2026,,',
        'region,EMEA,2027,105,',
        'region,EMEA,2027,106,',
      ].join('\n'),
    );
    expect(problems).toEqual([
      'row 2 scope "division": is not a scope; use one of company, csm, segment, region, sub-region, team',
      'row 3 book "": value is missing; name the csm the target is for',
      'row 4 book "Acme": must be blank for the company scope',
      'row 5 fiscal_year "26": is not a fiscal year; write the calendar year in which the fiscal year ends, from 1900 to 2999',
      'row 6 nrr_target "abc": is not a percentage; write a percentage such as 105, 104.5 or 92%',
      'row 7 grr_target "101": is out of range; a target is above 0% and at most 100%',
      'row 8 nrr_target "0": is out of range; a target is above 0% and at most 1000%',
      'row 9 nrr_target "": value is missing; give an NRR target, a GRR target or both',
      'row 11  "": repeats the region "EMEA" target for fiscal year 2027 of row 10; keep one row per book and year',
    ]);
  });

  test('missing columns are reported on the header row', () => {
    expect(problemsOf('scope,book,nrr\ncompany,,105\n')).toEqual([
      'row 1 fiscal_year "": required column is missing: no header is named "fiscal_year"; the headers are "scope", "book", "nrr"; rename the header to "fiscal_year"',
      'row 1 nrr_target "": no header is named "nrr_target" or "grr_target"; a targets file needs one or both',
    ]);
  });
});

describe('fiscal year calendar', () => {
  test('a year starting in April ends in March', () => {
    // Fiscal year 2026 is named by the calendar year in which it ends.
    expect(formatDay(fiscalYearStart(2026, 4))).toBe('2025-04-01');
    expect(formatDay(fiscalYearEnd(2026, 4))).toBe('2026-03-31');
    expect(fiscalYearOfDay(day('2025-04-01'), 4)).toBe(2026);
    expect(fiscalYearOfDay(day('2025-03-31'), 4)).toBe(2025);
  });

  test('a calendar fiscal year', () => {
    expect(formatDay(fiscalYearStart(2025, 1))).toBe('2025-01-01');
    expect(formatDay(fiscalYearEnd(2025, 1))).toBe('2025-12-31');
  });

  test('percentOf rounds once', () => {
    // 105.5% of 1,000,001 cents = 1,055,001.055 → 1,055,001
    expect(percentOf(parseDecimal('105.5')!, 1_000_001, 'half-even')).toBe(1_055_001);
    // 50% of 3 cents = 1.5 → 2 (half-even rounds to the even 2)
    expect(percentOf(parseDecimal('50')!, 3, 'half-even')).toBe(2);
    // 50% of 5 cents = 2.5 → 2 half-even, 3 half-up
    expect(percentOf(parseDecimal('50')!, 5, 'half-even')).toBe(2);
    expect(percentOf(parseDecimal('50')!, 5, 'half-up')).toBe(3);
  });
});

describe.each(DRIVERS)('stored targets on the %s driver', (driver) => {
  let location: TestLocation;
  let workspace: Workspace;

  beforeEach(async () => {
    location = await openLocation(driver);
    workspace = await Workspace.open(location.location);
  });

  afterEach(async () => {
    await workspace.close();
    await location.drop();
  });

  test('a second import replaces the same book and year', async () => {
    const first = readTargetsText(
      [HEADER, 'company,,2026,105,92', 'csm,Dana,2026,108,'].join('\n'),
      'a.csv',
    );
    expect(await storeTargets(workspace.db, first, 'a.csv', 'tester')).toEqual({
      added: 2,
      replaced: 0,
    });
    const second = readTargetsText(
      [HEADER, 'csm,Dana,2026,110,94', 'csm,Dana,2027,111,'].join('\n'),
      'b.csv',
    );
    expect(await storeTargets(workspace.db, second, 'b.csv', 'tester')).toEqual({
      added: 1,
      replaced: 1,
    });
    const stored = await listTargets(workspace.db);
    expect(
      stored.map((t) => [
        t.fiscalYear,
        t.scope,
        t.book,
        t.nrr && formatDecimal(t.nrr),
        t.grr && formatDecimal(t.grr),
        t.source,
      ]),
    ).toEqual([
      [2026, 'company', '', '105', '92', 'a.csv'],
      [2026, 'csm', 'Dana', '110', '94', 'b.csv'],
      [2027, 'csm', 'Dana', '111', null, 'b.csv'],
    ]);
    expect((await listTargets(workspace.db, 2027)).length).toBe(1);
    expect(stored[0]?.importedBy).toBe('tester');
  });
});
