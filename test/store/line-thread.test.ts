/**
 * A contract-line file read on a thread of its own must give the import exactly what reading it
 * on the import's thread gives. That means the same problems in the same order, the same rejected
 * rows, the same outcome and the same stored records, read back in any order. Each case runs
 * both ways on fresh workspaces.
 */
import { afterEach, describe, expect, test } from 'vitest';

import { ImportError, type ReadOptions } from '../../src/ingest/index.js';
import { importFiles, type FileInput } from '../../src/service/import.js';
import { lineThreadCandidate, lineThreadSettings } from '../../src/store/line-thread.js';
import { Workspace } from '../../src/store/workspace.js';
import { DRIVERS, fileInput, openLocation, sortDataset, type TestLocation } from './databases.js';

const input = fileInput;

const HEADER =
  'line_id,account_id,account_name,product,kind,amount,billing_period,currency,start_date,end_date,renews,owner,segment,region';

/** Rows with one problem of each kind among good rows, plus an exact repeat of a good row. */
const BAD_ROWS = [
  'L1,A1,Acme,Platform,recurring,1200.00,month,USD,2024-01-01,2024-12-31,,Dana,Growth,EMEA',
  'L2,A2,Bolt,Platform,recurring,600.50,fortnight,USD,2024-03-01,,,Lee,Nurture,AMER',
  'L3,A3,Cask,Platform,recurring,12O0.00,month,USD,2024-01-01,,,Lee,Nurture,AMER',
  'L4,A4,Dune,Platform,recurring,100.00,month,USD,2024-02-30,,,Lee,Nurture,AMER',
  'L5,A5,Edge,Platform,recurring,100.00,month,USD,2024-05-01,2024-04-01,,Lee,Nurture,AMER',
  'L6,A6,Fern,Platform,recurring,100.00,month,CHF,2024-05-01,,,Lee,Nurture,AMER',
  'L1,A1,Acme,Platform,recurring,1300.00,month,USD,2024-01-01,2024-12-31,,Dana,Growth,EMEA',
  'L1,A1,Acme,Platform,recurring,1200.00,month,USD,2024-01-01,2024-12-31,,Dana,Growth,EMEA',
  'L7,A1,Acme Ltd,Platform,recurring,50.00,month,EUR,2024-01-01,,,Dana,Growth,EMEA',
  'L8,A8,Gale,Platform,recurring,70.00,month,USD,2024-01-01,,,Dana\u0000x,Growth,EMEA',
  'L9,A9,Hive,Platform,one-time,70.00,term,CHF,2024-01-01,2024-01-01,,Dana,Growth,EMEA',
  'L10,A10,Iris,Platform,recurring,70.00,year,EUR,2024-01-01,,,,,',
];

const FX = 'currency,rate,from_date,to_date,kind\nEUR,1.0800,2024-01-01,,plan\n';
const ACCOUNTS = 'account_id,account_name,parent_id\nA1,Acme,\nA10,Iris,A1\n';

function lineFile(rows: readonly string[]): string {
  return [HEADER, ...rows].join('\n') + '\n';
}

/** Many good rows, so that the batches and COPY chunks of a real import come into play. */
function manyRows(count: number, changeEvery = 0): string[] {
  return Array.from({ length: count }, (_, index) => {
    const amount = changeEvery > 0 && index % changeEvery === 0 ? '99.00' : '10.00';
    const account = `B${index % 997}`;
    return `M${index},${account},Name ${account},Seats,recurring,${amount},month,EUR,2024-01-01,,,Owner ${index % 7},Growth,EMEA`;
  });
}

/** Writes a stored dataset as text, one line per record, with exact decimals written out. */
function datasetText(dataset: unknown): string[] {
  return Object.entries(dataset as Record<string, unknown[]>).flatMap(([list, items]) =>
    items.map(
      (item) =>
        `${list} ${JSON.stringify(item, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value))}`,
    ),
  );
}

interface Run {
  readonly error?: { readonly name: string; readonly message: string; readonly problems?: unknown };
  readonly outcomes?: unknown;
  readonly rejected?: unknown;
  readonly counts: Record<string, number>;
  readonly dataset: unknown;
}

