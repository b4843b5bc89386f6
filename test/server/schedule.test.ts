/**
 * The check schedule of `nrr serve --check-day 5`, on a real HTTP server on 127.0.0.1 over a
 * workspace whose book is behind target in June 2025. The clock is set by the test. Alerts go to a
 * file whose folder the test removes to make a check fail, then restores so that the retry works.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseDecimal, type Decimal } from '../../src/core/index.js';
import { dayFromCivil, type Day } from '../../src/core/dates.js';
import { createApp } from '../../src/server/app.js';
import { CheckSchedule, dueMonth, type ScheduleSettings } from '../../src/service/schedule.js';
import { startScheduledCheck } from '../../src/store/schedule.js';
import { storeTargets } from '../../src/store/targets.js';
import { Workspace } from '../../src/store/workspace.js';
import { DRIVERS, openLocation, type TestLocation } from '../store/databases.js';
import { BEHIND_LINES, importCsvText } from './behind-workspace.js';

interface Run {
  month: string;
  state: string;
  attempts: number;
  finishedAt: string | null;
  error: string | null;
  behindBooks: number | null;
}

interface State {
  enabled: boolean;
  checkDay: number | null;
  running: string | null;
  lastRun: Run | null;
  nextRun: { month: string; due: string } | null;
  runs: Run[];
}

function percent(text: string): Decimal {
  return parseDecimal(text) as Decimal;
}

const RETRY_MS = 60_000;

describe('due month', () => {
  test.each([
    ['2025-07-04', '2025-05'],
    ['2025-07-05', '2025-06'],
    ['2025-07-31', '2025-06'],
    ['2025-01-05', '2024-12'],
    ['2025-01-04', '2024-11'],
  ])('on %s it is %s', (today, month) => {
    const [year, monthNumber, day] = today.split('-').map(Number) as [number, number, number];
    const due = dueMonth(dayFromCivil(year, monthNumber, day), 5);
    const [dueYear, dueMonthNumber] = month.split('-').map(Number) as [number, number];
    expect(due).toBe(dayFromCivil(dueYear, dueMonthNumber, 1));
  });
});

describe.each(DRIVERS)('check schedule on %s', (driver) => {
  let location: TestLocation;
  let workspace: Workspace;
  const scratch = mkdtempSync(path.join(tmpdir(), 'nrr-schedule-'));
  const folder = path.join(scratch, 'out');
  const alertsFile = path.join(folder, 'alerts.jsonl');
  let today: Day = dayFromCivil(2025, 7, 3);
  let now = new Date('2025-07-03T09:00:00Z');
  let server: Server | undefined;
  let schedule: CheckSchedule | undefined;
  let base = '';

  const settings: ScheduleSettings = {
    checkDay: 5,
    contractionThreshold: percent('20'),
    alertsFile,
    delivery: { maxAttempts: 1, retryDelayMs: 0, timeoutMs: 1000 },
    retryDelayMs: RETRY_MS,
    intervalMs: 20,
    user: 'scheduler',
  };

  /** Starts a schedule and a server over the workspace, as `nrr serve --check-day 5` does. */
  async function serve(): Promise<void> {
    const logger = pino({ level: 'silent' });
    schedule = new CheckSchedule(
      workspace,
      settings,
      { today: () => today, now: () => now },
      logger,
    );
    const app = createApp({ workspace, logger, today: () => today, user: 'tester', schedule });
    server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await schedule.start();
  }

  async function shutDown(): Promise<void> {
    await schedule?.stop();
    await new Promise<void>((resolve) => {
      if (server === undefined) resolve();
      else server.close(() => resolve());
    });
    server = undefined;
    schedule = undefined;
  }

  async function state(): Promise<State> {
    const response = await fetch(`${base}/api/checks/schedule`);
    expect(response.status).toBe(200);
    return (await response.json()) as State;
  }

  /** Polls the API until `done` holds, for at most 20 seconds. */
  async function waitFor(done: (current: State) => boolean): Promise<State> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const current = await state();
      if (done(current)) return current;
      if (Date.now() > deadline)
        throw new Error(`timed out; last state ${JSON.stringify(current)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  const runOf = (current: State, month: string) => current.runs.find((run) => run.month === month);

  beforeAll(async () => {
    location = await openLocation(driver);
    workspace = await Workspace.open(location.location);
    await importCsvText(workspace, 'lines.csv', BEHIND_LINES);
    await storeTargets(
      workspace.db,
      [
        { scope: 'csm', book: 'Ana', fiscalYear: 2025, nrr: percent('100'), grr: null },
        { scope: 'csm', book: 'Ben', fiscalYear: 2025, nrr: percent('95'), grr: null },
      ],
      'targets.csv',
      'tester',
    );
    mkdirSync(folder);
  });

  afterAll(async () => {
    await shutDown();
    await workspace.close();
    await location.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a new workspace starts with the month due', async () => {
    await serve();
    // On 2025-07-03, before the check day, June is not due yet: May is the latest month due.
    const current = await waitFor((s) => runOf(s, '2025-05')?.state === 'succeeded');
    expect(current.enabled).toBe(true);
    expect(current.checkDay).toBe(5);
    expect(current.runs.map((run) => run.month)).toEqual(['2025-05']);
    expect(current.lastRun?.month).toBe('2025-05');
    expect(current.nextRun).toEqual({ month: '2025-06', due: '2025-07-05' });
  });

  test('a failed check is stored with its error', async () => {
    rmSync(folder, { recursive: true, force: true });
    today = dayFromCivil(2025, 7, 5);
    now = new Date('2025-07-05T09:00:00Z');
    const current = await waitFor((s) => runOf(s, '2025-06')?.state === 'failed');
    const june = runOf(current, '2025-06');
    expect(june?.attempts).toBe(1);
    expect(june?.error).toContain('delivery to file');
    expect(june?.error).toContain('ENOENT');
    expect(current.lastRun?.month).toBe('2025-06');
    expect(current.lastRun?.state).toBe('failed');
    // The retry is due one retry delay after the failure.
    expect(current.nextRun).toEqual({ month: '2025-06', due: '2025-07-05T09:01:00.000Z' });
  });

  test('the retry waits for its delay', async () => {
    // Several looks at the clock pass while the test keeps the time fixed.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(runOf(await state(), '2025-06')?.attempts).toBe(1);
  });

  test('the retry succeeds once the folder is back', async () => {
    mkdirSync(folder);
    now = new Date(now.getTime() + RETRY_MS);
    const current = await waitFor((s) => runOf(s, '2025-06')?.state === 'succeeded');
    const june = runOf(current, '2025-06');
    expect(june?.attempts).toBe(2);
    expect(june?.error).toBeNull();
    // Ben is behind his 95% glide path in June.
    expect(june?.behindBooks).toBe(1);
    const lines = readFileSync(alertsFile, 'utf8').trim().split('\n');
    expect(lines.some((line) => line.includes('behind-target|2025-06|csm|Ben'))).toBe(true);
    expect(current.nextRun).toEqual({ month: '2025-07', due: '2025-08-05' });
  });

  test('a restart repeats no month', async () => {
    const written = readFileSync(alertsFile, 'utf8');
    await shutDown();
    today = dayFromCivil(2025, 7, 20);
    now = new Date('2025-07-20T09:00:00Z');
    await serve();
    await schedule?.tick();
    const current = await state();
    expect(current.runs.map((run) => [run.month, run.attempts])).toEqual([
      ['2025-06', 2],
      ['2025-05', 1],
    ]);
    expect(readFileSync(alertsFile, 'utf8')).toBe(written);
  });

  test('a restart skips no month', async () => {
    await shutDown();
    // The server was down through August's check day.
    today = dayFromCivil(2025, 9, 10);
    now = new Date('2025-09-10T09:00:00Z');
    await serve();
    const current = await waitFor((s) => runOf(s, '2025-08')?.state === 'succeeded');
    expect(current.runs.map((run) => [run.month, run.state])).toEqual([
      ['2025-08', 'succeeded'],
      ['2025-07', 'succeeded'],
      ['2025-06', 'succeeded'],
      ['2025-05', 'succeeded'],
    ]);
    expect(current.nextRun).toEqual({ month: '2025-09', due: '2025-10-05' });
    expect(existsSync(alertsFile)).toBe(true);
  });

  test('a run cut off by a stop is retried', async () => {
    await shutDown();
    // A server that stopped while checking August left the month running.
    await startScheduledCheck(workspace.db, '2025-08', now);
    await serve();
    const interrupted = await state();
    const august = runOf(interrupted, '2025-08');
    expect(august?.state).toBe('failed');
    expect(august?.error).toBe('the server stopped during the check');
    now = new Date(now.getTime() + RETRY_MS);
    const retried = await waitFor((s) => runOf(s, '2025-08')?.state === 'succeeded');
    // The first attempt, the one cut off, and the retry.
    expect(runOf(retried, '2025-08')?.attempts).toBe(3);
  });
});

describe('server without a schedule', () => {
  test('reports it disabled', async () => {
    const location = await openLocation('embedded');
    const workspace = await Workspace.open(location.location);
    try {
      const app = createApp({
        workspace,
        logger: pino({ level: 'silent' }),
        today: () => dayFromCivil(2025, 7, 1),
        user: 'tester',
      });
      const body = (await (await app.request('/api/checks/schedule')).json()) as State;
      expect(body.enabled).toBe(false);
      expect(body.runs).toEqual([]);
    } finally {
      await workspace.close();
      await location.drop();
    }
  });
});
