/**
 * Storing an import in one transaction. Files are read a batch of records at a time (see
 * `stageBuffers`), and each batch is checked and sent to COPY before the next is read, so a
 * million contract lines are never all in memory. Supporting files (accounts, owners, segments,
 * FX rates) are stored first, so that the FX rates of the import are known when lines are
 * checked. Every check that needs the whole import runs before the transaction commits: row
 * problems and lines without an FX rate, conflicts with lines other sources store, account
 * fields that sources state differently, and the workspace checks of `checkWorkspace`.
 */
import type { Account, Assignment, ContractLine, FxRate, SegmentSpan } from '../core/model.js';
import { accountFromDraft, type AccountDraft } from '../ingest/accounts.js';
import {
  ImportError,
  MAX_PROBLEMS,
  type RecordBatch,
  type RowProblem,
  type StagedFile,
  type StagedImport,
} from '../ingest/index.js';
import {
  ACCOUNT_COLUMNS,
  accountFromFields,
  accountRow,
  ASSIGNMENT_COLUMNS,
  assignmentRow,
  FX_COLUMNS,
  fxRow,
  LINE_COLUMNS,
  lineContentKey,
  lineFromFields,
  lineSelectList,
  ownerOf,
  OWNER_COLUMNS,
  SEGMENT_COLUMNS,
  segmentRow,
  writeLine,
  type Owner,
} from './codec.js';
import { CopyRows } from './copy-rows.js';
import {
  chunkRows,
  COPY_CHUNK_ROWS,
  forEachCopyRow,
  parseCopyCsv,
  quoteIdentifier,
  StoreError,
  type Queryable,
} from './driver.js';
import type { EncodedRecords, LineChunk, LineThread } from './line-thread.js';
import { checkRecords, nulProblem } from './record-checks.js';

/** One file offered to an import. */
export interface ImportedFile {
  /** Path as given, for the record and messages. */
  readonly path: string;
  /** The name the file's records are stored under; a later file with this name replaces them. */
  readonly source: string;
  /** SHA-256 of the file's bytes, hex. */
  readonly checksum: string;
  /** The file's records, read and checked a batch at a time. */
  readonly records: StagedFile;
  /** The thread that reads the file's lines instead, for a large contract-line file. */
  readonly thread?: LineThread;
}

export interface ImportRequest {
  /** The files, in the order given; `reading.files` has the same files in the same order. */
  readonly files: readonly ImportedFile[];
  /** The reading of the files, which returns the accounts and row problems once they were read. */
  readonly reading: StagedImport;
  readonly preset: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly user: string;
  /** Store the valid rows and return the rest as rejected, instead of failing. */
  readonly skipInvalid?: boolean;
  /** Called as rows are stored, with the rows stored and the rows of all files. */
  readonly onProgress?: (written: number, total: number) => void;
}

/** The first `CHANGES_LISTED` line ids of each kind of change; the outcome's counts are complete. */
export interface LineChanges {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

export interface FileOutcome {
  readonly importId: number;
  readonly path: string;
  readonly source: string;
  readonly records: number;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly unchanged: number;
  /** Lines already stored, with the same content, by another source. */
  readonly shared: number;
  readonly rejected: number;
  readonly changes: LineChanges;
  /** True when the source held an earlier version of this file. */
  readonly replaced: boolean;
}

export interface ImportOutcome {
  readonly files: readonly FileOutcome[];
  /** Rows left out with skip-invalid, one problem each (a row may have several). */
  readonly rejected: readonly RowProblem[];
}

/** Rows from which a load drops the table's keys and indexes, then builds them again. */
const BULK_LOAD_ROWS = 50_000;

/** Ids listed per kind of change in an import record; the counts are always complete. */
const CHANGES_LISTED = 200;

/**
 * Returns, as text, the preset and options that shape what a file's bytes mean: the same bytes read with
 * other settings are a different import. Skipping invalid rows does not change the rows read.
 */
export function importSettings(preset: string, options: Readonly<Record<string, unknown>>): string {
  const shaping: Record<string, unknown> = { ...options, preset };
  delete shaping['skipInvalid'];
  delete shaping['onProgress'];
  return canonicalJson(shaping);
}

/** Sorted keys, so that equal definitions always serialise to the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : item,
  );
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** Orders problems by file name, then by row. */
export function byFileAndRow(a: RowProblem, b: RowProblem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.row - b.row;
}

/**
 * Stores the files of `request` in the open transaction `tx`, which the caller commits. The
 * caller holds the import lock. Either every file is stored or, on any error, the caller rolls
 * back and nothing is.
 *
 * @throws ImportError for invalid rows (unless skip-invalid), lines without an FX rate (unless
 *   skip-invalid), lines that conflict with stored ones, and accounts stated differently.
 * @throws StoreError when the workspace would be inconsistent after the import.
 */
export async function storeImport(
  tx: Queryable,
  request: ImportRequest,
  reporting: string,
): Promise<ImportOutcome> {
  return new ImportWriter(tx, request, reporting).run();
}

/** The result of storing one file. */
interface FileResult {
  readonly importId: number;
  readonly replaced: boolean;
  readonly records: number;
  readonly lines: LineResult;
}

/** A file whose thread encodes its lines, from when the import starts it. */
interface ThreadedFile {
  readonly importId: number;
  readonly replaced: boolean;
  readonly owner: Owner;
  readonly lines: LineWriter;
  readonly chunks: AsyncGenerator<LineChunk>;
  readonly thread: LineThread;
}

class ImportWriter {
  /** Currencies that lines may have: the reporting one and those with a rate. */
  private readonly known: Set<string>;
  /** Problems found here, in rows the importers accepted: no FX rate, a NUL character. */
  private readonly problems: RowProblem[] = [];
  /** Lines whose id another source stores with different content. */
  private readonly conflicts: RowProblem[] = [];
  private readonly totalRows: number;
  private rowsDone = 0;

