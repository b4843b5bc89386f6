/**
 * Reading the files of a workspace import a batch of records at a time. Contract-line files of
 * the canonical preset are read and checked row by row as the import stores them, so a million
 * lines are never all in memory at once. Other files, and the files of other presets, are read
 * whole before the import starts and handed over in one batch each.
 */
import type { Account, Assignment, ContractLine, FxRate, SegmentSpan } from '../core/model.js';
import { AccountRegistry, type AccountDraft } from './accounts.js';
import { isCanonicalLineFile, LineFileReader, stageCanonicalFile } from './canonical.js';
import { validateReadOptions, type ReadOptions } from './options.js';
import type { FilePart } from './part.js';
import { ImportError, ProblemList, type RowProblem } from './problems.js';
import { loadSource, parseSource, readParts, readSources, type Source } from './sources.js';
import type { FileKind, ImportSummary } from './summary.js';

/**
 * Rows of a contract-line file read and checked before their records are handed over: few
 * enough that the records are garbage by the next young-generation collection.
 */
export const BATCH_ROWS = 2_000;

/** Records read from some rows of one file. */
export interface RecordBatch {
  readonly lines: readonly ContractLine[];
  readonly assignments: readonly Assignment[];
  readonly segments: readonly SegmentSpan[];
  readonly fxRates: readonly FxRate[];
}

/** One file of an import, whose records are read in batches. */
export interface StagedFile {
  /** The file as records and problems name it. */
  readonly fileName: string;
  readonly fileKind: FileKind;
  /** Data rows of the file, for progress. */
  readonly rows: number;
  /** Header read for each field, keyed as in the summary. */
  readonly columns: Readonly<Record<string, string>>;
  /** Currencies the file gives FX rates for, known before its batches are read. */
  readonly fxCurrencies: readonly string[];
  /**
   * Yields the file's records. Rows with problems give none, and a line whose id an earlier
   * file of the import already used is reported and left out. Call it once.
   */
  batches(): Iterable<RecordBatch>;
  /** The file's summary, complete once `batches` has been read to the end. */
  summary(): ImportSummary;
}

/** The files of one import, read with the same options. */
export interface StagedImport {
  /** One per input, in the order given. */
  readonly files: readonly StagedFile[];
  /** Number of problems found so far. */
  readonly problemCount: number;
  /** Whether the external file given to `stageBuffers` is read elsewhere, as offered. */
  readonly readsExternalFile: boolean;
  /**
   * Merges the accounts that the files state, once every file's batches were read, and returns
   * them with every problem found in rows (each names a row left out).
   */
  finish(): FinishedImport;
}

/** The accounts of an import and the problems found in its rows. */
export interface FinishedImport {
  /** Every account, merged across the files. */
  readonly accounts: Account[];
  /**
   * The merged accounts split by file, one list per input. Each value is with the file whose row
   * gave it first, so that a new version of that file replaces it.
   */
  readonly fileAccounts: readonly (readonly AccountDraft[])[];
  readonly problems: readonly RowProblem[];
}

/**
 * Starts reading files for an import, as `readBuffers` reads them. Options are checked and each
 * file is decoded, parsed and recognised now, and files other than canonical contract lines are
 * read whole.
 *
 * @throws ImportOptionsError for invalid options.
 * @throws ImportError when a file cannot be read as a whole (its encoding, its CSV quoting, a
 *   missing or repeated column), listing the problems of every row as well.
 */
export async function stageBuffers(
  inputs: readonly { readonly data: Buffer; readonly fileName: string }[],
  options: ReadOptions,
  external?: {
    readonly index: number;
    /** Undefined when that file must be read here after all. */
    readonly file: Promise<ExternalLineFile | undefined>;
  },
): Promise<StagedImport> {
  validateReadOptions(options);
  if (external !== undefined && options.preset !== 'canonical') {
    throw new Error('only canonical contract-line files are read elsewhere');
  }
  // Every problem is kept: each names a row that the import leaves out or fails on.
  const problems = new ProblemList(Infinity);
  const sources: Source[] = [];
  for (const [index, { data, fileName }] of inputs.entries()) {
    if (index !== external?.index) sources.push(await loadSource(data, fileName, problems));
  }
  const files =
    options.preset === 'canonical'
      ? stageCanonical(sources, options, problems)
      : readParts(sources, options, problems).map(wholeFile);
  if (external !== undefined) {
    const file = await external.file;
    // Without the external file, with a problem in a whole file, or with lines in another file
    // (whose ids must be checked against the external file's), everything is read here.
    if (
      file === undefined ||
      files === undefined ||
      hasFileProblem(problems) ||
      files.some((stage) => stage.givesLines)
    ) {
      return stageBuffers(inputs, options);
    }
    files.splice(external.index, 0, externalFile(inputs[external.index]?.fileName ?? '', file));
  }
  if (files === undefined || files.length !== inputs.length || hasFileProblem(problems)) {
    // Reading every file whole lists all problems, as reading without a workspace does.
    readSources(sources, { ...options, skipInvalid: false }, new ProblemList());
    problems.throwIfAny();
    throw new Error('a file of the import could not be read, but no problem was reported');
  }
  return new Staging(files, problems, external !== undefined);
}

