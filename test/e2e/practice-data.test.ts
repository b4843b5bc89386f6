/**
 * The Practice page on the workspace's own accounts, anonymised, in a real browser on a server
 * over a workspace holding a generated company.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dayFromCivil } from '../../src/core/index.js';
import type { Dataset } from '../../src/core/model.js';
import { generateCompany, writeCanonicalCsv } from '../../src/generate/index.js';
import { importFiles, readInputs } from '../../src/service/import.js';
import { Workspace } from '../../src/store/workspace.js';
import { embeddedLocation, type TestLocation } from '../store/databases.js';
import { leakedNames, realNames } from '../server/real-names.js';
import { chromiumAvailable, launchChromium } from './browser.js';
import { serveWorkspace, type Served } from './serve.js';

const SHOTS = path.join(
  fileURLToPath(new URL('../..', import.meta.url)),
  'test-output/screenshots',
);
const available = chromiumAvailable();

let files: string;
let company: Dataset;
let location: TestLocation;
let workspace: Workspace;
let server: Served;
let base: string;
let browser: Browser;

describe.skipIf(!available)('practice on our accounts in chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    files = mkdtempSync(path.join(tmpdir(), 'nrr-practice-data-'));
    company = generateCompany({ accounts: 300, seed: 21 });
    location = embeddedLocation();
    workspace = await Workspace.open(location.location);
    await importFiles(workspace, readInputs(writeCanonicalCsv(company, files).files, undefined), {
      preset: 'canonical',
    });
    server = await serveWorkspace(workspace, { today: dayFromCivil(2026, 1, 15), user: 'tester' });
    base = server.base;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await workspace?.close();
    await location?.drop();
    if (files !== undefined) rmSync(files, { recursive: true, force: true });
  });

  test('practice on our accounts hides names', async () => {
    const names = realNames(company);
    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 900 } })
    ).newPage();
    await page.goto(`${base}/#/train?level=2&seed=3`);
    await page.getByTestId('exercise').waitFor();
    await page.locator('select[name="source"]').selectOption('data');
    const anonymise = page.locator('input[name="anonymise"]');
    await anonymise.waitFor();
    expect(await anonymise.isChecked()).toBe(true);
    await expect
      .poll(() => page.getByTestId('exercise').getAttribute('data-exercise'))
      .toMatch(/^data\.anon\.2\./);
    expect(await page.getByTestId('exercise').textContent()).toContain('Account 1');

    await page.locator('input[name="response"]').fill('100');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('grade').waitFor();
    const grade = (await page.getByTestId('grade').textContent()) ?? '';
    expect(grade).toContain('Worked solution');
    expect(await page.getByTestId('grade').locator('ol li').count()).toBeGreaterThan(1);
    expect(leakedNames(await page.locator('body').innerText(), names)).toEqual([]);
    await page.screenshot({
      path: path.join(SHOTS, 'practice-our-accounts-1280.png'),
      fullPage: true,
    });

    // Turning anonymisation off shows the real accounts, so the check above can fail.
    // The box follows the address, which changes just after the click, so the test waits for
    // it rather than checking the box's state at once.
    await anonymise.click();
    await expect.poll(() => anonymise.isChecked()).toBe(false);
    await expect
      .poll(() => page.getByTestId('exercise').getAttribute('data-exercise'))
      .toMatch(/^data\.named\.2\./);
    expect(leakedNames(await page.locator('body').innerText(), names)).not.toEqual([]);
    await page.close();
  });

  test('session on our accounts hides names', async () => {
    const names = realNames(company);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const facilitator = await context.newPage();
    await facilitator.goto(`${base}/#/session`);
    await facilitator.locator('select[name="source"]').selectOption('data');
    expect(await facilitator.locator('input[name="anonymise"]').isChecked()).toBe(true);
    await facilitator.locator('select[name="level"]').selectOption('1');
    await facilitator.locator('input[name="count"]').fill('2');
    await facilitator.getByRole('button', { name: 'Start' }).click();
    const code = (await facilitator.getByTestId('session-code').textContent()) ?? '';
    expect(code).toMatch(/^[A-Z2-9]{6}$/);

    const participant = await context.newPage();
    await participant.goto(`${base}/#/join`);
    await participant.locator('input[name="code"]').fill(code);
    await participant.locator('input[name="name"]').fill('Ana');
    await participant.getByRole('button', { name: 'Join' }).click();
    await participant.getByTestId('participant').waitFor();
    expect(await participant.getByTestId('participant').textContent()).toContain('Account 1');
    expect(leakedNames(await participant.locator('body').innerText(), names)).toEqual([]);

    await facilitator.getByRole('button', { name: 'Reveal the solution' }).click();
    await participant.getByTestId('solution').waitFor();
    expect(leakedNames(await participant.locator('body').innerText(), names)).toEqual([]);
    await context.close();
  });
});
