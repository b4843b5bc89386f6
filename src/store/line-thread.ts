/**
 * A large canonical contract-line file read on a thread of its own while an import stores the
 * rest. Reading, checking and encoding a million lines took about two thirds of an import into
 * a PostgreSQL server, all on the thread that also waits for the database. On its own thread the
 * file is parsed while the other files are read, and its lines are read and encoded while the
 * database stores the other files and then the lines before them.
 *
 * The thread reads one file with the same code as the import does otherwise, so its records,
 * problems and summary are the same. An import uses it only where that is true without knowing
 * the other files: the canonical preset with one contract-line file. Whatever the thread cannot
 * read (a file with problems in its header or layout, or no contract-line file after all), the
 * import reads the usual way, which reports the problems.
 */
import { Worker } from 'node:worker_threads';

import type { AccountDraft } from '../ingest/accounts.js';
import type { ExternalLineFile, ReadOptions, RowProblem } from '../ingest/index.js';
import type { ImportSummary } from '../ingest/summary.js';
import { inBuild } from './build-path.js';
import { StoreError } from './driver.js';

/** The input the thread starts with. */
export interface LineThreadInput {
  readonly bytes: Uint8Array;
  readonly fileName: string;
  /** The import's options, without the progress callback. */
  readonly options: ReadOptions;
  /** Chunks sent and not yet taken by the COPY, after which the thread waits. */
  readonly chunksAhead: number;
}

/** Settings the thread needs to encode lines, known once the import's transaction has begun. */
export interface EncodeSettings {
  /** Currencies lines may have: the reporting one and those with an FX rate. */
  readonly known: readonly string[];
  readonly reporting: string;
  readonly source: string;
  readonly importId: number;
  /**
   * Send each line's id and content key, to compare it with the source's earlier version.
   * Without, ids are sent only until `ids` of them were sent.
   */
  readonly keys: boolean;
  readonly ids: number;
  readonly skipInvalid: boolean;
  /** Whether the import fails already, so that lines need only be read for their problems. */
  readonly failing: boolean;
}

export type LineThreadRequest = ({ type: 'encode' } & EncodeSettings) | { type: 'taken' };

/** COPY text of one table and the records in it. */
export interface EncodedRecords {
  readonly count: number;
  readonly chunks: readonly string[];
}

/**
 * Lines encoded as COPY rows, with their ids and content keys, when sent, joined by NUL
 * characters, which no stored text has.
 */
export interface LineChunk {
  readonly type: 'chunk';
  readonly bytes: Uint8Array;
  readonly ids?: string;
  readonly keys?: string;
  readonly lines: number;
  readonly rowsRead: number;
  /** Whether the thread found the import bound to fail; later chunks carry no lines. */
  readonly failing: boolean;
}

/** The thread's report once every row is read. */
export interface LinesRead {
  readonly type: 'done';
  /** Problems the importer found in rows, in the order it found them. */
  readonly readProblems: readonly RowProblem[];
  /** Rows the workspace cannot store: a currency with no FX rate, a NUL character. */
  readonly checkProblems: readonly RowProblem[];
  readonly summary: ImportSummary;
  readonly accountDrafts: readonly AccountDraft[];
  /** Owners and segments stated on line rows. */
  readonly assignments: EncodedRecords;
  readonly segments: EncodedRecords;
}

export interface LineFileStaged {
  readonly type: 'staged';
  readonly rows: number;
  readonly columns: Readonly<Record<string, string>>;
  readonly lineIdHeader?: string;
}

export type LineThreadReply =
  | LineFileStaged
  | { readonly type: 'unsuitable' }
  | LineChunk
  | LinesRead
  | { readonly type: 'failed'; readonly message: string; readonly stack: string };

/**
 * `minBytes`: files smaller than this are read on the import's own thread, since starting a
 * thread costs some 40 ms. `drivers`: the drivers whose imports use a line thread. The embedded
 * database runs in a thread of its own already, so there the import's thread reads lines while
 * the database stores them. A line thread made the embedded import no faster, and it raised the
 * import's peak memory from 1.5 to 2.1 GB. `chunksAhead`: COPY chunks of 20,000 lines (about
 * 3 MB each) the thread encodes before the import takes them. At 64, about 200 MB, a million
 * lines are encoded while the database stores the import's other files. `used` counts the files
 * whose lines a thread of their own encoded.
 */
export const lineThreadSettings: {
  minBytes: number;
  drivers: readonly ('embedded' | 'server')[];
  chunksAhead: number;
  used: number;
} = { minBytes: 8 * 1024 * 1024, drivers: ['server'], chunksAhead: 64, used: 0 };