  constructor(
    private readonly tx: Queryable,
    private readonly request: ImportRequest,
    private readonly reporting: string,
  ) {
    this.known = new Set([reporting]);
    this.totalRows = request.files.reduce((total, file) => total + file.records.rows, 0);
  }

  /** Whether the import will fail on the problems found so far, so storing more is useless. */
  private get failing(): boolean {
    return (
      this.request.skipInvalid !== true &&
      this.request.reading.problemCount + this.problems.length > 0
    );
  }

  async run(): Promise<ImportOutcome> {
    const { tx, request } = this;
    const stored = await tx.query<{ currency: string }>('SELECT DISTINCT currency FROM fx_rates');
    for (const row of stored) this.known.add(row.currency);
    const startedAt = nowIso();
    const importIds: number[] = [];
    for (const file of request.files) {
      importIds.push(await insertImportRecord(tx, file, request, startedAt));
    }
    // Supporting files first (the sort is stable), so lines are checked against their FX rates.
    const order = request.files
      .map((file, index) => ({ index, lines: file.records.fileKind === 'contract-lines' }))
      .sort((a, b) => Number(a.lines) - Number(b.lines));
    // A file read on its own thread starts encoding its lines now, while the others are stored.
    const threaded = request.files.findIndex((file) => file.thread !== undefined);
    const started =
      threaded < 0
        ? undefined
        : await this.startThread(request.files[threaded] as ImportedFile, importIds[threaded] ?? 0);
    const results: FileResult[] = [];
    for (const { index } of order) {
      const file = request.files[index] as ImportedFile;
      results[index] =
        index === threaded && started !== undefined
          ? await this.storeThreadedFile(file, started)
          : await this.storeFile(file, importIds[index] as number);
    }
    const { accounts, fileAccounts, problems: rowProblems } = request.reading.finish();
    appendAll(this.problems, accountNulProblems(accounts));
    const rejected = [...rowProblems, ...this.problems].sort(byFileAndRow);
    if (request.skipInvalid !== true && rejected.length > 0) throw importError(rejected);
    if (this.conflicts.length > 0) throw importError(this.conflicts);

    // Each file's accounts are stored under its source, so that a new version of the file
    // replaces them.
    const stated = request.files.map((file, index) => ({
      accounts: fileAccounts[index] ?? [],
      owner: ownerOf(file.source, (results[index] as FileResult).importId),
    }));
    await storeAccounts(tx, stated);
    const outcomes: FileOutcome[] = [];
    for (const [index, file] of request.files.entries()) {
      const result = results[index] as FileResult;
      const records = result.records + (fileAccounts[index]?.length ?? 0);
      const rejectedRows = new Set(
        rejected
          .filter((problem) => problem.file === file.records.fileName)
          .map((problem) => problem.row),
      );
      const outcome: FileOutcome = {
        importId: result.importId,
        path: file.path,
        source: file.source,
        records,
        ...result.lines.counts,
        rejected: rejectedRows.size,
        changes: result.lines.changes,
        replaced: result.replaced,
      };
      await finishImportRecord(tx, file, outcome, request);
      outcomes.push(outcome);
    }
    await checkWorkspace(tx, this.reporting);
    return { files: outcomes, rejected };
  }

