/**
 * Importers: read CSV, XLSX and (for Stripe) JSON files into the canonical model (`Dataset`),
 * checking every row. A file with any bad row raises one `ImportError` listing all problems, and
 * nothing is returned.
 *
 * `readFile` and `readFiles` are asynchronous because XLSX workbooks load asynchronously; the
 * functions that take text are synchronous.
 */
import { readFile as readFileBytes } from 'node:fs/promises';

import type { Dataset } from '../core/model.js';
import { validateReadOptions, type ReadOptions } from './options.js';
import type { ImportSummary } from './summary.js';
import {
  loadSource,
  newProblemList,
  readSources,
  type MultiImportResult,
  type Source,
} from './sources.js';

export {
  ImportOptionsError,
  PRESET_NAMES,
  ROLES,
  isPresetName,
  isRole,
  parseColumnOverrides,
  type EndDateConvention,
  type PresetName,
  type ReadOptions,
  type Role,
} from './options.js';
export { ImportError, MAX_PROBLEMS, formatProblem, type RowProblem } from './problems.js';
export type { FileKind, ImportSummary } from './summary.js';
export type { MultiImportResult } from './sources.js';
export {
  BATCH_ROWS,
  stageBuffers,
  type ExternalLineFile,
  type RecordBatch,
  type StagedFile,
  type StagedImport,
} from './staged.js';

export interface ImportResult {
  readonly dataset: Dataset;
  readonly summary: ImportSummary;
}

/**
 * Reads CSV (or, for the `stripe-subscriptions` preset, JSON) text as one file of the preset in
 * `options`. `fileName` names the file in problems and in generated line ids.
 *
 * @throws ImportOptionsError for invalid options.
 * @throws ImportError when any row, cell or header is invalid.
 */
export function readText(text: string, fileName: string, options: ReadOptions): ImportResult {
  const { dataset, summaries } = readTexts([{ text, fileName }], options);
  const summary = summaries[0];
  if (summary === undefined) throw new Error(`no summary was produced for ${fileName}`);
  return { dataset, summary };
}

/**
 * Reads one file: CSV (UTF-8, with or without a byte order mark), an XLSX workbook (its first
 * worksheet) when the name ends in `.xlsx`, or, for the `stripe-subscriptions` preset, JSON.
 * Problems name the file by `path` as given, and the worksheet of a workbook.
 *
 * @throws ImportOptionsError for invalid options.
 * @throws ImportError when any row, cell or header is invalid.
 * @throws the file system error when the file cannot be read.
 */
export async function readFile(path: string, options: ReadOptions): Promise<ImportResult> {
  const { dataset, summaries } = await readFiles([path], options);
  const summary = summaries[0];
  if (summary === undefined) throw new Error(`no summary was produced for ${path}`);
  return { dataset, summary };
}

/**
 * Reads several files with the same options into one dataset, for a canonical import split by
 * kind or a Zuora import of charges with their subscriptions. A line id used in two files, and
 * an account given two names or parents, are problems. Problems from all files are reported
 * together.
 */
export async function readFiles(
  paths: readonly string[],
  options: ReadOptions,
): Promise<MultiImportResult> {
  validateReadOptions(options);
  const problems = newProblemList(options);
  const sources: Source[] = [];
  // Each file's bytes are dropped once decoded, so at most one file is held twice.
  for (const path of paths)
    sources.push(await loadSource(await readFileBytes(path), path, problems));
  return readSources(sources, options, problems);
}

/**
 * Reads files already in memory, as `readFiles` does: a name ending in `.xlsx` is a workbook,
 * anything else UTF-8 text. The records of a workbook name the file and its worksheet, as in
 * `sales.xlsx sheet "Deals"`.
 */
export async function readBuffers(
  inputs: readonly { readonly data: Buffer; readonly fileName: string }[],
  options: ReadOptions,
): Promise<MultiImportResult> {
  validateReadOptions(options);
  const problems = newProblemList(options);
  const sources: Source[] = [];
  for (const { data, fileName } of inputs) sources.push(await loadSource(data, fileName, problems));
  return readSources(sources, options, problems);
}

/** Reads several texts as files with the same options; see `readFiles`. */
export function readTexts(
  inputs: readonly { readonly text: string; readonly fileName: string }[],
  options: ReadOptions,
): MultiImportResult {
  validateReadOptions(options);
  return readSources(inputs, options, newProblemList(options));
}