/**
 * A canonical contract-line file that is read elsewhere, such as on a thread of its own, while
 * the other files of the import are read here. Its reader checks its rows as `stageBuffers` would
 * and reports its header and layout problems by not reading it at all.
 */
export interface ExternalLineFile {
  readonly rows: number;
  readonly columns: Readonly<Record<string, string>>;
  readonly lineIdHeader?: string;
  /** The summary, account drafts and problems of the file, once every row was read. */
  result(): {
    readonly summary: ImportSummary;
    readonly accountDrafts: readonly AccountDraft[];
    /** Problems in rows, in the order they were found. */
    readonly problems: readonly RowProblem[];
  };
}

/** Returns whether a problem concerns a whole file (its header, encoding or layout), not a row. */
function hasFileProblem(problems: ProblemList): boolean {
  return problems.problems.some((problem) => problem.row <= 1);
}

/** A staged file and the account drafts it states, available once its batches were read. */
interface FileStage extends StagedFile {
  readonly lineIdHeader: string | undefined;
  /** Whether the reader made sure that no two of the file's lines share an id. */
  readonly uniqueLineIds: boolean;
  /** Whether the file may give contract lines. */
  readonly givesLines: boolean;
  accountDrafts(): FilePart['accountDrafts'];
  /** Problems found in the file's rows elsewhere, for a file read elsewhere. */
  problems?(): readonly RowProblem[];
}

/** Stages canonical files; undefined when one of them cannot be parsed or recognised. */
function stageCanonical(
  sources: readonly Source[],
  options: ReadOptions,
  problems: ProblemList,
): FileStage[] | undefined {
  const tables = [];
  for (const source of sources) {
    const parsed = parseSource(source, options, problems);
    if (parsed === undefined) return undefined;
    tables.push(parsed.table);
  }
  const supportRows = tables
    .filter((table) => !isCanonicalLineFile(table, options))
    .reduce((total, table) => total + table.rows.length, 0);
  // Contract-line rows report their progress as the import stores them.
  const { onProgress, ...quiet } = options;
  const files: FileStage[] = [];
  let rowsRead = 0;
  for (const table of tables) {
    const staged = stageCanonicalFile(table, quiet, problems);
    if (staged === undefined) return undefined;
    if (staged instanceof LineFileReader) {
      files.push(lineFile(staged));
      continue;
    }
    files.push(wholeFile(staged));
    rowsRead += table.rows.length;
    onProgress?.(rowsRead, supportRows);
  }
  return files;
}

function lineFile(reader: LineFileReader): FileStage {
  const columns: Record<string, string> = {};
  for (const [field, column] of Object.entries(reader.columns)) columns[field] = column.header;
  let part: FilePart | undefined;
  const finished = () => (part ??= reader.part());
  return {
    fileName: reader.table.file,
    fileKind: 'contract-lines',
    rows: reader.table.rows.length,
    columns,
    fxCurrencies: [],
    lineIdHeader: reader.columns.line_id?.header,
    uniqueLineIds: true,
    givesLines: true,
    *batches() {
      for (const batch of reader.batches(BATCH_ROWS)) yield { ...batch, fxRates: [] };
    },
    summary: () => finished().summary,
    accountDrafts: () => finished().accountDrafts,
  };
}

function externalFile(fileName: string, file: ExternalLineFile): FileStage {
  return {
    fileName,
    fileKind: 'contract-lines',
    rows: file.rows,
    columns: file.columns,
    fxCurrencies: [],
    lineIdHeader: file.lineIdHeader,
    uniqueLineIds: true,
    givesLines: true,
    // The reader hands its lines over itself.
    batches: () => [],
    summary: () => file.result().summary,
    accountDrafts: () => file.result().accountDrafts,
    problems: () => file.result().problems,
  };
}

function wholeFile(part: FilePart): FileStage {
  return {
    fileName: part.file,
    fileKind: part.summary.fileKind,
    rows: part.summary.rows,
    columns: part.summary.columns,
    fxCurrencies: [...new Set(part.fxRates.map((rate) => rate.currency))],
    lineIdHeader: part.lineIdHeader,
    uniqueLineIds: part.uniqueLineIds === true,
    givesLines: part.lines.length > 0,
    batches: () => [part],
    summary: () => part.summary,
    accountDrafts: () => part.accountDrafts,
  };
}

class Staging implements StagedImport {
  readonly files: readonly StagedFile[];

