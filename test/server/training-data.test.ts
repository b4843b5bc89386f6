/**
 * Practice exercises and live sessions built from the workspace's accounts, called in process on
 * a workspace holding a generated company, and on an empty one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dayFromCivil } from '../../src/core/index.js';
import type { Dataset } from '../../src/core/model.js';
import { generateCompany, writeCanonicalCsv } from '../../src/generate/index.js';
import { createApp } from '../../src/server/app.js';
import { parseDataExerciseId } from '../../src/server/training-data.js';
import { importFiles, readInputs } from '../../src/service/import.js';
import { exerciseFromData } from '../../src/training/from-data.js';
import { Workspace } from '../../src/store/workspace.js';
import { embeddedLocation, type TestLocation } from '../store/databases.js';
import { leakedNames, realNames } from './real-names.js';

interface Served {
  readonly app: OpenAPIHono;
  readonly workspace: Workspace;
  readonly location: TestLocation;
}

let files: string;
let company: Dataset;
let full: Served;
let empty: Served;
/** A workspace of one account, too few for a CSM book of two. */
let single: Served;

async function open(): Promise<Served> {
  const location = embeddedLocation();
  const workspace = await Workspace.open(location.location);
  const app = createApp({
    workspace,
    logger: pino({ level: 'silent' }),
    today: () => dayFromCivil(2026, 1, 15),
    user: 'facilitator',
  });
  return { app, workspace, location };
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

function errorOf(body: Record<string, unknown>): Record<string, unknown> {
  return body['error'] as Record<string, unknown>;
}

function post(
  app: OpenAPIHono,
  route: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return app.request(route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function exercises(app: OpenAPIHono, query: string): Promise<Record<string, unknown>[]> {
  const response = await app.request(`/api/training/exercises?${query}`);
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(200);
  return (await json(response))['exercises'] as Record<string, unknown>[];
}

beforeAll(async () => {
  files = mkdtempSync(path.join(tmpdir(), 'nrr-train-data-'));
  company = generateCompany({ accounts: 300, seed: 21 });
  const written = writeCanonicalCsv(company, files).files;
  full = await open();
  await importFiles(full.workspace, readInputs(written, undefined), { preset: 'canonical' });
  empty = await open();
  const account = company.lines[0]?.accountId as string;
  const one = {
    ...company,
    accounts: company.accounts.filter((entry) => entry.id === account),
    lines: company.lines.filter((line) => line.accountId === account),
    assignments: company.assignments.filter((entry) => entry.accountId === account),
    segments: company.segments.filter((entry) => entry.accountId === account),
  };
  const singleFiles = path.join(files, 'single');
  single = await open();
  await importFiles(
    single.workspace,
    readInputs(writeCanonicalCsv(one, singleFiles).files, undefined),
    { preset: 'canonical' },
  );
}, 120_000);

afterAll(async () => {
  for (const served of [full, empty, single]) {
    await served?.workspace.close();
    await served?.location.drop();
  }
  if (files !== undefined) rmSync(files, { recursive: true, force: true });
});

describe('practice exercises from the workspace', () => {
  test.each([1, 2, 3])('builds and grades level %i', async (level) => {
    const list = await exercises(full.app, `source=data&level=${level}&count=2&seed=4`);
    expect(list).toHaveLength(2);
    for (const exercise of list) {
      expect(exercise['level']).toBe(level);
      expect(exercise['id']).toMatch(new RegExp(`^data\\.anon\\.${level}\\.`));
      expect(exercise).not.toHaveProperty('answer');
      expect(exercise).not.toHaveProperty('solution');
    }
    const id = String(list[0]?.['id']);
    const wrong = await json(
      await post(full.app, '/api/training/answers', { exercise: id, response: 'expansion' }),
    );
    const answer = wrong['answer'];
    const response = typeof answer === 'number' ? `${answer.toFixed(2)}%` : String(answer);
    const right = await json(
      await post(full.app, '/api/training/answers', { exercise: id, response }),
    );
    expect(right['correct']).toBe(true);
    expect((right['solution'] as string[]).length).toBeGreaterThan(0);
  });

  test('anonymises by default and on request only', async () => {
    const names = realNames(company);
    const anonymised = await exercises(full.app, 'source=data&count=3&seed=2');
    expect(anonymised.map((exercise) => exercise['id'])).toEqual([
      expect.stringMatching(/^data\.anon\.all\./),
      expect.stringMatching(/^data\.anon\.all\./),
      expect.stringMatching(/^data\.anon\.all\./),
    ]);
    expect(leakedNames(JSON.stringify(anonymised), names)).toEqual([]);
    const named = await exercises(full.app, 'source=data&anonymise=false&count=3&seed=2');
    expect(named[0]?.['id']).toMatch(/^data\.named\.all\./);
    expect(leakedNames(JSON.stringify(named), names)).not.toEqual([]);
  });

  test('gives the same set for the same seed', async () => {
    const first = await exercises(full.app, 'source=data&level=2&count=2&seed=9');
    const again = await exercises(full.app, 'source=data&level=2&count=2&seed=9');
    expect(again).toEqual(first);
  });

  test('names the misconception behind a wrong answer', async () => {
    const [exercise] = await exercises(full.app, 'source=data&level=2&count=1&seed=5');
    const id = String(exercise?.['id']);
    const graded = await json(
      await post(full.app, '/api/training/answers', { exercise: id, response: '1%' }),
    );
    expect(graded['correct']).toBe(false);
    const answer = Number(graded['answer']);
    // The same exercise built in process from the stored data carries the misconceptions.
    const parsed = parseDataExerciseId(id);
    expect(parsed).toBeDefined();
    const built = exerciseFromData(
      await full.workspace.loadDataset(),
      {
        ...(parsed?.choice as NonNullable<typeof parsed>['choice']),
        levels: [2],
        definitions: (await full.workspace.currentDefinitions()).definitions,
      },
      0,
    );
    expect(built.answer).toBe(answer);
    const misconceptions = built.misconceptions.filter(
      (entry) => typeof entry.answer === 'number' && Math.abs(entry.answer - answer) > 0.1,
    );
    expect(misconceptions.length).toBeGreaterThan(0);
    for (const misconception of misconceptions) {
      const result = await json(
        await post(full.app, '/api/training/answers', {
          exercise: id,
          response: `${Number(misconception.answer).toFixed(2)}%`,
        }),
      );
      expect(result['misconception']).toEqual({
        code: misconception.code,
        description: misconception.description,
      });
    }
  });

  test.each([
    ['source=file', 400, 'source'],
    ['source=data&anonymise=maybe', 400, 'anonymise'],
    ['source=synthetic&anonymise=true', 400, 'anonymise'],
    ['anonymise=false', 400, 'anonymise'],
    ['source=data&level=0', 400, 'level'],
    ['source=data&count=21', 400, 'count'],
    ['source=data&seed=-1', 400, 'seed'],
  ])('rejects %s', async (query, status, field) => {
    const response = await full.app.request(`/api/training/exercises?${query}`);
    expect(response.status).toBe(status);
    const error = errorOf(await json(response));
    expect(error['field']).toBe(field);
    expect(String(error['message'])).not.toBe('');
  });

  test('rejects an empty workspace', async () => {
    const response = await empty.app.request('/api/training/exercises?source=data');
    expect(response.status).toBe(422);
    const error = errorOf(await json(response));
    expect(error['code']).toBe('no-data');
    expect(error['message']).toMatch(/no contract lines .* import files first/);
  });

  test('rejects a level the accounts cannot give', async () => {
    const response = await single.app.request('/api/training/exercises?source=data&level=2');
    expect(response.status).toBe(422);
    const error = errorOf(await json(response));
    expect(error['code']).toBe('no-exercise-data');
    expect(error['field']).toBe('level');
    expect(error['message']).toMatch(
      /no level 2 exercise .*choose another level, or source synthetic/,
    );
  });

  test('rejects grading on an empty workspace', async () => {
    const response = await post(empty.app, '/api/training/answers', {
      exercise: 'data.anon.2.2025-12-31.1.0',
      response: '100%',
    });
    expect(response.status).toBe(422);
    expect(errorOf(await json(response))['code']).toBe('no-data');
  });
});

describe('live sessions on the workspace', () => {
  async function start(app: OpenAPIHono, body: Record<string, unknown>) {
    return post(app, '/api/training/sessions', { count: 2, seed: 7, ...body });
  }

  test.each([1, 2, 3])('keeps real names from participants at level %i', async (level) => {
    const names = realNames(company);
    const created = await start(full.app, { source: 'data', level });
    expect(created.status).toBe(201);
    const { code, facilitatorKey } = (await json(created)) as {
      code: string;
      facilitatorKey: string;
    };
    const joined = await json(
      await post(full.app, `/api/training/sessions/${code}/participants`, { name: 'Ana' }),
    );
    const token = String(joined['token']);
    const key = { 'x-facilitator-key': facilitatorKey };
    const seen: string[] = [];
    for (let index = 0; index < 2; index++) {
      const view = await json(
        await full.app.request(`/api/training/sessions/${code}?token=${token}`),
      );
      const exercise = view['exercise'] as Record<string, unknown>;
      expect(exercise['level']).toBe(level);
      seen.push(JSON.stringify(view));
      const response = exercise['answerKind'] === 'choice' ? 'churn' : '100%';
      const answered = await post(full.app, `/api/training/sessions/${code}/answers`, {
        token,
        response,
        explanation: 'as the data shows',
      });
      expect(answered.status).toBe(200);
      const revealed = await post(full.app, `/api/training/sessions/${code}/reveal`, {}, key);
      expect(revealed.status).toBe(200);
      const after = await json(
        await full.app.request(`/api/training/sessions/${code}?token=${token}`),
      );
      expect((after['solution'] as string[]).length).toBeGreaterThan(0);
      expect((after['mine'] as Record<string, unknown>)['feedback']).not.toBeNull();
      seen.push(JSON.stringify(after));
      await post(full.app, `/api/training/sessions/${code}/next`, {}, key);
    }
    expect(leakedNames(seen.join('\n'), names)).toEqual([]);
  });

  test('builds the same set again after a restart', async () => {
    const created = await start(full.app, { source: 'data', level: 1, seed: 11 });
    const { code, session } = (await json(created)) as {
      code: string;
      session: Record<string, unknown>;
    };
    const restarted = createApp({
      workspace: full.workspace,
      logger: pino({ level: 'silent' }),
      today: () => dayFromCivil(2026, 1, 15),
      user: 'facilitator',
    });
    const again = await json(await restarted.request(`/api/training/sessions/${code}`));
    expect(again['exercise']).toEqual(session['exercise']);
    expect(String((again['exercise'] as Record<string, unknown>)['question'])).toMatch(/Account 1/);
  });

  test('runs on named accounts when asked', async () => {
    const created = await start(full.app, { source: 'data', anonymise: false, level: 2 });
    expect(created.status).toBe(201);
    const view = (await json(created))['session'] as Record<string, unknown>;
    expect(leakedNames(JSON.stringify(view['exercise']), realNames(company))).not.toEqual([]);
  });

  test.each([
    [{ source: 'file' }, 400, 'source'],
    [{ source: 'data', anonymise: 'yes' }, 400, 'anonymise'],
    [{ anonymise: true }, 400, 'anonymise'],
    [{ source: 'data', level: 4 }, 400, 'level'],
    [{ source: 'data', count: 21 }, 400, 'count'],
  ])('rejects %j', async (body, status, field) => {
    const response = await start(full.app, body);
    expect(response.status).toBe(status);
    expect(errorOf(await json(response))['field']).toBe(field);
  });

  test('rejects a level the accounts cannot give', async () => {
    const response = await start(single.app, { source: 'data', level: 2 });
    expect(response.status).toBe(422);
    expect(errorOf(await json(response))['code']).toBe('no-exercise-data');
  });

  test('rejects an empty workspace before storing a session', async () => {
    const response = await start(empty.app, { source: 'data' });
    expect(response.status).toBe(422);
    expect(errorOf(await json(response))['code']).toBe('no-data');
    const rows = await empty.workspace.db.query<{ count: number | string }>(
      'SELECT count(*) AS count FROM training_sessions',
    );
    expect(Number(rows[0]?.count)).toBe(0);
  });
});
