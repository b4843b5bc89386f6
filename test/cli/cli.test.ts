/**
 * The built `nrr` command line, run as a user runs it: a child process, its exit code, stdout and
 * stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  buildComparison,
  dayFromCivil,
  DEFAULT_DEFINITIONS,
  fiscalYearAnalysis,
  report,
} from '../../src/core/index.js';
import type { Comparison } from '../../src/core/index.js';
import { generateCompany } from '../../src/generate/index.js';
import { embeddedEnv } from '../store/databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist/src/cli/main.js');
const FIXTURES = path.join(ROOT, 'test/fixtures/canonical');
const canonical = [
  'lines.csv',
  'accounts.csv',
  'assignments.csv',
  'segments.csv',
  'fx-rates.csv',
].map((file) => path.join(FIXTURES, file));
const scratch = mkdtempSync(path.join(tmpdir(), 'nrr-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function nrr(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // These commands read files; without DATABASE_URL no command reaches a PostgreSQL server.
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: scratch,
    env: embeddedEnv(),
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('nrr report', () => {
  test('table output names the definitions', () => {
    const result = nrr('report', ...canonical, '--as-of', '2024-12-31');
    expect(result.stderr).toContain('lines.csv');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('definitions nrr-standard 1.0');
    expect(result.stdout).toContain('NRR (cohort)');
    expect(result.stdout).toContain('Bridge net retention');
  });

  test('json keeps the documented shape', () => {
    const result = nrr('report', ...canonical, '--as-of', '2024-12-31', '--format', 'json');
    expect(result.status).toBe(0);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    for (const key of ['asOf', 'currency', 'definitions', 'arr', 'nrr', 'grr', 'logoRetention'])
      expect(output).toHaveProperty(key);
    expect(output['asOf']).toBe('2024-12-31');
    expect(output['definitions']).toMatchObject({ name: 'nrr-standard', version: '1.0' });
    expect(Number.isSafeInteger(output['arr'])).toBe(true);
  });

  test('json groups by CSM', () => {
    const result = nrr(
      'report',
      ...canonical,
      '--as-of',
      '2024-12-31',
      '--format',
      'json',
      '--by',
      'csm',
    );
    expect(result.status).toBe(0);
    const output = JSON.parse(result.stdout) as {
      arr: number;
      groups: { key: string; arr: number; nrr: unknown }[];
    };
    expect(output.groups.length).toBeGreaterThan(0);
    for (const group of output.groups) {
      expect(typeof group.key).toBe('string');
      expect(group).toHaveProperty('nrr');
    }
    expect(output.groups.reduce((sum, group) => sum + group.arr, 0)).toBe(output.arr);
  });

  test('json periods by month', () => {
    const result = nrr(
      'report',
      ...canonical,
      '--as-of',
      '2024-12-31',
      '--format',
      'json',
      '--by',
      'month',
    );
    expect(result.status).toBe(0);
    const output = JSON.parse(result.stdout) as { periods: Record<string, unknown>[] };
    const last = output.periods[output.periods.length - 1] as Record<string, unknown>;
    expect(last['period']).toBe('2024-12');
    for (const key of [
      'start',
      'new',
      'expansion',
      'contraction',
      'churn',
      'reactivation',
      'end',
    ]) {
      expect(Number.isSafeInteger(last[key])).toBe(true);
      expect(last[key] as number).toBeGreaterThanOrEqual(0);
    }
  });

  test('csv has one row per book', () => {
    const result = nrr(
      'report',
      ...canonical,
      '--as-of',
      '2024-12-31',
      '--format',
      'csv',
      '--by',
      'segment',
    );
    expect(result.status).toBe(0);
    const [header, ...rows] = result.stdout.trim().split('\n');
    expect(header?.startsWith('key,start_arr,arr,nrr,grr')).toBe(true);
    expect(rows.length).toBeGreaterThan(0);
  });

  test('grace days flag is listed as a change', () => {
    const result = nrr(
      'report',
      ...canonical,
      '--as-of',
      '2024-12-31',
      '--format',
      'json',
      '--grace-days',
      '0',
    );
    expect(result.status).toBe(0);
    expect(
      (JSON.parse(result.stdout) as { definitions: { changes: unknown } }).definitions.changes,
    ).toEqual({ graceDays: 0 });
  });

  test('invalid row fails with file, row and column', () => {
    const file = path.join(scratch, 'bad.csv');
    writeFileSync(
      file,
      'subscription_id,customer_id,start_date,end_date,monthly_amount\n1,c1,2024-01-01,2024-02-30,10\n2,c2,2024-01-01,2024-03-01,ten\n',
    );
    const result = nrr('report', file, '--preset', 'subscription-periods');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('bad.csv row 2, column "end_date"');
    expect(result.stderr).toContain('"2024-02-30"');
    expect(result.stderr).toContain('bad.csv row 3, column "monthly_amount"');
  });

  test('missing file is reported', () => {
    const result = nrr('report', 'no-such-file.csv');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no-such-file.csv');
  });

  test('invalid as-of date is rejected', () => {
    const result = nrr('report', ...canonical, '--as-of', '2024-13-01');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('"2024-13-01" is not a valid date');
  });

  test('unknown grouping is rejected', () => {
    const result = nrr('report', ...canonical, '--by', 'planet');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('planet');
  });

  test('definitions file with an unknown field is rejected', () => {
    const file = path.join(scratch, 'definitions.json');
    writeFileSync(file, JSON.stringify({ graceDay: 30 }));
    const result = nrr('report', ...canonical, '--definitions', file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown definitions field "graceDay"');
  });
});

describe('nrr explain', () => {
  test('prints lines, rules and movements', () => {
    const result = nrr('explain', ...canonical, '--account', 'A1', '--as-of', '2024-12-31');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Account A1');
    expect(result.stdout).toContain('annualise.');
    expect(result.stdout).toContain('Movements in the window');
  });

  test('unknown account is an error', () => {
    const result = nrr('explain', ...canonical, '--account', 'nobody');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('account "nobody" is not in the data');
  });
});

describe('nrr demo and generate', () => {
  test('demo reports the sample company', () => {
    const result = nrr('demo');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Sample company: 3000 accounts');
    expect(result.stdout).toContain('By segment');
    expect(result.stdout).toContain('High Touch');
  });

  test('demo --serve serves the dashboard after the report', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'demo', '--serve', '--port', '0', '--accounts', '200', '--workspace', 'served-demo'],
      { cwd: scratch, env: { ...embeddedEnv(), NRR_LOG_LEVEL: 'silent' } },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        const found = /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (found !== null) resolve(found[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${stdout}`)));
    });
    // The report comes first, then the address of the dashboard on the as-of date of the report.
    expect(stdout.indexOf('By segment')).toBeLessThan(stdout.indexOf('dashboard at'));
    expect(stdout).toContain('#/?asOf=2025-12-31');
    const page = await fetch(address);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const figures = (await (await fetch(`${address}api/report?asOf=2025-12-31`)).json()) as {
      arr: number;
    };
    expect(figures.arr).toBeGreaterThan(0);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  test('generated files report the same figures as the generated data', () => {
    const folder = path.join(scratch, 'sample');
    const generated = nrr('generate', '--out', folder, '--accounts', '400', '--seed', '7');
    expect(generated.status).toBe(0);
    const files = readdirSync(folder).map((file) => path.join(folder, file));
    const fromFiles = nrr(
      'report',
      ...files,
      '--as-of',
      '2025-12-31',
      '--format',
      'json',
      '--by',
      'csm',
    );
    expect(fromFiles.status).toBe(0);
    const dataset = generateCompany({ accounts: 400, seed: 7 });
    const direct = report(dataset, DEFAULT_DEFINITIONS, dayFromCivil(2025, 12, 31), 'csm');
    const parsed = JSON.parse(fromFiles.stdout) as typeof direct & { sources: unknown };
    expect(parsed.arr).toBe(direct.arr);
    expect(parsed.nrr).toBe(direct.nrr);
    expect(parsed.grr).toBe(direct.grr);
    expect(parsed.bridge).toEqual(direct.bridge);
    expect(parsed.groups).toEqual(direct.groups);
  });
});

describe('nrr compare and renewals', () => {
  const folder = path.join(scratch, 'company');
  const files = (): string[] => readdirSync(folder).map((file) => path.join(folder, file));
  const dataset = generateCompany({ accounts: 400, seed: 11 });

  beforeAll(() => {
    expect(nrr('generate', '--out', folder, '--accounts', '400', '--seed', '11').status).toBe(0);
  });

  test('compare json equals the engine', () => {
    const result = nrr(
      'compare',
      ...files(),
      '--year',
      '2025',
      '--as-of',
      '2025-12-31',
      '--format',
      'json',
    );
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as Comparison;
    const analysis = fiscalYearAnalysis(dataset, DEFAULT_DEFINITIONS, 2025);
    const direct = buildComparison(analysis, dataset, 2025, 'csm', dayFromCivil(2025, 12, 31));
    expect(parsed.rows).toEqual(direct.rows);
    expect(parsed.company).toEqual(direct.company);
    for (const check of parsed.reconciliation.columns) {
      expect(check.books, check.column).toBe(check.company);
    }
  });

  test('compare table labels each measure', () => {
    const result = nrr('compare', ...files(), '--year', '2025', '--by', 'segment');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('ARR growth against NRR, fiscal year 2025');
    expect(result.stdout).toContain('a renewal-desk measure, not NRR');
    expect(result.stdout).toContain('Transfers between books');
    expect(result.stdout).toContain('What separates ARR growth from NRR');
    expect(result.stdout).toContain('High Touch');
  });

  test('compare csv has a row per book and the company', () => {
    const result = nrr(
      'compare',
      ...files(),
      '--year',
      '2025',
      '--by',
      'region',
      '--format',
      'csv',
    );
    expect(result.status).toBe(0);
    const rows = result.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^key,start_arr,end_arr,net_new_arr,arr_growth,nrr,/);
    expect(rows.at(-1)).toMatch(/^\(company\),/);
    const regions = new Set(dataset.segments.map((span) => span.region));
    expect(rows.length).toBe(1 + regions.size + 1);
  });

  test.each([
    [['--by', 'team'], "argument 'team' is invalid"],
    [['--year', '25x'], '--year must be a whole number'],
  ])('compare rejects %j', (extra, message) => {
    const result = nrr('compare', ...files(), '--year', '2025', ...extra);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });

  test('compare needs a year', () => {
    const result = nrr('compare', ...files());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("required option '--year <year>' not specified");
  });

  test('renewals json lists, rates and times one book', () => {
    const args = ['--from', '2025-01-01', '--to', '2025-12-31', '--as-of', '2025-12-31'];
    const all = JSON.parse(nrr('renewals', ...files(), ...args, '--format', 'json').stdout) as {
      renewals: { csm: string; arrUpForRenewal: number }[];
    };
    const csm = all.renewals[0]?.csm ?? '';
    const result = nrr('renewals', ...files(), ...args, '--csm', csm, '--format', 'json');
    expect(result.status).toBe(0);
    const book = JSON.parse(result.stdout) as {
      period: { from: string; to: string };
      renewals: { csm: string; arrUpForRenewal: number }[];
      renewalRates: { due: { renewals: number; atr: number } };
      cohort: { window: { start: string; end: string } };
      timing: { byTiming: { renewals: number }[] };
    };
    expect(book.period).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    expect(book.renewals.length).toBeGreaterThan(0);
    expect(book.renewals.every((renewal) => renewal.csm === csm)).toBe(true);
    // the rates cover exactly the renewals listed when no outcome or timing is chosen
    expect(book.renewalRates.due.renewals).toBe(book.renewals.length);
    expect(book.renewalRates.due.atr).toBe(
      book.renewals.reduce((sum, renewal) => sum + renewal.arrUpForRenewal, 0),
    );
    expect(book.cohort.window).toEqual({ start: '2024-12-31', end: '2025-12-31' });
    expect(book.timing.byTiming.map((row) => row.renewals).length).toBe(4);
  });

  test('renewals csv has a row per renewal', () => {
    const args = ['--from', '2025-07-01', '--to', '2025-09-30', '--as-of', '2025-12-31'];
    const json = JSON.parse(nrr('renewals', ...files(), ...args, '--format', 'json').stdout) as {
      renewals: unknown[];
    };
    const result = nrr('renewals', ...files(), ...args, '--timing', 'early', '--format', 'csv');
    expect(result.status).toBe(0);
    const rows = result.stdout.trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(json.renewals.length);
    for (const row of rows) expect(row).toContain(',early,');
  });

  test.each([
    [['--from', '2025-06-01', '--to', '2025-01-31'], 'after its end 2025-01-31'],
    [['--outcome', 'lost'], "argument 'lost' is invalid"],
    [['--to', '2025-02-30'], '"2025-02-30" is not a valid date'],
  ])('renewals rejects %j', (extra, message) => {
    const result = nrr('renewals', ...files(), ...extra);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });
});

describe('nrr scenario run', () => {
  const runOn = (choice: string) =>
    nrr('scenario', 'run', ...canonical, '--as-of', '2025-12-31', '--choice', choice);

  test('table shows both figures and the steps', () => {
    const result = runOn('account=A1 date=2026-01-01 outcome=churn');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Scenario "(unsaved)" on the renewals open on 2025-12-31');
    expect(result.stdout).toContain('FY2026: 2025-12-31 to 2026-12-31');
    expect(result.stdout).toContain('Step by step');
    expect(result.stdout).toContain(
      'A1 (Dana Reyes): 15600.00 USD up for renewal on 2026-01-01 is not renewed',
    );
  });

  test('add-on, ramp steps and late start', () => {
    const result = runOn(
      'account=A1 date=2026-01-01 outcome=flat late=20 term=36 addon=1200.50 steps=12:10%,24:1500',
    );
    expect(result.status).toBe(0);
    // 15,600.00 + 1,200.50 = 16,800.50; × 1.10 = 18,480.55; + 1,500 = 19,980.55
    expect(result.stdout).toContain(
      'renews flat at 15600.00 USD, with an add-on of 1200.50 USD co-termed with it: 15600.00 USD + 1200.50 USD = 16800.50 USD, from 2026-01-21 for 36 months. It steps up at month 12 (2027-01-21, FY2027) 16800.50 × (1 + 10.00%) = 18480.55 USD',
    );
    expect(result.stdout).toContain('18480.55 + 1500.00 = 19980.55 USD');
    expect(result.stdout).toContain('It starts 20 days late, inside the 60-day grace window');
  });

  test('a renewal described by hand, with quoted names', () => {
    const result = runOn(
      'account=NEW1 date=2026-05-01 outcome=churn arr=9000 account-name="Oak Street Bakery" csm="Dana Reyes" segment=SMB region=EMEA',
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      'NEW1 (Oak Street Bakery; CSM Dana Reyes, SMB, EMEA) is not in the data. The baseline and the scenario both hold it at 9000.00 USD of ARR',
    );
    expect(result.stdout).toContain('NEW1 (not in the data)');
  });

  test.each([
    ['account=A1 date=2026-01-01 outcome=flat addon=12.345', 'has more decimals than USD has (2)'],
    ['account=A1 date=2026-01-01 outcome=flat addon=-5', 'is not an amount above 0'],
    [
      'account=A1 date=2026-01-01 outcome=flat steps=12-10%',
      'must be MONTH:PERCENT% or MONTH:AMOUNT',
    ],
    ['account=A1 date=2026-01-01 outcome=flat csm=Kai', 'also needs arr=AMOUNT'],
    ['account=A1 date=2026-01-01 outcome=flat csm="Kai', 'has a quote that is not closed'],
    ['account=A1 date=2026-01-01 outcome=flat late=5 effective=2026-01-06', 'not both'],
    ['account=A1 date=2026-13-01 outcome=flat', 'date "2026-13-01" is not a valid date'],
    ['account=A1 outcome=flat', 'the choice has no date'],
    ['account=A1 date=2026-01-01 outcome=lost', 'outcome "lost" must be one of'],
    ['account=A1 date=2026-01-01 outcome=flat colour=red', 'unknown key "colour"'],
    ['account=A1 date=2026-01-01 outcome=uplift', 'needs a whole number of basis points'],
    [
      'account=B1 date=2026-01-01 outcome=flat',
      'the renewal of B1 on 2026-01-01 is not in the data',
    ],
  ])('rejects %s', (choice, message) => {
    const result = runOn(choice);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });
});

describe('nrr report across files', () => {
  test('same file twice is rejected', () => {
    const file = canonical[0] as string;
    const result = nrr('report', file, file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is the same file as');
  });

  test('line id reused in another file is rejected', () => {
    const header = 'line_id,account_id,amount,billing_period,currency,start_date,end_date\n';
    const first = path.join(scratch, 'first.csv');
    const second = path.join(scratch, 'second.csv');
    writeFileSync(first, header + 'A1,ACC,1000,year,USD,2024-01-01,2024-12-31\n');
    writeFileSync(second, header + 'A1,ACC,9999,year,USD,2024-01-01,2024-12-31\n');
    const result = nrr('report', first, second);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('second.csv row 2, column "line_id"');
  });

  test('folder instead of file is rejected', () => {
    const result = nrr('report', scratch);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is a folder');
  });

  test('control characters are escaped in explanations', () => {
    const file = path.join(scratch, 'control-explain.csv');
    writeFileSync(
      file,
      'line_id,account_id,account_name,product,amount,billing_period,currency,start_date,end_date\nL1,A1,"Evil\u001b[31mRed",Plat\u202eform,100,year,USD,2024-01-01,2024-12-31\n',
    );
    const result = nrr('explain', file, '--as-of', '2024-06-30', '--account', 'A1');
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).not.toContain('\u202e');
    expect(result.stdout).toContain('Evil\\u001b[31mRed');
  });

  test('control characters are escaped in tables', () => {
    const file = path.join(scratch, 'control.csv');
    writeFileSync(
      file,
      'line_id,account_id,amount,billing_period,currency,start_date,end_date,owner\nL1,A1,100,year,USD,2024-01-01,2024-12-31,"\u001b]0;title\u0007"\n',
    );
    const result = nrr('report', file, '--as-of', '2024-06-30', '--by', 'csm');
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).toContain('\\u001b]0;title\\u0007');
  });
});

describe('supporting files with other presets', () => {
  test('FX rate file is read with invoice lines', () => {
    const invoices = path.join(scratch, 'inv.csv');
    const rates = path.join(scratch, 'rates.csv');
    writeFileSync(
      invoices,
      'Inv,Client,Start,Stop,Net,Cur\nI1,Acme,2024-01-01,2025-01-01,"$12,000",USD\nI4,Beta,2024-04-01,2025-04-01,€10000,EUR\n',
    );
    writeFileSync(rates, 'currency,rate,from_date,to_date\nEUR,1.1,2024-01-01,2025-01-01\n');
    const mapping = [
      '--preset',
      'invoice-lines',
      '--column',
      'customer=Client',
      '--column',
      'from=Start',
      '--column',
      'to=Stop',
    ];
    const result = nrr(
      'report',
      invoices,
      rates,
      ...mapping,
      '--column',
      'value=Net',
      '--column',
      'currency=Cur',
      '--column',
      'line=Inv',
      '--as-of',
      '2024-12-31',
      '--format',
      'json',
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // 12,000 + 10,000 × 1.1 = 23,000 USD
    expect((JSON.parse(result.stdout) as { arr: number }).arr).toBe(2_300_000);
  });
});

describe('closed output pipe', () => {
  test('a reader that stops early is not an error', () => {
    // A monthly report to the year 2999 is megabytes of JSON, far more than a pipe buffers.
    const files = canonical.map((file) => `"${file}"`).join(' ');
    const command = `node "${CLI}" report ${files} --as-of 2999-12-31 --by month --format json | head -c 20`;
    const result = spawnSync('bash', ['-c', command], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.stdout).toContain('asOf');
  });
});
