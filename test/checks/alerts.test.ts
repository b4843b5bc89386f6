/**
 * Stored alerts and their delivery on each driver: one alert per key, state changes, events,
 * and deliveries to a local HTTP receiver and a file with every attempt stored.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { AlertDraft } from '../../src/core/checks.js';
import {
  deliverToFile,
  deliverToWebhook,
  slackPayload,
  webhookName,
  type RetryOptions,
} from '../../src/service/delivery.js';
import {
  listAlerts,
  listDeliveryAttempts,
  listEvents,
  raiseAlerts,
  setAlertState,
  storeEvents,
} from '../../src/store/alerts.js';
import { StoreError } from '../../src/store/driver.js';
import { Workspace } from '../../src/store/workspace.js';
import { day } from '../core/build.js';
import { DRIVERS, openLocation, type TestLocation } from '../store/databases.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'nrr-alerts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const retry: RetryOptions = {
  maxAttempts: 3,
  retryDelayMs: 20,
  timeoutMs: 5000,
  logger: pino({ level: 'silent' }),
};

function draft(key: string, book = 'Ben'): AlertDraft {
  return {
    key,
    kind: 'behind-target',
    scope: 'csm',
    book,
    account: null,
    message: `CSM ${book} is behind target.`,
    details: { needed: 1000 },
  };
}

/** Starts a receiver on 127.0.0.1 that returns the next status of `statuses` to each request. */
async function receiver(statuses: number[]): Promise<{
  url: string;
  bodies: unknown[];
  server: Server;
}> {
  const bodies: unknown[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.statusCode = statuses.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/secret-token`, bodies, server };
}

describe('webhook payload', () => {
  test('text and one block per alert', () => {
    const payload = slackPayload('heading', [
      {
        id: 7,
        key: 'k',
        month: '2025-06',
        kind: 'renewal-lapsed',
        scope: 'csm',
        book: 'Ana',
        account: 'G',
        state: 'open',
        message: 'Account G has not renewed.',
        details: {},
        createdAt: '',
        updatedAt: '',
        updatedBy: '',
      },
    ]);
    expect(payload.text).toBe('heading');
    expect(payload.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'heading' } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*renewal-lapsed* (alert 7, csm Ana): Account G has not renewed.',
        },
      },
    ]);
  });

  test('webhook name hides the token', () => {
    const name = webhookName('http://127.0.0.1:9/hooks/secret-token?x=1');
    expect(name).toMatch(/^http:\/\/127\.0\.0\.1:9 #[0-9a-f]{12}$/);
    expect(name).not.toContain('secret');
  });
});

describe.each(DRIVERS)('alerts on the %s driver', (driver) => {
  let location: TestLocation;
  let workspace: Workspace;

  beforeEach(async () => {
    location = await openLocation(driver);
    workspace = await Workspace.open(location.location);
  });

  afterEach(async () => {
    await workspace.close();
    await location.drop();
  });

  test('a key is stored once', async () => {
    const first = await raiseAlerts(workspace.db, '2025-06', [draft('a'), draft('b')], 'tester');
    expect(first.map((entry) => entry.created)).toEqual([true, true]);
    const second = await raiseAlerts(workspace.db, '2025-06', [draft('a'), draft('c')], 'tester');
    expect(second.map((entry) => entry.created)).toEqual([false, true]);
    expect(second[0]?.alert.id).toBe(first[0]?.alert.id);
    const stored = await listAlerts(workspace.db);
    expect(stored.map((alert) => alert.key)).toEqual(['c', 'b', 'a']);
    expect(stored[2]?.details).toEqual({ needed: 1000 });
    expect(stored[2]?.state).toBe('open');
  });

  test('states move forward only', async () => {
    const [entry] = await raiseAlerts(workspace.db, '2025-06', [draft('a')], 'tester');
    const id = entry?.alert.id as number;
    const acknowledged = await setAlertState(workspace.db, id, 'acknowledged', 'lee');
    expect(acknowledged.state).toBe('acknowledged');
    expect(acknowledged.updatedBy).toBe('lee');
    await expect(setAlertState(workspace.db, id, 'acknowledged', 'lee')).rejects.toThrow(
      `alert ${id} is acknowledged and cannot become acknowledged`,
    );
    expect((await setAlertState(workspace.db, id, 'resolved', 'lee')).state).toBe('resolved');
    await expect(setAlertState(workspace.db, id, 'acknowledged', 'lee')).rejects.toThrow(
      StoreError,
    );
    await expect(setAlertState(workspace.db, 999, 'resolved', 'lee')).rejects.toThrow(
      'alert 999 not found',
    );
    expect((await listAlerts(workspace.db, 'resolved')).length).toBe(1);
    expect((await listAlerts(workspace.db, 'open')).length).toBe(0);
  });

  test('events replace the same day', async () => {
    const event = { account: 'A', kind: 'plan' as const, date: day('2025-06-01'), note: 'one' };
    expect(await storeEvents(workspace.db, [event], 'e.csv')).toEqual({ added: 1, replaced: 0 });
    expect(await storeEvents(workspace.db, [{ ...event, note: 'two' }], 'e.csv')).toEqual({
      added: 0,
      replaced: 1,
    });
    expect(await listEvents(workspace.db)).toEqual([{ ...event, note: 'two' }]);
  });

  test('webhook retried after HTTP 500', async () => {
    const { url, bodies, server } = await receiver([500, 200]);
    try {
      const stored = await raiseAlerts(workspace.db, '2025-06', [draft('a')], 'tester');
      const alerts = stored.map((entry) => entry.alert);
      const outcome = await deliverToWebhook(workspace.db, url, 'heading', alerts, retry);
      expect(outcome.delivered).toBe(true);
      expect(outcome.attempts).toBe(2);
      expect(bodies.length).toBe(2);
      expect(bodies[1]).toEqual(bodies[0]);
      const attempts = await listDeliveryAttempts(workspace.db);
      expect(attempts.map((a) => [a.attempt, a.succeeded, a.httpStatus])).toEqual([
        [1, false, 500],
        [2, true, 200],
      ]);
      expect(attempts[0]?.error).toBe('HTTP 500 Internal Server Error');
      expect(attempts[0]?.destination).not.toContain('secret-token');
      // Delivered alerts are not sent again.
      const again = await deliverToWebhook(workspace.db, url, 'heading', alerts, retry);
      expect(again.attempts).toBe(0);
      expect(bodies.length).toBe(2);
    } finally {
      server.close();
    }
  });

  test('webhook gives up after max attempts', async () => {
    const { url, bodies, server } = await receiver([503, 503, 503, 200]);
    try {
      const stored = await raiseAlerts(workspace.db, '2025-06', [draft('a')], 'tester');
      const alerts = stored.map((entry) => entry.alert);
      const outcome = await deliverToWebhook(workspace.db, url, 'heading', alerts, retry);
      expect(outcome.delivered).toBe(false);
      expect(outcome.attempts).toBe(3);
      expect(outcome.error).toBe('HTTP 503 Service Unavailable');
      expect(bodies.length).toBe(3);
    } finally {
      server.close();
    }
  });

  test('client error is not retried', async () => {
    const { url, bodies, server } = await receiver([400]);
    try {
      const stored = await raiseAlerts(workspace.db, '2025-06', [draft('a')], 'tester');
      const outcome = await deliverToWebhook(
        workspace.db,
        url,
        'heading',
        stored.map((entry) => entry.alert),
        retry,
      );
      expect(outcome.delivered).toBe(false);
      expect(outcome.attempts).toBe(1);
      expect(bodies.length).toBe(1);
    } finally {
      server.close();
    }
  });

  test('file gets each open alert once', async () => {
    const file = path.join(scratch, `${driver}-alerts.jsonl`);
    const stored = await raiseAlerts(workspace.db, '2025-06', [draft('a'), draft('b')], 'tester');
    await setAlertState(workspace.db, stored[1]?.alert.id as number, 'resolved', 'tester');
    const alerts = await listAlerts(workspace.db);
    const outcome = await deliverToFile(workspace.db, file, alerts, retry);
    expect(outcome.delivered).toBe(true);
    expect(await deliverToFile(workspace.db, file, alerts, retry)).toMatchObject({ attempts: 0 });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.length).toBe(1);
    expect((JSON.parse(lines[0] as string) as { key: string }).key).toBe('a');
  });
});
