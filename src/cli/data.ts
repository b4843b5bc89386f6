/** Loading data files for the commands, with progress on a terminal. */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { Dataset } from '../core/model.js';
import {
  ImportOptionsError,
  isPresetName,
  parseColumnOverrides,
  PRESET_NAMES,
  readFiles,
  ROLES,
} from '../ingest/index.js';
import type {
  EndDateConvention,
  ImportSummary,
  PresetName,
  ReadOptions,
  Role,
} from '../ingest/index.js';
import { count } from './format.js';
import { Progress } from './progress.js';

export interface DataFlags {
  preset?: PresetName;
  mapping?: string;
  column?: string[];
  endDate?: 'inclusive' | 'exclusive';
  currency?: string;
  wonStage?: string[];
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds the flags that control how input files are read. */
export function addDataOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--preset <name>',
        "layout of the input files (default: canonical): canonical (nrr's own CSV), subscription-periods, invoice-lines, stripe-subscriptions (Dashboard CSV or API JSON), salesforce-opportunities (report or Data Export) or zuora (rate plan charges, with subscriptions and rate plans); see docs/presets.md",
      ).choices(PRESET_NAMES),
    )
    .option(
      '--mapping <file>',
      'JSON file with the preset, column roles, end-date convention and currency of the files (see docs/workspace.md); flags override it',
    )
    .option(
      '--column <role=name>',
      `read a role of the contract-line files from this column header (repeatable); roles: ${ROLES.join(', ')}`,
      collect,
    )
    .addOption(
      new Option(
        '--end-date <convention>',
        'whether end dates are the last day of service (inclusive) or the first day after it (exclusive), in every file of the canonical preset or in the line files of the others; default depends on the preset',
      ).choices(['inclusive', 'exclusive']),
    )
    .option(
      '--currency <code>',
      'currency of amounts when the file has no currency column or a blank cell (default: USD, except for the canonical preset, whose files need a currency column without it)',
    )
    .option(
      '--won-stage <stage>',
      'with --preset salesforce-opportunities: an opportunity stage that counts as won (repeatable; default "Closed Won")',
      collect,
    );
}

export interface LoadedData {
  dataset: Dataset;
  summaries: ImportSummary[];
}

/**
 * Reads every file as one import, so that checks across files (line ids, account names and
 * parents, FX rate overlaps) apply. Any invalid row stops the command before anything is computed.
 */
export async function loadData(files: readonly string[], flags: DataFlags): Promise<LoadedData> {
  if (files.length === 0)
    throw new ImportOptionsError('no input files given; pass one or more CSV, XLSX or JSON files');
  const seen = new Map<string, string>();
  for (const file of files) {
    const real = realpathSync(file);
    const earlier = seen.get(real);
    if (earlier !== undefined) {
      throw new ImportOptionsError(
        `${file} is the same file as ${earlier}; pass each file once, or its lines count twice`,
      );
    }
    seen.set(real, file);
    const stats = statSync(file);
    if (stats.isDirectory())
      throw new ImportOptionsError(`${file} is a folder; pass the CSV files in it`);
    const size = stats.size;
    if (size > MAX_FILE_BYTES) {
      throw new ImportOptionsError(
        `${file} is ${(size / 2 ** 20).toFixed(0)} MiB, more than the ${MAX_FILE_BYTES / 2 ** 20} MiB one file may have; split it into several files`,
      );
    }
    if (process.stderr.isTTY && size > LARGE_FILE_BYTES) {
      process.stderr.write(`Reading ${basename(file)} (${(size / 2 ** 20).toFixed(0)} MiB)...\n`);
    }
  }
  let progress: Progress | undefined;
  let progressTotal = 0;
  try {
    const { dataset, summaries } = await readFiles(files, {
      ...readOptionsFrom(flags),
      onProgress: (checked, total) => {
        if (progress === undefined || total !== progressTotal) {
          progress?.stop();
          progress = new Progress('Checking rows', total, 'rows');
          progressTotal = total;
        }
        progress.update(checked);
      },
    });
    return { dataset, summaries: [...summaries] };
  } finally {
    progress?.stop();
  }
}

interface Mapping {
  preset?: PresetName;
  columns?: Partial<Record<Role, string>>;
  endDate?: EndDateConvention;
  currency?: string;
}

const MAPPING_KEYS = ['preset', 'columns', 'endDate', 'currency'];

