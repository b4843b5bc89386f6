/**
 * Team books and team targets on a hand-built company checked as of 2025-06-30, fiscal year 2025
 * from January (cohort day 2024-12-31). Teams: North is Ana and Ben, South is Cleo, and Dan is in
 * no team. Amounts are in dollars a year.
 */
import { describe, expect, test } from 'vitest';
import { analyse, DEFAULT_DEFINITIONS, parseDecimal } from '../../src/core/index.js';
import type { Decimal, Target } from '../../src/core/index.js';
import { teamBooks } from '../../src/core/books.js';
import { groupBridges } from '../../src/core/bridge.js';
import { runCheck } from '../../src/core/checks.js';
import { NO_TEAM, type TeamMember } from '../../src/core/teams.js';
import { dataset, day, line, units } from '../core/build.js';

function percent(text: string): Decimal {
  const value = parseDecimal(text);
  if (value === undefined) throw new Error(`bad percentage ${text}`);
  return value;
}

const data = dataset(
  [
    // P: 100,000 to 2025-12-31; Ana hands it to Ben, inside North, on 2025-03-01.
    line({ id: 'P1', account: 'P', amount: '100000', start: '2024-01-01', last: '2025-12-31' }),
    // Q: Ben's 50,000 ended on 2025-03-31 and churned when the 60-day grace window passed.
    line({ id: 'Q1', account: 'Q', amount: '50000', start: '2024-04-01', last: '2025-03-31' }),
    // R: Cleo's (South) 80,000 to 2025-09-30, moved to Ana (North) on 2025-04-01.
    line({ id: 'R1', account: 'R', amount: '80000', start: '2023-10-01', last: '2025-09-30' }),
    // S: Dan's 40,000; Dan is in no team.
    line({ id: 'S1', account: 'S', amount: '40000', start: '2024-01-01', last: '2025-12-31' }),
    // T: Ana's new logo of 2025, outside the cohort.
    line({ id: 'T1', account: 'T', amount: '30000', start: '2025-02-01', last: '2026-01-31' }),
  ],
  {
    assignments: [
      {
        accountId: 'P',
        role: 'CSM',
        person: 'Ana',
        from: day('2024-01-01'),
        to: day('2025-03-01'),
      },
      { accountId: 'P', role: 'CSM', person: 'Ben', from: day('2025-03-01'), to: null },
      { accountId: 'Q', role: 'CSM', person: 'Ben', from: day('2024-04-01'), to: null },
      {
        accountId: 'R',
        role: 'CSM',
        person: 'Cleo',
        from: day('2023-10-01'),
        to: day('2025-04-01'),
      },
      { accountId: 'R', role: 'CSM', person: 'Ana', from: day('2025-04-01'), to: null },
      { accountId: 'S', role: 'CSM', person: 'Dan', from: day('2024-01-01'), to: null },
      { accountId: 'T', role: 'CSM', person: 'Ana', from: day('2025-02-01'), to: null },
    ],
  },
);

const teams: TeamMember[] = [
  { person: 'Ana', team: 'North', manager: 'Mia' },
  { person: 'Ben', team: 'North', manager: 'Mia' },
  { person: 'Cleo', team: 'South', manager: 'Raj' },
  // Zed owns nothing, so West's book is empty.
  { person: 'Zed', team: 'West', manager: 'Lou' },
];

const targets: Target[] = [
  { scope: 'team', book: 'North', fiscalYear: 2025, nrr: percent('104'), grr: null },
  { scope: 'team', book: 'South', fiscalYear: 2025, nrr: percent('100'), grr: percent('95') },
  // A team no teams file names.
  { scope: 'team', book: 'East', fiscalYear: 2025, nrr: percent('100'), grr: null },
];

const analysis = analyse(data, DEFAULT_DEFINITIONS, day('2025-06-30'));
const result = runCheck(analysis, data, targets, [], {
  contractionThreshold: percent('20'),
  teams,
});

function teamBook(key: string) {
  const found = result.books.find((entry) => entry.scope === 'team' && entry.book === key);
  if (found === undefined) throw new Error(`no team book ${key}`);
  return found;
}

