/**
 * The workspace commands run as a user runs them: `nrr import`, `imports`, `report` and `explain`
 * without files, `definitions --save`, `close` and `closes`, on each driver.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { DRIVERS, embeddedEnv, openLocation, type TestLocation } from '../store/databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist/src/cli/main.js');
const FIXTURES = path.join(ROOT, 'test/fixtures/canonical');
const canonical = ['lines.csv', 'accounts.csv', 'assignments.csv', 'segments.csv', 'fx-rates.csv'];
const scratch = mkdtempSync(path.join(tmpdir(), 'nrr-ws-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe.each(DRIVERS)('workspace commands on the %s driver', (driver) => {
  let location: TestLocation;

  beforeEach(async () => {
    location = await openLocation(driver);
  });

  afterEach(async () => {
    await location.drop();
  });

  function nrr(...args: string[]): Result {
    const result = spawnSync(process.execPath, [CLI, ...args, ...location.flags], {
      encoding: 'utf8',
      cwd: scratch,
      env: { ...location.env, NRR_USER: 'tester' },
      timeout: 120_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  function copyFixtures(folder: string): string[] {
    const target = path.join(scratch, folder);
    rmSync(target, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', target]);
    return canonical.map((file) => {
      const destination = path.join(target, file);
      writeFileSync(destination, readFileSync(path.join(FIXTURES, file)));
      return destination;
    });
  }

  function reportJson(...extra: string[]): Record<string, unknown> {
    const result = nrr('report', '--as-of', '2024-12-31', '--format', 'json', ...extra);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  test('the same files twice: identical figures, one stored copy, as reading the files', () => {
    const files = copyFixtures('twice');
    const first = nrr('import', ...files);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('import #5');
    const before = reportJson();
    const second = nrr('import', ...files);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(
      /lines\.csv: unchanged since import #\d of lines\.csv; nothing added/,
    );
    expect(reportJson()).toEqual(before);
    const listed = JSON.parse(nrr('imports', '--format', 'json').stdout) as {
      records: number;
    }[];
    expect(listed).toHaveLength(5);
    // The workspace gives the figures that reading the files gives.
    const fromFiles = JSON.parse(
      spawnSync(
        process.execPath,
        [CLI, 'report', ...files, '--as-of', '2024-12-31', '--format', 'json'],
        { encoding: 'utf8', cwd: scratch, env: embeddedEnv() },
      ).stdout,
    ) as Record<string, unknown>;
    delete fromFiles['sources'];
    expect({
      ...before,
      definitions: { name: 'nrr-standard', version: '1.0', changes: {} },
    }).toEqual(fromFiles);
    expect(before['definitions']).toEqual({
      name: 'nrr-standard',
      version: '1.0',
      changes: {},
      workspaceVersion: 1,
    });
    const explained = nrr('explain', '--account', 'A1', '--as-of', '2024-12-31');
    expect(explained.status).toBe(0);
    expect(explained.stdout).toContain('workspace version 1');
  });

  test('compare and renewals from the workspace', () => {
    const files = copyFixtures('compare');
    expect(nrr('import', ...files).status).toBe(0);
    for (const args of [
      ['compare', '--year', '2024', '--as-of', '2024-12-31', '--format', 'json'],
      [
        'renewals',
        '--from',
        '2024-01-01',
        '--to',
        '2025-12-31',
        '--as-of',
        '2024-12-31',
        '--format',
        'json',
      ],
    ]) {
      const stored = nrr(...args);
      expect(stored.stderr).toBe('');
      expect(stored.status).toBe(0);
      const fromFiles = nrr(...args, ...files);
      expect(fromFiles.status).toBe(0);
      const storedFigures = JSON.parse(stored.stdout) as Record<string, unknown>;
      const fileFigures = JSON.parse(fromFiles.stdout) as Record<string, unknown>;
      expect(storedFigures['definitions']).toMatchObject({ workspaceVersion: 1 });
      // the figures match; only the definitions' stored version and the file sources differ
      for (const figures of [storedFigures, fileFigures]) {
        delete figures['definitions'];
        delete figures['sources'];
      }
      expect(storedFigures).toEqual(fileFigures);
    }
  });

  test('scenarios are saved, run, listed and deleted', () => {
    const files = copyFixtures('scenario');
    expect(nrr('import', ...files).status).toBe(0);
    const choice = 'account=A1 date=2026-01-01 outcome=uplift bp=700';
    const saved = nrr('scenario', 'save', 'A1 uplift', '--choice', choice);
    expect(saved.stderr).toBe('');
    expect(saved.stdout).toContain('Stored scenario "A1 uplift" with 1 choices');
    const listed = JSON.parse(nrr('scenario', 'list', '--format', 'json').stdout) as {
      name: string;
      createdBy: string;
      choices: unknown[];
    }[];
    expect(listed.map((item) => [item.name, item.createdBy])).toEqual([['A1 uplift', 'tester']]);
    expect(listed[0]?.choices).toEqual([
      { account: 'A1', renewalDate: '2026-01-01', outcome: 'uplift', basisPoints: 700 },
    ]);

    const run = nrr(
      'scenario',
      'run',
      '--name',
      'A1 uplift',
      '--as-of',
      '2025-12-31',
      '--format',
      'json',
    );
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as {
      choices: { arrUpForRenewal: number; scenarioArr: number }[];
      windows: { year: number }[];
    };
    // 1,300 a month = 15,600 a year, × 1.07 = 16,692
    expect(result.choices[0]?.arrUpForRenewal).toBe(1_560_000);
    expect(result.choices[0]?.scenarioArr).toBe(1_669_200);
    expect(result.windows.map((window) => window.year)).toEqual([2026, 2027]);

    // The new keys are stored in minor units of the workspace's reporting currency, USD.
    const ramp =
      'account=A1 date=2026-01-01 outcome=flat term=36 addon=1200.50 steps=12:7.5%,24:900';
    expect(nrr('scenario', 'save', 'A1 ramp', '--choice', ramp).status).toBe(0);
    const stored = JSON.parse(nrr('scenario', 'list', '--format', 'json').stdout) as {
      name: string;
      choices: unknown[];
    }[];
    expect(stored.find((item) => item.name === 'A1 ramp')?.choices).toEqual([
      {
        account: 'A1',
        renewalDate: '2026-01-01',
        outcome: 'flat',
        termMonths: 36,
        addOn: 120_050,
        steps: [
          { month: 12, basisPoints: 750 },
          { month: 24, amount: 90_000 },
        ],
      },
    ]);
    const contradiction = nrr(
      'scenario',
      'save',
      'both',
      '--choice',
      'account=A1 date=2026-01-01 outcome=flat late=5 effective=2026-01-06',
    );
    expect(contradiction.status).toBe(1);
    expect(contradiction.stderr).toContain(
      'give either an effective date or a number of days late',
    );
    expect(nrr('scenario', 'delete', 'A1 ramp').status).toBe(0);

    expect(nrr('scenario', 'delete', 'A1 uplift').status).toBe(0);
    const missing = nrr('scenario', 'run', '--name', 'A1 uplift');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('scenario "A1 uplift" is not stored in this workspace');
  });

  test('bad rows of each kind rejected', () => {
    // One message per bad row, naming row and column, and nothing stored.
    const files = copyFixtures('bad');
    expect(nrr('import', ...files).status).toBe(0);
    const before = reportJson();
    const imports = nrr('imports').stdout;
    const bad = path.join(scratch, 'bad', 'more-lines.csv');
    writeFileSync(
      bad,
      [
        'line_id,account_id,product,kind,amount,billing_period,currency,start_date,end_date',
        'N1,A1,Platform,recurring,100,fortnight,USD,2024-01-01,',
        'N2,A1,Platform,recurring,100,month,USD,2024-02-30,',
        'N3,A1,Platform,recurring,1O0,month,USD,2024-01-01,',
        'N4,A1,Platform,recurring,100,month,USD,2024-05-01,2024-03-01',
        'N5,A1,Platform,recurring,100,month,USD,2024-01-01,',
        'N5,A1,Platform,recurring,200,month,USD,2024-01-01,',
        'N6,A1,Platform,recurring,100,month,JPY,2024-01-01,',
        'N7,A1,Platform,recurring,100,month,USD,2024-01-01,',
      ].join('\n') + '\n',
    );
    const result = nrr('import', bad);
    expect(result.status).toBe(1);
    const messages = result.stderr
      .split('\n')
      .filter((line) => line.includes('more-lines.csv row'));
    expect(messages).toEqual([
      expect.stringMatching(
        /row 2, column "billing_period": "fortnight" is not a known billing period/,
      ),
      expect.stringMatching(/row 3, column "start_date": "2024-02-30" is not a valid date/),
      expect.stringMatching(/row 4, column "amount": "1O0" is not a valid amount/),
      expect.stringMatching(/row 5, column "end_date": "2024-03-01" is before the start date/),
      expect.stringMatching(/row 7, column "line_id": "N5" is a line id already used on row 6/),
      expect.stringMatching(/row 8, column "currency": "JPY" is a currency with no FX rate/),
    ]);
    expect(result.stderr).toContain('Nothing was computed or stored');
    expect(reportJson()).toEqual(before);
    expect(nrr('imports').stdout).toEqual(imports);
  });

  test('--skip-invalid stores the valid rows and writes the rejected ones to a file', () => {
    const files = copyFixtures('skip');
    const text = [
      'line_id,account_id,product,kind,amount,billing_period,currency,start_date,end_date',
      'S1,S,Platform,recurring,100,month,USD,2024-01-01,',
      'S2,S,Platform,recurring,abc,month,USD,2024-01-01,',
      'S3,S,Platform,recurring,100,month,JPY,2024-01-01,',
    ].join('\n');
    const file = path.join(scratch, 'skip', 'partly-bad.csv');
    writeFileSync(file, text + '\n');
    const rejectedFile = path.join(scratch, 'skip', 'rejected.csv');
    const result = nrr(
      'import',
      file,
      files[4] ?? '',
      '--skip-invalid',
      '--rejected-file',
      rejectedFile,
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('2 rows rejected');
    const rejected = readFileSync(rejectedFile, 'utf8').trim().split('\n');
    expect(rejected[0]).toBe('file,row,column,value,problem');
    expect(rejected.slice(1).map((line) => line.split(',').slice(1, 4).join(','))).toEqual([
      '3,amount,abc',
      '4,currency,JPY',
    ]);
    const explained = JSON.parse(
      nrr('explain', '--account', 'S', '--as-of', '2024-12-31', '--format', 'json').stdout,
    ) as { lines: { id: string }[] };
    expect(explained.lines.map((line) => line.id)).toEqual(['S1']);
  });

  test('definitions versions: a saved change is used by default, an old version reproduces', () => {
    expect(nrr('import', ...copyFixtures('definitions')).status).toBe(0);
    const standard = reportJson();
    const saved = nrr('definitions', '--save', '--grace-days', '0');
    expect(saved.status).toBe(0);
    expect(JSON.parse(saved.stdout)).toMatchObject({ graceDays: 0, workspaceVersion: 2 });
    const changed = reportJson();
    expect(changed['definitions']).toMatchObject({
      changes: { graceDays: 0 },
      workspaceVersion: 2,
    });
    expect(reportJson('--definitions', '1')).toEqual(standard);
    const listed = nrr('definitions', '--list').stdout;
    expect(listed).toMatch(/2\s+nrr-standard 1\.0\s+graceDays=0/);
    const missing = nrr('report', '--definitions', '7');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('definitions version 7 is not stored in this workspace');
  });

  test('closed month shows restatements', () => {
    // A closed month stays frozen; a back-dated change shows as restated, with its account.
    const files = copyFixtures('close');
    expect(nrr('import', ...files).status).toBe(0);
    const closed = nrr('close', '--month', '2024-12');
    expect(closed.status).toBe(0);
    expect(closed.stdout).toContain('Closed 2024-12 as of 2024-12-31 with definitions version 1');
    expect(nrr('close', '--month', '2024-12').stderr).toContain('2024-12 was closed');
    expect(nrr('closes').stdout).toMatch(/2024-12.*as closed/);
    // A corrected lines file: account B1's three-year line L5 rises from 36,000 to 99,000.
    const linesFile = files[0] ?? '';
    const original = readFileSync(linesFile, 'utf8');
    const corrected = original.replace('"36,000"', '"99,000"');
    expect(corrected).not.toBe(original);
    writeFileSync(linesFile, corrected);
    const reimport = nrr('import', linesFile);
    expect(reimport.stdout).toContain('1 changed');
    const status = JSON.parse(nrr('closes', '--format', 'json').stdout) as {
      restated: boolean;
      restatedAccounts: { account: string }[];
      frozen: { arr: number };
      now: { arr: number };
    }[];
    expect(status).toHaveLength(1);
    expect(status[0]?.restated).toBe(true);
    expect(status[0]?.restatedAccounts.map((entry) => entry.account)).toEqual(['B1']);
    expect(status[0]?.now.arr).not.toBe(status[0]?.frozen.arr);
    expect(nrr('closes', '--month', '2024-12').stdout).toMatch(/restated \(1 account\)[\s\S]*B1/);
  });

  test('an import killed with SIGKILL part-way leaves the workspace as it was', async () => {
    expect(nrr('import', ...copyFixtures('kill')).status).toBe(0);
    const before = reportJson();
    const imports = nrr('imports', '--format', 'json').stdout;
    const big = path.join(scratch, `big-${driver}`);
    const generated = spawnSync(
      process.execPath,
      [CLI, 'generate', '--accounts', '20000', '--out', big],
      { encoding: 'utf8', env: embeddedEnv() },
    );
    expect(generated.status).toBe(0);
    const child = spawn(
      process.execPath,
      [CLI, 'import', path.join(big, 'lines.csv'), ...location.flags],
      { cwd: scratch, env: location.env },
    );
    let stderr = '';
    const killed = new Promise<NodeJS.Signals | null>((resolve) => {
      child.on('exit', (_code, signal) => resolve(signal));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('Storing')) setTimeout(() => child.kill('SIGKILL'), 300);
    });
    expect(await killed).toBe('SIGKILL');
    expect(stderr).toContain('Storing');
    expect(stderr).not.toContain('Stored');
    expect(reportJson()).toEqual(before);
    expect(nrr('imports', '--format', 'json').stdout).toEqual(imports);
    rmSync(big, { recursive: true, force: true });
  });
});

describe('workspace command guards', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'nrr-guards-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  function run(args: string[], env: NodeJS.ProcessEnv = embeddedEnv()): Result {
    const result = spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      cwd: folder,
      env,
      timeout: 120_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test('a rejected-rows file that cannot be written stops the import first', () => {
    const file = path.join(folder, 'in.csv');
    writeFileSync(
      file,
      'line_id,account_id,amount,billing_period,currency,start_date,end_date\nR1,A,abc,month,USD,2024-01-01,\n',
    );
    const workspace = path.join(folder, 'ws-rejected');
    const missing = run([
      'import',
      file,
      '--workspace',
      workspace,
      '--skip-invalid',
      '--rejected-file',
      path.join(folder, 'no-such-folder', 'rejected.csv'),
    ]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('does not exist or cannot be written');
    const itself = run([
      'import',
      file,
      '--workspace',
      workspace,
      '--skip-invalid',
      '--rejected-file',
      file,
    ]);
    expect(itself.status).toBe(1);
    expect(itself.stderr).toContain('is one of the files being imported');
    expect(readFileSync(file, 'utf8')).toContain('R1,A,abc');
  });

  test('line ids with line breaks cannot forge the change list', () => {
    const file = path.join(folder, 'forge.csv');
    writeFileSync(
      file,
      'line_id,account_id,amount,billing_period,currency,start_date,end_date\n"F1\n3 lines removed",A,10,month,USD,2024-01-01,\n',
    );
    const workspace = path.join(folder, 'ws-forge');
    expect(run(['import', file, '--workspace', workspace]).status).toBe(0);
    const changes = run(['imports', '--changes', '1', '--workspace', workspace]);
    expect(changes.status).toBe(0);
    expect(changes.stdout.split('\n').filter((line) => line.startsWith('3 lines removed'))).toEqual(
      [],
    );
    expect(changes.stdout).toContain('F1\\u000a3 lines removed');
    const notNumber = run(['imports', '--changes', '1.0', '--workspace', workspace]);
    expect(notNumber.status).toBe(1);
    expect(notNumber.stderr).toContain('is not an import number');
  });

  test('the demo replaces only a demo workspace', () => {
    const workspace = path.join(folder, 'ws-precious');
    const file = path.join(folder, 'precious.csv');
    writeFileSync(
      file,
      'line_id,account_id,amount,billing_period,currency,start_date,end_date\nP1,A,10,month,USD,2024-01-01,\n',
    );
    expect(run(['import', file, '--workspace', workspace]).status).toBe(0);
    const demo = run(['demo', '--accounts', '50', '--workspace', workspace]);
    expect(demo.status).toBe(1);
    expect(demo.stderr).toContain('is not a demo workspace');
    expect(run(['imports', '--workspace', workspace]).stdout).toContain('precious.csv');
  });

  test.each([
    ['not a url', 'is not a valid URL'],
    ['mysql://127.0.0.1/x', 'uses mysql'],
  ])('DATABASE_URL %j is rejected before connecting', (url, message) => {
    const result = run(['imports'], { ...embeddedEnv(), DATABASE_URL: url });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });
});
