/**
 * Input of a command: the files given, or the workspace when none is given. From
 * the workspace, the definitions in force are stored as a version, so every figure names one.
 */
import type { Definitions } from '../core/definitions.js';
import type { Dataset } from '../core/model.js';
import type { ImportSummary } from '../ingest/index.js';
import { DefinitionsError } from '../core/definitions.js';
import { StoreError } from '../store/driver.js';
import type { Workspace } from '../store/workspace.js';
import { currentUser } from '../store/workspace.js';
import type { Command } from 'commander';
import { addDataOptions, describeSummaries, loadData, type DataFlags } from './data.js';
import {
  addDefinitionOptions,
  resolveDefinitions,
  storedVersionOf,
  type DefinitionFlags,
} from './options.js';
import { addWorkspaceOption, withWorkspace, type WorkspaceFlags } from './workspace.js';

export interface Input {
  readonly dataset: Dataset;
  readonly definitions: Definitions;
  /** The stored definitions version, for input read from the workspace. */
  readonly workspaceVersion?: number;
  readonly summaries?: readonly ImportSummary[];
  /** The workspace location, for input read from it. */
  readonly workspace?: string;
}

export type InputFlags = DataFlags & DefinitionFlags & WorkspaceFlags;

/** The definitions of the flags on top of the workspace's, stored as a version. */
export async function workspaceDefinitions(
  workspace: Workspace,
  flags: DefinitionFlags,
): Promise<{ definitions: Definitions; version: number }> {
  const definitions = await previewDefinitions(workspace, flags);
  // Definitions the stored data cannot be reported in are refused before they become a version.
  const missing = await workspace.currenciesWithoutRates(definitions.reportingCurrency);
  if (missing.length > 0) {
    throw new StoreError(
      `no stored FX rate converts ${missing.join(', ')} to the reporting currency ${definitions.reportingCurrency}; check --reporting-currency, or import rates to ${definitions.reportingCurrency} first`,
    );
  }
  const version = await workspace.saveDefinitions(definitions, currentUser());
  return { definitions, version };
}

/** Resolves the definitions the flags give on top of the workspace's, without storing them. */
export async function previewDefinitions(
  workspace: Workspace,
  flags: DefinitionFlags,
): Promise<Definitions> {
  const requested = storedVersionOf(flags);
  const base =
    requested === undefined
      ? (await workspace.currentDefinitions()).definitions
      : (await workspace.definitionsVersion(requested)).definitions;
  return resolveDefinitions(flags, base);
}

/** Reads the files, or the workspace when `files` is empty, and resolves the definitions. */
export async function loadInput(files: readonly string[], flags: InputFlags): Promise<Input> {
  if (files.length > 0) {
    if (storedVersionOf(flags) !== undefined) {
      throw new DefinitionsError(
        `--definitions ${flags.definitions ?? ''} names a stored version, which only a workspace has; leave out the files to read the workspace, or pass a JSON file (./${flags.definitions ?? ''} for a file of that name)`,
      );
    }
    const definitions = resolveDefinitions(flags);
    const { dataset, summaries } = await loadData(files, flags);
    return { dataset, definitions, summaries };
  }
  return withWorkspace(flags, async (workspace) => {
    const { definitions, version } = await workspaceDefinitions(workspace, flags);
    const dataset = await workspace.loadDataset();
    if (dataset.lines.length === 0) {
      throw new StoreError(
        `the workspace ${workspace.location} has no contract lines yet; store files with nrr import, or pass files to read`,
      );
    }
    return { dataset, definitions, workspaceVersion: version, workspace: workspace.location };
  });
}

/** Adds the files argument and the flags that read data, choose the workspace and definitions. */
export function addInputOptions(command: Command): Command {
  command.argument('[files...]', 'files to read (default: the workspace)');
  addDataOptions(command);
  addWorkspaceOption(command);
  return addDefinitionOptions(command);
}

/** Writes where the input came from to stderr, for table output only. */
export function announceInput(input: Input, format: string): void {
  if (format !== 'table') return;
  const { summaries, workspace, dataset } = input;
  process.stderr.write(
    (summaries === undefined
      ? `Workspace ${workspace ?? ''}: ${dataset.lines.length} contract lines`
      : describeSummaries(summaries)) + '\n',
  );
}
