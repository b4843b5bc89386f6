/** Opening the workspace for a command, and the flag that chooses it. */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { DEFAULT_FOLDER, resolveLocation, Workspace } from '../store/workspace.js';

export interface WorkspaceFlags {
  workspace?: string;
}

export function addWorkspaceOption(command: Command): Command {
  return command.option(
    '--workspace <folder>',
    'folder of the embedded workspace (default: DATABASE_URL when set, a PostgreSQL server; else NRR_WORKSPACE, else ./.nrr)',
  );
}

/** True when DATABASE_URL or NRR_WORKSPACE is set, or the default folder exists. */
export function workspaceConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    (env['DATABASE_URL'] ?? '').trim() !== '' ||
    (env['NRR_WORKSPACE'] ?? '').trim() !== '' ||
    existsSync(DEFAULT_FOLDER)
  );
}

/** Opens the workspace the flags and environment name, runs `work`, and always closes it. */
export async function withWorkspace<T>(
  flags: WorkspaceFlags,
  work: (workspace: Workspace) => Promise<T>,
): Promise<T> {
  const workspace = await Workspace.open(resolveLocation(flags.workspace));
  try {
    return await work(workspace);
  } finally {
    await workspace.close();
  }
}
