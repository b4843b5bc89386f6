import { describe, expect, test } from 'vitest';

import { OPEN_END, dayFromCivil, type Day } from '../../src/core/dates.js';
import type { ContractLine } from '../../src/core/model.js';
import { generateCompany } from '../../src/generate/index.js';

const START = dayFromCivil(2023, 1, 1);
const END = dayFromCivil(2026, 1, 1);
const dataset = generateCompany();

function groupByAccount<T extends { readonly accountId: string }>(
  rows: readonly T[],
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.accountId);
    if (group === undefined) groups.set(row.accountId, [row]);
    else group.push(row);
  }
  return groups;
}

const linesById = new Map(dataset.lines.map((line) => [line.id, line]));
const linesByAccount = groupByAccount(dataset.lines);
const recurring = dataset.lines.filter((line) => line.kind === 'recurring');

/** Renewing lines with the line they renew. */
const renewals = dataset.lines.flatMap((line) => {
  const renewed = line.renews === undefined ? undefined : linesById.get(line.renews);
  return renewed === undefined ? [] : [{ line, renewed }];
});

/** The exclusive end of each line once a renewal takes over from it. */
const effectiveEnd = new Map<string, Day>();
for (const line of dataset.lines) effectiveEnd.set(line.id, line.end ?? OPEN_END);
for (const { line, renewed } of renewals) {
  effectiveEnd.set(renewed.id, Math.min(effectiveEnd.get(renewed.id) ?? OPEN_END, line.start));
}

/** Returns the line's yearly value in minor units, spreading a term price over its days. */
function annualMinor(line: ContractLine): number {
  const amount = Number(line.amount.coefficient);
  const { unit, count } = line.period;
  if (unit === 'month') return (amount * 12) / count;
  if (unit === 'year') return amount / count;
  if (unit === 'week') return (amount * 52) / count;
  return (amount * 365) / ((line.end ?? OPEN_END) - line.start);
}

function usdPerUnit(currency: string, day: Day): number {
  if (currency === 'USD') return 1;
  const rate = dataset.fxRates.find(
    (fx) => fx.currency === currency && fx.from <= day && (fx.to === null || day < fx.to),
  );
  if (rate === undefined) throw new Error(`no plan rate for ${currency} on day ${day}`);
  return Number(rate.rate.coefficient) / 10 ** rate.rate.scale;
}

/** ARR in USD per account on `day`, counting recurring lines until a renewal takes over. */
function arrByAccount(day: Day): Map<string, number> {
  const arr = new Map<string, number>();
  for (const line of recurring) {
    if (line.start > day || day >= (effectiveEnd.get(line.id) ?? OPEN_END)) continue;
    const usd = (annualMinor(line) / 100) * usdPerUnit(line.currency, day);
    arr.set(line.accountId, (arr.get(line.accountId) ?? 0) + usd);
  }
  return arr;
}

