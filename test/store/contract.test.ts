/**
 * The storage contract: every driver (the embedded database always, a PostgreSQL server when
 * DATABASE_URL is set) must pass the same tests, on a workspace of the test's own.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { dayFromCivil, DEFAULT_DEFINITIONS, report } from '../../src/core/index.js';
import type { ScenarioChoice } from '../../src/core/scenarios.js';
import { applyDefinitionChanges } from '../../src/core/definitions.js';
import { ImportError, type ReadOptions } from '../../src/ingest/index.js';
import { importFiles } from '../../src/service/import.js';
import { lineThreadSettings } from '../../src/store/line-thread.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { Workspace } from '../../src/store/workspace.js';
import {
  DRIVERS,
  fileInput,
  embeddedLocation,
  openLocation,
  sortDataset,
  type TestLocation,
} from './databases.js';

const CANONICAL: ReadOptions = { preset: 'canonical' };

const input = fileInput;

const LINE_HEADER =
  'line_id,account_id,product,kind,amount,billing_period,currency,start_date,end_date,renews,owner,segment,region';

const lines = (...rows: string[]) => [LINE_HEADER, ...rows].join('\n') + '\n';

const HOSTILE = [
  '<script>alert(1)</script>',
  '=HYPERLINK("http://127.0.0.1/x","click")',
  '+SUM(A1:A9)',
  '-1E02',
  '@cmd',
  'Robert"); DROP TABLE contract_lines;--',
  'O\'Brien, "Ltd"\nsecond line',
  '🚀 Rocket 👩‍👩‍👧',
  'שלום עולם مرحبا',
  '東京株式会社',
  '../../etc/passwd',
  'x'.repeat(20_000),
];

const BASE = lines(
  'L1,A1,Platform,recurring,1200.00,month,USD,2024-01-01,2024-12-31,,Dana,Growth,EMEA',
  'L2,A2,Platform,recurring,600.50,month,EUR,2024-03-01,,,Lee,Nurture,AMER',
  'L3,A1,Platform,recurring,1300.00,month,USD,2025-01-01,2025-12-31,L1,Dana,Growth,EMEA',
);

const FX = 'currency,rate,from_date,to_date,kind\nEUR,1.0800,2024-01-01,,plan\n';

async function figures(workspace: Workspace) {
  const dataset = await workspace.loadDataset();
  return report(dataset, DEFAULT_DEFINITIONS, dayFromCivil(2025, 6, 30), 'csm');
}

/**
 * Each driver runs every test twice: with contract-line files read on the import's own thread,
 * and with every file that can be read on a thread of its own read there, however small.
 */
const CASES = DRIVERS.flatMap((driver) =>
  (['its own thread', 'a line thread'] as const).map((reading) => ({ driver, reading })),
);