  constructor(
    private readonly stages: readonly FileStage[],
    private readonly problems: ProblemList,
    readonly readsExternalFile: boolean,
  ) {
    const lineFiles = stages.filter((stage) => stage.givesLines);
    // One file whose reader checked its ids needs no check across files.
    const checkIds =
      lineFiles.length > 1 || (lineFiles.length === 1 && lineFiles[0]?.uniqueLineIds !== true);
    const ids = checkIds ? new LineIdsAcrossFiles(problems) : undefined;
    this.files = stages.map((stage) =>
      ids === undefined ? stage : { ...stage, batches: () => ids.filter(stage) },
    );
  }

  get problemCount(): number {
    return this.problems.count;
  }

  finish(): FinishedImport {
    for (const stage of this.stages) {
      for (const problem of stage.problems?.() ?? []) this.problems.add(problem);
    }
    const registry = new AccountRegistry(this.problems);
    for (const stage of this.stages) {
      for (const draft of stage.accountDrafts()) registry.add(draft);
    }
    const accounts = registry.accounts();
    if (hasFileProblem(this.problems)) {
      throw new ImportError([...this.problems.problems], 0);
    }
    return {
      accounts,
      fileAccounts: this.accountsByFile(registry),
      problems: this.problems.problems,
    };
  }

  /**
   * Splits the merged accounts by the file whose row gave each value first. An account that no
   * row gives a value for goes to the first file that lists it.
   */
  private accountsByFile(registry: AccountRegistry): AccountDraft[][] {
    const merged = new Map(registry.list().map((draft) => [draft.id, draft]));
    const listedWithoutValues = new Set<string>();
    return this.stages.map((stage) =>
      stage.accountDrafts().flatMap((draft) => {
        const account = merged.get(draft.id);
        const first = firstValues(draft, account);
        if (first !== undefined) return [first];
        if (hasValues(account) || listedWithoutValues.has(draft.id)) return [];
        listedWithoutValues.add(draft.id);
        return [{ id: draft.id }];
      }),
    );
  }
}

/**
 * Returns the values of a draft that the merged draft of its account took from it (the same
 * cell), or undefined when it gave none of them.
 */
function firstValues(
  draft: AccountDraft,
  merged: AccountDraft | undefined,
): AccountDraft | undefined {
  const first: { -readonly [K in keyof AccountDraft]: AccountDraft[K] } = { id: draft.id };
  let found = false;
  for (const field of ['name', 'parentId', 'currency'] as const) {
    const value = draft[field];
    const mergedValue = merged?.[field];
    if (value === undefined || mergedValue === undefined) continue;
    const { file, row } = mergedValue.source;
    if (value.source.file !== file || value.source.row !== row) continue;
    first[field] = value;
    found = true;
  }
  return found ? first : undefined;
}

/** Tells whether a merged account has a name, parent or currency from any row. */
function hasValues(account: AccountDraft | undefined): boolean {
  return (
    account?.name !== undefined ||
    account?.parentId !== undefined ||
    account?.currency !== undefined
  );
}

/**
 * Reports a line whose id a line read before it, in this file or an earlier one, already has,
 * and leaves it out. Each id is kept with where it was first read, as one number.
 */
class LineIdsAcrossFiles {
  /** File names by number, in the order their first line was read. */
  private readonly fileNames: string[] = [];
  /** Row × `MAX_FILES` + file number of each id's first line. */
  private readonly firstRead = new Map<string, number>();

  constructor(private readonly problems: ProblemList) {}

  *filter(stage: FileStage): Generator<RecordBatch> {
    let fileNumber = this.fileNames.indexOf(stage.fileName);
    if (fileNumber < 0) fileNumber = this.fileNames.push(stage.fileName) - 1;
    if (fileNumber >= MAX_FILES) throw new Error(`an import reads at most ${MAX_FILES} files`);
    for (const batch of stage.batches()) {
      const kept = batch.lines.filter((line) => this.claim(line, fileNumber, stage));
      yield kept.length === batch.lines.length ? batch : { ...batch, lines: kept };
    }
  }

  private claim(line: ContractLine, fileNumber: number, stage: FileStage): boolean {
    const row = line.source?.row ?? 0;
    const earlier = this.firstRead.get(line.id);
    if (earlier === undefined) {
      this.firstRead.set(line.id, row * MAX_FILES + fileNumber);
      return true;
    }
    const earlierFile = this.fileNames[earlier % MAX_FILES] ?? '';
    this.problems.add({
      file: stage.fileName,
      row,
      column: stage.lineIdHeader ?? 'line_id',
      value: line.id,
      message: `is a line id already used in ${earlierFile} row ${Math.floor(earlier / MAX_FILES)}; give each line its own id across all files`,
    });
    return false;
  }
}

/** Files one import may read: file numbers fit in the low digits of `LineIdsAcrossFiles` keys. */
const MAX_FILES = 1024;
