/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core, against the
 * server on loopback over a workspace holding the generated company. Each page's figures are
 * checked against the API, numbers are followed to their accounts, tables are exported, and
 * every page is saved as a screenshot at 1280 and 390 pixels wide under test-output/screenshots.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dayFromCivil } from '../../src/core/index.js';
import { generateCompany, writeCanonicalCsv } from '../../src/generate/index.js';
import { createApp } from '../../src/server/app.js';
import { importFiles, readInputs } from '../../src/service/import.js';
import { syntheticExerciseById } from '../../src/training/exercises.js';
import { Workspace } from '../../src/store/workspace.js';
import { embeddedLocation, type TestLocation } from '../store/databases.js';
import { chromiumAvailable, launchChromium } from './browser.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = path.join(ROOT, 'test-output/screenshots');
const AS_OF = '2025-12-31';

const available = chromiumAvailable();

interface Served {
  readonly base: string;
  readonly workspace: Workspace;
  readonly location: TestLocation;
  readonly close: () => Promise<void>;
}

/** Starts the server on a free loopback port over a workspace of its own. */
async function startServer(location: TestLocation): Promise<Served> {
  const workspace = await Workspace.open(location.location);
  const app = createApp({
    workspace,
    logger: pino({ level: 'silent' }),
    today: () => dayFromCivil(2026, 12, 4),
    user: 'tester',
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    workspace,
    location,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await workspace.close();
      await location.drop();
    },
  };
}

let company: Served;
let empty: Served;
let browser: Browser;
let wide: BrowserContext;
let narrow: BrowserContext;
let files: string;
let written: string[];

async function api<T>(route: string): Promise<T> {
  const response = await fetch(`${company.base}${route}`);
  expect(response.status, route).toBe(200);
  return (await response.json()) as T;
}

/** Money as the dashboard writes it: whole units, rounded half up, with separators. */
function whole(minor: number): string {
  return Math.round(minor / 100).toLocaleString('en-US');
}

function percent(ratio: number | null): string {
  return ratio === null ? 'n/a' : `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`;
}

async function open(page: Page, hash: string, ready: string): Promise<void> {
  await page.goto(`${company.base}/#${hash}`);
  await page.getByTestId(ready).first().waitFor();
}

async function shoot(page: Page, name: string): Promise<void> {
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
}

/** Opens a page in both widths, checks nothing overflows the narrow one, and saves both. */
async function screenshots(name: string, hash: string, ready: string): Promise<void> {
  for (const context of [wide, narrow]) {
    const page = await context.newPage();
    await open(page, hash, ready);
    // Evaluated in the page, where the document exists; the test's own types know no DOM.
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow, `${name} is wider than the window`).toBeLessThanOrEqual(0);
    await shoot(page, name);
    await page.close();
  }
}

interface Report {
  arr: number;
  nrr: number | null;
  grr: number | null;
  logoRetention: number | null;
  bridge: Record<string, number>;
  definitions: { workspaceVersion: number };
  groups?: { key: string; nrr: number | null; bridge: { start: number; end: number } }[];
}

