/**
 * A live training session in a real browser: a facilitator and three participants, each in a
 * browser context of their own, on a server over a workspace of the test's own.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dayFromCivil } from '../../src/core/index.js';
import { issueKey } from '../../src/store/people.js';
import { syntheticExerciseById } from '../../src/training/exercises.js';
import { Workspace } from '../../src/store/workspace.js';
import { embeddedLocation, type TestLocation } from '../store/databases.js';
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

describe.skipIf(!available)('live session in chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    location = embeddedLocation();
    workspace = await Workspace.open(location.location);
    server = await serveWorkspace(workspace, {
      today: dayFromCivil(2026, 12, 4),
      user: 'facilitator',
    });
    base = server.base;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await workspace?.close();
    await location?.drop();
  });

  test('people join, answer, and see the solution revealed', async () => {
    const facilitator = await (
      await browser.newContext({ viewport: { width: 1280, height: 900 } })
    ).newPage();
    await facilitator.goto(`${base}/#/session`);
    await facilitator.locator('select[name="level"]').selectOption('2');
    await facilitator.locator('input[name="count"]').fill('2');
    await facilitator.getByRole('button', { name: 'Start' }).click();
    const code = (await facilitator.getByTestId('session-code').textContent()) ?? '';
    expect(code).toMatch(/^[A-Z2-9]{6}$/);

    const names = ['Ana', 'Ben', 'Chloé'];
    const people: Page[] = [];
    for (const name of names) {
      const page = await (
        await browser.newContext({ viewport: { width: 390, height: 844 } })
      ).newPage();
      await page.goto(`${base}/#/join`);
      await page.locator('input[name="code"]').fill(code.toLowerCase());
      await page.locator('input[name="name"]').fill(name);
      await page.getByRole('button', { name: 'Join' }).click();
      await page.getByTestId('participant').waitFor();
      people.push(page);
    }
    await expect.poll(() => facilitator.getByTestId('participants').textContent()).toBe('3');

    // Everyone sees the same exercise; one answers right, two make the same mistake.
    const id = (await people[0]?.getByTestId('participant').getAttribute('data-exercise')) ?? '';
    const exercise = syntheticExerciseById(id);
    const wrong = exercise?.misconceptions[0];
    const answers = [
      (exercise?.answer as number).toFixed(1),
      (wrong?.answer as number).toFixed(2),
      `${(wrong?.answer as number).toFixed(2)}%`,
    ];
    for (const [index, page] of people.entries()) {
      await page.locator('input[name="response"]').fill(answers[index] as string);
      await page.locator('textarea[name="explanation"]').fill(`working of ${names[index]}`);
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByTestId('sent').waitFor();
    }

    await expect.poll(() => facilitator.getByTestId('answer-count').textContent()).toBe('3');
    expect(await facilitator.getByTestId('correct-count').textContent()).toBe('1');
    const distribution = facilitator.getByTestId('distribution').locator('tr');
    expect(await distribution.count()).toBe(2);
    expect(await facilitator.getByTestId('misconceptions').textContent()).toContain(
      `2 × ${wrong?.description ?? ''}`,
    );
    expect(await facilitator.getByTestId('answers').textContent()).toContain('working of Chloé');
    await facilitator.screenshot({
      path: path.join(SHOTS, 'session-facilitator-1280.png'),
      fullPage: true,
    });

    await facilitator.getByRole('button', { name: 'Reveal the solution' }).click();
    await facilitator.getByTestId('solution').waitFor();
    for (const [index, page] of people.entries()) {
      await page.getByTestId('solution').waitFor();
      const sent = (await page.getByTestId('sent').textContent()) ?? '';
      if (index === 0) expect(sent).toContain('Right.');
      else expect(sent).toContain(`It looks as if you ${wrong?.description ?? ''}`);
    }
    await people[1]?.screenshot({
      path: path.join(SHOTS, 'session-participant-390.png'),
      fullPage: true,
    });

    await facilitator.getByRole('button', { name: 'Next exercise' }).click();
    await expect
      .poll(async () => people[0]?.getByTestId('participant').getAttribute('data-exercise'))
      .not.toBe(id);

    // The answers are kept: with a leader's key, the team view counts one right answer of three.
    const leaderKey = await issueKey(workspace.db, 'Lee', { leader: true, user: 'tester' });
    await facilitator.goto(`${base}/#/progress`);
    await facilitator.locator('input[name="key"]').fill(leaderKey);
    await facilitator.getByRole('button', { name: 'Show my progress' }).click();
    await facilitator.getByTestId('progress-people').waitFor();
    expect(await facilitator.getByTestId('progress-people').textContent()).toContain('Chloé');
    expect(
      await facilitator.locator('[data-testid="progress-people"] tr[data-row="Ana"]').textContent(),
    ).toContain('1 of 1');
  });
});
