/** `nrr scenario`: run, save, list and delete renewal scenarios. */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { defaultAsOf } from '../core/as-of.js';
import { parseDay } from '../core/dates.js';
import type { Day } from '../core/dates.js';
import type { Dimension } from '../core/groups.js';
import {
  choiceToText,
  parseMinorAmount,
  parseRampSteps,
  runScenario,
  SCENARIO_OUTCOMES,
} from '../core/scenarios.js';
import type { RampStep, ScenarioChoice, ScenarioOutcome } from '../core/scenarios.js';
import { EngineError } from '../core/errors.js';
import { currentUser } from '../store/workspace.js';
import { table } from './format.js';
import { addInputOptions, announceInput, loadInput, type InputFlags } from './input.js';
import { dayOption, today } from './options.js';
import { renderScenarioTable } from './scenario-view.js';
import { addWorkspaceOption, withWorkspace, type WorkspaceFlags } from './workspace.js';

const CHOICE_FORMAT =
  'account=ID date=YYYY-MM-DD outcome=flat|uplift|downgrade|churn [bp=N] [effective=YYYY-MM-DD | late=DAYS] [term=MONTHS] [addon=AMOUNT] [steps=MONTH:PERCENT%|MONTH:AMOUNT,...] [arr=AMOUNT account-name=NAME csm=NAME segment=NAME region=NAME]';

const CHOICE_KEYS = [
  'account',
  'date',
  'outcome',
  'bp',
  'effective',
  'late',
  'term',
  'addon',
  'steps',
  'arr',
  'account-name',
  'csm',
  'segment',
  'region',
];

/** Keys that describe a renewal that is not in the data; `arr` marks one. */
const DESCRIBED_KEYS = ['account-name', 'csm', 'segment', 'region'] as const;

/** Fails a --choice value; choices are read once the reporting currency is known. */
function choiceError(message: string): EngineError {
  return new EngineError('invalid-scenario', `--choice: ${message}`);
}

/** Splits a choice into key=value pairs; a value in double quotes may contain spaces. */
function choiceFields(text: string): Map<string, string> {
  if ((text.match(/"/g) ?? []).length % 2 === 1) {
    throw choiceError(`the choice "${text}" has a quote that is not closed`);
  }
  const fields = new Map<string, string>();
  for (const pair of text.trim().match(/(?:[^\s"]+|"[^"]*")+/g) ?? []) {
    const split = pair.indexOf('=');
    const key = split < 0 ? pair : pair.slice(0, split);
    const value = split < 0 ? '' : pair.slice(split + 1).replace(/^"(.*)"$/, '$1');
    if (split <= 0 || value === '' || (!value.includes(' ') && value.includes('='))) {
      throw choiceError(`"${pair}" is not key=value; write ${CHOICE_FORMAT}`);
    }
    if (fields.has(key)) throw choiceError(`the choice gives ${key} twice`);
    fields.set(key, value);
  }
  const unknown = [...fields.keys()].find((key) => !CHOICE_KEYS.includes(key));
  if (unknown !== undefined) {
    throw choiceError(`unknown key "${unknown}"; write ${CHOICE_FORMAT}`);
  }
  return fields;
}

function count(key: string, value: string): number {
  if (!/^\d{1,6}$/.test(value)) {
    throw choiceError(`${key} "${value}" must be a whole number`);
  }
  return Number(value);
}

function amount(key: string, value: string, currency: string): number {
  const minor = parseMinorAmount(value, currency);
  if (typeof minor === 'string') throw choiceError(`${key} ${minor}`);
  return minor;
}

function parseSteps(value: string, currency: string): RampStep[] {
  const steps = parseRampSteps(value, currency);
  if (typeof steps === 'string') throw choiceError(steps);
  return steps;
}

/**
 * Parses one `--choice` value: space-separated key=value pairs naming the renewal (its account
 * and renewal date), the outcome, the basis points of an uplift or downgrade, and optionally the
 * first day or the days late, the months of the renewed term, an add-on, ramp steps, and the
 * description of a renewal that is not in the data. Amounts are decimals in `currency`.
 */
export function parseChoice(text: string, currency: string): ScenarioChoice {
  const fields = choiceFields(text);
  const required = (key: string): string => {
    const value = fields.get(key);
    if (value === undefined) {
      throw choiceError(`the choice has no ${key}; write ${CHOICE_FORMAT}`);
    }
    return value;
  };
  const date = (key: string, value: string): Day => {
    const day = parseDay(value);
    if (day === undefined) {
      throw choiceError(`${key} "${value}" is not a valid date; use YYYY-MM-DD`);
    }
    return day;
  };
  const outcome = required('outcome');
  if (!(SCENARIO_OUTCOMES as readonly string[]).includes(outcome)) {
    throw choiceError(`outcome "${outcome}" must be one of ${SCENARIO_OUTCOMES.join(', ')}`);
  }
  const optional = <T>(key: string, read: (value: string) => T): T | undefined => {
    const value = fields.get(key);
    return value === undefined ? undefined : read(value);
  };
  const arr = optional('arr', (value) => amount('arr', value, currency));
  const describedKey = DESCRIBED_KEYS.find((key) => fields.has(key));
  if (arr === undefined && describedKey !== undefined) {
    throw choiceError(
      `${describedKey} describes a renewal that is not in the data, which also needs arr=AMOUNT, its current ARR`,
    );
  }
  const choice: ScenarioChoice = {
    account: required('account'),
    renewalDate: date('date', required('date')),
    outcome: outcome as ScenarioOutcome,
    basisPoints: optional('bp', (value) => count('bp', value)),
    effective: optional('effective', (value) => date('effective', value)),
    lateDays: optional('late', (value) => count('late', value)),
    termMonths: optional('term', (value) => count('term', value)),
    addOn: optional('addon', (value) => amount('addon', value, currency)),
    steps: optional('steps', (value) => parseSteps(value, currency)),
    synthetic:
      arr === undefined
        ? undefined
        : {
            name: fields.get('account-name') ?? required('account'),
            csm: required('csm'),
            segment: required('segment'),
            region: required('region'),
            arr,
          },
  };
  return Object.fromEntries(
    Object.entries(choice).filter(([, value]) => value !== undefined),
  ) as unknown as ScenarioChoice;
}

function collectChoice(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
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
  choice?: string[];
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
      `an outcome for one open renewal (repeatable): ${CHOICE_FORMAT}; bp is basis points of the ARR up for renewal (700 = 7%), late is days after the renewal date, amounts are decimals in the reporting currency, and arr with the account's name and books describes a renewal that is not in the data`,
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
      const input = await loadInput(files, flags);
      const currency = input.definitions.reportingCurrency;
      const choices = [
        ...(stored?.choices ?? []),
        ...(flags.choice ?? []).map((text) => parseChoice(text, currency)),
      ];
      if (choices.length === 0) {
        throw new EngineError(
          'invalid-scenario',
          'no choices to apply; pass --name of a stored scenario, or one --choice or more',
        );
      }
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
  choice?: string[];
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
    const texts = flags.choice ?? [];
    const { created } = await withWorkspace(flags, async (workspace) => {
      const { definitions } = await workspace.currentDefinitions();
      const choices = texts.map((text) => parseChoice(text, definitions.reportingCurrency));
      return workspace.scenarios.save({ name, choices }, currentUser());
    });
    process.stdout.write(
      `${created ? 'Stored' : 'Replaced'} scenario "${name}" with ${texts.length} choices; run it with nrr scenario run --name "${name}"\n`,
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
