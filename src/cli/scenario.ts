/** `nrr scenario`: run, save, list and delete renewal scenarios. */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { defaultAsOf } from '../core/as-of.js';
import { parseDay } from '../core/dates.js';
import type { Day } from '../core/dates.js';
import type { Dimension } from '../core/groups.js';
import { choiceToText, runScenario, SCENARIO_OUTCOMES } from '../core/scenarios.js';
import type { ScenarioChoice, ScenarioOutcome } from '../core/scenarios.js';
import { EngineError } from '../core/errors.js';
import { currentUser } from '../store/workspace.js';
import { table } from './format.js';
import { addInputOptions, announceInput, loadInput, type InputFlags } from './input.js';
import { dayOption, today } from './options.js';
import { renderScenarioTable } from './scenario-view.js';
import { addWorkspaceOption, withWorkspace, type WorkspaceFlags } from './workspace.js';

const CHOICE_FORMAT =
  'account=ID date=YYYY-MM-DD outcome=flat|uplift|downgrade|churn [bp=N] [effective=YYYY-MM-DD] [term=MONTHS]';

/**
 * Parses one `--choice` value: space-separated key=value pairs naming the renewal (its account
 * and renewal date), the outcome, the basis points of an uplift or downgrade, and optionally the
 * first day and months of the renewed term.
 */
export function parseChoice(text: string): ScenarioChoice {
  const fields = new Map<string, string>();
  for (const pair of text.trim().split(/\s+/)) {
    const [key, value, extra] = pair.split('=');
    if (key === undefined || value === undefined || value === '' || extra !== undefined) {
      throw new InvalidArgumentError(`"${pair}" is not key=value; write ${CHOICE_FORMAT}`);
    }
    fields.set(key, value);
  }
  const unknown = [...fields.keys()].find(
    (key) => !['account', 'date', 'outcome', 'bp', 'effective', 'term'].includes(key),
  );
  if (unknown !== undefined) {
    throw new InvalidArgumentError(`unknown key "${unknown}"; write ${CHOICE_FORMAT}`);
  }
  const required = (key: string): string => {
    const value = fields.get(key);
    if (value === undefined) {
      throw new InvalidArgumentError(`the choice has no ${key}; write ${CHOICE_FORMAT}`);
    }
    return value;
  };
  const date = (key: string, value: string): Day => {
    const day = parseDay(value);
    if (day === undefined) {
      throw new InvalidArgumentError(`${key} "${value}" is not a valid date; use YYYY-MM-DD`);
    }
    return day;
  };
  const count = (key: string, value: string): number => {
    if (!/^\d{1,6}$/.test(value)) {
      throw new InvalidArgumentError(`${key} "${value}" must be a whole number`);
    }
    return Number(value);
  };
  const outcome = required('outcome');
  if (!(SCENARIO_OUTCOMES as readonly string[]).includes(outcome)) {
    throw new InvalidArgumentError(
      `outcome "${outcome}" must be one of ${SCENARIO_OUTCOMES.join(', ')}`,
    );
  }
  const bp = fields.get('bp');
  const effective = fields.get('effective');
  const term = fields.get('term');
  return {
    account: required('account'),
    renewalDate: date('date', required('date')),
    outcome: outcome as ScenarioOutcome,
    ...(bp === undefined ? {} : { basisPoints: count('bp', bp) }),
    ...(effective === undefined ? {} : { effective: date('effective', effective) }),
    ...(term === undefined ? {} : { termMonths: count('term', term) }),
  };
}

function collectChoice(value: string, previous: ScenarioChoice[] | undefined): ScenarioChoice[] {
  return [...(previous ?? []), parseChoice(value)];
}

function dimensionsOption(text: string): Dimension[] {
  const dimensions = text.split(',').map((item) => item.trim());
  const known = ['csm', 'segment', 'region', 'sub-region'];
  const unknown = dimensions.find((item) => !known.includes(item));
  if (unknown !== undefined) {
    throw new InvalidArgumentError(`"${unknown}" is not a book; use ${known.join(', ')}`);
  }
  return dimensions as Dimension[];
}

interface RunFlags extends InputFlags {
  name?: string;
  choice?: ScenarioChoice[];
  asOf?: Day;
  by: Dimension[];
  format: 'table' | 'json';
}