describe('team books', () => {
  const books = teamBooks(analysis, data, teams);
  const bridges = groupBridges(
    analysis,
    books.groups,
    analysis.windowStartSample,
    analysis.asOfSample,
  );
  const bridgeOf = (team: string) => {
    const code = books.codes.get(team);
    if (code === undefined) throw new Error(`no code for ${team}`);
    return bridges[code];
  };

  test('North is the union of Ana and Ben', () => {
    const north = bridgeOf('North');
    // On 2024-06-30: P 100,000 (Ana) + Q 50,000 (Ben) = 150,000
    expect(north?.start).toBe(units(150000));
    // P moved from Ana to Ben, both in North: no transfer. R came in from South: 80,000.
    expect(north?.transferIn).toBe(units(80000));
    expect(north?.transferOut).toBe(0);
    // Q churned: 50,000, as a positive amount like every outflow of the bridge; T is new: 30,000
    expect(north?.churn).toBe(units(50000));
    expect(north?.new).toBe(units(30000));
    // 150,000 − 50,000 + 80,000 + 30,000 = 210,000
    expect(north?.end).toBe(units(210000));
  });

  test('South loses R by transfer', () => {
    const south = bridgeOf('South');
    expect(south?.start).toBe(units(80000));
    expect(south?.transferOut).toBe(units(80000));
    expect(south?.end).toBe(0);
  });

  test('unlisted CSMs share one book', () => {
    // S 40,000 of Dan, who no team lists
    expect(bridgeOf(NO_TEAM)?.end).toBe(units(40000));
  });

  test('a team without accounts has a book', () => {
    expect(bridgeOf('West')?.end).toBe(0);
  });
});

describe('team targets in the check', () => {
  test('lists team books by name', () => {
    // (no team) has a cohort; East and North and South have targets; West has neither.
    expect(result.books.map((entry) => `${entry.scope} ${entry.book}`)).toEqual([
      'company ',
      `team ${NO_TEAM}`,
      'team East',
      'team North',
      'team South',
    ]);
    expect(result.unknownTargetBooks).toEqual(['team East']);
  });

  test('North is behind its glide path', () => {
    const north = teamBook('North');
    // FY cohort on 2024-12-31: P 100,000 (Ana) + Q 50,000 (Ben) = 150,000. R was South's then.
    expect(north.plan.base).toBe(units(150000));
    expect(north.plan.cohortAccounts).toBe(2);
    // At June: P 100,000 + Q 0 = 100,000; 100,000 ÷ 150,000 = 2/3
    expect(north.fiscalYearToDate.endArr).toBe(units(100000));
    expect(north.fiscalYearToDate.nrr).toBeCloseTo(2 / 3, 12);
    // GRR: min(100,000, 100,000) + min(0, 50,000) = 100,000
    expect(north.fiscalYearToDate.cappedArr).toBe(units(100000));
    // Calendar: Q 50,000 due in March, P 100,000 in December
    const due = Object.fromEntries(north.plan.calendar.map((month) => [month.month, month.due]));
    expect(due['2025-03']).toBe(units(50000));
    expect(due['2025-12']).toBe(units(100000));
    // Target 104% × 150,000 = 156,000; path at June: 150,000 + 6,000 × 50,000 ÷ 150,000 = 152,000
    expect(north.plan.nrr?.targetArr).toBe(units(156000));
    expect(north.plan.nrr?.expectedNow).toBe(units(152000));
    expect(north.plan.nrr?.path.at(-1)?.expected).toBe(units(156000));
    expect(north.behind).toBe(true);
    // Contracted on 2025-12-31: P 100,000; needed 156,000 − 100,000 = 56,000
    expect(north.plan.nrr?.projected).toBe(units(100000));
    expect(north.plan.nrr?.needed).toBe(units(56000));
  });

  test('North trailing figures merge its CSMs', () => {
    const north = teamBook('North');
    // Cohort on 2024-06-30: P 100,000 + Q 50,000; now P 100,000: 100,000 ÷ 150,000
    expect(north.trailing.startArr).toBe(units(150000));
    expect(north.trailing.endArr).toBe(units(100000));
  });

  test('South is on course', () => {
    const south = teamBook('South');
    // Cohort: R 80,000 in South on the cohort day, still 80,000 at June though now Ana's
    expect(south.plan.base).toBe(units(80000));
    expect(south.fiscalYearToDate.endArr).toBe(units(80000));
    // Nothing falls due before September, so the path is still 80,000
    expect(south.plan.nrr?.expectedNow).toBe(units(80000));
    expect(south.plan.grr?.expectedNow).toBe(units(80000));
    expect(south.behind).toBe(false);
    // R stops on 2025-09-30 with no renewal: 100% × 80,000 − 0 = 80,000 needed, saved by R
    expect(south.plan.nrr?.needed).toBe(units(80000));
    expect(south.plan.actions[0]).toMatchObject({
      kind: 'save-renewal',
      account: 'R',
      arr: units(80000),
      date: '2025-09-30',
    });
  });

  test('behind team raises an alert', () => {
    const alert = result.alerts.find((entry) => entry.kind === 'behind-target');
    expect(alert?.key).toBe('behind-target|2025-06|team|North');
    expect(alert?.scope).toBe('team');
    expect(alert?.message).toMatch(/^Team North is behind target at 2025-06-30: /);
    expect(result.alerts.filter((entry) => entry.kind === 'behind-target')).toHaveLength(1);
  });

  test('without teams every team book is empty', () => {
    const bare = runCheck(analysis, data, targets, [], { contractionThreshold: percent('20') });
    expect(bare.unknownTargetBooks).toEqual(['team East', 'team North', 'team South']);
    expect(bare.books.some((entry) => entry.behind)).toBe(false);
  });
});
