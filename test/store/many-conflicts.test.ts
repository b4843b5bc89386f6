/**
 * An import whose lines conflict by the hundred thousand with another source's must fail with
 * the usual list of problems. On a server the file is large enough to be read on a line thread.
 */
import { afterEach, describe, expect, test } from 'vitest';

import { ImportError, MAX_PROBLEMS } from '../../src/ingest/index.js';
import { importFiles } from '../../src/service/import.js';
import { Workspace } from '../../src/store/workspace.js';
import { DRIVERS, fileInput, openLocation, type TestLocation } from './databases.js';

const HEADER = 'line_id,account_id,product,kind,amount,billing_period,currency,start_date';

/** More conflicts than a call can take as spread arguments. */
const LINES = 200_000;

function lineFile(amount: string): string {
  const rows = Array.from(
    { length: LINES },
    (_, index) => `M${index},B${index % 997},Seats,recurring,${amount},month,USD,2024-01-01`,
  );
  return [HEADER, ...rows].join('\n') + '\n';
}

describe.each(DRIVERS)('many conflicting lines, %s driver', (driver) => {
  const opened: { location: TestLocation; workspace: Workspace }[] = [];

  afterEach(async () => {
    for (const { location, workspace } of opened.splice(0)) {
      await workspace.close();
      await location.drop();
    }
  });

  test('fail with the problems listed', async () => {
    const location = await openLocation(driver);
    const workspace = await Workspace.open(location.location);
    opened.push({ location, workspace });
    await importFiles(workspace, [fileInput('a.csv', lineFile('10.00'))], { preset: 'canonical' });
    const before = await workspace.counts();
    const error: unknown = await importFiles(workspace, [fileInput('b.csv', lineFile('11.00'))], {
      preset: 'canonical',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportError);
    const failure = error as ImportError;
    // Every line of b.csv has an id that a.csv stores with another amount: 200,000 problems,
    // of which the first MAX_PROBLEMS are kept.
    expect(failure.problems).toHaveLength(MAX_PROBLEMS);
    expect(failure.problems.length + failure.omittedProblems).toBe(LINES);
    expect(failure.problems[0]).toMatchObject({ file: 'b.csv', row: 2, value: 'M0' });
    expect(await workspace.counts()).toEqual(before);
  });
});
