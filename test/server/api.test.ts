/**
 * The HTTP API, called in process (no port) on a workspace of the test's own holding the
 * canonical fixture files.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  buildComparison,
  buildRenewalsReport,
  buildTimingReport,
  dayFromCivil,
  DEFAULT_DEFINITIONS,
  findRenewals,
  fiscalYearAnalysis,
  periodAnalysis,
  report,
  runScenario,
} from '../../src/core/index.js';
import type { ScenarioChoice } from '../../src/core/index.js';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from '../../src/server/app.js';
import { issueKey } from '../../src/store/people.js';
import { syntheticExercises } from '../../src/training/exercises.js';
import { Workspace } from '../../src/store/workspace.js';
import { embeddedLocation, type TestLocation } from '../store/databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.join(ROOT, 'test/fixtures/canonical');
const FILES = ['lines.csv', 'accounts.csv', 'assignments.csv', 'segments.csv', 'fx-rates.csv'];

let location: TestLocation;
let workspace: Workspace;
let app: OpenAPIHono;

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

function upload(files: { name: string; text: string }[], fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const file of files) form.append('files', new File([file.text], file.name));
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return app.request('/api/imports', { method: 'POST', body: form });
}

async function finished(jobId: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const job = await json(await app.request(`/api/jobs/${jobId}`));
    if (job['state'] !== 'running') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}

beforeAll(async () => {
  location = embeddedLocation();
  workspace = await Workspace.open(location.location);
  app = createApp({
    workspace,
    logger: pino({ level: 'silent' }),
    today: () => dayFromCivil(2026, 12, 4),
    user: 'tester',
  });
  const response = await upload(
    FILES.map((name) => ({ name, text: readFileSync(path.join(FIXTURES, name), 'utf8') })),
  );
  expect(response.status).toBe(202);
  const job = await finished(String((await json(response))['id']));
  expect(job['state']).toBe('succeeded');
});

afterAll(async () => {
  await workspace.close();
  await location.drop();
});

describe('GET /api/report', () => {
  test('company figures equal the engine on the stored data', async () => {
    const response = await app.request('/api/report?asOf=2024-12-31');
    expect(response.status).toBe(200);
    const body = await json(response);
    const expected = report(
      await workspace.loadDataset(),
      DEFAULT_DEFINITIONS,
      dayFromCivil(2024, 12, 31),
    );
    expect(body).toEqual({
      ...expected,
      definitions: { ...expected.definitions, workspaceVersion: 1 },
    });
  });

  test('per CSM rows', async () => {
    const body = await json(await app.request('/api/report?asOf=2024-12-31&by=csm'));
    expect(body['groupedBy']).toBe('csm');
    expect((body['groups'] as { key: string }[]).map((group) => group.key)).toContain('Lee Park');
  });

  test.each([
    ['asOf=2024-02-30', 'asOf'],
    ['asOf=yesterday', 'asOf'],
    ['by=team', 'by'],
    ['definitions=abc', 'definitions'],
  ])('rejects %s', async (query, field) => {
    const response = await app.request(`/api/report?${query}`);
    expect(response.status).toBe(400);
    const body = (await json(response))['error'] as Record<string, unknown>;
    expect(body['code']).toBe('invalid-parameter');
    expect(body['field']).toBe(field);
  });

  test('an unknown definitions version is not found', async () => {
    const response = await app.request('/api/report?definitions=42');
    expect(response.status).toBe(404);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe(
      'definitions',
    );
  });
});

describe('GET /api/report with filters', () => {
  test('narrows each CSM book to a segment', async () => {
    const all = await json(await app.request('/api/report?asOf=2024-12-31&by=csm'));
    const narrowed = await json(
      await app.request('/api/report?asOf=2024-12-31&by=csm&segment=Enterprise'),
    );
    expect(narrowed['filters']).toEqual({ segment: 'Enterprise' });
    const keys = (report: Record<string, unknown>) =>
      (report['groups'] as { key: string }[]).map((group) => group.key);
    // Only Acme (Enterprise) has a CSM book in that segment, so fewer or equal books remain.
    expect(keys(narrowed).length).toBeGreaterThan(0);
    expect(keys(narrowed).every((key) => keys(all).includes(key))).toBe(true);
    const none = await json(
      await app.request('/api/report?asOf=2024-12-31&by=csm&segment=No%20such%20segment'),
    );
    expect(none['groups']).toEqual([]);
  });

  test.each([
    ['segment=Enterprise', 'by'],
    ['by=month&segment=Enterprise', 'by'],
    ['by=segment&segment=Enterprise', 'segment'],
    ['by=csm&region=', 'region'],
  ])('rejects %s', async (query, field) => {
    const response = await app.request(`/api/report?${query}`);
    expect(response.status).toBe(400);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe(field);
  });
});

describe('GET /api/accounts', () => {
  test('the active accounts add up to ARR and the cohort to NRR and GRR', async () => {
    const company = await json(await app.request('/api/report?asOf=2024-12-31'));
    const active = await json(await app.request('/api/accounts?asOf=2024-12-31'));
    expect(active['set']).toBe('active');
    expect(active['arrAtEnd']).toBe(company['arr']);
    const cohort = await json(await app.request('/api/accounts?asOf=2024-12-31&set=cohort'));
    const figures = company['cohort'] as Record<string, number>;
    expect(cohort['arrAtStart']).toBe(figures['startArr']);
    expect(cohort['arrAtEnd']).toBe(figures['endArr']);
    expect(cohort['capped']).toBe(figures['cappedArr']);
    expect(cohort['count']).toBe(figures['cohortAccounts']);
    expect(cohort['retained']).toBe(figures['retainedAccounts']);
  });

  test("one book's accounts add up to its figures", async () => {
    const csm = await json(await app.request('/api/report?asOf=2024-12-31&by=csm'));
    for (const group of csm['groups'] as { key: string; bridge: { end: number } }[]) {
      const listed = await json(
        await app.request(
          `/api/accounts?asOf=2024-12-31&by=csm&key=${encodeURIComponent(group.key)}`,
        ),
      );
      expect(listed['arrAtEnd'], group.key).toBe(group.bridge.end);
    }
  });

  test('finds accounts by id or name and keeps the sums of the matches', async () => {
    const found = await json(await app.request('/api/accounts?asOf=2024-12-31&q=acme'));
    const accounts = found['accounts'] as { account: string; name: string }[];
    expect(accounts.map((account) => account.account)).toEqual(['A1']);
    expect(found['count']).toBe(1);
  });

  test('a limit shortens the list but not the sums', async () => {
    const full = await json(await app.request('/api/accounts?asOf=2024-12-31'));
    const short = await json(await app.request('/api/accounts?asOf=2024-12-31&limit=1'));
    expect((short['accounts'] as unknown[]).length).toBe(1);
    expect(short['arrAtEnd']).toBe(full['arrAtEnd']);
  });

  test.each([
    ['set=everyone', 400, 'set'],
    ['by=csm', 400, 'key'],
    ['key=Lee%20Park', 400, 'by'],
    ['by=csm&key=Nobody', 404, 'key'],
    ['segment=Nowhere', 404, 'segment'],
    ['by=csm&key=Lee%20Park&csm=Dana%20Reyes', 400, 'csm'],
    ['limit=-1', 400, 'limit'],
  ])('rejects %s', async (query, status, field) => {
    const response = await app.request(`/api/accounts?asOf=2024-12-31&${query}`);
    expect(response.status).toBe(status);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe(field);
  });
});

describe('GET /api/cohorts', () => {
  test("the cohorts' ARR on the as-of date adds up to ARR, and each lists its accounts", async () => {
    const company = await json(await app.request('/api/report?asOf=2024-12-31'));
    const body = await json(await app.request('/api/cohorts?asOf=2024-12-31'));
    const cohorts = body['cohorts'] as { month: string; arr: number[]; accounts: number }[];
    expect(cohorts.length).toBeGreaterThan(0);
    const total = cohorts.reduce((sum, row) => sum + (row.arr[row.arr.length - 1] ?? 0), 0);
    expect(total).toBe(company['arr']);
    const first = cohorts[0] as { month: string; arr: number[]; accounts: number };
    const listed = await json(
      await app.request(`/api/cohorts/${first.month}/accounts?asOf=2024-12-31`),
    );
    expect(listed['count']).toBe(first.accounts);
    expect(listed['arrFirstMonth']).toBe(first.arr[0]);
  });

  test.each([
    ['2024-13', 400],
    ['March', 400],
    ['1999-01', 404],
  ])('rejects the cohort month %s', async (month, status) => {
    const response = await app.request(`/api/cohorts/${month}/accounts?asOf=2024-12-31`);
    expect(response.status).toBe(status);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe('month');
  });
});

describe('training', () => {
  function answer(exercise: string, response: string) {
    return app.request('/api/training/answers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ exercise, response }),
    });
  }

  test('hands out exercises without answers and grades them', async () => {
    const body = await json(await app.request('/api/training/exercises?level=2&count=2&seed=3'));
    const exercises = body['exercises'] as Record<string, unknown>[];
    expect(exercises).toHaveLength(2);
    const first = exercises[0] as Record<string, unknown>;
    expect(first).not.toHaveProperty('answer');
    expect(first).not.toHaveProperty('solution');
    const wrong = await json(await answer(String(first['id']), '1%'));
    expect(wrong['correct']).toBe(false);
    const right = await json(
      await answer(String(first['id']), `${Number(wrong['answer']).toFixed(2)}%`),
    );
    expect(right['correct']).toBe(true);
    expect((right['solution'] as string[]).length).toBeGreaterThan(0);
  });

  test('names the misconception behind a wrong answer', async () => {
    const exercise = syntheticExercises(3, 1, [2])[0];
    const misconception = exercise?.misconceptions[0];
    const graded = await json(
      await answer(exercise?.id ?? '', (misconception?.answer as number).toFixed(2)),
    );
    expect((graded['misconception'] as Record<string, unknown>)['code']).toBe(misconception?.code);
  });

  test.each([
    ['/api/training/exercises?level=4', 400, 'level'],
    ['/api/training/exercises?count=0', 400, 'count'],
    ['/api/training/exercises?seed=x', 400, 'seed'],
  ])('rejects %s', async (route, status, field) => {
    const response = await app.request(route);
    expect(response.status).toBe(status);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe(field);
  });

  test('rejects an unknown exercise and a missing response', async () => {
    const unknown = await answer('data-nrr-1', '100');
    expect(unknown.status).toBe(404);
    expect(((await json(unknown))['error'] as Record<string, unknown>)['field']).toBe('exercise');
    const missing = await app.request('/api/training/answers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ exercise: 'classify-1' }),
    });
    expect(missing.status).toBe(400);
    expect(((await json(missing))['error'] as Record<string, unknown>)['field']).toBe('response');
  });
});

describe('live training sessions', () => {
  function post(route: string, body: unknown, headers: Record<string, string> = {}) {
    return app.request(route, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  test('run from start to reveal, with results kept in the workspace', async () => {
    const created = await json(
      await post('/api/training/sessions', { level: 2, count: 2, seed: 8 }),
    );
    const code = String(created['code']);
    const key = { 'x-facilitator-key': String(created['facilitatorKey']) };
    expect(code).toMatch(/^[A-Z2-9]{6}$/);
    const exercise = syntheticExercises(8, 2, [2])[0];
    const wrong = exercise?.misconceptions[0];

    const tokens: string[] = [];
    for (const name of ['Ana', 'Ben', 'Chloé']) {
      const joined = await post(`/api/training/sessions/${code.toLowerCase()}/participants`, {
        name,
      });
      expect(joined.status).toBe(201);
      tokens.push(String((await json(joined))['token']));
    }
    const taken = await post(`/api/training/sessions/${code}/participants`, { name: 'Ana' });
    expect(taken.status).toBe(409);

    const responses = [
      (exercise?.answer as number).toFixed(2),
      (wrong?.answer as number).toFixed(2),
      (wrong?.answer as number).toFixed(2),
    ];
    for (const [index, token] of tokens.entries()) {
      const sent = await post(`/api/training/sessions/${code}/answers`, {
        token,
        response: responses[index],
        explanation: 'cohort end over cohort start',
      });
      expect(sent.status).toBe(200);
    }
    const unreadable = await post(`/api/training/sessions/${code}/answers`, {
      token: tokens[0],
      response: 'lots',
    });
    expect(unreadable.status).toBe(400);

    // Before the reveal a participant sees their answer but not its grade.
    const before = await json(
      await app.request(`/api/training/sessions/${code}?token=${tokens[1]}`),
    );
    expect(before['solution']).toBeNull();
    expect((before['mine'] as Record<string, unknown>)['correct']).toBeNull();

    const results = await json(
      await app.request(`/api/training/sessions/${code}/results`, { headers: key }),
    );
    expect(results['correct']).toBe(1);
    expect((results['answers'] as unknown[]).length).toBe(3);
    expect(results['misconceptions']).toEqual([
      { code: wrong?.code, description: wrong?.description, count: 2 },
    ]);
    expect((results['distribution'] as { count: number }[]).map((entry) => entry.count)).toEqual(
      expect.arrayContaining([1, 2]),
    );

    const forbidden = await post(
      `/api/training/sessions/${code}/reveal`,
      {},
      { 'x-facilitator-key': 'nope' },
    );
    expect(forbidden.status).toBe(403);
    const revealed = await json(await post(`/api/training/sessions/${code}/reveal`, {}, key));
    expect(revealed['solution']).toEqual(exercise?.solution);
    const after = await json(
      await app.request(`/api/training/sessions/${code}?token=${tokens[1]}`),
    );
    expect((after['mine'] as Record<string, unknown>)['correct']).toBe(false);

    const next = await json(await post(`/api/training/sessions/${code}/next`, {}, key));
    expect(next['currentIndex']).toBe(1);
    expect(next['revealed']).toBe(false);

    // One person's progress needs a key that may see them.
    expect((await app.request('/api/training/progress?person=Ben')).status).toBe(401);
    const benKey = await issueKey(workspace.db, 'Ben', { leader: false, user: 'tester' });
    const progress = await json(
      await app.request('/api/training/progress?person=Ben', {
        headers: { authorization: `Bearer ${benKey}` },
      }),
    );
    expect(progress['people']).toEqual([{ person: 'Ben', right: 0, answered: 1 }]);
  });

  test('reject an unknown code and a bad session request', async () => {
    expect((await app.request('/api/training/sessions/ZZZZZZ')).status).toBe(404);
    expect((await app.request('/api/training/sessions/abc')).status).toBe(400);
    const bad = await post('/api/training/sessions', { count: 500 });
    expect(bad.status).toBe(400);
    expect(((await json(bad))['error'] as Record<string, unknown>)['field']).toBe('count');
  });
});

describe('hostile requests', () => {
  test('a body without a JSON content type is a client error', async () => {
    for (const route of ['/api/definitions', '/api/training/sessions']) {
      const response = await app.request(route, { method: 'POST' });
      expect(response.status, route).toBe(400);
      expect(((await json(response))['error'] as Record<string, unknown>)['code']).toBe(
        'invalid-body',
      );
    }
    const upload = await app.request('/api/imports', { method: 'POST' });
    expect(upload.status).toBe(400);
  });

  test('an as-of date far in the future is rejected', async () => {
    const response = await app.request('/api/cohorts?asOf=2999-12-31');
    expect(response.status).toBe(400);
    const error = (await json(response))['error'] as Record<string, unknown>;
    expect(error['field']).toBe('asOf');
    expect(error['message']).toMatch(/no later than 2036-12-04/);
  });

  test('a repeated parameter is named as such', async () => {
    const response = await app.request('/api/report?asOf=2024-12-31&asOf=2024-11-30');
    expect(response.status).toBe(400);
    expect(((await json(response))['error'] as Record<string, unknown>)['message']).toBe(
      'asOf is given more than once',
    );
  });

  test('an unknown account names the id', async () => {
    const response = await app.request('/api/accounts/nobody/explanation?asOf=2024-12-31');
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe('id');
  });
});

describe('the dashboard', () => {
  test('serves its page at / and at any path outside /api', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'nrr-web-'));
    writeFileSync(path.join(folder, 'index.html'), '<!doctype html><title>nrr</title>');
    const served = createApp({
      workspace,
      logger: pino({ level: 'silent' }),
      today: () => dayFromCivil(2026, 12, 4),
      user: 'tester',
      webRoot: folder,
    });
    for (const route of ['/', '/team']) {
      const response = await served.request(route);
      expect(response.status, route).toBe(200);
      expect(await response.text()).toContain('<title>nrr</title>');
    }
    expect((await served.request('/api/nothing')).status).toBe(404);
    for (const missing of ['/assets/nothing.js', '/favicon.ico', '/package.json']) {
      expect((await served.request(missing)).status, missing).toBe(404);
    }
    rmSync(folder, { recursive: true, force: true });
  });

  test('says how to build it when it is missing', async () => {
    const served = createApp({
      workspace,
      logger: pino({ level: 'silent' }),
      today: () => dayFromCivil(2026, 12, 4),
      user: 'tester',
      webRoot: path.join(tmpdir(), 'nrr-no-such-folder'),
    });
    const response = await served.request('/');
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/npm run build/);
  });
});

describe('GET /api/accounts/{id}/explanation', () => {
  test('explains a stored account', async () => {
    const response = await app.request('/api/accounts/A1/explanation?asOf=2024-12-31');
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body['accountId']).toBe('A1');
    expect((body['lines'] as { id: string }[]).map((line) => line.id)).toContain('L1');
  });

  test('an unknown account is not found', async () => {
    const response = await app.request('/api/accounts/NOPE/explanation');
    expect(response.status).toBe(404);
    expect(((await json(response))['error'] as Record<string, unknown>)['code']).toBe(
      'unknown-account',
    );
  });
});

describe('GET /api/movements', () => {
  test('the accounts behind each movement add up to the bridge', async () => {
    const report2 = await json(await app.request('/api/report?asOf=2024-12-31&definitions=1'));
    const bridge = report2['bridge'] as Record<string, number>;
    for (const kind of ['new', 'expansion', 'contraction', 'churn', 'reactivation']) {
      const body = await json(
        await app.request(`/api/movements?asOf=2024-12-31&definitions=1&kind=${kind}`),
      );
      expect(body['total'], kind).toBe(bridge[kind]);
    }
  });

  test("one book's movements add up to its bridge", async () => {
    const byCsm = await json(await app.request('/api/report?asOf=2024-12-31&definitions=1&by=csm'));
    const groups = byCsm['groups'] as { key: string; bridge: Record<string, number> }[];
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      const body = await json(
        await app.request(
          `/api/movements?asOf=2024-12-31&definitions=1&by=csm&key=${encodeURIComponent(group.key)}`,
        ),
      );
      const movements = body['movements'] as { kind: string; amount: number }[];
      for (const kind of ['new', 'expansion', 'contraction', 'churn', 'reactivation']) {
        const total = movements
          .filter((movement) => movement.kind === kind)
          .reduce((sum, movement) => sum + movement.amount, 0);
        expect(total, `${group.key} ${kind}`).toBe(group.bridge[kind]);
      }
    }
  });

  test('rejects a book without its dimension and an unknown book', async () => {
    expect((await app.request('/api/movements?key=Lee%20Park')).status).toBe(400);
    const unknown = await app.request('/api/movements?by=csm&key=Nobody');
    expect(unknown.status).toBe(404);
    expect(((await json(unknown))['error'] as Record<string, unknown>)['field']).toBe('key');
  });

  test('rejects an unknown kind and a bad limit', async () => {
    expect((await app.request('/api/movements?kind=upsell')).status).toBe(400);
    expect((await app.request('/api/movements?limit=-1')).status).toBe(400);
  });
});

describe('GET /api/compare', () => {
  test('equals the engine on the stored data', async () => {
    const response = await app.request('/api/compare?year=2025&asOf=2025-12-31&definitions=1');
    expect(response.status).toBe(200);
    const dataset = await workspace.loadDataset();
    const analysis = fiscalYearAnalysis(dataset, DEFAULT_DEFINITIONS, 2025);
    const expected = buildComparison(analysis, dataset, 2025, 'csm', dayFromCivil(2025, 12, 31));
    expect(await json(response)).toEqual({
      ...expected,
      definitions: { ...expected.definitions, workspaceVersion: 1 },
    });
  });

  test('per segment', async () => {
    const body = await json(await app.request('/api/compare?year=2025&by=segment&definitions=1'));
    expect(body['groupedBy']).toBe('segment');
    expect((body['rows'] as { key: string }[]).map((row) => row.key)).toContain('Enterprise');
  });

  test.each([
    ['year=abc', 'year'],
    ['year=0999', 'year'],
    ['', 'year'],
    ['year=2025&by=team', 'by'],
    ['year=2025&asOf=2025-13-01', 'asOf'],
    ['year=2025&definitions=x', 'definitions'],
  ])('rejects %s', async (query, field) => {
    const response = await app.request(`/api/compare?${query}`);
    expect(response.status).toBe(400);
    const error = (await json(response))['error'] as Record<string, unknown>;
    expect(error['code']).toBe('invalid-parameter');
    expect(error['field']).toBe(field);
  });
});

describe('GET /api/renewals', () => {
  const period = 'from=2024-01-01&to=2025-12-31&asOf=2025-12-31&definitions=1';

  test('equals the engine on the stored data', async () => {
    const response = await app.request(`/api/renewals?${period}`);
    expect(response.status).toBe(200);
    const dataset = await workspace.loadDataset();
    const days = { from: dayFromCivil(2024, 1, 1), to: dayFromCivil(2025, 12, 31) };
    const renewalPeriod = { ...days, asOf: days.to };
    const analysis = periodAnalysis(dataset, DEFAULT_DEFINITIONS, renewalPeriod);
    const expected = buildRenewalsReport(analysis, dataset, renewalPeriod, {});
    expect(expected.renewals.length).toBeGreaterThan(0);
    expect(await json(response)).toEqual({
      ...expected,
      definitions: { ...expected.definitions, workspaceVersion: 1 },
    });
  });

  test("one CSM's renewals", async () => {
    const body = await json(await app.request(`/api/renewals?${period}&csm=Dana%20Reyes`));
    const renewals = body['renewals'] as { csm: string }[];
    expect(renewals.length).toBeGreaterThan(0);
    expect(renewals.every((renewal) => renewal.csm === 'Dana Reyes')).toBe(true);
    expect(body['filter']).toEqual({ csm: 'Dana Reyes' });
  });

  test.each([
    ['from=2025-06-01&to=2025-01-31', 400, 'from'],
    ['to=2024-02-30', 400, 'to'],
    ['outcome=lost', 400, 'outcome'],
    ['timing=soon', 400, 'timing'],
    ['status=done', 400, 'status'],
    ['csm=', 400, 'csm'],
    ['csm=Nobody', 404, 'csm'],
    ['subRegion=Atlantis', 404, 'subRegion'],
  ])('rejects %s', async (query, status, field) => {
    const response = await app.request(`/api/renewals?${query}`);
    expect(response.status).toBe(status);
    const error = (await json(response))['error'] as Record<string, unknown>;
    expect(error['field']).toBe(field);
  });
});

describe('GET /api/renewals/timing', () => {
  test('equals the engine on the stored data', async () => {
    const query = 'from=2024-01-01&to=2024-12-31&asOf=2025-12-31&definitions=1';
    const response = await app.request(`/api/renewals/timing?${query}`);
    expect(response.status).toBe(200);
    const dataset = await workspace.loadDataset();
    const renewalPeriod = {
      from: dayFromCivil(2024, 1, 1),
      to: dayFromCivil(2024, 12, 31),
      asOf: dayFromCivil(2025, 12, 31),
    };
    const analysis = periodAnalysis(dataset, DEFAULT_DEFINITIONS, renewalPeriod);
    const renewals = findRenewals(analysis, dataset, renewalPeriod.asOf);
    expect(await json(response)).toEqual(
      JSON.parse(JSON.stringify(buildTimingReport(analysis, dataset, renewals, renewalPeriod, {}))),
    );
  });

  test('rejects a period that ends before it starts', async () => {
    const response = await app.request('/api/renewals/timing?from=2025-02-01&to=2025-01-01');
    expect(response.status).toBe(400);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe('from');
  });
});

describe('scenarios', () => {
  const put = (name: string, body: unknown) =>
    app.request(`/api/scenarios/${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const uplift = { account: 'A1', renewalDate: '2026-01-01', outcome: 'uplift', basisPoints: 700 };

  test('stored, replaced, run and deleted', async () => {
    const created = await put('Q1 risks', { choices: [uplift] });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ name: 'Q1 risks', choices: [uplift] });
    const churn = { account: 'A1', renewalDate: '2026-01-01', outcome: 'churn' };
    expect((await put('Q1 risks', { choices: [churn] })).status).toBe(200);
    const listed = await json(await app.request('/api/scenarios'));
    expect(listed['scenarios']).toMatchObject([
      { name: 'Q1 risks', choices: [churn], createdBy: 'tester' },
    ]);

    const response = await app.request(
      '/api/scenarios/Q1%20risks/result?asOf=2025-12-31&definitions=1&by=csm',
    );
    expect(response.status).toBe(200);
    const choices: ScenarioChoice[] = [
      { account: 'A1', renewalDate: dayFromCivil(2026, 1, 1), outcome: 'churn' },
    ];
    const expected = runScenario(
      await workspace.loadDataset(),
      DEFAULT_DEFINITIONS,
      dayFromCivil(2025, 12, 31),
      { name: 'Q1 risks', choices },
      ['csm'],
    );
    expect(await json(response)).toEqual(
      JSON.parse(
        JSON.stringify({
          ...expected,
          definitions: { ...expected.definitions, workspaceVersion: 1 },
        }),
      ),
    );

    expect((await app.request('/api/scenarios/Q1%20risks', { method: 'DELETE' })).status).toBe(200);
    const gone = await app.request('/api/scenarios/Q1%20risks');
    expect(gone.status).toBe(404);
    expect(((await json(gone))['error'] as Record<string, unknown>)['field']).toBe('name');
  });

  test('new choice fields reopen and run as the engine does', async () => {
    const early = {
      account: 'A1',
      renewalDate: '2026-01-01',
      outcome: 'uplift',
      basisPoints: 500,
      effective: '2025-12-01',
      termMonths: 36,
      addOn: 120_050,
      steps: [
        { month: 12, basisPoints: 1000 },
        { month: 24, amount: 150_000 },
      ],
    };
    const described = {
      account: 'NEW1',
      renewalDate: '2026-05-01',
      outcome: 'flat',
      lateDays: 75,
      synthetic: {
        name: 'Oak Street',
        csm: 'Dana Reyes',
        segment: 'SMB',
        region: 'EMEA',
        arr: 900_000,
      },
    };
    const created = await put('ramps', { choices: [early, described] });
    expect(created.status).toBe(201);
    const reopened = await json(await app.request('/api/scenarios/ramps'));
    expect(reopened['choices']).toEqual([early, described]);

    const response = await app.request('/api/scenarios/ramps/result?asOf=2025-12-31&definitions=1');
    expect(response.status).toBe(200);
    const stored = await workspace.scenarios.get('ramps');
    const expected = runScenario(
      await workspace.loadDataset(),
      DEFAULT_DEFINITIONS,
      dayFromCivil(2025, 12, 31),
      { name: 'ramps', choices: stored.choices },
    );
    const body = await json(response);
    expect(body).toEqual(
      JSON.parse(
        JSON.stringify({
          ...expected,
          definitions: { ...expected.definitions, workspaceVersion: 1 },
        }),
      ),
    );
    // A1: 15,600 × 1.05 = 16,380, + 1,200.50 add-on = 17,580.50 from 2025-12-01
    expect((body['choices'] as Record<string, unknown>[])[0]).toMatchObject({
      scenarioArr: 1_758_050,
      timing: 'early',
      daysFromRenewalDate: -31,
    });
    // NEW1 starts 75 days after 2026-05-01, past the 60-day grace window
    expect((body['choices'] as Record<string, unknown>[])[1]).toMatchObject({
      timing: 'late-after-grace',
      synthetic: { name: 'Oak Street', arr: 900_000 },
    });
    await app.request('/api/scenarios/ramps', { method: 'DELETE' });
  });

  test('a scenario stored before the new fields still loads', async () => {
    await workspace.db.query(
      `INSERT INTO scenarios (name, choices, created_at, created_by, updated_at, updated_by)
       VALUES ('older', $1, now(), 'tester', now(), 'tester')`,
      [
        JSON.stringify([
          { account: 'A1', renewalDate: '2026-01-01', outcome: 'flat', termMonths: 24 },
        ]),
      ],
    );
    const older = await app.request('/api/scenarios/older');
    expect(older.status).toBe(200);
    expect((await json(older))['choices']).toEqual([
      { account: 'A1', renewalDate: '2026-01-01', outcome: 'flat', termMonths: 24 },
    ]);
    const result = await app.request('/api/scenarios/older/result?asOf=2025-12-31');
    expect(result.status).toBe(200);
    await app.request('/api/scenarios/older', { method: 'DELETE' });
  });

  test('rejects a renewal chosen twice', async () => {
    const response = await put('twice', {
      choices: [uplift, { ...uplift, outcome: 'churn', basisPoints: undefined }],
    });
    expect(response.status).toBe(422);
    expect(((await json(response))['error'] as Record<string, unknown>)['message']).toContain(
      'is chosen twice',
    );
  });

  test('rejects a choice that contradicts itself', async () => {
    const response = await put('both', {
      choices: [{ ...uplift, lateDays: 10, effective: '2026-01-11' }],
    });
    expect(response.status).toBe(422);
    expect(((await json(response))['error'] as Record<string, unknown>)['message']).toContain(
      'give either an effective date or a number of days late',
    );
  });

  test.each([
    [{ choices: [] }, 'choices'],
    [{ choices: [{ ...uplift, outcome: 'lost' }] }, 'choices.0.outcome'],
    [{ choices: [{ ...uplift, renewalDate: '2026-02-30' }] }, 'choices.0.renewalDate'],
    [{ choices: [{ ...uplift, basisPoints: 7.5 }] }, 'choices.0.basisPoints'],
    [{ choices: [{ ...uplift, termMonths: 0 }] }, 'choices.0.termMonths'],
    [{ choices: [{ ...uplift, addOn: 12.5 }] }, 'choices.0.addOn'],
    [{ choices: [{ ...uplift, lateDays: 0 }] }, 'choices.0.lateDays'],
    [{ choices: [{ ...uplift, steps: [{ month: 0, amount: 100 }] }] }, 'choices.0.steps.0.month'],
    [
      {
        choices: [
          {
            ...uplift,
            synthetic: { name: 'Oak', csm: ' ', segment: 'SMB', region: 'EMEA', arr: 100 },
          },
        ],
      },
      'choices.0.synthetic.csm',
    ],
  ])('rejects the body %j', async (body, field) => {
    const response = await put('bad', body);
    expect(response.status).toBe(400);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe(field);
  });

  test('rejects a run on a decided renewal and unknown books', async () => {
    // L1's renewal on 2025-01-01 was renewed by L3
    await put('decided', { choices: [{ ...uplift, renewalDate: '2025-01-01' }] });
    const decided = await app.request('/api/scenarios/decided/result?asOf=2025-12-31');
    expect(decided.status).toBe(422);
    expect(((await json(decided))['error'] as Record<string, unknown>)['code']).toBe(
      'invalid-scenario',
    );
    const books = await app.request('/api/scenarios/decided/result?by=team');
    expect(books.status).toBe(400);
    expect(((await json(books))['error'] as Record<string, unknown>)['field']).toBe('by');
    await app.request('/api/scenarios/decided', { method: 'DELETE' });
  });
});

describe('definitions', () => {
  test('stores a version and makes it current', async () => {
    const created = await app.request('/api/definitions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ changes: { graceDays: 30 }, makeCurrent: true }),
    });
    expect(created.status).toBe(201);
    expect(await json(created)).toEqual({ version: 2, current: true });
    const listed = await json(await app.request('/api/definitions'));
    expect(listed['current']).toBe(2);
    const report2 = await json(await app.request('/api/report?asOf=2024-12-31'));
    expect(report2['definitions']).toMatchObject({
      changes: { graceDays: 30 },
      workspaceVersion: 2,
    });
    const back = await json(
      await app.request('/api/definitions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ changes: { graceDays: 60 }, makeCurrent: true }),
      }),
    );
    // The defaults again: the stored version 1 is found by content.
    expect(back['version']).toBe(1);
  });

  test('rejects an unknown field and a bad body', async () => {
    const unknown = await app.request('/api/definitions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ changes: { graceDayz: 30 } }),
    });
    expect(unknown.status).toBe(400);
    expect(((await json(unknown))['error'] as Record<string, unknown>)['code']).toBe(
      'invalid-definitions',
    );
    const bad = await app.request('/api/definitions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ changes: 'none' }),
    });
    expect(bad.status).toBe(400);
    expect(((await json(bad))['error'] as Record<string, unknown>)['field']).toBe('changes');
  });
});

describe('imports', () => {
  test('lists the stored imports', async () => {
    const body = (await (await app.request('/api/imports')).json()) as { source: string }[];
    expect(body.map((record) => record.source).sort()).toEqual([...FILES].sort());
  });

  test('a file with bad rows fails its job with one problem per row', async () => {
    const response = await upload([
      {
        name: 'bad.csv',
        text: 'line_id,account_id,amount,billing_period,currency,start_date,end_date\nX1,A9,abc,month,USD,2024-01-01,\nX2,A9,10,month,USD,2024-13-01,\n',
      },
    ]);
    const job = await finished(String((await json(response))['id']));
    expect(job['state']).toBe('failed');
    const error = job['error'] as { code: string; problems: { row: number; column: string }[] };
    expect(error.code).toBe('invalid-rows');
    expect(error.problems.map((problem) => [problem.row, problem.column])).toEqual([
      [2, 'amount'],
      [3, 'start_date'],
    ]);
    const imports = (await (await app.request('/api/imports')).json()) as unknown[];
    expect(imports).toHaveLength(FILES.length);
  });

  test('rejects an unknown preset and bad options', async () => {
    const preset = await upload([{ name: 'x.csv', text: 'a\n1\n' }], { preset: 'quickbooks' });
    expect(preset.status).toBe(400);
    expect(((await json(preset))['error'] as Record<string, unknown>)['field']).toBe('preset');
    const options = await upload([{ name: 'x.csv', text: 'a\n1\n' }], { options: '[1]' });
    expect(options.status).toBe(400);
    const unknown = await upload([{ name: 'x.csv', text: 'a\n1\n' }], {
      options: '{"onProgress":1}',
    });
    expect(unknown.status).toBe(400);
    const missing = await app.request('/api/imports', { method: 'POST', body: new FormData() });
    expect(missing.status).toBe(400);
    expect(((await json(missing))['error'] as Record<string, unknown>)['field']).toBe('files');
  });

  test('an unchanged upload reports its import, not its bytes', async () => {
    const response = await upload([
      { name: 'fx-rates.csv', text: readFileSync(path.join(FIXTURES, 'fx-rates.csv'), 'utf8') },
    ]);
    const job = await finished(String((await json(response))['id']));
    expect(job['state']).toBe('succeeded');
    const result = job['result'] as { imports: unknown[]; unchanged: unknown[] };
    expect(result.imports).toEqual([]);
    expect(result.unchanged).toEqual([
      { path: 'fx-rates.csv', source: 'fx-rates.csv', importId: expect.any(Number) as number },
    ]);
  });

  test('a malformed body is a client error', async () => {
    const response = await app.request('/api/definitions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"changes": ',
    });
    expect(response.status).toBe(400);
    expect(((await json(response))['error'] as Record<string, unknown>)['code']).toBe(
      'invalid-body',
    );
  });

  test('a body over the size limit is refused', async () => {
    const small = createApp({
      workspace,
      logger: pino({ level: 'silent' }),
      today: () => dayFromCivil(2026, 12, 4),
      user: 'tester',
      maxUploadBytes: 1024,
    });
    const form = new FormData();
    form.append('files', new File(['x'.repeat(4096)], 'big.csv'));
    const response = await small.request('/api/imports', { method: 'POST', body: form });
    expect(response.status).toBe(413);
    expect(((await json(response))['error'] as Record<string, unknown>)['code']).toBe('too-large');
  });

  test('an unknown job is not found', async () => {
    const response = await app.request('/api/jobs/nope');
    expect(response.status).toBe(404);
  });
});

describe('GET /api/openapi.json', () => {
  test('describes every route', async () => {
    const document = (await (await app.request('/api/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/accounts',
      '/api/accounts/{id}/explanation',
      '/api/alerts',
      '/api/alerts/{id}/acknowledge',
      '/api/alerts/{id}/resolve',
      '/api/checks',
      '/api/checks/schedule',
      '/api/cohorts',
      '/api/cohorts/{month}/accounts',
      '/api/compare',
      '/api/definitions',
      '/api/imports',
      '/api/jobs/{id}',
      '/api/movements',
      '/api/renewals',
      '/api/renewals/timing',
      '/api/report',
      '/api/scenarios',
      '/api/scenarios/{name}',
      '/api/scenarios/{name}/result',
      '/api/targets',
      '/api/teams',
      '/api/training/answers',
      '/api/training/exercises',
      '/api/training/progress',
      '/api/training/sessions',
      '/api/training/sessions/{code}',
      '/api/training/sessions/{code}/answers',
      '/api/training/sessions/{code}/next',
      '/api/training/sessions/{code}/participants',
      '/api/training/sessions/{code}/results',
      '/api/training/sessions/{code}/reveal',
      '/api/whitespace',
    ]);
  });

  test('unknown routes answer JSON', async () => {
    const response = await app.request('/api/nothing');
    expect(response.status).toBe(404);
    expect(((await json(response))['error'] as Record<string, unknown>)['code']).toBe('not-found');
  });
});
