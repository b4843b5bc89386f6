/**
 * Training progress behind personal access keys: without a key only the per-concept view shows,
 * without names; a key shows its holder, a manager's key also the people who report to them, and
 * a leader's key everyone. Runs in process on a workspace of the test's own, on each driver.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dayFromCivil } from '../../src/core/dates.js';
import { createApp } from '../../src/server/app.js';
import { issueKey, keyHolder, visiblePeople } from '../../src/store/people.js';
import { replaceTeamMembers } from '../../src/store/teams.js';
import { Workspace } from '../../src/store/workspace.js';
import { DRIVERS, openLocation, type TestLocation } from '../store/databases.js';
import { storeAnswers } from './progress-answers.js';

/** Ana and Ben report to Mia, Mia to Olu; Zoe reports to Kim in another team. */
const TEAMS = [
  { person: 'Ana', team: 'North', manager: 'Mia' },
  { person: 'Ben', team: 'North', manager: 'Mia' },
  { person: 'Mia', team: 'Leads', manager: 'Olu' },
  { person: 'Zoe', team: 'South', manager: 'Kim' },
];

/** Right and wrong answers each person gives on one exercise per concept. */
const ANSWERS: readonly [string, boolean][] = [
  ['Ana', true],
  ['Ben', false],
  ['Zoe', true],
  ['Mia', true],
];

interface Progress {
  viewer: { person: string; leader: boolean } | null;
  concepts: { concept: string; months: { right: number; answered: number }[] }[];
  people: { person: string; right: number; answered: number }[];
}

describe.each(DRIVERS)('progress keys on %s', (driver) => {
  let location: TestLocation;
  let workspace: Workspace;
  let app: OpenAPIHono;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    location = await openLocation(driver);
    workspace = await Workspace.open(location.location);
    app = createApp({
      workspace,
      logger: pino({ level: 'silent' }),
      today: () => dayFromCivil(2026, 12, 4),
      user: 'tester',
    });
    await replaceTeamMembers(workspace.db, TEAMS, 'teams.csv', 'tester');
    await storeAnswers(workspace.db, ANSWERS);
    for (const name of ['Ana', 'Mia', 'Zoe']) {
      keys[name] = await issueKey(workspace.db, name, { leader: false, user: 'tester' });
    }
    keys['Lee'] = await issueKey(workspace.db, 'Lee', { leader: true, user: 'tester' });
  }, 120_000);

  afterAll(async () => {
    await workspace?.close();
    await location?.drop();
  });

  function progress(query: string, key?: string): Promise<Response> {
    return Promise.resolve(
      app.request(`/api/training/progress${query}`, {
        headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
      }),
    );
  }

  async function people(key: string, query = ''): Promise<string[]> {
    const response = await progress(query, key);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Progress;
    return body.people.map((entry) => entry.person).sort();
  }

  test('no key: concepts without names', async () => {
    const response = await progress('');
    expect(response.status).toBe(200);
    const body = (await response.json()) as Progress;
    expect(body.viewer).toBeNull();
    expect(body.people).toEqual([]);
    // Four answers on one concept, three of them right.
    expect(body.concepts[0]?.months[0]).toMatchObject({ right: 3, answered: 4 });
    const text = JSON.stringify(body);
    for (const name of ['Ana', 'Ben', 'Mia', 'Zoe']) expect(text).not.toContain(name);
  });

  test('no key: one person is rejected', async () => {
    const response = await progress('?person=Ana');
    expect(response.status).toBe(401);
    expect(JSON.stringify(await response.json())).toContain('Authorization: Bearer KEY');
  });

  test.each([
    ['an unknown key', 'Bearer nrrk_not-a-key'],
    ['a key without Bearer', 'nrrk_not-a-key'],
    ['another scheme', 'Basic QW5hOnNlY3JldA=='],
    ['an empty Bearer', 'Bearer '],
  ])('wrong key: %s is rejected', async (_case, header) => {
    const response = await app.request('/api/training/progress', {
      headers: { authorization: header },
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string; field: string } };
    expect(body.error.code).toBe('invalid-key');
    expect(body.error.field).toBe('authorization');
  });

  test('own key: only their own progress', async () => {
    expect(await people(keys['Ana'] as string)).toEqual(['Ana']);
    const own = (await (await progress('?person=Ana', keys['Ana'])).json()) as Progress;
    expect(own.viewer).toEqual({ person: 'Ana', leader: false });
    expect(own.people).toEqual([{ person: 'Ana', right: 1, answered: 1 }]);
    expect((await progress('?person=Ben', keys['Ana'])).status).toBe(403);
  });

  test('manager key: a report is visible', async () => {
    // Mia manages Ana and Ben directly; her own answers show too.
    expect(await people(keys['Mia'] as string)).toEqual(['Ana', 'Ben', 'Mia']);
    const report = await progress('?person=Ben', keys['Mia']);
    expect(report.status).toBe(200);
    const body = (await report.json()) as Progress;
    expect(body.people).toEqual([{ person: 'Ben', right: 0, answered: 1 }]);
    // The concepts then count Ben's one wrong answer alone.
    expect(body.concepts[0]?.months[0]).toMatchObject({ right: 0, answered: 1 });
  });

  test('manager key: someone else is rejected', async () => {
    const response = await progress('?person=Zoe', keys['Mia']);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain("Mia's key does not show the progress of Zoe");
  });

  test('leader key: everyone is visible', async () => {
    expect(await people(keys['Lee'] as string)).toEqual(['Ana', 'Ben', 'Mia', 'Zoe']);
    expect((await progress('?person=Zoe', keys['Lee'])).status).toBe(200);
    const body = (await (await progress('', keys['Lee'])).json()) as Progress;
    expect(body.viewer).toEqual({ person: 'Lee', leader: true });
  });

  test('a new key replaces the old one', async () => {
    const old = keys['Zoe'] as string;
    const fresh = await issueKey(workspace.db, 'Zoe', { leader: false, user: 'tester' });
    expect(fresh).not.toBe(old);
    expect((await progress('', old)).status).toBe(401);
    expect(await people(fresh)).toEqual(['Zoe']);
  });

  test('the store keeps a hash only', async () => {
    const rows = await workspace.db.query<{ key_hash: string }>(
      'SELECT key_hash FROM person_keys WHERE person = $1',
      ['Ana'],
    );
    expect(rows[0]?.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.key_hash).not.toContain(keys['Ana']);
    expect(await keyHolder(workspace.db, keys['Ana'] as string)).toEqual({
      person: 'Ana',
      leader: false,
    });
  });
});

describe('visible people', () => {
  test('follow the chain of managers', () => {
    // Olu manages Mia, who manages Ana and Ben.
    const seen = visiblePeople({ person: 'Olu', leader: false }, TEAMS);
    expect([...(seen ?? [])].sort()).toEqual(['Ana', 'Ben', 'Mia', 'Olu']);
  });

  test('stop at people outside the team', () => {
    const seen = visiblePeople({ person: 'Kim', leader: false }, TEAMS);
    expect([...(seen ?? [])].sort()).toEqual(['Kim', 'Zoe']);
  });
});
