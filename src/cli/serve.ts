/** `nrr serve`: the HTTP API over the workspace. */
import { serve } from '@hono/node-server';
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

export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description('serve the HTTP API over the workspace (OpenAPI document at /api/openapi.json)')
    .option('--port <port>', 'TCP port to listen on', integerOption('--port', 0, 65_535), 8080)
    .option(
      '--host <address>',
      'address to listen on; the default serves this machine only',
      '127.0.0.1',
    );
  addWorkspaceOption(command);
  command.action(async (flags: ServeFlags) => {
    const logger = pino({ level: process.env['NRR_LOG_LEVEL'] ?? 'info' }, pino.destination(2));
    const workspace = await Workspace.open(resolveLocation(flags.workspace));
    const app = createApp({ workspace, logger, today, user: currentUser() });
    const server = serve({ fetch: app.fetch, port: flags.port, hostname: flags.host }, (info) => {
      process.stdout.write(
        `nrr is serving ${workspace.location} at http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}/ (API: /api/openapi.json); press Ctrl+C to stop\n`,
      );
    });
    await new Promise<void>((resolve) => {
      const stop = () => {
        server.close(() => resolve());
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await workspace.close();
  });
}
