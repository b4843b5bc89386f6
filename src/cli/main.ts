#!/usr/bin/env node
/**
 * The `nrr` command line. Each command throws on failure; `run` prints `Error: …` to stderr and
 * sets a non-zero exit code.
 */
import { Command, CommanderError } from 'commander';
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { registerDemoCommand } from './demo.js';
import { registerExplainCommand } from './explain.js';
import { registerReportCommand } from './report.js';
import { registerCompareCommand } from './compare.js';
import { registerRenewalsCommand } from './renewals.js';
import { registerScenarioCommands } from './scenario.js';
import { registerGenerateCommand } from './generate.js';
import { registerDefinitionsCommand } from './definitions.js';
import { registerImportCommands } from './import.js';
import { registerCloseCommands } from './close.js';
import { registerServeCommand } from './serve.js';
import { registerTrainCommand } from './train.js';
import { registerTargetCommands } from './targets.js';
import { registerTeamCommands } from './teams.js';
import { registerPeopleCommands } from './people.js';
import { registerCheckCommands } from './check.js';
import { registerWhiteSpaceCommand } from './whitespace.js';
import { DeliveryError } from '../service/delivery.js';
import { describeUnstorableValue, StoreError } from '../store/driver.js';
import { ImportError, ImportOptionsError, formatProblem } from '../ingest/index.js';
import { DefinitionsError } from '../core/definitions.js';
import { printableLines } from './format.js';
import { EngineError } from '../core/errors.js';

export function buildProgram(): Command {
  const program = new Command('nrr')
    .description(
      'ARR, the ARR bridge, NRR, GRR and logo retention per CSM book, segment and region',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerReportCommand(program);
  registerExplainCommand(program);
  registerCompareCommand(program);
  registerRenewalsCommand(program);
  registerScenarioCommands(program);
  registerDemoCommand(program);
  registerGenerateCommand(program);
  registerDefinitionsCommand(program);
  registerImportCommands(program);
  registerCloseCommands(program);
  registerServeCommand(program);
  registerTrainCommand(program);
  registerTargetCommands(program);
  registerTeamCommands(program);
  registerPeopleCommands(program);
  registerCheckCommands(program);
  registerWhiteSpaceCommand(program);
  return program;
}

/** Prints a failure in the usual words; rejected rows are listed one per line. */
export function describeError(error: unknown): string {
  if (error instanceof ImportError) {
    const heading = error.message.split('\n')[0] ?? error.message;
    const lines = error.problems.map(formatProblem);
    if (error.omittedProblems > 0) lines.push(`... and ${error.omittedProblems} more problems`);
    return `Error: ${heading}\n${lines.map((line) => `  ${line}`).join('\n')}\nNothing was computed or stored; fix these rows and run the command again.`;
  }
  if (
    error instanceof ImportOptionsError ||
    error instanceof DefinitionsError ||
    error instanceof EngineError ||
    error instanceof StoreError ||
    error instanceof DeliveryError
  ) {
    return `Error: ${error.message}`;
  }
  const unstorable = describeUnstorableValue(error);
  if (unstorable !== undefined) return `Error: ${unstorable}; nothing was stored`;
  const systemMessage = describeSystemError(error);
  if (systemMessage !== undefined) return `Error: ${systemMessage}`;
  return `Error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist; check the path',
  EISDIR: 'is a folder; pass a file',
  ENOTDIR: 'is not a folder; check the path',
  EACCES: 'cannot be read or written with your permissions',
  EEXIST: 'already exists and is not a folder; choose another path',
};

/** Turns file-system and size errors into one line naming the path and what to do. */
function describeSystemError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path } = error as NodeJS.ErrnoException;
  if (code === 'ERR_STRING_TOO_LONG' || /Cannot create a string longer than/.test(error.message)) {
    return 'the file is larger than can be read at once (about 512 MB of text); split it into several files';
  }
  const text = code === undefined ? undefined : SYSTEM_ERRORS[code];
  if (text === undefined) return undefined;
  return `${path ?? 'the path'} ${text}`;
}

export async function run(argv: readonly string[]): Promise<number> {
  // A reader that stops early (`| head`) closes the pipe; that is not a failure of the command.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    // A command that ends with a status of its own, such as `nrr check` finding a book behind
    // target, sets process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(printableLines(describeError(error)) + '\n');
    return 1;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await run(process.argv);
}
