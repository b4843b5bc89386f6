/**
 * Importing files into the workspace: checksums, the importers' row checks, and one transaction
 * that stores every changed file or none.
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import {
  ImportOptionsError,
  stageBuffers,
  type ReadOptions,
  type RowProblem,
} from '../ingest/index.js';
import {
  currentUser,
  importSettings,
  type FileOutcome,
  type ImportedFile,
  type Workspace,
} from '../store/workspace.js';
import { LineThread, lineThreadCandidate } from '../store/line-thread.js';

/** Largest file read: Node.js strings stop at about 512 MiB, and a file is read as one string. */
const MAX_FILE_BYTES = 500 * 2 ** 20;

/** A file read into memory with its checksum and the source name it is stored under. */
export interface FileInput {
  readonly path: string;
  readonly source: string;
  readonly checksum: string;
  /** The file's bytes: UTF-8 text, or a workbook when the path ends in `.xlsx`. */
  readonly data: Buffer;
}

/**
 * Reads files for an import: each once, no folders, no file over the size limit. `sourceFlag`
 * names the source of a single file; by default a file's source is its base name.
 */
export function readInputs(files: readonly string[], sourceFlag: string | undefined): FileInput[] {
  if (files.length === 0) throw new ImportOptionsError('no files given; pass one or more files');
  if (sourceFlag !== undefined && files.length > 1) {
    throw new ImportOptionsError(
      '--source names one file; import the files one at a time to name each, or leave --source out',
    );
  }
  const seen = new Map<string, string>();
  return files.map((path) => {
    const real = realpathSync(path);
    const earlier = seen.get(real);
    if (earlier !== undefined) {
      throw new ImportOptionsError(`${path} is the same file as ${earlier}; pass each file once`);
    }
    seen.set(real, path);
    const stats = statSync(path);
    if (stats.isDirectory())
      throw new ImportOptionsError(`${path} is a folder; pass the files in it`);
    if (stats.size > MAX_FILE_BYTES) {
      throw new ImportOptionsError(
        `${path} is ${(stats.size / 2 ** 20).toFixed(0)} MiB, more than the ${MAX_FILE_BYTES / 2 ** 20} MiB one file may have; split it into several files`,
      );
    }
    const bytes = readFileSync(path);
    const source = (sourceFlag ?? basename(path)).trim();
    if (source === '') throw new ImportOptionsError('--source needs a name');
    return {
      path,
      source,
      checksum: createHash('sha256').update(bytes).digest('hex'),
      data: bytes,
    };
  });
}

export interface ImportRun {
  readonly stored: Map<string, { checksum: string; importId: number }>;
  readonly unchanged: readonly FileInput[];
  readonly outcomes: readonly FileOutcome[];
  readonly rejected: readonly RowProblem[];
}

/**
 * Checks and stores the files that changed since their source was last imported, with progress
 * bars on a terminal. Files whose bytes are already stored under their source are left alone.
 */
/** Stage of an import reported to a progress callback, with rows done and the total. */
export type ImportStage = 'checking' | 'storing';

/**
 * Checks and stores the files that changed since their source was last imported. Files whose
 * bytes are already stored under their source are left alone.
 *
 * @throws ImportError for invalid rows (unless `readOptions.skipInvalid`) and conflicting lines;
 *   nothing is stored then.
 */
export async function importFiles(
  workspace: Workspace,
  inputs: readonly FileInput[],
  readOptions: ReadOptions,
  onProgress?: (stage: ImportStage, done: number, total: number) => void,
): Promise<ImportRun> {
  const stored = await workspace.sourceChecksums();
  const settings = importSettings(readOptions.preset, { ...readOptions });
  const unchanged = inputs.filter((input) => {
    const current = stored.get(input.source);
    return current?.checksum === input.checksum && current.settings === settings;
  });
  const changed = inputs.filter((input) => !unchanged.includes(input));
  if (changed.length === 0) return { stored, unchanged, outcomes: [], rejected: [] };
  const buffers = changed.map((input) => ({ data: input.data, fileName: input.path }));
  // A large contract-line file is read on a thread of its own while the other files are read here.
  const threadFor = lineThreadCandidate(buffers, readOptions, workspace.db.kind);
  const input = threadFor === undefined ? undefined : buffers[threadFor];
  const thread = input && new LineThread(input.data, input.fileName, readOptions);
  try {
    const reading = await stageBuffers(
      buffers,
      { ...readOptions, onProgress: (done, total) => onProgress?.('checking', done, total) },
      thread && threadFor !== undefined ? { index: threadFor, file: thread.staged() } : undefined,
    );
    const files: ImportedFile[] = changed.map((input, index) => {
      const records = reading.files[index];
      if (records === undefined) throw new Error(`${input.path} was not read`);
      const own = index === threadFor && reading.readsExternalFile && thread ? { thread } : {};
      return { path: input.path, source: input.source, checksum: input.checksum, records, ...own };
    });
    const recorded: Record<string, unknown> = { ...readOptions };
    delete recorded['onProgress'];
    const result = await workspace.store({
      files,
      reading,
      preset: readOptions.preset,
      options: recorded,
      user: currentUser(),
      ...(readOptions.skipInvalid === true ? { skipInvalid: true } : {}),
      onProgress: (done, total) => onProgress?.('storing', done, total),
    });
    return { stored, unchanged, outcomes: result.files, rejected: result.rejected };
  } finally {
    await thread?.close();
  }
}
