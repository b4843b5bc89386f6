/**
 * Targets set from the dashboard, in Debian's chromium driven by playwright-core, against the
 * server on loopback over a small workspace whose CSM Ben falls behind a 95% NRR target in June
 * 2025. The server runs the check schedule, whose state the Checks page shows.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dayFromCivil } from '../../src/core/dates.js';
import { parseDecimal, type Decimal } from '../../src/core/money.js';
import { createApp } from '../../src/server/app.js';
import { CheckSchedule } from '../../src/service/schedule.js';
import { replaceTeamMembers } from '../../src/store/teams.js';
import { Workspace } from '../../src/store/workspace.js';
import { BEHIND_LINES, importCsvText } from '../server/behind-workspace.js';
import { embeddedLocation, type TestLocation } from '../store/databases.js';
import { chromiumAvailable, launchChromium } from './browser.js';

const available = chromiumAvailable();

let location: TestLocation;
let workspace: Workspace;
let schedule: CheckSchedule;
let browser: Browser;
let base = '';
let close: () => Promise<void> = () => Promise.resolve();

async function targetsOf2025(): Promise<unknown[]> {
  const response = await fetch(`${base}/api/targets?fiscalYear=2025`);
  return ((await response.json()) as { targets: unknown[] }).targets;
}

async function runCheck(page: Page): Promise<void> {
  await page.goto(`${base}/#/checks?month=2025-06`);
  await page.getByRole('button', { name: 'Run the check' }).click();
  await page.getByTestId('check-books').waitFor({ timeout: 60_000 });
}

describe.skipIf(!available)('targets in the dashboard', () => {
  beforeAll(async () => {
    location = embeddedLocation();
    workspace = await Workspace.open(location.location);
    await importCsvText(workspace, 'lines.csv', BEHIND_LINES);
    await replaceTeamMembers(
      workspace.db,
      [
        { person: 'Ana', team: 'North', manager: 'Mia' },
        { person: 'Ben', team: 'North', manager: 'Mia' },
      ],
      'teams.csv',
      'tester',
    );
    const logger = pino({ level: 'silent' });
    const today = () => dayFromCivil(2025, 7, 3);
    schedule = new CheckSchedule(
      workspace,
      {
        checkDay: 5,
        contractionThreshold: parseDecimal('20') as Decimal,
        delivery: { maxAttempts: 1, retryDelayMs: 0, timeoutMs: 1000 },
        retryDelayMs: 60_000,
        intervalMs: 60_000,
        user: 'scheduler',
      },
      { today, now: () => new Date('2025-07-03T09:00:00Z') },
      logger,
    );
    const app = createApp({ workspace, logger, today, user: 'tester', schedule });
    // The schedule checks May, the latest month due on 2025-07-03, before the page opens.
    await schedule.start();
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await close();
    await schedule?.stop();
    await workspace?.close();
    await location?.drop();
  });

  test('set a target, see the book behind, remove it', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/#/targets?fiscalYear=2025`);
    await page.getByTestId('no-targets').waitFor();

    // A GRR target above 100% is rejected with the API's message, and nothing is stored.
    const form = page.getByTestId('target-form');
    await form.getByLabel('Scope').selectOption('csm');
    await form.getByLabel('Book').fill('Ben');
    await form.getByLabel('NRR target %').fill('95');
    await form.getByLabel('GRR target %').fill('150');
    await form.getByRole('button', { name: 'Save target' }).click();
    const error = page.getByTestId('target-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('grrTarget 150 is out of range');
    expect(await targetsOf2025()).toEqual([]);

    await form.getByLabel('GRR target %').fill('');
    await form.getByRole('button', { name: 'Save target' }).click();
    const row = page.getByTestId('targets').locator('tr[data-scope="csm"][data-book="Ben"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('95%');

    // A team target shows the team with its manager on the Checks page.
    await form.getByLabel('Scope').selectOption('team');
    await form.getByLabel('Book').fill('North');
    await form.getByLabel('NRR target %').fill('100');
    await form.getByRole('button', { name: 'Save target' }).click();
    await page.getByTestId('targets').locator('tr[data-scope="team"]').waitFor();
    // A misspelt CSM has no book: the check names it instead of showing it on track.
    await form.getByLabel('Scope').selectOption('csm');
    await form.getByLabel('Book').fill('Bem');
    await form.getByLabel('NRR target %').fill('90');
    await form.getByRole('button', { name: 'Save target' }).click();
    await page.getByTestId('targets').locator('tr[data-book="Bem"]').waitFor();

    await runCheck(page);
    const ben = page.getByTestId('check-books').locator('tr[data-scope="csm"][data-row="Ben"]');
    expect(await ben.textContent()).toContain('behind');
    const bem = page.getByTestId('check-books').locator('tr[data-scope="csm"][data-row="Bem"]');
    expect(await bem.textContent()).toContain('not in the data');
    expect(await page.getByTestId('unknown-target-books').textContent()).toContain('csm Bem');
    const north = page.getByTestId('check-books').locator('tr[data-scope="team"]');
    expect(await north.textContent()).toContain('team North (manager Mia)');
    // The schedule ran May on its own before the page opened.
    const last = page.getByTestId('schedule-last');
    expect(await last.getAttribute('data-state')).toBe('succeeded');
    expect(await last.textContent()).toContain('Last run: 2025-05');
    expect(await page.getByTestId('schedule-next').textContent()).toContain(
      'Next run: 2025-06, due 2025-07-05',
    );

    await page.goto(`${base}/#/targets?fiscalYear=2025`);
    await row.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect(await targetsOf2025()).toHaveLength(2);
    const misspelt = page.getByTestId('targets').locator('tr[data-book="Bem"]');
    await misspelt.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => misspelt.count()).toBe(0);

    await runCheck(page);
    expect(await page.getByTestId('check-books').locator('tr[data-scope="csm"]').count()).toBe(0);
    await page.close();
  });
});