  private async storeFile(file: ImportedFile, importId: number): Promise<FileResult> {
    const { tx } = this;
    const owner = ownerOf(file.source, importId);
    const replaced = await replaceAccounts(tx, owner);
    const lines = new LineWriter(tx, file, owner);
    const givesLines = file.records.fileKind === 'contract-lines';
    await lines.begin(givesLines ? file.records.rows : 0);
    const side = new SupportingRecords(owner);
    const chunks = this.lineChunks(file, lines, side);
    if (givesLines) {
      await lines.copy(chunks);
    } else {
      for (const chunk of chunks) lines.unexpected(chunk);
    }
    this.rowsDone += file.records.rows;
    this.request.onProgress?.(this.rowsDone, this.totalRows);
    appendAll(this.conflicts, await lines.finish());
    const supporting = await side.store(tx);
    return {
      importId,
      replaced,
      records: lines.stored + supporting,
      lines: lines.result(),
    };
  }

  /**
   * Replaces the source's lines and starts the file's thread, which reads and encodes its lines
   * while the import stores the other files.
   */
  private async startThread(file: ImportedFile, importId: number): Promise<ThreadedFile> {
    const { tx, request } = this;
    const thread = file.thread;
    if (thread === undefined) throw new Error(`${file.path} is not read on a thread`);
    const owner = ownerOf(file.source, importId);
    const replaced = await replaceAccounts(tx, owner);
    const lines = new LineWriter(tx, file, owner);
    await lines.begin(file.records.rows);
    // The FX rates of the import's other files are known before they are stored.
    const known = new Set(this.known);
    for (const other of request.files) {
      for (const currency of other.records.fxCurrencies) known.add(currency);
    }
    const chunks = thread.encode({
      known: [...known],
      reporting: this.reporting,
      source: file.source,
      importId,
      keys: lines.replacesLines,
      ids: CHANGES_LISTED,
      skipInvalid: request.skipInvalid === true,
      failing: this.failing,
    });
    return { importId, replaced, owner, lines, chunks, thread };
  }

  private async storeThreadedFile(file: ImportedFile, started: ThreadedFile): Promise<FileResult> {
    const { tx } = this;
    const { lines, thread } = started;
    await lines.copy(this.threadChunks(file, started));
    const read = thread.read;
    appendAll(this.problems, read.checkProblems);
    this.rowsDone += file.records.rows;
    this.request.onProgress?.(this.rowsDone, this.totalRows);
    appendAll(this.conflicts, await lines.finish());
    const side = new SupportingRecords(started.owner);
    side.addEncoded(read.assignments, read.segments);
    const supporting = await side.store(tx);
    return {
      importId: started.importId,
      replaced: started.replaced,
      records: lines.stored + supporting,
      lines: lines.result(),
    };
  }

  /** Passes on the COPY rows of the file's thread, counting its lines; none once bound to fail. */
  private async *threadChunks(
    file: ImportedFile,
    started: ThreadedFile,
  ): AsyncGenerator<Uint8Array> {
    for await (const chunk of started.chunks) {
      const rowsRead = Math.min(chunk.rowsRead, file.records.rows);
      this.request.onProgress?.(this.rowsDone + rowsRead, this.totalRows);
      if (chunk.failing || this.failing || chunk.lines === 0) continue;
      started.lines.encodedChunk(chunk.lines, chunk.ids, chunk.keys);
      yield chunk.bytes;
    }
  }

  /**
   * Reads the file's batches, checks each, and returns its lines as COPY text while keeping its
   * other records for after the lines. Once the import is bound to fail, batches are only read
   * for their problems.
   */
  private *lineChunks(
    file: ImportedFile,
    lines: LineWriter,
    side: SupportingRecords,
  ): Generator<Uint8Array> {
    let counted = 0;
    // Batches are small, so that their records die young in the garbage collector. Their COPY
    // rows go out in larger chunks, because each chunk costs a statement on the embedded database.
    const out = new CopyRows();
    for (const read of file.records.batches()) {
      for (const rate of read.fxRates) this.known.add(rate.currency);
      const batch = this.checkBatch(file.records, read);
      const rows = batch.lines.length > 0 ? batch.lines.length : recordCount(batch);
      counted = Math.min(counted + rows, file.records.rows);
      // NOTE: lines read after this point are not stored, so the import's error does not list
      // their conflicts with lines of other sources.
      if (this.failing) continue;
      side.add(batch);
      lines.encode(batch.lines, out);
      if (out.rows >= COPY_CHUNK_ROWS) {
        yield out.take();
        this.request.onProgress?.(this.rowsDone + counted, this.totalRows);
      }
    }
    if (out.rows > 0) yield out.take();
  }

