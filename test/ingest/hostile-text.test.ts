import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import { readText, type ReadOptions } from '../../src/ingest/index.js';
import { csvText } from './support.js';

const CANONICAL: ReadOptions = { preset: 'canonical' };
const HEADER = [
  'line_id',
  'account_id',
  'account_name',
  'product',
  'owner',
  'segment',
  'amount',
  'billing_period',
  'currency',
  'start_date',
];

/** Reads one line whose text cells all hold `text` and returns what was stored for each. */
function roundTrip(text: string) {
  const csv = csvText([
    HEADER,
    [text, text, text, text, text, text, '1', 'month', 'USD', '2024-01-01'],
  ]);
  const { dataset } = readText(csv, 'hostile.csv', CANONICAL);
  return {
    lineId: dataset.lines[0]?.id,
    accountId: dataset.lines[0]?.accountId,
    accountName: dataset.accounts[0]?.name,
    product: dataset.lines[0]?.product,
    owner: dataset.assignments[0]?.person,
    segment: dataset.segments[0]?.segment,
  };
}

const HOSTILE_VALUES: [string, string][] = [
  ['markup', '<script>alert("x")</script><b>Acme</b> &amp; Co'],
  ['formula command', "=cmd|' /C calc'!A0"],
  ['formula sum', '=SUM(A1)'],
  ['leading plus and at', '+1-2 @SUM(A1:A2) -3'],
  ['emoji', 'Rocket 🚀 Family 👩‍👩‍👧 Flag 🇳🇿'],
  ['right-to-left', 'שלום עולם مرحبا \u202Etxt.exe'],
  ['CJK', '株式会社テスト 北京数据有限公司 한국어'],
  ['quotes commas and newlines', 'He said "hi", then\nleft;\r\nagain'],
  ['tabs inside', 'a\tb'],
  ['zero-width and combining', 'e\u0301\u200Bx\u200D'],
  ['backslashes and nul', 'C:\\path\\0 \u0000 end'],
  ['json-like', '{"__proto__":{"polluted":true}}'],
  ['prototype key', '__proto__'],
  ['100k characters', 'ab,"c'.repeat(20_000)],
];

describe('hostile text round-trips', () => {
  test.each(HOSTILE_VALUES)('%s', (_name, text) => {
    const stored = roundTrip(text);
    expect(stored.lineId).toBe(text);
    expect(stored.accountId).toBe(text);
    expect(stored.accountName).toBe(text);
    expect(stored.product).toBe(text);
    expect(stored.owner).toBe(text);
    expect(stored.segment).toBe(text);
  });

  test('outer whitespace is trimmed', () => {
    expect(roundTrip('  Acme Ltd \t').product).toBe('Acme Ltd');
  });

  test('arbitrary text without outer whitespace', () => {
    fc.assert(
      fc.property(
        fc
          .string({ unit: 'binary', minLength: 1, maxLength: 40 })
          .filter((text) => text.trim() === text && text !== ''),
        (text) => {
          const stored = roundTrip(text);
          expect(stored.product).toBe(text);
          expect(stored.accountName).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });
});
