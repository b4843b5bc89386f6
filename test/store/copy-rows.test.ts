import { describe, expect, test } from 'vitest';
import { CopyRows } from '../../src/store/copy-rows.js';
import { parseCopyCsv, StoreError } from '../../src/store/driver.js';

function written(write: (out: CopyRows) => void): string {
  const out = new CopyRows();
  write(out);
  return out.take().toString('utf8');
}

describe('CopyRows', () => {
  test('quotes text and doubles quotes', () => {
    const text = written((out) => {
      out.quoted('O\'Brien, "Ltd"\nline', 'name');
      out.comma();
      out.comma();
      out.quoted('', 'name');
      out.endRow();
    });
    expect(text).toBe('"O\'Brien, ""Ltd""\nline",,""\n');
    expect(parseCopyCsv(text, 3)).toEqual([['O\'Brien, "Ltd"\nline', null, '']]);
  });

  test('writes text outside ASCII as UTF-8', () => {
    const value = 'a"🚀 "שלום" 東京';
    const text = written((out) => {
      out.quoted(value, 'name');
      out.comma();
      out.plain('"é"');
      out.endRow();
    });
    expect(parseCopyCsv(text, 2)).toEqual([[value, 'é']]);
  });

  test('grows past its first buffer', () => {
    const long = 'x'.repeat(3 << 20);
    const out = new CopyRows();
    out.quoted(long, 'name');
    out.endRow();
    out.plain('1');
    out.endRow();
    expect(out.rows).toBe(2);
    expect(out.take().toString('utf8')).toBe(`"${long}"\n1\n`);
    expect(out.rows).toBe(0);
    expect(out.take().length).toBe(0);
  });

  test('rejects a NUL character', () => {
    expect(() => written((out) => out.quoted('a\u0000b', 'product'))).toThrow(StoreError);
    expect(() => written((out) => out.quoted('é\u0000', 'product'))).toThrow(/product/);
  });
});