function registerRun(scenario: Command): void {
  const command = scenario
    .command('run')
    .description(
      'apply chosen outcomes to open renewals and show ARR, the bridge, NRR, GRR and logo retention with and without them, for this fiscal year and the next, step by step',
    );
  addInputOptions(command)
    .option('--name <name>', 'a scenario stored in the workspace with nrr scenario save')
    .option(
      '--choice <choice>',
      `an outcome for one open renewal (repeatable): ${CHOICE_FORMAT}; bp is basis points of the ARR up for renewal (700 = 7%)`,
      collectChoice,
    )
    .option(
      '--as-of <date>',
      'day the renewals are open on, YYYY-MM-DD (default: end of the month of the latest line start, not after today)',
      dayOption,
    )
    .option(
      '--by <books>',
      'comma-separated books to show: csm, segment, region, sub-region',
      dimensionsOption,
      ['csm', 'segment', 'region'],
    )
    .addOption(
      new Option('--format <format>', 'output format; json keeps money in minor units')
        .choices(['table', 'json'])
        .default('table'),
    )
    .action(async (files: string[], flags: RunFlags) => {
      const stored =
        flags.name === undefined
          ? undefined
          : await withWorkspace(flags, (workspace) =>
              workspace.scenarios.get(flags.name as string),
            );
      const choices = [...(stored?.choices ?? []), ...(flags.choice ?? [])];
      if (choices.length === 0) {
        throw new EngineError(
          'invalid-scenario',
          'no choices to apply; pass --name of a stored scenario, or one --choice or more',
        );
      }
      const input = await loadInput(files, flags);
      announceInput(input, flags.format);
      const asOf = flags.asOf ?? defaultAsOf(input.dataset, today());
      const name = flags.name ?? '(unsaved)';
      const built = runScenario(
        input.dataset,
        input.definitions,
        asOf,
        { name, choices },
        flags.by,
      );
      const result =
        input.workspaceVersion === undefined
          ? built
          : {
              ...built,
              definitions: { ...built.definitions, workspaceVersion: input.workspaceVersion },
            };
      process.stdout.write(
        flags.format === 'json'
          ? JSON.stringify(result, null, 2) + '\n'
          : renderScenarioTable(result),
      );
    });
}

interface SaveFlags extends WorkspaceFlags {
  choice?: ScenarioChoice[];
}

function registerStoreCommands(scenario: Command): void {
  const save = scenario
    .command('save')
    .description('store a named scenario in the workspace, replacing one of that name')
    .argument('<name>', 'name of the scenario')
    .requiredOption(
      '--choice <choice>',
      `an outcome for one open renewal (repeatable): ${CHOICE_FORMAT}`,
      collectChoice,
    );
  addWorkspaceOption(save).action(async (name: string, flags: SaveFlags) => {
    const choices = flags.choice ?? [];
    const { created } = await withWorkspace(flags, (workspace) =>
      workspace.scenarios.save({ name, choices }, currentUser()),
    );
    process.stdout.write(
      `${created ? 'Stored' : 'Replaced'} scenario "${name}" with ${choices.length} choices; run it with nrr scenario run --name "${name}"\n`,
    );
  });

  const list = scenario
    .command('list')
    .description('list the scenarios stored in the workspace')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    );
  addWorkspaceOption(list).action(async (flags: WorkspaceFlags & { format: string }) => {
    const stored = await withWorkspace(flags, (workspace) => workspace.scenarios.list());
    if (flags.format === 'json') {
      const output = stored.map((item) => ({ ...item, choices: item.choices.map(choiceToText) }));
      process.stdout.write(JSON.stringify(output, null, 2) + '\n');
      return;
    }
    process.stdout.write(
      table(
        ['Name', 'Choices', 'Updated', 'By'],
        stored.map((item) => [
          item.name,
          String(item.choices.length),
          item.updatedAt,
          item.updatedBy,
        ]),
      ) + '\n',
    );
  });

  const remove = scenario
    .command('delete')
    .description('delete a scenario stored in the workspace')
    .argument('<name>', 'name of the scenario');
  addWorkspaceOption(remove).action(async (name: string, flags: WorkspaceFlags) => {
    await withWorkspace(flags, (workspace) => workspace.scenarios.delete(name));
    process.stdout.write(`Deleted scenario "${name}"\n`);
  });
}

export function registerScenarioCommands(program: Command): void {
  const scenario = program
    .command('scenario')
    .description('what-if outcomes on open renewals: run, save, list and delete scenarios');
  registerRun(scenario);
  registerStoreCommands(scenario);
}
