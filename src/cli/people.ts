/**
 * `nrr people key NAME` issues a personal access key and prints it once; `nrr people revoke NAME`
 * deletes it; `nrr people` lists who holds a key. The server reads the key to decide whose
 * training progress a request may see.
 */
import type { Command } from 'commander';
import { StoreError } from '../store/driver.js';
import { issueKey, listKeys, revokeKey } from '../store/people.js';
import { listTeamMembers } from '../store/teams.js';
import { currentUser } from '../store/workspace.js';
import { printableLines, table } from './format.js';
import { addWorkspaceOption, withWorkspace, type WorkspaceFlags } from './workspace.js';

export function registerPeopleCommands(program: Command): void {
  const people = program
    .command('people')
    .description('personal access keys that let each person see their own training progress');

  const list = people
    .command('list', { isDefault: true })
    .description('list who holds a key (the default); keys themselves are never shown again');
  addWorkspaceOption(list);
  list.action(async (flags: WorkspaceFlags) => {
    await withWorkspace(flags, async (workspace) => {
      const keys = await listKeys(workspace.db);
      if (keys.length === 0) {
        process.stdout.write('No keys are issued; issue one with nrr people key NAME.\n');
        return;
      }
      const rows = keys.map((key) => [
        key.person,
        key.leader ? 'leader' : 'person',
        key.issuedAt,
        key.issuedBy,
      ]);
      process.stdout.write(
        printableLines(table(['person', 'kind', 'issued at', 'issued by'], rows)) + '\n',
      );
    });
  });

  const key = people
    .command('key')
    .description(
      "issue a personal access key and print it once: it shows the person's own progress and their reports'; issuing again replaces the earlier key",
    )
    .argument('<name>', 'the person, spelt as in the teams file and in live sessions')
    .option('--leader', "a leader's key, which shows everyone's progress");
  addWorkspaceOption(key);
  key.action(async (name: string, flags: WorkspaceFlags & { leader?: boolean }) => {
    await withWorkspace(flags, async (workspace) => {
      const leader = flags.leader === true;
      const issued = await issueKey(workspace.db, name, { leader, user: currentUser() });
      const members = await listTeamMembers(workspace.db);
      const known = members.some(
        (member) => member.person === name.trim() || member.manager === name.trim(),
      );
      process.stdout.write(
        [
          `Personal access key of ${name.trim()}${leader ? ' (leader: sees everyone)' : ''}:`,
          issued,
          'It is shown only now; give it to that person, who enters it once in the dashboard or sends it as "Authorization: Bearer KEY".',
          ...(known || leader
            ? []
            : [
                `${name.trim()} is in no stored team, so the key shows their own progress only; import the teams with nrr teams import.`,
              ]),
          '',
        ].join('\n'),
      );
    });
  });

  const revoke = people
    .command('revoke')
    .description("delete a person's key, so it no longer opens anything")
    .argument('<name>', 'the person');
  addWorkspaceOption(revoke);
  revoke.action(async (name: string, flags: WorkspaceFlags) => {
    await withWorkspace(flags, async (workspace) => {
      if (!(await revokeKey(workspace.db, name))) {
        throw new StoreError(`${name.trim()} has no key; nrr people lists who has one`);
      }
      process.stdout.write(`Revoked the key of ${name.trim()}.\n`);
    });
  });
}