describe.skipIf(!available)('dashboard in chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    files = mkdtempSync(path.join(tmpdir(), 'nrr-e2e-'));
    written = writeCanonicalCsv(
      generateCompany({ accounts: 400, seed: 42, startYear: 2023, years: 3 }),
      files,
    ).files;
    company = await startServer(embeddedLocation());
    await importFiles(company.workspace, readInputs(written, undefined), { preset: 'canonical' });
    empty = await startServer(embeddedLocation());
    browser = await launchChromium();
    wide = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    narrow = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await company?.close();
    await empty?.close();
    if (files !== undefined) rmSync(files, { recursive: true, force: true });
  });

  test('the overview shows the API figures, the waterfall and the monthly lines', async () => {
    const report = await api<Report>(`/api/report?asOf=${AS_OF}`);
    const page = await wide.newPage();
    await open(page, `/?asOf=${AS_OF}`, 'figure-arr');
    const figure = (id: string) => page.getByTestId(id);
    expect(await figure('figure-arr').getAttribute('data-value')).toBe(String(report.arr));
    expect(await figure('figure-arr').locator('.figure-value').textContent()).toBe(
      `USD ${whole(report.arr)}`,
    );
    for (const [id, value] of [
      ['figure-nrr', report.nrr],
      ['figure-grr', report.grr],
      ['figure-logo', report.logoRetention],
    ] as const) {
      expect(await figure(id).locator('.figure-value').textContent(), id).toBe(percent(value));
    }
    expect(await page.getByTestId('definitions-version').textContent()).toBe(
      String(report.definitions.workspaceVersion),
    );
    for (const step of [
      'start',
      'new',
      'expansion',
      'reactivation',
      'contraction',
      'churn',
      'end',
    ]) {
      const link = page.getByTestId(`bridge-${step}`);
      expect(await link.getAttribute('data-value'), step).toBe(String(report.bridge[step]));
    }
    // Seven waterfall bars and two monthly lines are drawn.
    await page.getByTestId('trend').locator('svg path').first().waitFor({ state: 'attached' });
    expect(await page.getByTestId('waterfall').locator('svg').count()).toBe(1);
    expect(await page.getByTestId('waterfall').textContent()).toContain('Expansion');
    expect(await page.getByTestId('trend').textContent()).toContain('NRR');
    await page.close();
    await screenshots('overview', `/?asOf=${AS_OF}`, 'trend');
  });

  test('a figure leads to the accounts that add up to it', async () => {
    const report = await api<Report>(`/api/report?asOf=${AS_OF}`);
    const page = await wide.newPage();
    await open(page, `/?asOf=${AS_OF}`, 'figure-arr');
    await page.getByTestId('figure-arr').click();
    await page.getByTestId('sum-arr').waitFor();
    expect(page.url()).toContain('#/accounts?set=active');
    expect(await page.getByTestId('sum-arr').getAttribute('data-value')).toBe(String(report.arr));
    await page.goBack();
    await page.getByTestId('figure-nrr').click();
    await page.getByTestId('sum-nrr').waitFor();
    expect(await page.getByTestId('sum-nrr').textContent()).toBe(percent(report.nrr));
    expect(await page.getByTestId('sum-grr').textContent()).toBe(percent(report.grr));
    await shoot(page, 'accounts');
    // From the list to one account's explanation.
    const first = page.getByTestId('accounts-table').locator('tbody tr').first();
    const id = (await first.locator('td[data-column="account"]').textContent()) ?? '';
    await first.locator('td[data-column="account"] a').click();
    await page.getByTestId('account-arr-end').waitFor();
    const explanation = await api<{ arrAtEnd: number; lines: unknown[] }>(
      `/api/accounts/${encodeURIComponent(id)}/explanation?asOf=${AS_OF}`,
    );
    expect(await page.getByTestId('account-arr-end').getAttribute('data-value')).toBe(
      String(explanation.arrAtEnd),
    );
    expect(await page.getByTestId('account-lines').locator('tbody tr').count()).toBe(
      explanation.lines.length,
    );
    await page.getByTestId('timeline').locator('svg path').first().waitFor({ state: 'attached' });
    await page.close();
    await screenshots('account', `/account/${encodeURIComponent(id)}?asOf=${AS_OF}`, 'timeline');
  });

  test('a bridge amount leads to the movements that make it', async () => {
    const report = await api<Report>(`/api/report?asOf=${AS_OF}`);
    const page = await wide.newPage();
    await open(page, `/?asOf=${AS_OF}`, 'bridge-expansion');
    await page.getByTestId('bridge-expansion').click();
    await page.getByTestId('sum-total').waitFor();
    expect(await page.getByTestId('sum-total').getAttribute('data-value')).toBe(
      String(report.bridge['expansion']),
    );
    await shoot(page, 'movements');
    await page.close();
  });

  test('the team table matches the API, filters, sorts and exports', async () => {
    const all = await api<Report>(`/api/report?asOf=${AS_OF}&by=csm`);
    const page = await wide.newPage();
    await open(page, `/team?asOf=${AS_OF}`, 'team-table');
    const rows = page.getByTestId('team-table').locator('tbody tr');
    expect(await rows.count()).toBe(all.groups?.length);
    for (const group of all.groups ?? []) {
      const row = page.locator(`tbody tr[data-row="${group.key}"]`);
      expect(await row.locator('td[data-column="end"] a').getAttribute('data-value')).toBe(
        String(group.bridge.end),
      );
      expect(await row.locator('td[data-column="nrr"]').textContent()).toBe(percent(group.nrr));
    }

    // Sorting by NRR puts the highest first.
    await page.locator('th button[data-column="nrr"]').click();
    const sorted = [...(all.groups ?? [])]
      .filter((group) => group.nrr !== null)
      .sort((a, b) => (b.nrr as number) - (a.nrr as number));
    expect(await rows.first().getAttribute('data-row')).toBe(sorted[0]?.key);

    // A segment filter narrows each book to that segment, as the API does.
    const segments = await api<Report>(`/api/report?asOf=${AS_OF}&by=segment`);
    const segment = segments.groups?.[0]?.key ?? '';
    await page.locator('select[name="segment"]').selectOption(segment);
    await page.waitForURL(/segment=/);
    const narrowed = await api<Report>(
      `/api/report?asOf=${AS_OF}&by=csm&segment=${encodeURIComponent(segment)}`,
    );
    await expect.poll(() => rows.count()).toBe(narrowed.groups?.length);
    const firstBook = narrowed.groups?.[0];
    expect(
      await page
        .locator(`tbody tr[data-row="${firstBook?.key}"] td[data-column="start"] a`)
        .getAttribute('data-value'),
    ).toBe(String(firstBook?.bridge.start));

    // Its start ARR leads to the book's cohort, which adds up to it.
    await page.locator(`tbody tr[data-row="${firstBook?.key}"] td[data-column="start"] a`).click();
    await page.getByTestId('sum-nrr').waitFor();
    expect(page.url()).toContain(`segment=${encodeURIComponent(segment)}`);
    expect(await page.getByTestId('sum-nrr').textContent()).toBe(
      percent((narrowed.groups?.[0] as { nrr: number | null }).nrr),
    );
    await page.goBack();
    await page.getByTestId('team-table').waitFor();

    // The export contains the rows shown, with exact amounts.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('team-table').getByTestId('export-csv').click(),
    ]);
    const saved = path.join(files, 'team.csv');
    await download.saveAs(saved);
    const lines = readFileSync(saved, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('CSM,Start ARR,End ARR,NRR,GRR,Logo retention,Cohort accounts');
    expect(lines.length - 1).toBe(narrowed.groups?.length);
    const exported = lines.find((line) => line.startsWith(`${firstBook?.key},`)) ?? '';
    const start = firstBook?.bridge.start ?? 0;
    expect(exported.split(',')[1]).toBe(
      `${Math.floor(start / 100)}.${String(start % 100).padStart(2, '0')}`,
    );
    await page.close();
    await screenshots('team', `/team?asOf=${AS_OF}`, 'team-table');
  });

  test('the cohort heatmap matches the API and leads to a cohort', async () => {
    const cohorts = await api<{ cohorts: { month: string; accounts: number }[] }>(
      `/api/cohorts?asOf=${AS_OF}`,
    );
    const page = await wide.newPage();
    await open(page, `/cohorts?asOf=${AS_OF}`, 'cohort-table');
    await page.getByTestId('cohort-heatmap').locator('svg').waitFor();
    const rows = page.getByTestId('cohort-table').locator('tbody tr');
    expect(await rows.count()).toBe(cohorts.cohorts.length);
    const last = cohorts.cohorts[cohorts.cohorts.length - 1] as { month: string; accounts: number };
    const row = page.locator(`tbody tr[data-row="${last.month}"]`);
    expect(await row.locator('td[data-column="accounts"] a').getAttribute('data-value')).toBe(
      String(last.accounts),
    );
    await row.locator('td[data-column="accounts"] a').click();
    await page.getByTestId('cohort-accounts-table').waitFor();
    expect(await page.getByTestId('sum-count').getAttribute('data-value')).toBe(
      String(last.accounts),
    );
    await page.close();
    await screenshots('cohorts', `/cohorts?asOf=${AS_OF}`, 'cohort-table');
  });

  test('practice grades answers and names a misconception', async () => {
    const page = await wide.newPage();
    await open(page, '/train?level=2&seed=3', 'exercise');
    const first = syntheticExerciseById(
      (await page.getByTestId('exercise').getAttribute('data-exercise')) ?? '',
    );
    const misconception = first?.misconceptions[0];
    await page.locator('input[name="response"]').fill((misconception?.answer as number).toFixed(2));
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('grade').waitFor();
    expect(await page.getByTestId('grade').getAttribute('data-correct')).toBe('false');
    expect(await page.getByTestId('grade').textContent()).toContain(
      misconception?.description ?? '',
    );
    await shoot(page, 'practice');
    await page.getByRole('button', { name: 'Next' }).click();
    const second = syntheticExerciseById(
      (await page.getByTestId('exercise').getAttribute('data-exercise')) ?? '',
    );
    await page.locator('input[name="response"]').fill(`${(second?.answer as number).toFixed(2)}%`);
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('grade').waitFor();
    expect(await page.getByTestId('grade').getAttribute('data-correct')).toBe('true');
    await page.close();
  });

  test('the compare page matches the API and explains a gap', async () => {
    const compare = await api<{ company: { nrr: number }; rows: { key: string }[] }>(
      '/api/compare?year=2025&by=csm',
    );
    const page = await wide.newPage();
    await open(page, `/compare?year=2025&asOf=${AS_OF}`, 'compare-table');
    expect(await page.getByTestId('company-nrr').getAttribute('data-value')).toBe(
      String(compare.company.nrr),
    );
    expect(await page.getByTestId('compare-table').locator('tbody tr').count()).toBe(
      compare.rows.length,
    );
    await page
      .getByTestId('compare-table')
      .locator('tbody tr td[data-column="why"] button')
      .first()
      .click();
    await page.getByTestId('gap').waitFor();
    expect(await page.getByTestId('gap').textContent()).toContain('New logos');
    await shoot(page, 'compare');
    await page.close();
  });

  test('the renewal calendar lists the API renewals by month', async () => {
    const renewals = await api<{ renewals: { renewalDate: string }[] }>(
      `/api/renewals?asOf=${AS_OF}&from=2026-01-01&to=2026-03-31`,
    );
    const page = await wide.newPage();
    await open(page, `/renewals?asOf=${AS_OF}&from=2026-01-01&to=2026-03-31`, 'calendar');
    expect(await page.getByTestId('renewal-summary').getAttribute('data-count')).toBe(
      String(renewals.renewals.length),
    );
    const months = new Set(renewals.renewals.map((entry) => entry.renewalDate.slice(0, 7)));
    expect(await page.getByTestId('calendar').locator('section').count()).toBe(months.size);
    await shoot(page, 'renewals');
    await page.close();
  });

  test('the scenario lab changes NRR, saves and reopens', async () => {
    const page = await wide.newPage();
    await open(page, `/scenarios?asOf=${AS_OF}`, 'open-renewals');
    const first = page.getByTestId('open-renewals').locator('tbody tr').first();
    await first.locator('select[name="outcome"]').selectOption('churn');
    await page.locator('input[name="name"]').fill('Lose the first');
    await page.getByRole('button', { name: 'Save and compare' }).click();
    await page.getByTestId('scenario-result').waitFor({ timeout: 60_000 });
    const company = page.getByTestId('scenario-2026').locator('tr[data-book="Company"] td');
    const baseline = Number(await company.nth(0).getAttribute('data-value'));
    const scenario = Number(await company.nth(1).getAttribute('data-value'));
    expect(scenario).toBeLessThan(baseline);
    expect(await page.getByTestId('scenario-steps').textContent()).toContain('is not renewed');
    await shoot(page, 'scenarios');

    // A fresh page finds the saved scenario and shows the same result.
    const again = await wide.newPage();
    await open(again, `/scenarios?asOf=${AS_OF}`, 'saved-scenarios');
    await again.getByRole('button', { name: 'Open Lose the first' }).click();
    await again.getByTestId('scenario-result').waitFor({ timeout: 60_000 });
    const reopened = again.getByTestId('scenario-2026').locator('tr[data-book="Company"] td');
    expect(Number(await reopened.nth(1).getAttribute('data-value'))).toBe(scenario);
    await page.close();
    await again.close();
  });

  test('the scenario lab takes an add-on, a ramp and a renewal not in the data', async () => {
    const page = await wide.newPage();
    await open(page, `/scenarios?asOf=${AS_OF}`, 'open-renewals');
    const first = page.getByTestId('open-renewals').locator('tbody tr').first();
    await first.locator('select[name="outcome"]').selectOption('flat');
    await first.locator('input[name="term"]').fill('36');
    await first.locator('input[name="addon"]').fill('50000');
    await first.locator('input[name="steps"]').fill('12:10%');

    const describe = page.getByTestId('describe-renewal');
    await describe.locator('input[name="described-account"]').fill('NEW-1');
    await describe.locator('input[name="described-name"]').fill('Oak Street');
    await describe.locator('input[name="described-csm"]').fill('Kai Ito');
    await describe.locator('input[name="described-segment"]').fill('SMB');
    await describe.locator('input[name="described-region"]').fill('EMEA');
    await describe.locator('input[name="described-arr"]').fill('9000');
    await describe.locator('input[name="described-renewalDate"]').fill('2026-05-01');
    await describe.getByRole('button', { name: 'Add renewal' }).click();
    const described = page.locator('tr[data-described="yes"]');
    await described.waitFor();
    await described.locator('select[name="outcome"]').selectOption('uplift');
    await described.locator('input[name="percent"]').fill('5');

    await page.locator('input[name="name"]').fill('Add-on first');
    await page.getByRole('button', { name: 'Save and compare' }).click();
    await page.getByTestId('scenario-result').waitFor({ timeout: 60_000 });
    const company = page.getByTestId('scenario-2026').locator('tr[data-book="Company"] td');
    const baseline = Number(await company.nth(0).getAttribute('data-value'));
    const scenario = Number(await company.nth(1).getAttribute('data-value'));
    // The add-on of 50,000 and the 5% uplift on 9,000 raise the year's ending ARR.
    expect(scenario).toBeGreaterThan(baseline);
    const steps = (await page.getByTestId('scenario-steps').textContent()) ?? '';
    expect(steps).toContain('with an add-on of 50000.00 USD co-termed with it');
    expect(steps).toContain('It steps up at month 12');
    expect(steps).toContain('NEW-1 (Oak Street; CSM Kai Ito, SMB, EMEA) is not in the data.');
    const result = await api<{
      windows: { company: { scenario: { nrr: number } } }[];
      choices: { account: string; renewalDate: string; scenarioArr: number }[];
    }>(`/api/scenarios/${encodeURIComponent('Add-on first')}/result?asOf=${AS_OF}`);
    expect(scenario).toBe(result.windows[0]?.company.scenario.nrr);
    const applied = page.getByTestId('scenario-choices').locator('tbody tr');
    expect(await applied.count()).toBe(result.choices.length);
    for (const choice of result.choices) {
      const cell = page.locator(
        `[data-testid="scenario-choices"] tr[data-row="${choice.account}:${choice.renewalDate}"] td[data-value]`,
      );
      expect(await cell.getAttribute('data-value')).toBe(String(choice.scenarioArr));
    }
    await shoot(page, 'scenarios-add-on');

    // A fresh page reopens the same choices, typed fields included, and the same result.
    const again = await wide.newPage();
    await open(again, `/scenarios?asOf=${AS_OF}`, 'saved-scenarios');
    await again.getByRole('button', { name: 'Open Add-on first' }).click();
    await again.getByTestId('scenario-result').waitFor({ timeout: 60_000 });
    const row = again
      .getByTestId('open-renewals')
      .locator('tbody tr:not([data-described])')
      .first();
    expect(await row.locator('input[name="addon"]').inputValue()).toBe('50000.00');
    expect(await row.locator('input[name="steps"]').inputValue()).toBe('12:10%');
    expect(await row.locator('input[name="term"]').inputValue()).toBe('36');
    const reopenedRow = again.locator('tr[data-described="yes"]');
    expect(await reopenedRow.locator('input[name="percent"]').inputValue()).toBe('5');
    const reopened = again.getByTestId('scenario-2026').locator('tr[data-book="Company"] td');
    expect(Number(await reopened.nth(1).getAttribute('data-value'))).toBe(scenario);
    await page.close();
    await again.close();
  });

  test('the timing page shows the API effects and their accounts', async () => {
    const query = `asOf=${AS_OF}&from=2025-01-01&to=2025-12-31`;
    interface Effect {
      shiftedRenewals: number;
      arrAtEnd: number;
      actual: { nrr: number | null };
      accounts: { account: string }[];
    }
    const timing = await api<{
      byTiming: { timing: string; renewals: number }[];
      effects: { early: Effect; late: Effect };
    }>(`/api/renewals/timing?${query}`);
    const page = await wide.newPage();
    await open(page, `/timing?${query}`, 'timing-classes');
    for (const kind of ['early', 'late'] as const) {
      const effect = timing.effects[kind];
      expect(await page.getByTestId(`effect-${kind}-arr`).getAttribute('data-value')).toBe(
        String(effect.arrAtEnd),
      );
      expect(await page.getByTestId(`effect-${kind}-nrr`).getAttribute('data-value')).toBe(
        String(effect.actual.nrr ?? ''),
      );
      expect(await page.getByTestId(`effect-${kind}`).getAttribute('data-renewals')).toBe(
        String(effect.shiftedRenewals),
      );
    }
    for (const entry of timing.byTiming) {
      const cell = page.locator(
        `[data-testid="timing-classes"] tr[data-row="${entry.timing}"] td[data-column="renewals"] span`,
      );
      expect(await cell.getAttribute('data-value')).toBe(String(entry.renewals));
    }
    const behind = timing.effects.early.accounts.length + timing.effects.late.accounts.length;
    expect(behind).toBeGreaterThan(0);
    const rows = page.locator('[data-testid="timing-accounts"] tbody tr');
    expect(await rows.count()).toBe(behind);
    await shoot(page, 'timing');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('timing-accounts').getByTestId('export-csv').click(),
    ]);
    const saved = path.join(files, 'timing.csv');
    await download.saveAs(saved);
    const lines = readFileSync(saved, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('Timing,Account,Renewal dates,ARR moved at start,ARR moved at end');
    expect(lines.length - 1).toBe(behind);

    // Each account leads to its page.
    await rows.first().locator('td[data-column="account"] a').click();
    await page.getByTestId('account-arr-end').waitFor();

    // A period that ends before it starts shows the API's error; a quiet period is empty.
    await open(page, `/timing?asOf=${AS_OF}&from=2025-06-01&to=2025-01-01`, 'error');
    expect(await page.getByTestId('error').textContent()).toContain('from');
    await open(page, `/timing?asOf=${AS_OF}&from=2019-01-01&to=2019-01-31`, 'empty');
    await page.close();
    await screenshots('timing', `/timing?${query}`, 'timing-classes');
  });

  test('the checks page shows a book behind, its actions and an alert to acknowledge', async () => {
    // A company target of 150% for 2025 leaves the company behind its glide path.
    const stored = await fetch(`${company.base}/api/targets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        targets: [
          { scope: 'company', book: '', fiscalYear: 2025, nrrTarget: '150', grrTarget: null },
        ],
      }),
    });
    expect(stored.status).toBe(200);
    const page = await wide.newPage();
    await page.goto(`${company.base}/#/checks?asOf=${AS_OF}&month=2025-12`);
    await page.getByRole('button', { name: 'Run the check' }).click();
    await page.getByTestId('check-books').waitFor({ timeout: 60_000 });
    expect(
      await page.getByTestId('check-books').locator('tr[data-row=""]').textContent(),
    ).toContain('behind');
    await page.getByTestId('glide-chart').locator('svg').waitFor();
    const needed = Number(await page.getByTestId('needed').getAttribute('data-value'));
    expect(needed).toBeGreaterThan(0);
    const actions = page.getByTestId('actions').locator('li a');
    expect(await actions.count()).toBeGreaterThan(0);
    await shoot(page, 'checks');

    const behind = page.locator('[data-testid="alerts"] li[data-kind="behind-target"]').first();
    await behind.waitFor();
    const id = await behind.getAttribute('data-alert');
    await behind.getByRole('button', { name: 'Acknowledge' }).click();
    await expect
      .poll(() => page.locator(`[data-testid="alerts"] li[data-alert="${id}"]`).count())
      .toBe(0);
    const acknowledged = await api<{ alerts: { id: number }[] }>('/api/alerts?state=acknowledged');
    expect(acknowledged.alerts.map((alert) => String(alert.id))).toContain(id);
    await actions.first().click();
    await page.getByTestId('account-arr-end').waitFor();
    await page.close();
  });

  test('a slow answer shows the loading state', async () => {
    const page = await wide.newPage();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/api/report**', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${company.base}/#/?asOf=${AS_OF}`);
    await page.getByTestId('loading').first().waitFor();
    release();
    await page.getByTestId('figure-arr').waitFor();
    await page.close();
  });

  test('an empty workspace says so, and an upload fills it with progress shown', async () => {
    const page = await wide.newPage();
    await page.goto(`${empty.base}/#/`);
    await page.getByTestId('empty').waitFor();
    expect(await page.getByTestId('empty').textContent()).toContain('No data yet');
    await shoot(page, 'empty');

    await page.goto(`${empty.base}/#/imports`);
    await page.locator('input[name="files"]').setInputFiles(path.join(files, 'lines.csv'));
    await page.locator('select[name="preset"]').selectOption('subscription-periods');
    await page.getByRole('button', { name: 'Import' }).click();
    // The wrong preset for the file: the job fails, names the problem and stores nothing.
    await page.getByTestId('job-failed').waitFor();
    expect(await page.getByTestId('job-failed').textContent()).toContain('Nothing was stored');

    await page.locator('input[name="files"]').setInputFiles(written);
    await page.locator('select[name="preset"]').selectOption('canonical');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByTestId('job-succeeded').waitFor({ timeout: 60_000 });
    await page.getByTestId('imports-table').waitFor();
    await shoot(page, 'imports');
    await page.goto(`${empty.base}/#/?asOf=${AS_OF}`);
    await page.getByTestId('figure-arr').waitFor();
    await page.close();
  });
});
