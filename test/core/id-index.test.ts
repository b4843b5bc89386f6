import fc from 'fast-check';
import { expect, test } from 'vitest';
import { IdIndex } from '../../src/core/id-index.js';

test('id index numbers ids like a map', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 400 }), (ids) => {
      const index = new IdIndex();
      const expected = new Map<string, number>();
      for (const id of ids) {
        if (!expected.has(id)) expected.set(id, expected.size);
        expect(index.add(id)).toBe(expected.get(id));
      }
      expect(index.size).toBe(expected.size);
      for (const [id, number] of expected) {
        expect(index.find(id)).toBe(number);
        expect(index.idOf(number)).toBe(id);
      }
    }),
  );
});

test('id index finds ids after growing', () => {
  const index = new IdIndex();
  for (let n = 0; n < 100_000; n++) index.add(`A${n}`);
  expect(index.size).toBe(100_000);
  expect(index.find('A0')).toBe(0);
  expect(index.find('A99999')).toBe(99_999);
  expect(index.find('A100000')).toBe(-1);
  expect(index.find('')).toBe(-1);
});

test('id index tries a guessed number first', () => {
  const index = new IdIndex();
  for (const id of ['A', 'B', 'C']) index.add(id);
  expect(index.findFrom('B', 1)).toBe(1);
  // A wrong or missing guess falls back to the hash table.
  expect(index.findFrom('B', 2)).toBe(1);
  expect(index.findFrom('C', 3)).toBe(2);
  expect(index.findFrom('C', -1)).toBe(2);
  expect(index.findFrom('D', 0)).toBe(-1);
});
