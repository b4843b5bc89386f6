import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, expect, test } from 'vitest';

import { generateCompany, writeCanonicalCsv } from '../../src/generate/index.js';
import { readFiles } from '../../src/ingest/index.js';

const folder = mkdtempSync(join(tmpdir(), 'nrr-roundtrip-'));

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Drops the fields an importer adds: where a record came from and how its kind was decided. */
function withoutImportFields(record: object): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...record };
  delete copy.source;
  delete copy.kindSource;
  return copy;
}

test('canonical import reads the CSV back unchanged', async () => {
  const dataset = generateCompany({ accounts: 1000 });
  const { files } = writeCanonicalCsv(dataset, folder);
  const read = (await readFiles(files, { preset: 'canonical' })).dataset;
  expect(read.lines.map(withoutImportFields)).toEqual(dataset.lines);
  expect(read.accounts.map(withoutImportFields)).toEqual(dataset.accounts);
  expect(read.assignments.map(withoutImportFields)).toEqual(dataset.assignments);
  expect(read.segments.map(withoutImportFields)).toEqual(dataset.segments);
  expect(read.fxRates.map(withoutImportFields)).toEqual(dataset.fxRates);
});
