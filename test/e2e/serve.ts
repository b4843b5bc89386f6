/** Serves the dashboard and API over a test's workspace on a free loopback port. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import type { Day } from '../../src/core/dates.js';
import { createApp } from '../../src/server/app.js';
import type { Workspace } from '../../src/store/workspace.js';

export interface Served {
  /** The server's address, as http://127.0.0.1:PORT. */
  readonly base: string;
  /** Stops the server; the workspace stays open. */
  readonly close: () => Promise<void>;
}

export async function serveWorkspace(
  workspace: Workspace,
  options: { today: Day; user: string },
): Promise<Served> {
  const app = createApp({
    workspace,
    logger: pino({ level: 'silent' }),
    today: () => options.today,
    user: options.user,
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
