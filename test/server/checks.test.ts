/**
 * The targets, checks, alerts and white space routes of the HTTP API, called in process on a
 * workspace holding a book that is behind target in June 2025.
 */
import { createHash } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dayFromCivil } from '../../src/core/index.js';
import { createApp } from '../../src/server/app.js';
import { importFiles } from '../../src/service/import.js';
import { Workspace } from '../../src/store/workspace.js';
import { embeddedLocation, type TestLocation } from '../store/databases.js';

const LINES = `line_id,account_id,product,kind,amount,billing_period,currency,start_date,end_date,quantity,renews,owner,segment,region
A1,A,Core,recurring,100000,year,USD,2024-04-01,2025-03-31,100,,Ana,Growth,EMEA
A2,A,Core,recurring,110000,year,USD,2025-04-01,2026-03-31,100,A1,Ana,Growth,EMEA
B1,B,Core,recurring,50000,year,USD,2024-07-01,2025-06-30,,,Ana,Growth,EMEA
C1,C,Core,recurring,200000,year,USD,2023-10-01,2025-09-30,,,Ben,Enterprise,EMEA
C2,C,Core,recurring,150000,year,USD,2025-10-01,2026-09-30,,C1,Ben,Enterprise,EMEA
D1,D,Core,recurring,40000,year,USD,2024-12-01,2025-11-30,,,Ben,Growth,AMER
E1,E,Core,recurring,60000,year,USD,2024-02-01,2025-01-31,,,Ben,Growth,AMER
G1,G,Core,recurring,20000,year,USD,2024-06-01,2025-05-31,,,Ana,Growth,AMER
`;

let location: TestLocation;
let workspace: Workspace;
let app: OpenAPIHono;

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

function post(path: string, body: unknown): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

beforeAll(async () => {
  location = embeddedLocation();
  workspace = await Workspace.open(location.location);
  await importFiles(
    workspace,
    [
      {
        path: 'lines.csv',
        source: 'lines.csv',
        checksum: createHash('sha256').update(LINES).digest('hex'),
        data: Buffer.from(LINES),
      },
    ],
    { preset: 'canonical' },
  );
  app = createApp({
    workspace,
    logger: pino({ level: 'silent' }),
    today: () => dayFromCivil(2026, 12, 4),
    user: 'tester',
  });
});

afterAll(async () => {
  await workspace.close();
  await location.drop();
});