  /**
   * Reports the rows of a batch that cannot be stored (a line whose currency has no FX rate, a
   * NUL character) and returns the batch without them.
   */
  private checkBatch(file: StagedFile, batch: RecordBatch): RecordBatch {
    const { problems, kept } = checkRecords(file, batch, this.known, this.reporting);
    appendAll(this.problems, problems);
    return kept;
  }
}

/**
 * Deletes the account fields the source stated before, and returns whether the source was
 * imported before.
 */
async function replaceAccounts(tx: Queryable, owner: Owner): Promise<boolean> {
  const previous = await tx.query<{ import_id: number }>(
    'SELECT import_id FROM sources WHERE name = $1',
    [owner.source],
  );
  await tx.query('DELETE FROM accounts WHERE source = $1', [owner.source]);
  return previous.length > 0;
}

function recordCount(batch: RecordBatch): number {
  return (
    batch.lines.length + batch.assignments.length + batch.segments.length + batch.fxRates.length
  );
}

function importError(problems: readonly RowProblem[]): ImportError {
  return new ImportError(
    problems.slice(0, MAX_PROBLEMS),
    Math.max(0, problems.length - MAX_PROBLEMS),
  );
}

async function insertImportRecord(
  tx: Queryable,
  file: ImportedFile,
  request: ImportRequest,
  startedAt: string,
): Promise<number> {
  // The row count and summary are known once the file has been read; finishImportRecord sets them.
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO imports (source, file_path, checksum, preset, options, file_kind, rows_read,
       records, rejected, added, changed, removed, unchanged, shared, changes, summary,
       imported_by, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, 0, 0, 0, 0, 0, '{}', '{}', $7, $8, $8)
     RETURNING id`,
    [
      file.source,
      file.path,
      file.checksum,
      request.preset,
      JSON.stringify(request.options),
      file.records.fileKind,
      request.user,
      startedAt,
    ],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new StoreError('the import record was not created');
  return Number(id);
}

async function finishImportRecord(
  tx: Queryable,
  file: ImportedFile,
  outcome: FileOutcome,
  request: ImportRequest,
): Promise<void> {
  const summary = file.records.summary();
  await tx.query(
    `UPDATE imports SET rows_read = $2, summary = $3, records = $4, rejected = $5, added = $6,
       changed = $7, removed = $8, unchanged = $9, shared = $10, changes = $11, finished_at = $12
     WHERE id = $1`,
    [
      outcome.importId,
      summary.rows,
      JSON.stringify(summary),
      outcome.records,
      outcome.rejected,
      outcome.added,
      outcome.changed,
      outcome.removed,
      outcome.unchanged,
      outcome.shared,
      JSON.stringify({
        added: outcome.changes.added,
        changed: outcome.changes.changed,
        removed: outcome.changes.removed,
      }),
      nowIso(),
    ],
  );
  await tx.query(
    `INSERT INTO sources (name, import_id, checksum, settings) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET import_id = EXCLUDED.import_id,
       checksum = EXCLUDED.checksum, settings = EXCLUDED.settings`,
    [file.source, outcome.importId, file.checksum, importSettings(request.preset, request.options)],
  );
}

interface LineResult {
  readonly counts: {
    added: number;
    changed: number;
    removed: number;
    unchanged: number;
    shared: number;
  };
  readonly changes: LineChanges;
}

/**
 * Marks in `LineWriter.previous` for an id read again: content keys are never empty and never
 * start with a NUL character, because they join 14 fields with `\u0001`.
 */
const READ_UNCHANGED = '';
const READ_CHANGED = '\u0000';

/**
 * Replaces the lines a source stores with those of a file, sorting each incoming line into
 * added, changed or unchanged against the source's earlier version.
 */
class LineWriter {
  /** Content key of each line the source stored before, or a `READ_` mark once read again. */
  private readonly previous = new Map<string, string>();
  private readonly added = new ListedIds();
  private readonly changed = new ListedIds();
  private unchanged = 0;
  private shared = 0;
  private readonly removed = new ListedIds();
  /** Lines sent to COPY. */
  stored = 0;
  /** Whether other sources store lines, which then need a check for conflicts. */
  private othersStoreLines = false;
  private bulk = false;

  constructor(
    private readonly tx: Queryable,
    private readonly file: ImportedFile,
    private readonly owner: Owner,
  ) {}

  /**
   * Reads the source's earlier lines and deletes them. For a bulk load of `expectedRows`, drops
   * the table's indexes; `copy` builds them again.
   */
  async begin(expectedRows: number): Promise<void> {
    const { tx, owner } = this;
    const ownCount = await tx.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM contract_lines WHERE source = $1',
      [owner.source],
    );
    if (Number(ownCount[0]?.n ?? 0) > 0) {
      const text = await tx.copyOut(
        `SELECT ${lineSelectList()} FROM contract_lines WHERE source = ${literal(owner.source)}`,
      );
      forEachCopyRow(text, LINE_COLUMNS.length, (fields) => {
        const line = lineFromFields(fields);
        this.previous.set(line.id, lineContentKey(line));
      });
      await tx.query('DELETE FROM contract_lines WHERE source = $1', [owner.source]);
    }
    const kept = await tx.query<{ n: number }>('SELECT count(*)::integer AS n FROM contract_lines');
    this.othersStoreLines = Number(kept[0]?.n ?? 0) > 0;
    // A load larger than what the table keeps is faster without its indexes: they are dropped
    // and built again once, inside the same transaction, so a failure restores them.
    this.bulk = expectedRows >= BULK_LOAD_ROWS && expectedRows > Number(kept[0]?.n ?? 0);
    if (this.bulk) {
      await tx.query('ALTER TABLE contract_lines DROP CONSTRAINT contract_lines_pkey');
      await tx.query('DROP INDEX contract_lines_source');
    }
  }

  /** Whether the source stored lines before, which incoming lines are then compared with. */
  get replacesLines(): boolean {
    return this.previous.size > 0;
  }

  /** Sorts lines against the earlier version and writes them to `out` as COPY rows. */
  encode(lines: readonly ContractLine[], out: CopyRows): void {
    for (const line of lines) {
      // Content keys are built only where a stored line could match, so a first import skips them.
      this.sort(line.id, () => lineContentKey(line));
      writeLine(out, line, this.owner);
    }
    this.stored += lines.length;
  }

  /**
   * Counts lines that another thread wrote as COPY rows, given their ids in order joined by NUL
   * characters, unless the source stored no lines before and the outcome lists enough ids
   * already, and then their content keys likewise.
   */
  encodedChunk(count: number, ids: string | undefined, keys: string | undefined): void {
    this.stored += count;
    if (this.previous.size === 0) {
      if (ids === undefined) this.added.count += count;
      else this.added.addAll(ids.split('\u0000'));
      return;
    }
    if (ids === undefined || keys === undefined) {
      throw new Error('line ids and content keys are needed to compare lines');
    }
    const keyList = keys.split('\u0000');
    ids.split('\u0000').forEach((id, index) => this.sort(id, () => keyList[index] ?? ''));
  }

  private sort(id: string, contentKey: () => string): void {
    const before = this.previous.size === 0 ? undefined : this.previous.get(id);
    if (before === undefined) {
      this.added.add(id);
    } else if (before === contentKey()) {
      this.unchanged++;
      this.previous.set(id, READ_UNCHANGED);
    } else {
      this.changed.add(id);
      this.previous.set(id, READ_CHANGED);
    }
  }

  /** Sends COPY text to the lines table, and builds the indexes a bulk load dropped. */
  async copy(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    const { tx } = this;
    await withoutForeignKeys(tx, 'contract_lines', this.bulk, () =>
      tx.copyIn('contract_lines', [...LINE_COLUMNS, ...OWNER_COLUMNS], chunks),
    );
    if (this.bulk) {
      await tx.query(
        'ALTER TABLE contract_lines ADD CONSTRAINT contract_lines_pkey PRIMARY KEY (id, source)',
      );
      await tx.query('CREATE INDEX contract_lines_source ON contract_lines (source)');
    }
  }

  /** Raises for lines from a file that is not a contract-line file, which has nowhere to put them. */
  unexpected(chunk: Uint8Array): void {
    if (chunk.length > 0) {
      throw new StoreError(
        `${this.file.path} gave contract lines, but it was read as a ${this.file.records.fileKind} file`,
      );
    }
  }

  /**
   * Compares the stored lines with lines of the same id from other sources, and returns the
   * conflicts. The same content makes a shared line, which each source keeps a copy of. Other
   * content is a conflict.
   */
  async finish(): Promise<RowProblem[]> {
    for (const [id, key] of this.previous) {
      if (key !== READ_UNCHANGED && key !== READ_CHANGED) this.removed.add(id);
    }
    if (!this.othersStoreLines || this.stored === 0) return [];
    const width = LINE_COLUMNS.length;
    const text = await this.tx.copyOut(
      `SELECT ${lineSelectList('n.')}, ${lineSelectList('o.')}, o.source
       FROM contract_lines n JOIN contract_lines o ON o.id = n.id AND o.source <> n.source
       WHERE n.source = ${literal(this.owner.source)}`,
    );
    const sharedIds = new Set<string>();
    const conflicts = new Map<string, RowProblem>();
    const columns = this.file.records.columns;
    forEachCopyRow(text, width * 2 + 1, (fields) => {
      const mine = lineFromFields(fields.slice(0, width));
      const theirs = lineFromFields(fields.slice(width, width * 2));
      if (lineContentKey(mine) === lineContentKey(theirs)) {
        sharedIds.add(mine.id);
        return;
      }
      if (conflicts.has(mine.id)) return;
      conflicts.set(mine.id, {
        file: mine.source?.file ?? this.file.path,
        row: mine.source?.row ?? 0,
        column: columns['line_id'] ?? columns['line'] ?? 'line_id',
        value: mine.id,
        message: `is a line id already stored from ${fields[width * 2] ?? ''} with different content; correct that file and import it again under its own name, or give this line another id`,
      });
    });
    // A shared line is stored again under this source, so it stays when the other source drops
    // it, but it counts as shared rather than added, changed or unchanged.
    for (const id of sharedIds) {
      const mark = this.previous.get(id);
      if (mark === READ_UNCHANGED) this.unchanged--;
      else if (mark === READ_CHANGED) this.changed.remove(id);
      else this.added.remove(id);
    }
    this.shared = sharedIds.size;
    return [...conflicts.values()].sort(byFileAndRow);
  }

  result(): LineResult {
    return {
      counts: {
        added: this.added.count,
        changed: this.changed.count,
        removed: this.removed.count,
        unchanged: this.unchanged,
        shared: this.shared,
      },
      changes: { added: this.added.ids, changed: this.changed.ids, removed: this.removed.ids },
    };
  }
}

/** Counts the ids of one kind of change and keeps the first `CHANGES_LISTED` of them. */
class ListedIds {
  readonly ids: string[] = [];
  count = 0;

  add(id: string): void {
    if (this.ids.length < CHANGES_LISTED) this.ids.push(id);
    this.count++;
  }

  addAll(ids: readonly string[]): void {
    for (const id of ids) {
      if (this.ids.length >= CHANGES_LISTED) break;
      this.ids.push(id);
    }
    this.count += ids.length;
  }

  /** Takes back an id added before. */
  remove(id: string): void {
    const index = this.ids.indexOf(id);
    if (index >= 0) this.ids.splice(index, 1);
    this.count--;
  }
}

/**
 * The owners, segments and FX rates of one file, kept as COPY text until its lines are stored,
 * because one connection runs one COPY at a time.
 */
class SupportingRecords {
  private readonly assignments = new PendingRows('assignments', ASSIGNMENT_COLUMNS);
  private readonly segments = new PendingRows('segment_spans', SEGMENT_COLUMNS);
  private readonly fxRates = new PendingRows('fx_rates', FX_COLUMNS);

  constructor(private readonly owner: Owner) {}

  /** Adds owners and segments that another thread encoded as COPY text. */
  addEncoded(assignments: EncodedRecords, segments: EncodedRecords): void {
    this.assignments.addChunks(assignments);
    this.segments.addChunks(segments);
  }

  add(batch: RecordBatch): void {
    const owner = this.owner;
    this.assignments.add(batch.assignments, (item: Assignment) => assignmentRow(item, owner));
    this.segments.add(batch.segments, (item: SegmentSpan) => segmentRow(item, owner));
    this.fxRates.add(batch.fxRates, (item: FxRate) => fxRow(item, owner));
  }

  /** Replaces the source's records in each table with those added; returns how many. */
  async store(tx: Queryable): Promise<number> {
    let stored = 0;
    for (const table of [this.assignments, this.segments, this.fxRates]) {
      await tx.query(`DELETE FROM ${quoteIdentifier(table.name)} WHERE source = $1`, [
        this.owner.source,
      ]);
      if (table.count === 0) continue;
      const bulk = await isBulkLoad(tx, table.name, table.count);
      await withoutForeignKeys(tx, table.name, bulk, () =>
        tx.copyIn(table.name, [...table.columns, ...OWNER_COLUMNS], table.chunks),
      );
      stored += table.count;
    }
    return stored;
  }
}

/** COPY text for one table, in chunks of `COPY_CHUNK_ROWS` rows or fewer. */
class PendingRows {
  readonly chunks: string[] = [];
  count = 0;

  constructor(
    readonly name: string,
    readonly columns: readonly string[],
  ) {}

  addChunks(records: EncodedRecords): void {
    this.chunks.push(...records.chunks);
    this.count += records.count;
  }

  add<T>(items: readonly T[], toRow: (item: T) => string): void {
    for (const chunk of chunkRows(items, toRow)) this.chunks.push(chunk);
    this.count += items.length;
  }
}

/**
 * Stores the accounts each file states, under the file's source. Several sources may state one
 * account, such as an accounts file and names inline in a line file. Reads merge them, so a value
 * that one source states and another states differently is a problem.
 *
 * @throws ImportError for a value that another source gives differently.
 */
async function storeAccounts(
  tx: Queryable,
  stated: readonly { accounts: readonly AccountDraft[]; owner: Owner }[],
): Promise<void> {
  if (stated.every((item) => item.accounts.length === 0)) return;
  const stored = parseCopyCsv(
    await tx.copyOut(`SELECT ${ACCOUNT_COLUMNS.join(', ')}, source FROM accounts`),
    ACCOUNT_COLUMNS.length + 1,
  );
  const statedElsewhere = new Map<string, { account: Account; source: string }[]>();
  for (const fields of stored) {
    const account = accountFromFields(fields);
    const list = statedElsewhere.get(account.id) ?? [];
    list.push({ account, source: fields[ACCOUNT_COLUMNS.length] ?? '' });
    statedElsewhere.set(account.id, list);
  }
  const problems: RowProblem[] = [];
  for (const { accounts } of stated) {
    for (const draft of accounts) {
      for (const other of statedElsewhere.get(draft.id) ?? []) {
        for (const [field, label] of [
          ['name', 'name'],
          ['parentId', 'parent'],
          ['currency', 'currency'],
        ] as const) {
          const mine = draft[field];
          const theirs = other.account[field];
          if (mine === undefined || theirs === undefined || mine.value === theirs) continue;
          problems.push({
            file: mine.source.file,
            row: mine.source.row,
            column: mine.column,
            value: mine.value,
            message: `is the ${label} of account ${JSON.stringify(draft.id)} here, but ${other.source} gives ${JSON.stringify(theirs)}; make the files agree, or import the corrected one under its own name`,
          });
        }
      }
    }
  }
  if (problems.length > 0) throw importError(problems.sort(byFileAndRow));
  const rows = stated.flatMap(({ accounts, owner }) =>
    accounts.map((draft) => ({ account: accountFromDraft(draft), owner })),
  );
  const bulk = await isBulkLoad(tx, 'accounts', rows.length);
  await withoutForeignKeys(tx, 'accounts', bulk, () =>
    tx.copyIn(
      'accounts',
      [...ACCOUNT_COLUMNS, ...OWNER_COLUMNS],
      chunkRows(rows, (item) => accountRow(item.account, item.owner)),
    ),
  );
}

/** Returns whether loading `rows` rows into `table` is a bulk load: many, and more than it keeps. */
async function isBulkLoad(tx: Queryable, table: string, rows: number): Promise<boolean> {
  if (rows < BULK_LOAD_ROWS) return false;
  const kept = await tx.query<{ n: number }>(
    `SELECT count(*)::integer AS n FROM ${quoteIdentifier(table)}`,
  );
  return rows > Number(kept[0]?.n ?? 0);
}

/**
 * Runs `load` and, for a bulk load, drops the table's foreign keys first and adds them back
 * after it. Checking the key of each row as COPY inserts it took about 7 s per million lines on
 * the embedded database and 3.6 s on a server. Adding the key back checks every row with one
 * join, 0.2 to 0.3 s per million. Both steps run inside the import's transaction, so a failure
 * restores the keys, and they lock the table and `imports` until the import commits.
 */
async function withoutForeignKeys(
  tx: Queryable,
  table: string,
  bulk: boolean,
  load: () => Promise<void>,
): Promise<void> {
  if (!bulk) return load();
  const keys = await tx.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
     WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname`,
    [table],
  );
  for (const key of keys) {
    await tx.query(
      `ALTER TABLE ${quoteIdentifier(table)} DROP CONSTRAINT ${quoteIdentifier(key.name)}`,
    );
  }
  await load();
  for (const key of keys) {
    await tx.query(
      `ALTER TABLE ${quoteIdentifier(table)} ADD CONSTRAINT ${quoteIdentifier(key.name)} ${key.definition}`,
    );
  }
}

