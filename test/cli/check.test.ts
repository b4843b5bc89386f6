/**
 * `nrr check` run as a user runs it, on a workspace with a book behind target, delivering its
 * alerts to a receiver on 127.0.0.1 that fails the first request with HTTP 500.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { listDeliveryAttempts } from '../../src/store/alerts.js';
import { Workspace } from '../../src/store/workspace.js';
import { BEHIND_LINES } from '../server/behind-workspace.js';
import { DRIVERS, openLocation, type TestLocation } from '../store/databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist/src/cli/main.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'nrr-check-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const LINES = BEHIND_LINES;

const TARGETS = `scope,book,fiscal_year,nrr_target,grr_target
csm,Ana,2025,100,
csm,Ben,2025,95,
`;

const EVENTS = `account_id,kind,date,note
D,plan,2025-06-15,Sponsor call booked
C,notice,2025-06-20,Budget cut
`;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface Received {
  status: number;
  body: { text: string; blocks: { type: string; text?: { type: string; text: string } }[] };
}

/** Starts a receiver on 127.0.0.1 that fails the first request with HTTP 500, then accepts. */
async function startReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = received.length === 0 ? 500 : 200;
      received.push({
        status,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
      });
      response.statusCode = status;
      response.end(status === 200 ? 'ok' : 'try again');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/services/T000/B000/token`, received, server };
}

describe.each(DRIVERS)('nrr check on the %s driver', (driver) => {
  let location: TestLocation;

  beforeEach(async () => {
    location = await openLocation(driver);
  });

  afterEach(async () => {
    await location.drop();
  });

  function options() {
    return { cwd: scratch, env: { ...location.env, NRR_USER: 'tester' } };
  }

  function nrr(...args: string[]): Result {
    const result = spawnSync(process.execPath, [CLI, ...args, ...location.flags], {
      ...options(),
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs nrr without blocking this process, so that the receiver in it can respond. */
  function nrrAsync(...args: string[]): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args, ...location.flags], options());
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  function write(name: string, text: string): string {
    const file = path.join(scratch, `${driver}-${name}`);
    writeFileSync(file, text);
    return file;
  }

  test('book behind target alerts through a retried webhook', async () => {
    expect(nrr('import', write('lines.csv', LINES)).status).toBe(0);
    expect(nrr('targets', 'import', write('targets.csv', TARGETS)).status).toBe(0);
    expect(nrr('events', 'import', write('events.csv', EVENTS)).status).toBe(0);
    const alertsFile = path.join(scratch, `${driver}-alerts.jsonl`);
    const { url, received, server } = await startReceiver();
    try {
      const check = await nrrAsync(
        'check',
        '--month',
        '2025-06',
        '--webhook',
        url,
        '--alerts-file',
        alertsFile,
        '--retry-delay',
        '50',
      );
      // Exit code 2: Ben is behind his glide path.
      expect(check.status).toBe(2);
      expect(check.stdout).toMatch(/csm Ben .* BEHIND/);
      expect(check.stdout).toMatch(/csm Ana .* on track/);
      expect(check.stdout).toMatch(
        /webhook http:\/\/127\.0\.0\.1:\d+ #[0-9a-f]{12}: delivered 4 alerts in 2 attempts\./,
      );
      expect(check.stdout).toContain('file ');

      // The receiver failed the first request and accepted the same payload on the retry.
      expect(received.map((request) => request.status)).toEqual([500, 200]);
      expect(received[1]?.body).toEqual(received[0]?.body);
      const payload = received[1]?.body;
      expect(payload?.text).toBe('nrr check 2025-06: 1 book behind target, 4 alerts');
      expect(payload?.blocks.length).toBe(5);
      expect(payload?.blocks[0]).toEqual({
        type: 'section',
        text: { type: 'mrkdwn', text: 'nrr check 2025-06: 1 book behind target, 4 alerts' },
      });
      // Ben: cohort C 200,000 + D 40,000 + E 60,000 = 300,000; June path 300,000 − 15,000 ×
      // 60,000 ÷ 300,000 = 297,000; actual C 200,000 + D 40,000 = 240,000; needed 285,000 −
      // contracted C 150,000 = 135,000.
      expect(payload?.blocks[1]?.text?.text).toBe(
        "*behind-target* (alert 1, csm Ben): CSM Ben is behind target at 2025-06-30: NRR cohort ARR 240000.00 USD is below the glide path's 297000.00 USD to 95%; 135000.00 USD more contracted ARR is needed by 2025-12-31.",
      );
      const kinds = payload?.blocks.slice(1).map((block) => block.text?.text.split('*')[1]);
      expect(kinds).toEqual([
        'behind-target',
        'renewal-90-days',
        'notice-received',
        'renewal-lapsed',
      ]);

      // Each attempt is logged and stored.
      expect(check.stderr).toContain('alert delivery failed; retrying');
      expect(check.stderr).toContain('alert delivery succeeded');
      expect(check.stderr).not.toContain('token');
      const lines = readFileSync(alertsFile, 'utf8').trim().split('\n');
      expect(lines.length).toBe(4);

      // The same month again raises nothing new and sends nothing.
      const again = await nrrAsync('check', '--month', '2025-06', '--webhook', url);
      expect(again.status).toBe(2);
      expect(again.stdout).toContain('nothing new to deliver');
      expect(received.length).toBe(2);
    } finally {
      server.close();
    }

    const workspace = await Workspace.open(location.location);
    try {
      const attempts = await listDeliveryAttempts(workspace.db);
      expect(
        attempts.map((attempt) => [
          attempt.channel,
          attempt.attempt,
          attempt.succeeded,
          attempt.httpStatus,
        ]),
      ).toEqual([
        ['webhook', 1, false, 500],
        ['webhook', 2, true, 200],
        ['file', 1, true, null],
      ]);
    } finally {
      await workspace.close();
    }

    const listed = JSON.parse(nrr('alerts', '--format', 'json').stdout) as {
      id: number;
      state: string;
    }[];
    expect(listed.length).toBe(4);
    expect(nrr('alerts', 'ack', '1').stdout).toMatch(/^Alert 1 is acknowledged: CSM Ben/);
    expect(nrr('alerts', 'resolve', '1').status).toBe(0);
    const reopened = nrr('alerts', 'ack', '1');
    expect(reopened.status).toBe(1);
    expect(reopened.stderr).toBe('Error: alert 1 is resolved and cannot become acknowledged\n');
    expect(nrr('alerts', '--state', 'resolved').stdout).toContain('behind-target');
  });

  test('no book behind exits 0', () => {
    expect(nrr('import', write('lines-ok.csv', LINES)).status).toBe(0);
    expect(
      nrr(
        'targets',
        'import',
        write('targets-ok.csv', 'scope,book,fiscal_year,nrr_target\ncsm,Ana,2025,100\n'),
      ).status,
    ).toBe(0);
    const check = nrr('check', '--month', '2025-06', '--format', 'json');
    expect(check.status).toBe(0);
    const json = JSON.parse(check.stdout) as { behind: boolean; books: { book: string }[] };
    expect(json.behind).toBe(false);
    expect(json.books.map((book) => book.book)).toEqual(['', 'Ana', 'Ben']);
  });

  test('help of each new command', () => {
    for (const command of ['check', 'alerts', 'targets', 'events', 'whitespace']) {
      const help = nrr(command, '--help');
      expect(help.stderr).toBe('');
      expect(help.status).toBe(0);
      expect(help.stdout).toContain(`Usage: nrr ${command}`);
    }
    expect(nrr('check', '--help').stdout).toContain('--contraction-threshold <percent>');
  });

  test('invalid month is rejected', () => {
    const check = nrr('check', '--month', '2025-13');
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('"2025-13" is not a month');
  });
});