/**
 * Returns the index of the input to read on a thread of its own, or undefined: a driver in
 * `lineThreadSettings.drivers`, the canonical preset, no workbook, and exactly one file large
 * enough whose header has the line id column.
 */
export function lineThreadCandidate(
  inputs: readonly { readonly data: Buffer; readonly fileName: string }[],
  options: ReadOptions,
  driver: 'embedded' | 'server',
): number | undefined {
  if (!lineThreadSettings.drivers.includes(driver)) return undefined;
  if (options.preset !== 'canonical') return undefined;
  if (inputs.some((input) => /\.xlsx$/i.test(input.fileName))) return undefined;
  // Headers match ignoring case and outer spaces, as the reader matches them.
  const lineHeader = (options.columns?.line ?? 'line_id').trim().toLowerCase();
  const lineFiles = inputs.flatMap((input, index) =>
    headerNames(input.data).includes(lineHeader) ? [index] : [],
  );
  // Lines of several files are checked against each other for repeated ids, on one thread.
  if (lineFiles.length !== 1) return undefined;
  const index = lineFiles[0] as number;
  return (inputs[index]?.data.length ?? 0) >= lineThreadSettings.minBytes ? index : undefined;
}

/** Splits a file's first line into names, roughly: the thread parses the header properly. */
function headerNames(data: Buffer): string[] {
  const start = data.subarray(0, 64 * 1024).toString('utf8');
  const firstLine = start.split(/\r\n|\n|\r/, 1)[0] ?? '';
  return firstLine.split(',').map((name) =>
    name
      .replace(/^\uFEFF/, '')
      .trim()
      .replace(/^"|"$/g, '')
      .trim()
      .toLowerCase(),
  );
}

/** A contract-line file read on its own thread; `close` stops the thread. */
export class LineThread {
  private readonly worker: Worker;
  private readonly replies: LineThreadReply[] = [];
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;
  private finished = false;

  constructor(
    data: Buffer,
    readonly fileName: string,
    options: ReadOptions,
  ) {
    const { onProgress: _progress, ...plain } = options;
    const input: LineThreadInput = {
      bytes: data,
      fileName,
      options: plain,
      chunksAhead: lineThreadSettings.chunksAhead,
    };
    this.worker = new Worker(inBuild('src/store/line-worker.js'), {
      workerData: input,
    });
    this.worker.on('message', (reply: LineThreadReply) => {
      if (reply.type === 'failed') {
        const error = new Error(reply.message);
        error.stack = reply.stack;
        this.fail(error);
        return;
      }
      this.replies.push(reply);
      this.wake();
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.finished) {
        this.fail(new StoreError(`the thread reading ${fileName} stopped (exit code ${code})`));
      }
    });
  }

  /**
   * Waits for the file to be parsed and returns it as a file read elsewhere, or undefined when
   * the import must read it itself.
   */
  async staged(): Promise<ExternalLineFile | undefined> {
    const reply = await this.next();
    if (reply.type === 'unsuitable') return undefined;
    if (reply.type !== 'staged') {
      throw new Error(`the line thread replied ${reply.type} before it parsed the file`);
    }
    return {
      rows: reply.rows,
      columns: reply.columns,
      ...(reply.lineIdHeader !== undefined && { lineIdHeader: reply.lineIdHeader }),
      result: () => {
        const read = this.read;
        return {
          summary: read.summary,
          accountDrafts: read.accountDrafts,
          problems: read.readProblems,
        };
      },
    };
  }

  /**
   * Reads and encodes the rows, yielding their chunks as they come; the file's records and
   * problems are in `read` after the last one.
   */
  encode(settings: EncodeSettings): AsyncGenerator<LineChunk> {
    lineThreadSettings.used += 1;
    // Posted now, so that the thread starts before the first chunk is asked for.
    this.worker.postMessage({ type: 'encode', ...settings } satisfies LineThreadRequest);
    return this.chunks();
  }

  private async *chunks(): AsyncGenerator<LineChunk> {
    for (;;) {
      const reply = await this.next();
      if (reply.type === 'done') {
        this.done = reply;
        return;
      }
      if (reply.type !== 'chunk') throw new Error(`the line thread replied ${reply.type}`);
      this.worker.postMessage({ type: 'taken' } satisfies LineThreadRequest);
      yield reply;
    }
  }

  private done: LinesRead | undefined;

  /** The records and problems the thread read, once `encode` has yielded every chunk. */
  get read(): LinesRead {
    if (this.done === undefined) throw new Error('the line thread has not read every row yet');
    return this.done;
  }

  /** Stops the thread; an import calls it however it ends. */
  async close(): Promise<void> {
    this.finished = true;
    await this.worker.terminate();
  }

  private async next(): Promise<LineThreadReply> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const reply = this.replies.shift();
      if (reply !== undefined) return reply;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }
}
