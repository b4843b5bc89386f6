/** `nrr serve`: the HTTP API and the dashboard over the workspace. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Command } from 'commander';
import { pino } from 'pino';
import { createApp } from '../server/app.js';
import { CheckSchedule, MAX_CHECK_DAY, type ScheduleSettings } from '../service/schedule.js';
import { currentUser, resolveLocation, Workspace } from '../store/workspace.js';
import { addDeliveryOptions, DEFAULT_CONTRACTION_THRESHOLD, type DeliveryFlags } from './check.js';
import { integerOption, today } from './options.js';
import { addWorkspaceOption, type WorkspaceFlags } from './workspace.js';

interface ServeFlags extends WorkspaceFlags, DeliveryFlags {
  port: number;
  host: string;
  checkDay?: number;
  checkRetry: number;
}

/** How often the server looks at the clock for a check that is due, in milliseconds. */
const SCHEDULE_INTERVAL_MS = 60_000;

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  /** When the port is taken, listen on a free one instead of failing. */
  readonly anyPortIfTaken?: boolean;
  /** Path and query added to the printed address, such as "#/?asOf=2025-12-31". */
  readonly page?: string;
  /** Runs the monthly check on its own when given. */
  readonly schedule?: ScheduleSettings;
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
  const schedule =
    options.schedule === undefined
      ? undefined
      : new CheckSchedule(workspace, options.schedule, { today, now: () => new Date() }, logger);
  const app = createApp({
    workspace,
    logger,
    today,
    user: currentUser(),
    ...(schedule === undefined ? {} : { schedule }),
  });
  // Without HTTPS or HTTP/2 options the adaptor builds a plain node:http server.
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  try {
    const info = await listen(server, options.port, options.host, options.anyPortIfTaken === true);
    const host = info.address.includes(':') ? `[${info.address}]` : info.address;
    const base = `http://${host}:${info.port}/`;
    process.stdout.write(
      `nrr is serving ${workspace.location}: dashboard at ${base}${options.page ?? ''} and API at ${base}api/openapi.json; press Ctrl+C to stop\n`,
    );
    if (schedule !== undefined) {
      await schedule.start();
      process.stdout.write(
        `The monthly check runs on day ${schedule.settings.checkDay} of each month for the month before; GET ${base}api/checks/schedule shows its state.\n`,
      );
    }
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
    await schedule?.stop();
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
  command
    .option(
      '--check-day <day>',
      `run the monthly check on its own on this day of each month (1 to ${MAX_CHECK_DAY}) for the month before; the flags below set its alerts and delivery as for nrr check`,
      integerOption('--check-day', 1, MAX_CHECK_DAY),
    )
    .option(
      '--check-retry <minutes>',
      'with --check-day, wait before running a failed check again, in minutes',
      integerOption('--check-retry', 1, 10_080),
      60,
    );
  addDeliveryOptions(command);
  addWorkspaceOption(command);
  command.action(async (flags: ServeFlags) => {
    const workspace = await Workspace.open(resolveLocation(flags.workspace));
    await serveWorkspace(workspace, {
      port: flags.port,
      host: flags.host,
      ...(flags.checkDay === undefined
        ? {}
        : { schedule: scheduleSettings(flags, flags.checkDay) }),
    });
  });
}

function scheduleSettings(flags: ServeFlags, checkDay: number): ScheduleSettings {
  return {
    checkDay,
    contractionThreshold: flags.contractionThreshold ?? DEFAULT_CONTRACTION_THRESHOLD,
    ...(flags.webhook === undefined ? {} : { webhook: flags.webhook }),
    ...(flags.alertsFile === undefined ? {} : { alertsFile: flags.alertsFile }),
    delivery: {
      maxAttempts: flags.maxAttempts,
      retryDelayMs: flags.retryDelay,
      timeoutMs: flags.timeout,
    },
    retryDelayMs: flags.checkRetry * 60_000,
    intervalMs: SCHEDULE_INTERVAL_MS,
    user: currentUser(),
  };
}