describe('targets API', () => {
  test('stores and lists targets', async () => {
    const stored = await post('/api/targets', {
      targets: [
        { scope: 'csm', book: 'Ben', fiscalYear: 2025, nrrTarget: '95', grrTarget: null },
        { scope: 'csm', book: 'Ana', fiscalYear: 2025, nrrTarget: '100', grrTarget: null },
      ],
    });
    expect(stored.status).toBe(200);
    expect(await json(stored)).toEqual({ added: 2, replaced: 0 });
    const listed = await json(await app.request('/api/targets?fiscalYear=2025'));
    expect(listed['targets']).toEqual([
      { scope: 'csm', book: 'Ana', fiscalYear: 2025, nrrTarget: '100', grrTarget: null },
      { scope: 'csm', book: 'Ben', fiscalYear: 2025, nrrTarget: '95', grrTarget: null },
    ]);
  });

  test('invalid target names the field', async () => {
    const response = await post('/api/targets', {
      targets: [{ scope: 'csm', book: 'Ben', fiscalYear: 2025, nrrTarget: 'abc', grrTarget: null }],
    });
    expect(response.status).toBe(400);
    const body = (await json(response))['error'] as Record<string, unknown>;
    expect(body['field']).toBe('targets.0.nrrTarget');
    expect(body['code']).toBe('invalid-parameter');
  });

  test('company target with a book rejected', async () => {
    const response = await post('/api/targets', {
      targets: [
        { scope: 'company', book: 'x', fiscalYear: 2025, nrrTarget: '105', grrTarget: null },
      ],
    });
    expect(response.status).toBe(400);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe(
      'targets.0.book',
    );
  });

  test.each([
    ['nrrTarget', '0', null],
    ['nrrTarget', '1001', null],
    ['grrTarget', null, '100.5'],
  ])('out of range %s rejected', async (field, nrrTarget, grrTarget) => {
    const response = await post('/api/targets', {
      targets: [{ scope: 'csm', book: 'Ben', fiscalYear: 2030, nrrTarget, grrTarget }],
    });
    expect(response.status).toBe(400);
    const body = (await json(response))['error'] as Record<string, unknown>;
    expect(body['field']).toBe(`targets.0.${field}`);
    expect(body['message']).toContain('is out of range');
    const listed = await json(await app.request('/api/targets?fiscalYear=2030'));
    expect(listed['targets']).toEqual([]);
  });

  test('NUL in a book is refused, not a server error', async () => {
    const response = await post('/api/targets', {
      targets: [
        { scope: 'csm', book: 'a\u0000b', fiscalYear: 2032, nrrTarget: '104', grrTarget: null },
      ],
    });
    expect(response.status).toBe(422);
    const body = (await json(response))['error'] as Record<string, unknown>;
    expect(body['code']).toBe('unstorable-value');
    expect(body['message']).toContain('NUL character');
    const listed = await json(await app.request('/api/targets?fiscalYear=2032'));
    expect(listed['targets']).toEqual([]);
  });

  test('long book name rejected', async () => {
    const response = await post('/api/targets', {
      targets: [
        {
          scope: 'csm',
          book: 'x'.repeat(201),
          fiscalYear: 2032,
          nrrTarget: '104',
          grrTarget: null,
        },
      ],
    });
    expect(response.status).toBe(400);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe(
      'targets.0.book',
    );
  });

  test('oversized JSON body rejected', async () => {
    // 6 MiB of targets, over the 5 MiB cap on JSON bodies.
    const target = { scope: 'csm', book: 'B', fiscalYear: 2032, nrrTarget: '104', grrTarget: null };
    const response = await post('/api/targets', {
      targets: Array.from({ length: (6 * 2 ** 20) / 64 }, () => target),
    });
    expect(response.status).toBe(413);
    expect(((await json(response))['error'] as Record<string, unknown>)['code']).toBe('too-large');
  });

  test('team target stored and deleted', async () => {
    const stored = await post('/api/targets', {
      targets: [
        { scope: 'team', book: 'North', fiscalYear: 2031, nrrTarget: '104', grrTarget: null },
      ],
    });
    expect(stored.status).toBe(200);
    const deleted = await app.request('/api/targets?scope=team&book=North&fiscalYear=2031', {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(200);
    expect(await json(deleted)).toEqual({ deleted: 1 });
    const listed = await json(await app.request('/api/targets?fiscalYear=2031'));
    expect(listed['targets']).toEqual([]);
  });

  test('deleting a missing target is 404', async () => {
    const response = await app.request('/api/targets?scope=csm&book=Nobody&fiscalYear=2025', {
      method: 'DELETE',
    });
    expect(response.status).toBe(404);
    const body = (await json(response))['error'] as Record<string, unknown>;
    expect(body['code']).toBe('not-found');
    expect(body['message']).toContain('"Nobody"');
  });

  test('delete with a bad scope is 400', async () => {
    const response = await app.request('/api/targets?scope=division&book=X&fiscalYear=2025', {
      method: 'DELETE',
    });
    expect(response.status).toBe(400);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe('scope');
  });

  test('bad fiscal year query rejected', async () => {
    const response = await app.request('/api/targets?fiscalYear=20x5');
    expect(response.status).toBe(400);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe(
      'fiscalYear',
    );
  });
});

describe('checks and alerts API', () => {
  test('check finds Ben behind and stores alerts once', async () => {
    const response = await post('/api/checks', { month: '2025-06' });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body['behind']).toBe(true);
    const books = body['books'] as { scope: string; book: string; behind: boolean }[];
    expect(books.map((book) => [book.scope, book.book, book.behind])).toEqual([
      ['company', '', false],
      ['csm', 'Ana', false],
      ['csm', 'Ben', true],
    ]);
    const alerts = body['alerts'] as { kind: string; created: boolean }[];
    expect(alerts.map((alert) => alert.kind)).toEqual([
      'behind-target',
      'renewal-90-days',
      'renewal-180-days',
      'renewal-lapsed',
    ]);
    expect(alerts.every((alert) => alert.created)).toBe(true);

    const again = await json(await post('/api/checks', { month: '2025-06' }));
    const repeated = again['alerts'] as { created: boolean }[];
    expect(repeated.some((alert) => alert.created)).toBe(false);
  });

  test('alerts acknowledged then resolved', async () => {
    const open = await json(await app.request('/api/alerts?state=open'));
    const first = (open['alerts'] as { id: number; kind: string }[]).find(
      (alert) => alert.kind === 'behind-target',
    );
    expect(first).toBeDefined();
    const id = first?.id as number;
    const acknowledged = await post(`/api/alerts/${id}/acknowledge`, {});
    expect(acknowledged.status).toBe(200);
    expect((await json(acknowledged))['state']).toBe('acknowledged');
    expect((await json(await post(`/api/alerts/${id}/resolve`, {})))['state']).toBe('resolved');
    const conflict = await post(`/api/alerts/${id}/acknowledge`, {});
    expect(conflict.status).toBe(409);
    const resolved = await json(await app.request('/api/alerts?state=resolved'));
    expect((resolved['alerts'] as unknown[]).length).toBe(1);
  });

  test('unknown alert is 404', async () => {
    const response = await post('/api/alerts/999/resolve', {});
    expect(response.status).toBe(404);
    expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe('id');
  });

  test('invalid parameters name the field', async () => {
    const cases: [Promise<Response>, string][] = [
      [post('/api/checks', { month: '2025-13' }), 'month'],
      [post('/api/checks', { month: '2027-01' }), 'month'],
      [
        post('/api/checks', { month: '2025-06', contractionThreshold: '0' }),
        'contractionThreshold',
      ],
      [Promise.resolve(app.request('/api/alerts?state=closed')), 'state'],
      [post('/api/alerts/abc/resolve', {}), 'id'],
    ];
    for (const [request, field] of cases) {
      const response = await request;
      expect(response.status).toBe(400);
      expect(((await json(response))['error'] as Record<string, unknown>)['field']).toBe(field);
    }
  });
});

describe('white space API', () => {
  test('white space per CSM with the gap', async () => {
    const response = await post('/api/whitespace', {
      asOf: '2025-06-30',
      by: 'csm',
      catalog:
        'product,price_per_seat,percent_of_arr,eligible_segments\nCore,1000,,\nAnalytics,200,,Growth\n',
      seats: 'account_id,potential_seats\nA,140\n',
    });
    expect(response.status).toBe(200);
    const body = await json(response);
    const books = body['books'] as { book: string; potential: number; needed: number | null }[];
    // Ana: A's Analytics 200 × 100 seats = 20,000 + seat headroom 40 × 1,000 = 60,000
    expect(books.find((book) => book.book === 'Ana')?.potential).toBe(6_000_000);
    // Ana's NRR target 100% of 170,000 − contracted A 110,000 = 60,000 needed
    expect(books.find((book) => book.book === 'Ana')?.needed).toBe(6_000_000);
  });

  test('bad catalogue row is 422 with problems', async () => {
    const response = await post('/api/whitespace', {
      catalog: 'product,price_per_seat\nCore,abc\n',
    });
    expect(response.status).toBe(422);
    const body = await json(response);
    expect((body['problems'] as { row: number; column: string }[])[0]).toMatchObject({
      row: 2,
      column: 'price_per_seat',
    });
  });

  test('OpenAPI document lists the routes', async () => {
    const document = await json(await app.request('/api/openapi.json'));
    const paths = Object.keys(document['paths'] as Record<string, unknown>);
    for (const path of [
      '/api/targets',
      '/api/checks',
      '/api/alerts',
      '/api/alerts/{id}/acknowledge',
      '/api/alerts/{id}/resolve',
      '/api/whitespace',
    ]) {
      expect(paths).toContain(path);
    }
  });
});
