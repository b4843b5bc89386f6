/**
 * `nrr teams import FILE` replaces the stored teams with those of a CSV or XLSX file;
 * `nrr teams` lists them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { readTeamsFile } from '../ingest/teams.js';
import { listTeamMembers, replaceTeamMembers } from '../store/teams.js';
import { currentUser } from '../store/workspace.js';
import { count, printableLines, table } from './format.js';
import { addWorkspaceOption, withWorkspace, type WorkspaceFlags } from './workspace.js';

export function registerTeamCommands(program: Command): void {
  const teams = program
    .command('teams')
    .description('list or import teams: each CSM with their team and manager');

  const list = teams
    .command('list', { isDefault: true })
    .description('list the stored team members (the default)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    );
  addWorkspaceOption(list);
  list.action(async (flags: WorkspaceFlags & { format: 'table' | 'json' }) => {
    await withWorkspace(flags, async (workspace) => {
      const stored = await listTeamMembers(workspace.db);
      if (flags.format === 'json') {
        process.stdout.write(JSON.stringify(stored, null, 2) + '\n');
        return;
      }
      if (stored.length === 0) {
        process.stdout.write('No teams are stored; import a file with nrr teams import.\n');
        return;
      }
      const rows = stored.map((member) => [member.team, member.manager, member.person]);
      process.stdout.write(printableLines(table(['team', 'manager', 'person'], rows)) + '\n');
    });
  });

  const importCommand = teams
    .command('import')
    .description(
      'replace the stored teams with those of a CSV or XLSX file (person or csm, team, manager)',
    )
    .argument('<file>', 'teams file, .csv or .xlsx');
  addWorkspaceOption(importCommand);
  importCommand.action(async (file: string, flags: WorkspaceFlags) => {
    const name = path.basename(file);
    const members = await readTeamsFile(await readFile(file), name);
    await withWorkspace(flags, async (workspace) => {
      const outcome = await replaceTeamMembers(workspace.db, members, name, currentUser());
      const teamCount = new Set(members.map((member) => member.team)).size;
      process.stdout.write(
        `Stored ${count(outcome.stored, 'team member')} in ${count(teamCount, 'team')} from ${name}, replacing ${count(outcome.removed, 'earlier row')}.\n`,
      );
    });
  });
}
