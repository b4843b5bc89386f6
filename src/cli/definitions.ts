/** `nrr definitions`: print the definitions in force. */
import type { Command } from 'commander';
import { changedFields } from '../core/definitions.js';
import { addDefinitionOptions, resolveDefinitions } from './options.js';
import type { DefinitionFlags } from './options.js';

export function registerDefinitionsCommand(program: Command): void {
  const command = program
    .command('definitions')
    .description(
      'print the definitions in force (defaults, changed by a definitions file and flags) as JSON',
    );
  addDefinitionOptions(command);
  command.action((flags: DefinitionFlags) => {
    const definitions = resolveDefinitions(flags);
    process.stdout.write(
      JSON.stringify({ ...definitions, changes: changedFields(definitions) }, null, 2) + '\n',
    );
  });
}