describe.each(DRIVERS)('a line file read on its own thread, %s driver', (driver) => {
  const opened: { location: TestLocation; workspace: Workspace }[] = [];
  const defaults = { ...lineThreadSettings };

  afterEach(async () => {
    lineThreadSettings.minBytes = defaults.minBytes;
    lineThreadSettings.drivers = defaults.drivers;
    lineThreadSettings.chunksAhead = defaults.chunksAhead;
    for (const { location, workspace } of opened.splice(0)) {
      await workspace.close();
      await location.drop();
    }
  });

  /** Runs the imports in order on a fresh workspace, with or without line threads. */
  async function runImports(
    onThread: boolean,
    imports: readonly { files: FileInput[]; options: ReadOptions }[],
  ): Promise<Run[]> {
    lineThreadSettings.minBytes = onThread ? 0 : Number.MAX_SAFE_INTEGER;
    lineThreadSettings.drivers = ['embedded', 'server'];
    // One chunk ahead, so that the thread waits for the import to take each chunk.
    lineThreadSettings.chunksAhead = 1;
    const location = await openLocation(driver);
    const workspace = await Workspace.open(location.location);
    opened.push({ location, workspace });
    const runs: Run[] = [];
    for (const { files, options } of imports) {
      const used = lineThreadSettings.used;
      try {
        const run = await importFiles(workspace, files, options);
        runs.push({
          // Import ids and times differ between workspaces; everything else must not.
          outcomes: run.outcomes.map(({ importId: _id, ...outcome }) => outcome),
          rejected: run.rejected,
          counts: await workspace.counts(),
          dataset: sortDataset(await workspace.loadDataset()),
        });
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        runs.push({
          error: {
            name: error.name,
            message: error.message,
            ...(error instanceof ImportError && { problems: error.problems }),
          },
          counts: await workspace.counts(),
          dataset: sortDataset(await workspace.loadDataset()),
        });
      }
      if (!onThread) expect(lineThreadSettings.used).toBe(used);
    }
    return runs;
  }

  async function expectSameBothWays(
    imports: readonly { files: FileInput[]; options: ReadOptions }[],
  ): Promise<Run[]> {
    const threadsBefore = lineThreadSettings.used;
    const onThread = await runImports(true, imports);
    const threadsUsed = lineThreadSettings.used - threadsBefore;
    const inImport = await runImports(false, imports);
    // Part by part, so that a failure names the part; records as text, which also shows them.
    expect(onThread.map((run) => run.error)).toEqual(inImport.map((run) => run.error));
    expect(onThread.map((run) => run.outcomes)).toEqual(inImport.map((run) => run.outcomes));
    expect(onThread.map((run) => run.rejected)).toEqual(inImport.map((run) => run.rejected));
    expect(onThread.map((run) => run.counts)).toEqual(inImport.map((run) => run.counts));
    expect(onThread.map((run) => datasetText(run.dataset))).toEqual(
      inImport.map((run) => datasetText(run.dataset)),
    );
    return Object.assign(onThread, { threadsUsed });
  }

  test('bad rows of each kind give the same problems in the same order', async () => {
    const runs = await expectSameBothWays([
      {
        files: [input('fx.csv', FX), input('lines.csv', lineFile(BAD_ROWS))],
        options: { preset: 'canonical' },
      },
    ]);
    expect((runs as unknown as { threadsUsed: number }).threadsUsed).toBe(1);
    const problems = (runs[0]?.error?.problems ?? []) as { row: number; column: string }[];
    // Rows 3 to 8 are the billing period, amount, date, end before start, CHF and reused id.
    // Row 10 gives A1 another name and row 11 has a NUL. Row 9 repeats row 2 exactly, so it is
    // kept once.
    expect(problems.map((problem) => problem.row)).toEqual([3, 4, 5, 6, 7, 8, 10, 11]);
    expect(runs[0]?.counts['contract_lines']).toBe(0);
  });

  test('skip-invalid stores the same rows and rejects the same ones', async () => {
    const runs = await expectSameBothWays([
      {
        files: [
          input('fx.csv', FX),
          input('accounts.csv', ACCOUNTS),
          input('lines.csv', lineFile([...BAD_ROWS, ...manyRows(50_500)])),
        ],
        options: { preset: 'canonical', skipInvalid: true },
      },
    ]);
    // 12 rows above, one an exact repeat and seven left out (row 10 keeps its line and loses
    // only its second name for A1), plus 50,500 good rows: enough for the bulk load that drops
    // and rebuilds the table's keys.
    expect(runs[0]?.counts['contract_lines']).toBe(12 - 1 - 7 + 50_500);
    expect(runs[0]?.rejected).toHaveLength(8);
    expect(runs[0]?.error).toBeUndefined();
  });

  test('a corrected file gives the same changes, and conflicting sources the same error', async () => {
    // More lines than one COPY chunk holds, so that the changes span chunks.
    const first = manyRows(25_000);
    const corrected = manyRows(25_000, 1_000).slice(0, 24_000);
    await expectSameBothWays([
      {
        files: [input('fx.csv', FX), input('lines.csv', lineFile(first))],
        options: { preset: 'canonical' },
      },
      { files: [input('lines.csv', lineFile(corrected))], options: { preset: 'canonical' } },
      {
        // The same ids from another source: equal content is shared, other content conflicts.
        files: [input('copy.csv', lineFile(manyRows(25_000, 10_000)))],
        options: { preset: 'canonical' },
      },
      {
        files: [input('again.csv', lineFile(corrected.slice(1_000)))],
        options: { preset: 'canonical' },
      },
    ]);
  });

  test('second line file the first line hides', async () => {
    // The second file repeats M1 with other content. Its first column's name is longer than the
    // part of the file read to find contract-line files, so only the reader sees its line_id.
    const hidden = [`${'x'.repeat(70_000)},${HEADER}`, `,${BAD_ROWS[0]?.replace('L1', 'M1')}`];
    const runs = await expectSameBothWays([
      {
        files: [
          input('fx.csv', FX),
          input('lines.csv', lineFile(manyRows(100))),
          input('more.csv', hidden.join('\n') + '\n'),
        ],
        options: { preset: 'canonical' },
      },
    ]);
    expect(runs[0]?.error?.message).toContain('already used in lines.csv');
  });

  test('header names match ignoring case', () => {
    lineThreadSettings.minBytes = 0;
    lineThreadSettings.drivers = ['server'];
    const upper = {
      fileName: 'more.csv',
      data: Buffer.from(lineFile([]).replace('line_id', ' LINE_ID')),
    };
    const lower = { fileName: 'lines.csv', data: Buffer.from(lineFile([])) };
    expect(lineThreadCandidate([upper], { preset: 'canonical' }, 'server')).toBe(0);
    expect(lineThreadCandidate([lower, upper], { preset: 'canonical' }, 'server')).toBeUndefined();
  });

  test('header problem falls back to the usual reading', async () => {
    const noAmount = lineFile(BAD_ROWS).replace(',amount,', ',amount_usd,');
    const runs = await expectSameBothWays([
      { files: [input('lines.csv', noAmount)], options: { preset: 'canonical' } },
    ]);
    expect(runs[0]?.error?.message).toContain('amount');
  });

  test('only one large canonical contract-line file is read on its own thread', () => {
    lineThreadSettings.minBytes = 100;
    lineThreadSettings.drivers = ['server'];
    const big = { fileName: 'lines.csv', data: Buffer.from(lineFile(manyRows(10))) };
    const small = { fileName: 'small.csv', data: Buffer.from(lineFile(manyRows(1)).slice(0, 99)) };
    const fx = { fileName: 'fx.csv', data: Buffer.from(FX) };
    expect(lineThreadCandidate([fx, big], { preset: 'canonical' }, 'server')).toBe(1);
    expect(lineThreadCandidate([fx, big], { preset: 'canonical' }, 'embedded')).toBeUndefined();
    expect(lineThreadCandidate([big, small], { preset: 'canonical' }, 'server')).toBeUndefined();
    expect(lineThreadCandidate([big, big], { preset: 'canonical' }, 'server')).toBeUndefined();
    expect(lineThreadCandidate([small], { preset: 'canonical' }, 'server')).toBeUndefined();
    expect(
      lineThreadCandidate([big], { preset: 'subscription-periods' }, 'server'),
    ).toBeUndefined();
    const renamed = Buffer.from(lineFile(manyRows(10)).replace('line_id', 'ref'));
    expect(
      lineThreadCandidate(
        [{ fileName: 'l.csv', data: renamed }],
        {
          preset: 'canonical',
          columns: { line: 'ref' },
        },
        'server',
      ),
    ).toBe(0);
  });
});
