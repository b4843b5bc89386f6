/**
 * The progress page in a real browser with personal access keys: without a key it shows the
 * concepts and no names; a manager's key, entered once, shows the manager's reports and is kept
 * across a reload; a key the server does not know is rejected.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dayFromCivil } from '../../src/core/index.js';
import { issueKey } from '../../src/store/people.js';
import { replaceTeamMembers } from '../../src/store/teams.js';
import { Workspace } from '../../src/store/workspace.js';
import { embeddedLocation, type TestLocation } from '../store/databases.js';
import { storeAnswers } from '../server/progress-answers.js';
import { chromiumAvailable, launchChromium } from './browser.js';
import { serveWorkspace, type Served } from './serve.js';

const SHOTS = path.join(
  fileURLToPath(new URL('../..', import.meta.url)),
  'test-output/screenshots',
);
const available = chromiumAvailable();

let location: TestLocation;
let workspace: Workspace;
let server: Served;
let base: string;
let browser: Browser;
let managerKey: string;

describe.skipIf(!available)('progress page in chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    location = embeddedLocation();
    workspace = await Workspace.open(location.location);
    // Ana and Ben report to Mia; Zoe reports to Kim.
    await replaceTeamMembers(
      workspace.db,
      [
        { person: 'Ana', team: 'North', manager: 'Mia' },
        { person: 'Ben', team: 'North', manager: 'Mia' },
        { person: 'Zoe', team: 'South', manager: 'Kim' },
      ],
      'teams.csv',
      'tester',
    );
    await storeAnswers(workspace.db, [
      ['Ana', true],
      ['Ben', false],
      ['Zoe', true],
    ]);
    managerKey = await issueKey(workspace.db, 'Mia', { leader: false, user: 'tester' });
    server = await serveWorkspace(workspace, { today: dayFromCivil(2026, 12, 4), user: 'tester' });
    base = server.base;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await workspace?.close();
    await location?.drop();
  });

  test('a manager key shows the reports', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 900 } })
    ).newPage();
    await page.goto(`${base}/#/progress`);

    // Without a key: the concepts, three answers of which two are right, and no names.
    await page.getByTestId('progress-concepts').waitFor();
    expect(await page.getByTestId('progress-concepts').textContent()).toContain('2 of 3');
    expect(await page.getByTestId('progress-people').count()).toBe(0);
    const anonymous = (await page.locator('main').textContent()) ?? '';
    for (const name of ['Ana', 'Ben', 'Zoe']) expect(anonymous).not.toContain(name);

    await page.locator('input[name="key"]').fill(managerKey);
    await page.getByRole('button', { name: 'Show my progress' }).click();
    await page.getByTestId('progress-people').waitFor();
    expect(await page.getByTestId('viewer').textContent()).toContain('key of Mia');
    const people = page.getByTestId('progress-people');
    expect(await people.locator('tr[data-row="Ana"]').textContent()).toContain('1 of 1');
    expect(await people.locator('tr[data-row="Ben"]').textContent()).toContain('0 of 1');
    expect(await people.locator('tr[data-row="Zoe"]').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'progress-manager-1280.png'), fullPage: true });

    // The key is kept in the browser: a reload asks for nothing.
    await page.reload();
    await page.getByTestId('progress-people').waitFor();
    expect(await page.locator('input[name="key"]').count()).toBe(0);

    // One report's own progress.
    await people.locator('tr[data-row="Ben"] button').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Progress of Ben');
    await page.getByTestId('progress-people').waitFor();
    expect(await page.getByTestId('progress-concepts').textContent()).toContain('0 of 1');

    // Forgetting the key hides the names again.
    await page.getByRole('button', { name: 'Forget the key' }).click();
    await page.getByTestId('key-form').waitFor();
  });

  test('an unknown key is rejected', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 390, height: 844 } })
    ).newPage();
    await page.goto(`${base}/#/progress`);
    await page.locator('input[name="key"]').fill('nrrk_not-a-key');
    await page.getByRole('button', { name: 'Show my progress' }).click();
    await page.getByTestId('key-rejected').waitFor();
    expect(await page.getByTestId('key-rejected').textContent()).toContain('not valid');
    expect(await page.getByTestId('progress-people').count()).toBe(0);
    expect(await page.getByTestId('key-form').count()).toBe(1);
  });
});
