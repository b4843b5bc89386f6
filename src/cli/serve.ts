/** `nrr serve`: the HTTP API and the dashboard over the workspace. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Command } from 'commander';
import { pino } from 'pino';
import { createApp } from '../server/app.js';
import { currentUser, resolveLocation, Workspace } from '../store/workspace.js';
import { integerOption, today } from './options.js';
import { addWorkspaceOption, type WorkspaceFlags } from './workspace.js';

interface ServeFlags extends WorkspaceFlags {
  port: number;
  host: string;
}

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  /** When the port is taken, listen on a free one instead of failing. */
  readonly anyPortIfTaken?: boolean;
  /** Path and query added to the printed address, such as "#/?asOf=2025-12-31". */
  readonly page?: string;
}

/** Listens on the address, or with `anyPortIfTaken` on a free port when that one is taken. */
function listen(
  server: Server,
  port: number,
  host: string,
  anyPortIfTaken: boolean,
): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE' && anyPortIfTaken && port !== 0) {
        process.stdout.write(`Port ${port} is in use; choosing a free port instead.\n`);
        resolve(listen(server, 0, host, false));
      } else if (error.code === 'EADDRINUSE') {
        reject(new Error(`port ${port} on ${host} is in use; choose another with --port`));
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Serves a workspace until SIGINT or SIGTERM, printing the address once listening. The workspace
 * is closed when the server stops.
 */
export async function serveWorkspace(workspace: Workspace, options: ServeOptions): Promise<void> {
  const logger = pino({ level: process.env['NRR_LOG_LEVEL'] ?? 'info' }, pino.destination(2));
  const app = createApp({ workspace, logger, today, user: currentUser() });
  // Without HTTPS or HTTP/2 options the adaptor builds a plain node:http server.
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  try {
    const info = await listen(server, options.port, options.host, options.anyPortIfTaken === true);
    const host = info.address.includes(':') ? `[${info.address}]` : info.address;
    const base = `http://${host}:${info.port}/`;
    process.stdout.write(
      `nrr is serving ${workspace.location}: dashboard at ${base}${options.page ?? ''} and API at ${base}api/openapi.json; press Ctrl+C to stop\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        server.close(() => resolve());
        // Open keep-alive connections from a browser would hold the close back.
        server.closeAllConnections();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  } finally {
    await workspace.close();
  }
}

export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description(
      'serve the dashboard and the HTTP API over the workspace (OpenAPI document at /api/openapi.json)',
    )
    .option('--port <port>', 'TCP port to listen on', integerOption('--port', 0, 65_535), 8080)
    .option(
      '--host <address>',
      'address to listen on; the default serves this machine only',
      '127.0.0.1',
    );
  addWorkspaceOption(command);
  command.action(async (flags: ServeFlags) => {
    const workspace = await Workspace.open(resolveLocation(flags.workspace));
    await serveWorkspace(workspace, { port: flags.port, host: flags.host });
  });
}
