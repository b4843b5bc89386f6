/** `nrr definitions`: print the definitions in force, or list, store and choose workspace versions. */
import type { Command } from 'commander';
import { changedFields } from '../core/definitions.js';
import { currentUser } from '../store/workspace.js';
import { printableLines, table } from './format.js';
import { previewDefinitions, workspaceDefinitions } from './input.js';
import { addDefinitionOptions, resolveDefinitions, storedVersionOf } from './options.js';
import type { DefinitionFlags } from './options.js';
import {
  addWorkspaceOption,
  withWorkspace,
  workspaceConfigured,
  type WorkspaceFlags,
} from './workspace.js';

interface Flags extends DefinitionFlags, WorkspaceFlags {
  list?: boolean;
  save?: boolean;
}

export function registerDefinitionsCommand(program: Command): void {
  const command = program
    .command('definitions')
    .description(
      'print the definitions in force as JSON; with --save, store them in the workspace as the version reports use; with --list, list the stored versions',
    )
    .option('--list', 'list the versions stored in the workspace')
    .option(
      '--save',
      'store the definitions (the current version, changed by a file and flags) as a version and make it current',
    );
  addDefinitionOptions(command);
  addWorkspaceOption(command);
  command.action(async (flags: Flags) => {
    // The workspace's current version is in force wherever a workspace is set up.
    const usesWorkspace =
      flags.list === true ||
      flags.save === true ||
      flags.workspace !== undefined ||
      storedVersionOf(flags) !== undefined ||
      workspaceConfigured();
    if (!usesWorkspace) {
      const definitions = resolveDefinitions(flags);
      process.stdout.write(
        JSON.stringify({ ...definitions, changes: changedFields(definitions) }, null, 2) + '\n',
      );
      return;
    }
    await withWorkspace(flags, async (workspace) => {
      if (flags.list === true) {
        const { current, versions } = await workspace.definitionsVersions();
        if (versions.length === 0) {
          process.stdout.write(
            'No definitions version is stored yet; reports use the defaults until nrr definitions --save stores one.\n',
          );
          return;
        }
        process.stdout.write(
          printableLines(
            table(
              ['version', 'name', 'changes from the defaults', 'stored', 'by', 'current'],
              versions.map((stored) => {
                const changes = Object.entries(changedFields(stored.definitions))
                  .map(([field, value]) => `${field}=${JSON.stringify(value)}`)
                  .join(', ');
                return [
                  String(stored.version),
                  `${stored.definitions.name} ${stored.definitions.version}`,
                  changes === '' ? 'none' : changes,
                  stored.createdAt.slice(0, 19).replace('T', ' '),
                  stored.createdBy,
                  stored.version === current ? 'yes' : '',
                ];
              }),
            ),
          ) + '\n',
        );
        return;
      }
      if (flags.save !== true) {
        const definitions = await previewDefinitions(workspace, flags);
        process.stdout.write(
          JSON.stringify({ ...definitions, changes: changedFields(definitions) }, null, 2) + '\n',
        );
        return;
      }
      const { definitions, version } = await workspaceDefinitions(workspace, flags);
      await workspace.setCurrentDefinitions(version);
      process.stderr.write(
        `Stored as definitions version ${version} by ${currentUser()}; reports from ${workspace.location} now use it.\n`,
      );
      process.stdout.write(
        JSON.stringify(
          { ...definitions, changes: changedFields(definitions), workspaceVersion: version },
          null,
          2,
        ) + '\n',
      );
    });
  });
}