function segmentOn(accountId: string, day: Day): string | undefined {
  return dataset.segments.find(
    (span) =>
      span.accountId === accountId && span.from <= day && (span.to === null || day < span.to),
  )?.segment;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('generateCompany determinism', () => {
  test('same seed gives identical data', () => {
    expect(generateCompany({ seed: 7, accounts: 400 })).toStrictEqual(
      generateCompany({ seed: 7, accounts: 400 }),
    );
  });

  test('defaults are seed 42, 3000 accounts, 2023-2025', () => {
    expect(generateCompany({ seed: 42, accounts: 3000, startYear: 2023, years: 3 })).toStrictEqual(
      dataset,
    );
  });

  test('different seed gives different data', () => {
    const other = generateCompany({ seed: 43, accounts: 400 });
    const same = generateCompany({ seed: 42, accounts: 400 });
    expect(other.lines).not.toEqual(same.lines);
    expect(other.accounts.map((a) => a.name)).not.toEqual(same.accounts.map((a) => a.name));
  });

  test('account lines do not depend on account count', () => {
    const small = generateCompany({ accounts: 300 });
    const large = generateCompany({ accounts: 600 });
    expect(large.lines.slice(0, small.lines.length)).toStrictEqual(small.lines);
    expect(large.accounts.slice(0, 300)).toStrictEqual(small.accounts);
  });

  test('options outside their range are rejected', () => {
    expect(() => generateCompany({ accounts: 0 })).toThrow(/accounts must be a positive integer/);
    expect(() => generateCompany({ years: 1.5 })).toThrow(/years must be a positive integer/);
    expect(() => generateCompany({ seed: Number.NaN })).toThrow(/seed must be an integer/);
  });

  test('startYear and years set the date range', () => {
    const small = generateCompany({ accounts: 300, startYear: 2019, years: 2 });
    const end = dayFromCivil(2021, 1, 1);
    expect(small.lines.every((line) => (line.signed ?? 0) < end)).toBe(true);
    expect(small.lines.some((line) => line.start >= dayFromCivil(2020, 6, 1))).toBe(true);
    const years = new Set(small.fxRates.map((rate) => rate.from));
    expect(years.has(dayFromCivil(2016, 1, 1))).toBe(true);
    expect(years.has(dayFromCivil(2021, 1, 1))).toBe(true);
  });
});

describe('generateCompany referential integrity', () => {
  test('ids are unique', () => {
    expect(linesById.size).toBe(dataset.lines.length);
    expect(new Set(dataset.accounts.map((a) => a.id)).size).toBe(dataset.accounts.length);
  });

  test('every line belongs to an account', () => {
    const accountIds = new Set(dataset.accounts.map((a) => a.id));
    expect(dataset.lines.filter((line) => !accountIds.has(line.accountId))).toEqual([]);
    expect(dataset.segments.filter((s) => !accountIds.has(s.accountId))).toEqual([]);
    expect(dataset.assignments.filter((a) => !accountIds.has(a.accountId))).toEqual([]);
  });

  test('every account has lines, a segment and a CSM', () => {
    const segmented = new Set(dataset.segments.map((s) => s.accountId));
    const assigned = new Set(dataset.assignments.map((a) => a.accountId));
    for (const account of dataset.accounts) {
      expect(linesByAccount.has(account.id)).toBe(true);
      expect(segmented.has(account.id)).toBe(true);
      expect(assigned.has(account.id)).toBe(true);
    }
  });

  test('renewed lines exist in the same account', () => {
    const linked = dataset.lines.filter((line) => line.renews !== undefined);
    expect(linked.length).toBe(renewals.length);
    for (const { line, renewed } of renewals) {
      expect(renewed.accountId).toBe(line.accountId);
      expect(renewed.product).toBe(line.product);
      expect(renewed.start).toBeLessThan(line.start);
    }
  });

  test('no line is renewed twice', () => {
    const renewedIds = renewals.map(({ renewed }) => renewed.id);
    expect(new Set(renewedIds).size).toBe(renewedIds.length);
  });

  test('parents exist and form no cycles', () => {
    const parentOf = new Map(dataset.accounts.map((a) => [a.id, a.parentId]));
    for (const account of dataset.accounts) {
      const seen = new Set<string>([account.id]);
      let parent = account.parentId;
      while (parent !== undefined) {
        expect(parentOf.has(parent)).toBe(true);
        expect(seen.has(parent)).toBe(false);
        seen.add(parent);
        parent = parentOf.get(parent);
      }
    }
  });

  test('segment spans and assignments are contiguous', () => {
    for (const rows of [groupByAccount(dataset.segments), groupByAccount(dataset.assignments)]) {
      for (const spans of rows.values()) {
        for (let i = 1; i < spans.length; i++) {
          expect(spans[i]?.from).toBe(spans[i - 1]?.to);
        }
        expect(spans.at(-1)?.to).toBeNull();
        expect(spans.every((span) => span.to === null || span.from < span.to)).toBe(true);
      }
    }
  });

  test('plan rates cover every foreign line', () => {
    const foreign = dataset.lines.filter((line) => line.currency !== 'USD');
    expect(foreign.length).toBeGreaterThan(0);
    for (const line of foreign) expect(() => usdPerUnit(line.currency, line.start)).not.toThrow();
  });

  test('plan rates change a little each year', () => {
    for (const currency of ['EUR', 'GBP']) {
      const rates = dataset.fxRates
        .filter((rate) => rate.currency === currency)
        .map((rate) => Number(rate.rate.coefficient) / 10 ** rate.rate.scale);
      expect(rates.length).toBe(7);
      for (let i = 1; i < rates.length; i++) {
        const change = Math.abs((rates[i] ?? 0) / (rates[i - 1] ?? 1) - 1);
        expect(change).toBeLessThanOrEqual(0.041);
      }
      expect(new Set(rates).size).toBeGreaterThan(1);
    }
    expect(dataset.fxRates.every((rate) => rate.kind === 'plan')).toBe(true);
  });
});

describe('generateCompany lines', () => {
  test('every line starts before it ends', () => {
    expect(dataset.lines.filter((line) => line.end !== null && line.start >= line.end)).toEqual([]);
  });

  test('nothing is signed after the data ends', () => {
    expect(dataset.lines.filter((line) => line.signed === undefined || line.signed >= END)).toEqual(
      [],
    );
  });

  test('amounts are positive whole cents', () => {
    for (const line of dataset.lines) {
      expect(line.amount.scale).toBe(2);
      expect(line.amount.coefficient > 0n).toBe(true);
    }
  });

  test('open-ended lines are monthly recurring', () => {
    const open = dataset.lines.filter((line) => line.end === null);
    expect(open.length).toBeGreaterThan(100);
    for (const line of open) {
      expect(line.kind).toBe('recurring');
      expect(line.period).toEqual({ unit: 'month', count: 1 });
    }
  });

  test('one-time lines are setup fees', () => {
    const oneTime = dataset.lines.filter((line) => line.kind === 'one-time');
    expect(new Set(oneTime.map((line) => line.product))).toEqual(
      new Set(['Implementation', 'Onboarding setup']),
    );
    expect(oneTime.every((line) => line.period.unit === 'term' && line.end !== null)).toBe(true);
  });

  test('only seat lines carry a quantity', () => {
    for (const line of dataset.lines) {
      if (line.product === 'Seats add-on') {
        expect(Number.isInteger(line.quantity)).toBe(true);
        expect(line.quantity).toBeGreaterThan(0);
      } else {
        expect(line.quantity).toBeUndefined();
      }
    }
  });

  test('all products and billing periods occur', () => {
    expect(new Set(recurring.map((line) => line.product))).toEqual(
      new Set(['Platform', 'Analytics', 'Automation', 'Premium Support', 'Seats add-on']),
    );
    const periods = new Set(recurring.map((line) => `${line.period.count} ${line.period.unit}`));
    for (const period of ['1 month', '3 month', '1 year', '2 year', '3 year', '1 term']) {
      expect(periods).toContain(period);
    }
  });

  test('line ids are prefixed by their account', () => {
    for (const line of dataset.lines) {
      expect(line.id.startsWith(`${line.accountId}-L`)).toBe(true);
      expect(line.contractId?.startsWith(`${line.accountId}-C`)).toBe(true);
    }
  });
});

describe('generateCompany renewals and changes', () => {
  test('renewals start early, on time and late', () => {
    const timing = { early: 0, onTime: 0, late: 0, backDated: 0 };
    for (const { line, renewed } of renewals) {
      if (renewed.end === null) continue;
      // A mid-term replacement ends with the line it replaces, while a renewal runs past it.
      if (line.start < renewed.end && line.end !== renewed.end) timing.early++;
      else if (line.start < renewed.end) continue;
      else if (line.start === renewed.end) {
        timing.onTime++;
        if ((line.signed ?? 0) >= renewed.end + 10) timing.backDated++;
      } else {
        timing.late++;
        expect(line.start - renewed.end).toBeLessThanOrEqual(90);
      }
    }
    expect(timing.early).toBeGreaterThan(20);
    expect(timing.onTime).toBeGreaterThan(timing.early);
    expect(timing.late).toBeGreaterThan(20);
    expect(timing.backDated).toBeGreaterThan(10);
  });

  test('ramps step up within one contract', () => {
    const ramps = [...groupByAccount(recurring).values()].filter((lines) => {
      const platform = lines.filter((line) => line.product === 'Platform');
      return platform.some((line, i) => {
        const next = platform[i + 1];
        return (
          next !== undefined &&
          next.contractId === line.contractId &&
          next.start === line.end &&
          next.amount.coefficient > line.amount.coefficient
        );
      });
    });
    expect(ramps.length).toBeGreaterThan(10);
  });

  test('add-ons are co-termed with the contract', () => {
    let coTermed = 0;
    for (const lines of linesByAccount.values()) {
      for (const line of lines) {
        if (line.kind !== 'recurring' || line.renews !== undefined) continue;
        const base = lines.find(
          (other) =>
            other.contractId !== line.contractId &&
            other.start < line.start &&
            other.end === line.end &&
            other.kind === 'recurring',
        );
        if (base !== undefined) coTermed++;
      }
    }
    expect(coTermed).toBeGreaterThan(50);
  });

  test('mid-term add-ons can replace a line', () => {
    const replacements = renewals.filter(
      ({ line, renewed }) =>
        renewed.end !== null &&
        line.end === renewed.end &&
        line.amount.coefficient * BigInt(renewed.period.count) !==
          renewed.amount.coefficient * BigInt(line.period.count),
    );
    expect(replacements.length).toBeGreaterThan(20);
  });

  test('renewals carry uplifts and downgrades', () => {
    let uplifts = 0;
    let downgrades = 0;
    for (const { line, renewed } of renewals) {
      const change = annualMinor(line) / annualMinor(renewed) - 1;
      if (change >= 0.03 && change <= 0.1) uplifts++;
      if (change <= -0.1) downgrades++;
    }
    expect(uplifts).toBeGreaterThan(100);
    expect(downgrades).toBeGreaterThan(30);
  });

  test('some churned accounts come back', () => {
    let reactivated = 0;
    for (const lines of groupByAccount(recurring).values()) {
      const sorted = [...lines].sort((a, b) => a.start - b.start);
      let coveredUntil = Number.NEGATIVE_INFINITY;
      for (const line of sorted) {
        if (coveredUntil > Number.NEGATIVE_INFINITY && line.start > coveredUntil + 90) {
          expect(line.renews).toBeUndefined();
          reactivated++;
          break;
        }
        coveredUntil = Math.max(coveredUntil, effectiveEnd.get(line.id) ?? OPEN_END);
      }
    }
    expect(reactivated).toBeGreaterThan(10);
  });

  test('new logos arrive every month', () => {
    const firstStart = new Map<string, Day>();
    for (const line of recurring) {
      firstStart.set(
        line.accountId,
        Math.min(firstStart.get(line.accountId) ?? OPEN_END, line.start),
      );
    }
    const months = new Set<number>();
    for (const start of firstStart.values()) {
      if (start >= START) months.add(Math.floor(((start - START) / (END - START)) * 36));
    }
    expect(months.size).toBe(36);
  });
});

describe('generateCompany plausible mix', () => {
  test('segments hold few large and many small', () => {
    const current = dataset.segments.filter((span) => span.to === null);
    const count = (segment: string) => current.filter((s) => s.segment === segment).length;
    expect(count('High Touch')).toBeGreaterThan(dataset.accounts.length * 0.03);
    expect(count('Growth')).toBeGreaterThan(count('High Touch'));
    expect(count('Nurture')).toBeGreaterThan(count('Growth'));
  });

  test('segment matches ARR band', () => {
    const day = dayFromCivil(2025, 1, 1);
    const arr = arrByAccount(day);
    const bySegment = new Map<string, number[]>();
    for (const [accountId, usd] of arr) {
      const segment = segmentOn(accountId, day) ?? 'none';
      bySegment.set(segment, [...(bySegment.get(segment) ?? []), usd]);
    }
    expect(median(bySegment.get('High Touch') ?? [])).toBeGreaterThan(50_000);
    expect(median(bySegment.get('Growth') ?? [])).toBeGreaterThan(10_000);
    expect(median(bySegment.get('Growth') ?? [])).toBeLessThan(50_000);
    expect(median(bySegment.get('Nurture') ?? [])).toBeLessThan(10_000);
  });

  test('some accounts move segment', () => {
    const moves = dataset.segments.filter((span) => span.from > START);
    expect(moves.length).toBeGreaterThan(10);
    const upToHighTouch = moves.filter(
      (span) =>
        span.segment === 'High Touch' && segmentOn(span.accountId, span.from - 1) === 'Growth',
    );
    expect(upToHighTouch.length).toBeGreaterThan(0);
  });

  test('regions have their sub-regions', () => {
    const pairs = new Set(dataset.segments.map((s) => `${s.region}/${s.subRegion}`));
    expect(pairs).toEqual(
      new Set([
        'AMER/North America',
        'AMER/LATAM',
        'EMEA/UK&I',
        'EMEA/DACH',
        'EMEA/Nordics',
        'EMEA/Southern Europe',
        'APAC/ANZ',
        'APAC/Japan',
        'APAC/SEA',
      ]),
    );
  });

  test('a few dozen CSMs own small and large books', () => {
    const people = new Set(dataset.assignments.map((a) => a.person));
    expect(people.size).toBeGreaterThanOrEqual(24);
    expect(people.size).toBeLessThanOrEqual(60);
    expect(dataset.assignments.every((a) => a.role === 'CSM')).toBe(true);
    const bookSizes = new Map<string, Map<string, number>>();
    for (const assignment of dataset.assignments) {
      if (assignment.to !== null) continue;
      const segment = segmentOn(assignment.accountId, END - 1) ?? 'none';
      const books = bookSizes.get(segment) ?? new Map<string, number>();
      books.set(assignment.person, (books.get(assignment.person) ?? 0) + 1);
      bookSizes.set(segment, books);
    }
    const medianBook = (segment: string) => median([...(bookSizes.get(segment)?.values() ?? [])]);
    expect(medianBook('High Touch')).toBeLessThan(medianBook('Growth'));
    expect(medianBook('Growth')).toBeLessThan(medianBook('Nurture'));
  });

  test('books change hands mid-history', () => {
    const segmentChanges = new Set(dataset.segments.map((s) => `${s.accountId}@${s.from}`));
    let handovers = 0;
    for (const assignments of groupByAccount(dataset.assignments).values()) {
      for (let i = 1; i < assignments.length; i++) {
        const current = assignments[i];
        if (current === undefined) continue;
        expect(current.person).not.toBe(assignments[i - 1]?.person);
        if (!segmentChanges.has(`${current.accountId}@${current.from}`)) handovers++;
      }
    }
    expect(handovers).toBeGreaterThan(100);
  });

  test('about 5% of accounts have a parent', () => {
    const children = dataset.accounts.filter((a) => a.parentId !== undefined).length;
    expect(children / dataset.accounts.length).toBeGreaterThan(0.03);
    expect(children / dataset.accounts.length).toBeLessThan(0.07);
  });

  test('most accounts pay in USD', () => {
    const share = (currency: string) =>
      dataset.accounts.filter((a) => a.currency === currency).length / dataset.accounts.length;
    expect(share('USD')).toBeGreaterThan(0.6);
    expect(share('EUR')).toBeGreaterThan(0.05);
    expect(share('GBP')).toBeGreaterThan(0.05);
    expect(share('USD') + share('EUR') + share('GBP')).toBe(1);
  });

  test('monthly subscriptions are mostly Nurture', () => {
    const open = dataset.lines.filter((line) => line.end === null);
    const nurture = open.filter((line) => segmentOn(line.accountId, line.start) === 'Nurture');
    expect(nurture.length / open.length).toBeGreaterThan(0.7);
  });

  test('yearly retention looks like B2B SaaS', () => {
    for (const year of [2023, 2024]) {
      const before = arrByAccount(dayFromCivil(year, 1, 1));
      const after = arrByAccount(dayFromCivil(year + 1, 1, 1));
      let base = 0;
      let retained = 0;
      let net = 0;
      let churned = 0;
      for (const [accountId, usd] of before) {
        const later = after.get(accountId) ?? 0;
        base += usd;
        retained += Math.min(usd, later);
        net += later;
        if (later === 0) churned += usd;
      }
      expect(churned / base).toBeGreaterThan(0.05);
      expect(churned / base).toBeLessThan(0.18);
      expect(retained / base).toBeGreaterThan(0.8);
      expect(retained / base).toBeLessThan(0.95);
      expect(net / base).toBeGreaterThan(0.9);
      expect(net / base).toBeLessThan(1.2);
    }
  });

  test('Nurture loses more logos than High Touch', () => {
    const start = dayFromCivil(2024, 1, 1);
    const before = arrByAccount(start);
    const after = arrByAccount(dayFromCivil(2025, 1, 1));
    const lostShare = (segment: string) => {
      const ids = [...before.keys()].filter((id) => segmentOn(id, start) === segment);
      return ids.filter((id) => !after.has(id)).length / ids.length;
    };
    expect(lostShare('Nurture')).toBeGreaterThan(lostShare('High Touch'));
  });

  test('ARR grows over the years', () => {
    const total = (day: Day) => [...arrByAccount(day).values()].reduce((a, b) => a + b, 0);
    expect(total(END - 1)).toBeGreaterThan(total(START));
  });
});