/** Reads a mapping file: a JSON object with any of preset, columns, endDate and currency. */
function readMapping(path: string): Mapping {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    const reason =
      error instanceof SyntaxError
        ? `it is not valid JSON (${error.message})`
        : (error as Error).message;
    throw new ImportOptionsError(`cannot read mapping file ${path}: ${reason}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ImportOptionsError(
      `mapping file ${path} must hold a JSON object such as {"preset": "invoice-lines", "columns": {"value": "AUD"}}`,
    );
  }
  const mapping = parsed as Record<string, unknown>;
  for (const key of Object.keys(mapping)) {
    if (!MAPPING_KEYS.includes(key)) {
      throw new ImportOptionsError(
        `mapping file ${path}: unknown field ${JSON.stringify(key)}; use ${MAPPING_KEYS.join(', ')}`,
      );
    }
  }
  const { preset, columns, endDate, currency } = mapping;
  if (preset !== undefined && (typeof preset !== 'string' || !isPresetName(preset))) {
    throw new ImportOptionsError(
      `mapping file ${path}: preset ${JSON.stringify(preset)} is not one of ${PRESET_NAMES.join(', ')}`,
    );
  }
  if (
    columns !== undefined &&
    (columns === null ||
      typeof columns !== 'object' ||
      Array.isArray(columns) ||
      Object.values(columns).some((value) => typeof value !== 'string'))
  ) {
    throw new ImportOptionsError(
      `mapping file ${path}: columns must map roles to header names, as in {"customer": "Account"}`,
    );
  }
  if (endDate !== undefined && endDate !== 'inclusive' && endDate !== 'exclusive') {
    throw new ImportOptionsError(
      `mapping file ${path}: endDate must be "inclusive" or "exclusive", got ${JSON.stringify(endDate)}`,
    );
  }
  if (currency !== undefined && typeof currency !== 'string') {
    throw new ImportOptionsError(`mapping file ${path}: currency must be a code such as "EUR"`);
  }
  return mapping;
}

/** Builds the read options from the flags, on top of the mapping file when one is given. */
export function readOptionsFrom(flags: DataFlags): ReadOptions {
  const mapping = flags.mapping === undefined ? {} : readMapping(flags.mapping);
  const columns = {
    ...mapping.columns,
    ...(flags.column === undefined ? {} : parseColumnOverrides(flags.column)),
  };
  const endDate = flags.endDate ?? mapping.endDate;
  const currency = flags.currency ?? mapping.currency;
  return {
    preset: flags.preset ?? mapping.preset ?? 'canonical',
    ...(flags.wonStage === undefined ? {} : { wonStages: flags.wonStage }),
    ...(Object.keys(columns).length === 0 ? {} : { columns }),
    ...(endDate === undefined ? {} : { endDate }),
    ...(currency === undefined ? {} : { currency: currency.trim().toUpperCase() }),
  };
}

/** Largest file read: Node.js strings stop at about 512 MiB, and a file is read as one string. */
const MAX_FILE_BYTES = 500 * 2 ** 20;

/** Files above this size get a message before they are read, because parsing shows no progress. */
const LARGE_FILE_BYTES = 20 * 2 ** 20;

/** Describes each file in one line for stderr: what was read and what needs a second look. */
export function describeSummaries(summaries: readonly ImportSummary[]): string {
  return summaries
    .map((summary) => {
      const parts = [`${summary.file}: ${count(summary.rows, 'row')}, ${summary.fileKind}`];
      if (summary.fileKind === 'contract-lines') {
        parts.push(`${summary.lines} lines`);
        const excluded = summary.linesByKind['one-time'] + summary.linesByKind.trial;
        if (excluded > 0) parts.push(`${excluded} one-time or trial`);
        if (summary.zeroValueLines > 0)
          parts.push(`${summary.zeroValueLines} with zero value (ARR 0)`);
        if (summary.negativeValueLines > 0) {
          parts.push(
            `${summary.negativeValueLines} negative (credits, total ${summary.negativeValueTotal}, netted against the account)`,
          );
        }
      }
      if (summary.duplicateRows > 0)
        parts.push(`${summary.duplicateRows} identical duplicate rows kept once`);
      if (summary.skippedBlankRows > 0)
        parts.push(`${summary.skippedBlankRows} blank rows skipped`);
      return parts.join(', ');
    })
    .join('\n');
}