/** Currencies of stored recurring and usage lines that no stored FX rate converts. */
export async function missingRates(tx: Queryable, reporting: string): Promise<string[]> {
  const rows = await tx.query<{ currency: string }>(
    `SELECT DISTINCT c.currency FROM contract_lines c
     WHERE c.kind IN ('recurring', 'usage') AND c.currency <> $1
       AND NOT EXISTS (SELECT 1 FROM fx_rates f WHERE f.currency = c.currency)
     ORDER BY c.currency`,
    [reporting],
  );
  return rows.map((row) => row.currency);
}

/**
 * Checks what an import leaves behind across all sources, before it commits: every line's
 * currency still has an FX rate, FX rates of one currency and kind do not overlap, and account
 * parents form no cycle. A replaced file can break any of these for records other files stored.
 */
async function checkWorkspace(tx: Queryable, reporting: string): Promise<void> {
  const missing = await missingRates(tx, reporting);
  if (missing.length > 0) {
    throw new StoreError(
      `after this import, stored lines in ${missing.join(', ')} would have no FX rate to ${reporting}; keep rates for ${missing.length === 1 ? 'that currency' : 'those currencies'} in the FX rate file, or import one`,
    );
  }
  const overlaps = await tx.query<{
    currency: string;
    kind: string;
    a_from: string;
    a_source: string;
    b_from: string;
    b_source: string;
  }>(
    `SELECT a.currency, a.kind, a.valid_from AS a_from, a.source AS a_source,
            b.valid_from AS b_from, b.source AS b_source
     FROM fx_rates a JOIN fx_rates b
       ON a.currency = b.currency AND a.kind = b.kind AND a.ctid < b.ctid
      AND a.valid_from < coalesce(b.valid_to, 'infinity'::date)
      AND b.valid_from < coalesce(a.valid_to, 'infinity'::date)
      AND NOT (a.valid_from = b.valid_from AND a.valid_to IS NOT DISTINCT FROM b.valid_to
               AND a.rate = b.rate)
     LIMIT 1`,
  );
  const overlap = overlaps[0];
  if (overlap !== undefined) {
    throw new StoreError(
      `${overlap.kind} FX rates for ${overlap.currency} overlap: one from ${overlap.a_from} (${overlap.a_source}) and one from ${overlap.b_from} (${overlap.b_source}); end one before the other starts`,
    );
  }
  const parents = await tx.query<{ id: string; parent_id: string; source: string }>(
    'SELECT DISTINCT id, parent_id, source FROM accounts WHERE parent_id IS NOT NULL',
  );
  const parentOf = new Map(parents.map((row) => [row.id, row]));
  for (const start of parentOf.keys()) {
    const path = [start];
    let current = parentOf.get(start)?.parent_id;
    while (current !== undefined && path.length <= parentOf.size) {
      if (current === start) {
        const sources = [...new Set(path.map((id) => parentOf.get(id)?.source ?? ''))];
        throw new StoreError(
          `account parents would form a cycle ${[...path, start].join(' → ')} (from ${sources.join(', ')}); give one of these accounts another parent`,
        );
      }
      path.push(current);
      current = parentOf.get(current)?.parent_id;
    }
  }
}

/** Account fields with a NUL character; accounts are merged across files, so no row is named. */
function accountNulProblems(accounts: readonly Account[]): RowProblem[] {
  const problems: RowProblem[] = [];
  for (const account of accounts) {
    for (const [value, column] of [
      [account.id, 'account_id'],
      [account.name, 'account_name'],
      [account.parentId, 'parent_id'],
    ] as const) {
      if (value?.includes('\u0000') === true) problems.push(nulProblem(value, undefined, column));
    }
  }
  return problems;
}

/**
 * Appends every item to `target`. Unlike `push(...items)`, which passes each item as an argument,
 * it takes any number of items without overflowing the call stack.
 */
function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

/** Quotes a string literal for the few statements (COPY) that cannot take parameters. */
function literal(value: string): string {
  if (value.includes('\u0000')) throw new StoreError('a name contains a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}
