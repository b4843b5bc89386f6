/** Opening the workspace for a command, and the flag that chooses it. */
import type { Command } from 'commander';
import { resolveLocation, Workspace } from '../store/workspace.js';

export interface WorkspaceFlags {
  workspace?: string;
}

export function addWorkspaceOption(command: Command): Command {
  return command.option(
    '--workspace <folder>',
    'folder of the embedded workspace (default: DATABASE_URL when set, a PostgreSQL server; else NRR_WORKSPACE, else ./.nrr)',
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