describe.each(CASES)(
  'workspace on the $driver driver, lines read on $reading',
  ({ driver, reading }) => {
    let location: TestLocation;
    let workspace: Workspace;
    const defaults = { ...lineThreadSettings };
    let threadsBefore = 0;

    beforeEach(async () => {
      const onThread = reading === 'a line thread';
      lineThreadSettings.minBytes = onThread ? 0 : Number.MAX_SAFE_INTEGER;
      lineThreadSettings.drivers = onThread ? ['embedded', 'server'] : [];
      threadsBefore = lineThreadSettings.used;
      location = await openLocation(driver);
      workspace = await Workspace.open(location.location);
    });

    afterEach(async () => {
      lineThreadSettings.minBytes = defaults.minBytes;
      lineThreadSettings.drivers = defaults.drivers;
      await workspace.close();
      await location.drop();
    });

    test('contract-line files are read on a line thread only in that mode', async () => {
      await importFiles(workspace, [input('fx.csv', FX), input('lines.csv', BASE)], CANONICAL);
      expect(lineThreadSettings.used - threadsBefore).toBe(reading === 'a line thread' ? 1 : 0);
    });

    test('applies every migration once, and again on reopen changes nothing', async () => {
      if (driver === 'embedded') {
        // A folder with no database yet, so that opening it creates and migrates one.
        await workspace.close();
        await location.drop();
        location = embeddedLocation({ fresh: true });
        workspace = await Workspace.open(location.location);
      }
      const applied = await workspace.db.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(applied.map((row) => row.version)).toEqual(MIGRATIONS.map((item) => item.version));
      await workspace.close();
      workspace = await Workspace.open(location.location);
      const again = await workspace.db.query('SELECT version FROM schema_migrations');
      expect(again).toHaveLength(MIGRATIONS.length);
    });

    test('reads back exactly what the importers read, hostile text included', async () => {
      const hostileRows = HOSTILE.map(
        (text, index) =>
          `H${index},"${text.replaceAll('"', '""')}","${text.replaceAll('"', '""')}",recurring,10.0500,month,USD,2024-02-01,,,"${text.replaceAll('"', '""')}",Growth,"${text.replaceAll('"', '""')}"`,
      );
      const files = [
        input(
          'lines.csv',
          lines(...hostileRows, 'L9,A9,Seats,usage,0.125,year,EUR,2024-01-01,,,Kim,,'),
        ),
        input('fx.csv', FX),
        input(
          'accounts.csv',
          'account_id,account_name,parent_id,currency\nA9,"Ünïcödé ""quoted"", Ltd",,EUR\nH0,Child,A9,USD\n',
        ),
      ];
      const run = await importFiles(workspace, files, CANONICAL);
      expect(run.outcomes).toHaveLength(3);
      const stored = await workspace.loadDataset();
      const { readTexts } = await import('../../src/ingest/index.js');
      const expected = readTexts(
        files.map((file) => ({ text: file.data.toString('utf8'), fileName: file.path })),
        CANONICAL,
      ).dataset;
      expect(sortDataset(stored)).toEqual(sortDataset(expected));
      const hostile = stored.lines.filter((line) => line.id.startsWith('H'));
      expect(hostile.map((line) => line.accountId).sort()).toEqual([...HOSTILE].sort());
    });

    test('importing the same file twice stores each line once and keeps the figures', async () => {
      await importFiles(workspace, [input('lines.csv', BASE), input('fx.csv', FX)], CANONICAL);
      const first = await figures(workspace);
      const again = await importFiles(
        workspace,
        [input('lines.csv', BASE), input('fx.csv', FX)],
        CANONICAL,
      );
      expect(again.outcomes).toEqual([]);
      expect(again.unchanged).toHaveLength(2);
      // The same bytes under another name: every line is already stored, identically.
      const copy = await importFiles(workspace, [input('copy.csv', BASE)], CANONICAL);
      expect(copy.outcomes[0]).toMatchObject({ added: 0, shared: 3 });
      expect((await workspace.counts())['contract_lines']).toBe(3);
      expect(await figures(workspace)).toEqual(first);
    });

    test('a corrected file replaces its earlier version and lists the change', async () => {
      await importFiles(workspace, [input('lines.csv', BASE), input('fx.csv', FX)], CANONICAL);
      const corrected = lines(
        'L1,A1,Platform,recurring,1200.00,month,USD,2024-01-01,2024-12-31,,Dana,Growth,EMEA',
        'L3,A1,Platform,recurring,1400.00,month,USD,2025-01-01,2025-12-31,L1,Dana,Growth,EMEA',
        'L4,A4,Platform,recurring,100.00,month,USD,2025-02-01,,,Kim,Growth,EMEA',
      );
      const run = await importFiles(workspace, [input('lines.csv', corrected)], CANONICAL);
      expect(run.outcomes[0]).toMatchObject({
        replaced: true,
        added: 1,
        changed: 1,
        removed: 1,
        unchanged: 1,
        changes: { added: ['L4'], changed: ['L3'], removed: ['L2'] },
      });
      const stored = await workspace.loadDataset();
      expect(stored.lines.map((line) => line.id).sort()).toEqual(['L1', 'L3', 'L4']);
      const records = await workspace.imports();
      expect(records.map((record) => [record.source, record.current])).toEqual([
        ['lines.csv', false],
        ['fx.csv', true],
        ['lines.csv', true],
      ]);
    });

    test('a failed import leaves every table as it was', async () => {
      await importFiles(workspace, [input('lines.csv', BASE), input('fx.csv', FX)], CANONICAL);
      const before = await workspace.counts();
      const beforeData = sortDataset(await workspace.loadDataset());
      // L1 stored from lines.csv with other content, and a currency with no FX rate.
      const bad = lines(
        'L1,A1,Platform,recurring,999.00,month,USD,2024-01-01,2024-12-31,,Dana,Growth,EMEA',
        'L7,A7,Platform,recurring,50.00,month,JPY,2024-01-01,,,Dana,Growth,EMEA',
      );
      await expect(importFiles(workspace, [input('other.csv', bad)], CANONICAL)).rejects.toThrow(
        ImportError,
      );
      const conflict = lines(
        'L1,A1,Platform,recurring,999.00,month,USD,2024-01-01,2024-12-31,,Dana,Growth,EMEA',
      );
      const error = await importFiles(workspace, [input('other.csv', conflict)], CANONICAL).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ImportError);
      expect((error as ImportError).problems).toEqual([
        expect.objectContaining({ file: 'other.csv', row: 2, column: 'line_id', value: 'L1' }),
      ]);
      expect((error as ImportError).problems[0]?.message).toContain(
        'already stored from lines.csv',
      );
      expect(await workspace.counts()).toEqual(before);
      expect(sortDataset(await workspace.loadDataset())).toEqual(beforeData);
    });

    test('a currency without an FX rate fails, or is rejected with skip-invalid', async () => {
      const text = lines(
        'L1,A1,Platform,recurring,100.00,month,USD,2024-01-01,,,Dana,Growth,EMEA',
        'L2,A2,Platform,recurring,100.00,month,CHF,2024-01-01,,,Dana,Growth,EMEA',
      );
      const error = await importFiles(workspace, [input('lines.csv', text)], CANONICAL).catch(
        (caught: unknown) => caught,
      );
      expect((error as ImportError).problems).toEqual([
        expect.objectContaining({ row: 3, column: 'currency', value: 'CHF' }),
      ]);
      expect((await workspace.counts())['contract_lines']).toBe(0);
      const run = await importFiles(workspace, [input('lines.csv', text)], {
        ...CANONICAL,
        skipInvalid: true,
      });
      expect(run.rejected).toHaveLength(1);
      // One line, with its owner and segment; the rejected line's owner and segment are left out.
      expect(run.outcomes[0]).toMatchObject({ added: 1, records: 3, rejected: 1 });
      expect((await workspace.loadDataset()).lines.map((line) => line.id)).toEqual(['L1']);
    });

    test('a line file does not take over the accounts file', async () => {
      const accounts =
        'account_id,account_name,parent_id,currency\nHQ,Holding,,USD\nSUB,Subsidiary,HQ,USD\n';
      const header =
        'line_id,account_id,account_name,amount,billing_period,currency,start_date,end_date';
      const first = `${header}\nH1,HQ,Holding,1000,month,USD,2024-01-01,2024-12-31\nS1,SUB,Subsidiary,1000,month,USD,2025-01-01,\n`;
      await importFiles(
        workspace,
        [input('accounts.csv', accounts), input('lines.csv', first)],
        CANONICAL,
      );
      const second = `${first}H9,HQ,Holding,1,month,USD,2025-06-01,2025-06-30\n`;
      await importFiles(
        workspace,
        [input('accounts.csv', accounts), input('lines.csv', second)],
        CANONICAL,
      );
      const stored = await workspace.loadDataset();
      expect(stored.accounts.find((account) => account.id === 'SUB')).toMatchObject({
        name: 'Subsidiary',
        parentId: 'HQ',
      });
      // SUB nets into HQ, so HQ's line ending and SUB's starting is no churn: 12,000 of ARR on
      // 2025-06-30 from S1 (1,000 × 12) plus H9 (1 × 12), against 12,000 a year earlier.
      const figures = report(stored, DEFAULT_DEFINITIONS, dayFromCivil(2025, 6, 30));
      expect(figures.bridge.churn).toBe(0);
    });

    test('the same bytes with other options are imported again', async () => {
      const text =
        'line_id,account_id,amount,billing_period,start_date,end_date\nO1,OA,100,month,2024-01-01,2025-06-30\n';
      await importFiles(
        workspace,
        [input('fx.csv', 'currency,rate,from_date,to_date,kind\nEUR,2.00,2020-01-01,,plan\n')],
        CANONICAL,
      );
      await importFiles(workspace, [input('opt.csv', text)], { ...CANONICAL, currency: 'USD' });
      const again = await importFiles(workspace, [input('opt.csv', text)], {
        ...CANONICAL,
        currency: 'EUR',
      });
      expect(again.unchanged).toEqual([]);
      expect(again.outcomes[0]).toMatchObject({ changed: 1 });
      expect((await workspace.loadDataset()).lines[0]?.currency).toBe('EUR');
    });

    test('a line shared by two files stays when one of them drops it', async () => {
      await importFiles(workspace, [input('a.csv', BASE), input('fx.csv', FX)], CANONICAL);
      const copy = await importFiles(workspace, [input('b.csv', BASE)], CANONICAL);
      expect(copy.outcomes[0]).toMatchObject({ shared: 3 });
      const emptied = lines(
        'L9,A9,Platform,recurring,10.00,month,USD,2024-01-01,,,Kim,Growth,EMEA',
      );
      await importFiles(workspace, [input('a.csv', emptied)], CANONICAL);
      const ids = (await workspace.loadDataset()).lines.map((line) => line.id).sort();
      expect(ids).toEqual(['L1', 'L2', 'L3', 'L9']);
      // Changing a shared line in one file contradicts the other.
      const changed = lines(
        'L1,A1,Platform,recurring,5.00,month,USD,2024-01-01,2024-12-31,,Dana,Growth,EMEA',
      );
      await expect(importFiles(workspace, [input('a.csv', changed)], CANONICAL)).rejects.toThrow(
        /already stored from b\.csv/,
      );
    });

    test('account names stored under their file', async () => {
      const named = (name: string) =>
        [
          'line_id,account_id,account_name,product,kind,amount,billing_period,currency,start_date',
          `N1,A1,${name},Platform,recurring,100.00,month,USD,2024-01-01`,
          `N2,A1,${name},Support,recurring,50.00,month,USD,2024-01-01`,
        ].join('\n') + '\n';
      const first = await importFiles(
        workspace,
        [input('fx.csv', FX), input('named.csv', named('Acme'))],
        CANONICAL,
      );
      // fx.csv stores its one rate. named.csv stores two lines and the one account it names.
      expect(first.outcomes.map((outcome) => outcome.records)).toEqual([1, 2 + 1]);
      // A new version of the file renames the account: its earlier name goes with it.
      await importFiles(workspace, [input('named.csv', named('Acme Renamed'))], CANONICAL);
      const stored = await workspace.loadDataset();
      expect(stored.accounts.find((account) => account.id === 'A1')?.name).toBe('Acme Renamed');
    });

    test('a name two files give is stored once', async () => {
      const run = await importFiles(
        workspace,
        [
          input('accounts.csv', 'account_id,account_name,parent_id\nA1,Acme,\n'),
          input(
            'named.csv',
            'line_id,account_id,account_name,product,kind,amount,billing_period,currency,start_date\n' +
              'N1,A1,Acme,Platform,recurring,100.00,month,USD,2024-01-01\n',
          ),
        ],
        CANONICAL,
      );
      // accounts.csv gives the name first and stores the account; named.csv stores its line.
      expect(run.outcomes.map((outcome) => outcome.records)).toEqual([1, 1]);
      expect((await workspace.counts())['accounts']).toBe(1);
    });

    test('name conflict names row and column', async () => {
      await importFiles(
        workspace,
        [input('accounts.csv', 'account_id,account_name,parent_id\nA1,Acme,\n')],
        CANONICAL,
      );
      const renamed = [
        'line_id,account_id,account_name,product,kind,amount,billing_period,currency,start_date',
        'N1,A1,Acme,Platform,recurring,100.00,month,USD,2024-01-01',
        'N2,A1,Acme,Support,recurring,50.00,month,USD,2024-01-01',
      ];
      const error: unknown = await importFiles(
        workspace,
        [input('named.csv', renamed.join('\n').replaceAll(',Acme,', ',Acme Ltd,') + '\n')],
        CANONICAL,
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImportError);
      // The name is given on row 2 first; later rows repeat it and are not listed again.
      expect((error as ImportError).problems).toMatchObject([
        { file: 'named.csv', row: 2, column: 'account_name', value: 'Acme Ltd' },
      ]);
      expect((error as ImportError).message).toContain('accounts.csv gives "Acme"');
    });

    test('shared owner read from its first row', async () => {
      const twoLines = lines(
        'L1,A1,Platform,recurring,1200.00,month,USD,2024-01-01,2024-12-31,,Dana,Growth,EMEA',
        'L4,A1,Support,recurring,100.00,month,USD,2024-01-01,2024-12-31,,Dana,Growth,EMEA',
      );
      await importFiles(workspace, [input('a.csv', twoLines)], CANONICAL);
      await importFiles(workspace, [input('b.csv', twoLines)], CANONICAL);
      // Rewrites the owners table with the rows of each import in reverse order, as deleting
      // rows and reusing their space can, without changing what it holds.
      await workspace.db.query(
        `WITH held AS (DELETE FROM assignments RETURNING *)
         INSERT INTO assignments SELECT * FROM held ORDER BY import_id, source_row DESC`,
      );
      const stored = await workspace.loadDataset();
      // Rows 2 and 3 of a.csv, then of b.csv, each make Dana A1's owner from 2024-01-01. The
      // copy read is a.csv's, from the earlier import, and its row 2.
      expect(stored.assignments.map((assignment) => assignment.source)).toEqual([
        { file: 'a.csv', row: 2 },
      ]);
    });

    test('imports that would break later reports are rejected whole', async () => {
      await importFiles(workspace, [input('lines.csv', BASE), input('fx.csv', FX)], CANONICAL);
      const before = await workspace.counts();
      // Replacing the FX file without EUR would leave L2 without a rate.
      await expect(
        importFiles(
          workspace,
          [input('fx.csv', 'currency,rate,from_date,to_date,kind\nGBP,1.27,2024-01-01,,plan\n')],
          CANONICAL,
        ),
      ).rejects.toThrow(/lines in EUR would have no FX rate/);
      // A second EUR plan rate overlapping the first.
      await expect(
        importFiles(
          workspace,
          [
            input(
              'fx2.csv',
              'currency,rate,from_date,to_date,kind\nEUR,2.00,2024-06-01,2025-12-31,plan\n',
            ),
          ],
          CANONICAL,
        ),
      ).rejects.toThrow(/plan FX rates for EUR overlap/);
      // Parents that loop across two accounts files.
      await importFiles(
        workspace,
        [input('acc1.csv', 'account_id,account_name,parent_id\nP1,One,P2\n')],
        CANONICAL,
      );
      await expect(
        importFiles(
          workspace,
          [input('acc2.csv', 'account_id,account_name,parent_id\nP2,Two,P1\n')],
          CANONICAL,
        ),
      ).rejects.toThrow(/cycle P\w → P\w → P\w/);
      expect((await workspace.counts())['contract_lines']).toBe(before['contract_lines']);
      // A reporting currency that no stored rate converts to cannot become current.
      const version = await workspace.saveDefinitions(
        applyDefinitionChanges(DEFAULT_DEFINITIONS, { reportingCurrency: 'JPY' }),
        'tester',
      );
      await expect(workspace.setCurrentDefinitions(version)).rejects.toThrow(
        /JPY as the reporting currency, lines in USD have no FX rate/,
      );
    });

    test('bulk load restores keys and indexes', async () => {
      const schema = () =>
        workspace.db.query<{ name: string; definition: string }>(
          `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
         WHERE conrelid IN ('contract_lines'::regclass, 'assignments'::regclass)
         UNION ALL SELECT indexname, indexdef FROM pg_indexes
         WHERE tablename IN ('contract_lines', 'assignments')
         ORDER BY name, definition`,
        );
      const before = await schema();
      // More rows than an import loads with the keys and indexes in place.
      const rows: string[] = [];
      for (let index = 0; index < 60_000; index++) {
        rows.push(
          `B${index},A${index % 997},Platform,recurring,10.00,month,USD,2024-01-01,,,Dana,Growth,EMEA`,
        );
      }
      const run = await importFiles(
        workspace,
        [input('bulk.csv', lines(...rows)), input('fx.csv', FX)],
        CANONICAL,
      );
      expect(run.outcomes[0]).toMatchObject({ added: 60_000 });
      expect(await schema()).toEqual(before);
      const counts = await workspace.counts();
      expect(counts['contract_lines']).toBe(60_000);
      expect(counts['assignments']).toBe(60_000);
      // The table spans enough pages to be read back in parts, by ranges of pages; each line
      // comes back once.
      const size = await workspace.db.query<{ pages: number }>(
        `SELECT (pg_relation_size('contract_lines') / 8192)::integer AS pages`,
      );
      expect(size[0]?.pages).toBeGreaterThanOrEqual(512);
      const dataset = await workspace.loadDataset();
      expect(dataset.lines).toHaveLength(60_000);
      expect(new Set(dataset.lines.map((line) => line.id)).size).toBe(60_000);
      // More lines than are stored, so a bulk load again. The rate overlapping the stored one
      // fails the workspace check after the lines are loaded, which rolls the dropped keys and
      // indexes back with them.
      rows.push('B60000,A1,Platform,recurring,10.00,month,USD,2024-01-01,,,Dana,Growth,EMEA');
      const overlapping = 'currency,rate,from_date,to_date,kind\nEUR,2.00,2024-06-01,,plan\n';
      await expect(
        importFiles(
          workspace,
          [
            input('bulk2.csv', lines(...rows.map((row) => `X${row}`))),
            input('fx2.csv', overlapping),
          ],
          CANONICAL,
        ),
      ).rejects.toThrow(/plan FX rates for EUR overlap/);
      expect(await schema()).toEqual(before);
      expect(await workspace.counts()).toEqual(counts);
    });

    test('line id repeated across import files', async () => {
      const other = lines(
        'L1,A1,Platform,recurring,999.00,month,USD,2024-01-01,2024-12-31,,Dana,Growth,EMEA',
      );
      const error = await importFiles(
        workspace,
        [input('lines.csv', BASE), input('other.csv', other), input('fx.csv', FX)],
        CANONICAL,
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImportError);
      expect((error as ImportError).problems).toEqual([
        expect.objectContaining({ file: 'other.csv', row: 2, column: 'line_id', value: 'L1' }),
      ]);
      expect((error as ImportError).problems[0]?.message).toContain(
        'already used in lines.csv row 2',
      );
      expect((await workspace.counts())['imports']).toBe(0);
    });

    test('a NUL character is a row problem naming its column', async () => {
      const text = lines(
        'N1,A1,Pro\u0000duct,recurring,100,month,USD,2024-01-01,,,Dana,Growth,EMEA',
      );
      const error = await importFiles(workspace, [input('nul.csv', text)], CANONICAL).catch(
        (caught: unknown) => caught,
      );
      expect((error as ImportError).problems).toEqual([
        expect.objectContaining({ file: 'nul.csv', row: 2, column: 'product' }),
      ]);
    });

    test('concurrent COPY reads keep their rows', async () => {
      const { db } = workspace;
      const outside = db.copyOut("SELECT 'outside', generate_series(1, 50000)");
      const inside = db.transaction((tx) =>
        Promise.all([
          tx.copyOut("SELECT 'inside', generate_series(1, 3)"),
          tx.copyOut("SELECT 'second', 1"),
        ]),
      );
      const [many, [few, one]] = await Promise.all([outside, inside]);
      const rows = many.split('\n').filter((row) => row !== '');
      expect(rows).toHaveLength(50_000);
      expect(rows.every((row) => row.startsWith('outside,'))).toBe(true);
      expect(few).toBe('inside,1\ninside,2\ninside,3\n');
      expect(one).toBe('second,1\n');
      expect(await db.copyOut('SELECT 1 WHERE false')).toBe('');
    });

    test('definitions versions are stored once per content and one is current', async () => {
      expect(await workspace.currentDefinitions()).toEqual({
        version: null,
        definitions: DEFAULT_DEFINITIONS,
      });
      const first = await workspace.saveDefinitions(DEFAULT_DEFINITIONS, 'tester');
      const shorter = applyDefinitionChanges(DEFAULT_DEFINITIONS, { graceDays: 30 });
      const second = await workspace.saveDefinitions(shorter, 'tester');
      expect([first, second]).toEqual([1, 2]);
      expect(await workspace.saveDefinitions(shorter, 'someone else')).toBe(2);
      await workspace.setCurrentDefinitions(2);
      expect(await workspace.currentDefinitions()).toEqual({ version: 2, definitions: shorter });
      await expect(workspace.definitionsVersion(9)).rejects.toThrow(/stored versions: 1, 2/);
    });

    test('scenarios are stored by name, replaced and deleted', async () => {
      const choices: ScenarioChoice[] = [
        {
          account: 'A1',
          renewalDate: dayFromCivil(2026, 1, 1),
          outcome: 'uplift',
          basisPoints: 700,
        },
        {
          account: 'A2',
          renewalDate: dayFromCivil(2026, 3, 1),
          outcome: 'flat',
          effective: dayFromCivil(2026, 4, 15),
          termMonths: 24,
        },
        {
          account: 'N1',
          renewalDate: dayFromCivil(2026, 6, 1),
          outcome: 'downgrade',
          basisPoints: 250,
          lateDays: 45,
          termMonths: 36,
          addOn: 150_050,
          steps: [
            { month: 12, basisPoints: 800 },
            { month: 24, amount: 200_000 },
          ],
          synthetic: {
            name: 'Oak Street',
            csm: 'Kai',
            segment: 'SMB',
            region: 'EMEA',
            arr: 900_000,
          },
        },
      ];
      expect(await workspace.scenarios.save({ name: 'Q1 risks', choices }, 'tester')).toEqual({
        created: true,
      });
      const stored = await workspace.scenarios.get('Q1 risks');
      expect(stored.choices).toEqual(choices);
      expect(stored.createdBy).toBe('tester');
      expect(stored.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

      const replaced = [choices[0] as ScenarioChoice];
      expect(
        await workspace.scenarios.save({ name: 'Q1 risks', choices: replaced }, 'someone else'),
      ).toEqual({ created: false });
      const [listed] = await workspace.scenarios.list();
      expect(listed?.choices).toEqual(replaced);
      expect(listed?.createdBy).toBe('tester');
      expect(listed?.updatedBy).toBe('someone else');

      await workspace.scenarios.delete('Q1 risks');
      expect(await workspace.scenarios.list()).toEqual([]);
      await expect(workspace.scenarios.get('Q1 risks')).rejects.toThrow(
        'scenario "Q1 risks" is not stored in this workspace; none is stored yet',
      );
      await expect(workspace.scenarios.delete('Q1 risks')).rejects.toThrow(/is not stored/);
      await expect(workspace.scenarios.save({ name: ' ', choices }, 'tester')).rejects.toThrow(
        /scenario name " " is invalid/,
      );
    });

    test('a month closes once and keeps its figures', async () => {
      const version = await workspace.saveDefinitions(DEFAULT_DEFINITIONS, 'tester');
      const close = {
        month: '2025-06',
        asOf: '2025-06-30',
        definitionsVersion: version,
        figures: { nrr: 1.05 },
        accountArr: [{ account: 'A1', start: 100, end: 120 }],
        lastImportId: null,
        closedBy: 'tester',
      };
      await workspace.closeMonth(close);
      await expect(workspace.closeMonth(close)).rejects.toThrow(/2025-06 was closed/);
      const [stored] = await workspace.monthCloses();
      expect(stored).toMatchObject({ ...close, closedBy: 'tester' });
    });
  },
);
