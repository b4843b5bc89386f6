import { describe, expect, test } from 'vitest';

import { Random, WeightedTable } from '../../src/generate/random.js';
import { PersonNames, companyBaseName } from '../../src/generate/vocabulary.js';

function draw(random: Random, count: number): number[] {
  return Array.from({ length: count }, () => random.nextUint32());
}

describe('Random', () => {
  test('same seed and stream repeat', () => {
    expect(draw(new Random(42, 3), 100)).toEqual(draw(new Random(42, 3), 100));
  });

  test('streams and seeds differ', () => {
    const base = draw(new Random(42, 3), 20);
    expect(draw(new Random(42, 4), 20)).not.toEqual(base);
    expect(draw(new Random(43, 3), 20)).not.toEqual(base);
  });

  test('next stays in [0, 1)', () => {
    const random = new Random(1);
    for (let i = 0; i < 10_000; i++) {
      const value = random.next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  test('int covers both bounds', () => {
    const random = new Random(2);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(random.int(3, 7));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  test('uniform draws have mean near one half', () => {
    const random = new Random(5);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += random.next();
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });

  test('normal draws have mean 0 and sd 1', () => {
    const random = new Random(6);
    const values = Array.from({ length: 50_000 }, () => random.normal());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.sqrt(variance)).toBeCloseTo(1, 1);
  });
});

describe('WeightedTable', () => {
  test('samples in proportion to weights', () => {
    const table = new WeightedTable([
      ['a', 1],
      ['b', 3],
    ]);
    const random = new Random(7);
    let b = 0;
    for (let i = 0; i < 40_000; i++) if (table.sample(random) === 'b') b++;
    expect(b / 40_000).toBeCloseTo(0.75, 1);
  });

  test('rejects empty and non-positive weights', () => {
    expect(() => new WeightedTable([])).toThrow(RangeError);
    expect(() => new WeightedTable([['a', 0]])).toThrow(RangeError);
  });
});

describe('names', () => {
  test('person names never repeat', () => {
    const names = new PersonNames(new Random(8));
    const generated = Array.from({ length: 10_000 }, () => names.next());
    expect(new Set(generated).size).toBe(generated.length);
  });

  test('first 4096 person names have no initial', () => {
    const names = new PersonNames(new Random(9));
    const generated = Array.from({ length: 4096 }, () => names.next());
    expect(generated.filter((name) => name.split(' ').length !== 2)).toEqual([]);
    expect(names.next()).toMatch(/^\S+ [A-Z]\. \S+$/);
  });

  test('company names repeat per seed', () => {
    const first = Array.from({ length: 50 }, (_, i) => companyBaseName(new Random(10, i)));
    const second = Array.from({ length: 50 }, (_, i) => companyBaseName(new Random(10, i)));
    expect(second).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(45);
  });
});
