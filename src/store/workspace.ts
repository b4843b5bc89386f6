/**
 * The workspace: the accounts, contract lines, owners, segments, FX rates, definitions, import
 * history and month closes of one company, in the embedded database or on a PostgreSQL server.
 *
 * Every file stored belongs to a source, its base name unless given another. Importing the same
 * bytes with the same settings under a source changes nothing. Importing a changed file under the
 * same source replaces what that source stored before, and the import record lists the lines
 * added, changed and removed. A line id that another source also stores must have the same
 * content: each source keeps its copy, and reads return one.
 */
import { userInfo } from 'node:os';
import type { Dataset, ContractLine, Account } from '../core/model.js';
import type { Definitions } from '../core/definitions.js';
import { DEFAULT_DEFINITIONS, validateDefinitions } from '../core/definitions.js';
import type { UnitArr } from '../core/snapshot.js';
import type { ImportSummary, RowProblem } from '../ingest/index.js';
import { ImportError, MAX_PROBLEMS } from '../ingest/index.js';
import {
  ACCOUNT_COLUMNS,
  accountFromFields,
  accountRow,
  ASSIGNMENT_COLUMNS,
  assignmentFromFields,
  assignmentRow,
  FX_COLUMNS,
  fxFromFields,
  fxRow,
  LINE_COLUMNS,
  lineContentKey,
  lineFromFields,
  lineRow,
  lineSelectList,
  ownerOf,
  OWNER_COLUMNS,
  SEGMENT_COLUMNS,
  segmentFromFields,
  segmentRow,
  type Owner,
} from './codec.js';
import {
  chunkRows,
  COPY_CHUNK_ROWS,
  csvField,
  forEachCopyRow,
  parseCopyCsv,
  quoteIdentifier,
  StoreError,
  type Database,
  type Queryable,
} from './driver.js';
import { openEmbedded } from './embedded.js';
import { migrate } from './migrations.js';
import { openServer } from './server.js';

/** Folder of the embedded workspace when neither a flag nor NRR_WORKSPACE names one. */
export const DEFAULT_FOLDER = '.nrr';

export type WorkspaceLocation =
  | { readonly kind: 'embedded'; readonly folder: string }
  | { readonly kind: 'server'; readonly url: string };

/**
 * Chooses the workspace: a folder given as a flag wins, then DATABASE_URL (a server), then
 * NRR_WORKSPACE, then `./.nrr`.
 */
export function resolveLocation(
  folderFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): WorkspaceLocation {
  if (folderFlag !== undefined && folderFlag.trim() !== '') {
    return { kind: 'embedded', folder: folderFlag };
  }
  const url = env['DATABASE_URL'];
  if (url !== undefined && url.trim() !== '') return { kind: 'server', url: url.trim() };
  const folder = env['NRR_WORKSPACE'];
  if (folder !== undefined && folder.trim() !== '') return { kind: 'embedded', folder };
  return { kind: 'embedded', folder: DEFAULT_FOLDER };
}

/** Returns the name recorded as who made an import or a close: NRR_USER, or the login name. */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  const named = env['NRR_USER'];
  if (named !== undefined && named.trim() !== '') return named.trim();
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** One file offered to an import, already read and checked. */
export interface ImportedFile {
  /** Path as given, for the record and messages. */
  readonly path: string;
  /** The name the file's records are stored under; a later file with this name replaces them. */
  readonly source: string;
  /** SHA-256 of the file's bytes, hex. */
  readonly checksum: string;
  /** The file name given to the importer: records' `source.file` equals it. */
  readonly fileName: string;
  readonly summary: ImportSummary;
  /** Rows of this file left out with skip-invalid. */
  readonly rejected: number;
}

export interface ImportRequest {
  readonly files: readonly ImportedFile[];
  readonly dataset: Dataset;
  readonly preset: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly user: string;
  /**
   * Problems the importers found in rows, whose rows are not in `dataset`. Without skip-invalid
   * they fail the import, together with lines whose currency has no FX rate.
   */
  readonly rowProblems?: readonly RowProblem[];
  /** Store the valid rows and return the rest as rejected, instead of failing. */
  readonly skipInvalid?: boolean;
  /** Called as records are written, with the count written and the total. */
  readonly onProgress?: (written: number, total: number) => void;
}

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
  /** Lines left out with skip-invalid because their currency has no FX rate. */
  readonly rejected: readonly RowProblem[];
}

export interface ImportRecord {
  readonly id: number;
  readonly source: string;
  readonly path: string;
  readonly checksum: string;
  readonly preset: string;
  readonly fileKind: string;
  readonly rows: number;
  readonly records: number;
  readonly rejected: number;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly unchanged: number;
  readonly shared: number;
  readonly changes: LineChanges;
  readonly importedBy: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** False when a later import of the same source replaced this one. */
  readonly current: boolean;
}

export interface StoredDefinitions {
  readonly version: number;
  readonly definitions: Definitions;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface MonthClose {
  readonly month: string;
  readonly asOf: string;
  readonly definitionsVersion: number;
  /** The report as frozen (JSON of the engine's report). */
  readonly figures: unknown;
  readonly accountArr: readonly UnitArr[];
  readonly lastImportId: number | null;
  readonly closedAt: string;
  readonly closedBy: string;
}

/** Lines from which an import loads the lines table without its indexes, then rebuilds them. */
const BULK_LOAD_ROWS = 50_000;

/** Ids listed per kind of change in an import record; the counts are always complete. */
const CHANGES_LISTED = 200;

function columnList(...groups: readonly (readonly string[])[]): string[] {
  return groups.flat();
}

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
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : item,
  );
}

function nowIso(): string {
  return new Date().toISOString();
}

export class Workspace {
  private constructor(readonly db: Database) {}

  /** Opens the workspace at `location`, creating and migrating it when needed. */
  static async open(location: WorkspaceLocation): Promise<Workspace> {
    const db =
      location.kind === 'server'
        ? await openServer(location.url)
        : await openEmbedded(location.folder);
    try {
      await migrate(db);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    return new Workspace(db);
  }

  /** Opens an already-open database as a workspace (for tests of both drivers). */
  static async fromDatabase(db: Database): Promise<Workspace> {
    await migrate(db);
    return new Workspace(db);
  }

  get location(): string {
    return this.db.location;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** The checksum, import settings and import currently in force for each source name. */
  async sourceChecksums(): Promise<
    Map<string, { checksum: string; settings: string; importId: number }>
  > {
    const rows = await this.db.query<{
      name: string;
      checksum: string;
      settings: string;
      import_id: number;
    }>('SELECT name, checksum, settings, import_id FROM sources');
    return new Map(
      rows.map((row) => [
        row.name,
        { checksum: row.checksum, settings: row.settings, importId: row.import_id },
      ]),
    );
  }

  /**
   * Stores the records of `request.dataset` in one transaction. Either every file is stored or,
   * on any error, nothing is.
   *
   * @throws ImportError for lines that conflict with stored ones or lack an FX rate.
   */
  async store(request: ImportRequest): Promise<ImportOutcome> {
    const sources = new Set<string>();
    for (const file of request.files) {
      if (sources.has(file.source)) {
        throw new StoreError(
          `two files would be stored under the name ${file.source}; rename one, or import them separately`,
        );
      }
      sources.add(file.source);
    }
    const lineTotal = request.dataset.lines.length;
    return this.db.transaction(async (tx) => {
      // Imports run one at a time, so two of them never race for the same line ids.
      await tx.query('SELECT pg_advisory_xact_lock(724012)');
      const rejected = await this.checkCurrencies(tx, request);
      const skippedLines = new Set(
        rejected.map((problem) => `${problem.file}\u0000${problem.row}`),
      );
      let written = 0;
      const outcomes: FileOutcome[] = [];
      const accountFile =
        request.files.find((file) => file.summary.fileKind === 'accounts') ?? request.files[0];
      for (const file of request.files) {
        const startedAt = nowIso();
        const importId = await this.insertImportRecord(tx, file, request, startedAt);
        const owner = ownerOf(file.source, importId);
        const previous = await tx.query<{ import_id: number }>(
          'SELECT import_id FROM sources WHERE name = $1',
          [file.source],
        );
        const lines = request.dataset.lines.filter(
          (line) =>
            line.source?.file === file.fileName &&
            !skippedLines.has(`${file.fileName}\u0000${line.source.row}`),
        );
        const lineResult = await this.storeLines(tx, file, lines, owner, (count) => {
          written += count;
          request.onProgress?.(written, lineTotal);
        });
        const records =
          lineResult.stored +
          (await this.replaceOwned(
            tx,
            'assignments',
            ASSIGNMENT_COLUMNS,
            request.dataset.assignments.filter(
              (item) =>
                item.source?.file === file.fileName &&
                !skippedLines.has(`${file.fileName}\u0000${item.source.row}`),
            ),
            assignmentRow,
            owner,
          )) +
          (await this.replaceOwned(
            tx,
            'segment_spans',
            SEGMENT_COLUMNS,
            request.dataset.segments.filter(
              (item) =>
                item.source?.file === file.fileName &&
                !skippedLines.has(`${file.fileName}\u0000${item.source.row}`),
            ),
            segmentRow,
            owner,
          )) +
          (await this.replaceOwned(
            tx,
            'fx_rates',
            FX_COLUMNS,
            request.dataset.fxRates.filter(
              (item) =>
                item.source?.file === file.fileName &&
                !skippedLines.has(`${file.fileName}\u0000${item.source.row}`),
            ),
            fxRow,
            owner,
          )) +
          (await this.storeAccounts(
            tx,
            file,
            file === accountFile ? request.dataset.accounts : [],
            owner,
          ));
        const fileRejected =
          file.rejected + rejected.filter((problem) => problem.file === file.fileName).length;
        const outcome: FileOutcome = {
          importId,
          path: file.path,
          source: file.source,
          records,
          ...lineResult.counts,
          rejected: fileRejected,
          changes: lineResult.changes,
          replaced: previous.length > 0,
        };
        await tx.query(
          `UPDATE imports SET records = $2, rejected = $3, added = $4, changed = $5, removed = $6,
             unchanged = $7, shared = $8, changes = $9, finished_at = $10 WHERE id = $1`,
          [
            importId,
            records,
            fileRejected,
            outcome.added,
            outcome.changed,
            outcome.removed,
            outcome.unchanged,
            outcome.shared,
            JSON.stringify({
              added: outcome.changes.added.slice(0, CHANGES_LISTED),
              changed: outcome.changes.changed.slice(0, CHANGES_LISTED),
              removed: outcome.changes.removed.slice(0, CHANGES_LISTED),
            }),
            nowIso(),
          ],
        );
        await tx.query(
          `INSERT INTO sources (name, import_id, checksum, settings) VALUES ($1, $2, $3, $4)
           ON CONFLICT (name) DO UPDATE SET import_id = EXCLUDED.import_id,
             checksum = EXCLUDED.checksum, settings = EXCLUDED.settings`,
          [file.source, importId, file.checksum, importSettings(request.preset, request.options)],
        );
        outcomes.push(outcome);
      }
      await checkWorkspace(tx, (await this.currentDefinitionsIn(tx)).definitions.reportingCurrency);
      return { files: outcomes, rejected };
    });
  }

  private async insertImportRecord(
    tx: Queryable,
    file: ImportedFile,
    request: ImportRequest,
    startedAt: string,
  ): Promise<number> {
    const rows = await tx.query<{ id: number }>(
      `INSERT INTO imports (source, file_path, checksum, preset, options, file_kind, rows_read,
         records, rejected, added, changed, removed, unchanged, shared, changes, summary,
         imported_by, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, 0, 0, 0, 0, 0, '{}', $8, $9, $10, $10)
       RETURNING id`,
      [
        file.source,
        file.path,
        file.checksum,
        request.preset,
        JSON.stringify(request.options),
        file.summary.fileKind,
        file.summary.rows,
        JSON.stringify(file.summary),
        request.user,
        startedAt,
      ],
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new StoreError('the import record was not created');
    return Number(id);
  }

  /**
   * Recurring and usage lines whose currency is neither the reporting currency nor covered by any
   * FX rate, stored or in this import. With skip-invalid they are returned as rejected; otherwise they fail the import.
   */
  private async checkCurrencies(tx: Queryable, request: ImportRequest): Promise<RowProblem[]> {
    const reporting = (await this.currentDefinitionsIn(tx)).definitions.reportingCurrency;
    const stored = await tx.query<{ currency: string }>('SELECT DISTINCT currency FROM fx_rates');
    const known = new Set([
      reporting,
      ...stored.map((row) => row.currency),
      ...request.dataset.fxRates.map((rate) => rate.currency),
    ]);
    const problems: RowProblem[] = [];
    for (const line of request.dataset.lines) {
      // One-time fees and trials never count towards ARR, so they need no rate.
      if (known.has(line.currency) || line.kind === 'one-time' || line.kind === 'trial') continue;
      const file = request.files.find((candidate) => candidate.fileName === line.source?.file);
      const problem: RowProblem = {
        file: line.source?.file ?? file?.path ?? '',
        row: line.source?.row ?? 0,
        column: file?.summary.columns['currency'] ?? 'currency',
        value: line.currency,
        message: `is a currency with no FX rate to ${reporting} in the workspace; import an FX rate file for it first, or in the same import`,
      };
      problems.push(problem);
    }
    problems.push(...nulProblems(request));
    const rowProblems = request.rowProblems ?? [];
    if (request.skipInvalid !== true && problems.length + rowProblems.length > 0) {
      const all = [...rowProblems, ...problems].sort(byFileAndRow);
      throw new ImportError(all.slice(0, MAX_PROBLEMS), Math.max(0, all.length - MAX_PROBLEMS));
    }
    return problems;
  }

  private async storeLines(
    tx: Queryable,
    file: ImportedFile,
    lines: readonly ContractLine[],
    owner: Owner,
    onWritten: (count: number) => void,
  ): Promise<{
    stored: number;
    counts: { added: number; changed: number; removed: number; unchanged: number; shared: number };
    changes: LineChanges;
  }> {
    const previous = new Map<string, string>();
    const ownCount = await tx.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM contract_lines WHERE source = $1',
      [owner.source],
    );
    if (Number(ownCount[0]?.n ?? 0) > 0) {
      const text = await tx.copyOut(
        `SELECT ${lineSelectList()} FROM contract_lines WHERE source = ${literal(owner.source)}`,
      );
      for (const fields of parseCopyCsv(text, LINE_COLUMNS.length)) {
        const line = lineFromFields(fields);
        previous.set(line.id, lineContentKey(line));
      }
    }
    const others = await this.otherSourceLines(tx, lines, owner.source);
    const conflicts: RowProblem[] = [];
    const toStore: ContractLine[] = [];
    const added: string[] = [];
    const changed: string[] = [];
    let unchanged = 0;
    let shared = 0;
    // Content keys are built only where a stored line could match, so a first import skips them.
    for (const line of lines) {
      const other = others.get(line.id);
      if (other !== undefined) {
        if (other.key === lineContentKey(line)) {
          // Stored again under this source, so it stays when the other source drops it; reads
          // keep one copy per line id.
          shared++;
          toStore.push(line);
          continue;
        }
        conflicts.push({
          file: line.source?.file ?? file.path,
          row: line.source?.row ?? 0,
          column: file.summary.columns['line_id'] ?? file.summary.columns['line'] ?? 'line_id',
          value: line.id,
          message: `is a line id already stored from ${other.source} with different content; correct that file and import it again under its own name, or give this line another id`,
        });
        continue;
      }
      toStore.push(line);
      const before = previous.size === 0 ? undefined : previous.get(line.id);
      if (before === undefined) added.push(line.id);
      else if (before === lineContentKey(line)) unchanged++;
      else changed.push(line.id);
    }
    if (conflicts.length > 0)
      throw new ImportError(conflicts.slice(0, 1000), Math.max(0, conflicts.length - 1000));
    const incoming = new Set(lines.map((line) => line.id));
    const removed = [...previous.keys()].filter((id) => !incoming.has(id));
    await tx.query('DELETE FROM contract_lines WHERE source = $1', [owner.source]);
    // A load larger than what the table keeps is faster without its indexes: they are dropped
    // and built again once, inside the same transaction, so a failure restores them.
    const kept = await tx.query<{ n: number }>('SELECT count(*)::integer AS n FROM contract_lines');
    const bulk = toStore.length >= BULK_LOAD_ROWS && toStore.length > Number(kept[0]?.n ?? 0);
    if (bulk) {
      await tx.query('ALTER TABLE contract_lines DROP CONSTRAINT contract_lines_pkey');
      await tx.query('DROP INDEX contract_lines_source');
    }
    const columns = columnList(LINE_COLUMNS, OWNER_COLUMNS);
    let index = 0;
    const counted = function* (): Iterable<string> {
      for (const chunk of chunkRows(toStore, (line) => lineRow(line, owner))) {
        yield chunk;
        const count = Math.min(COPY_CHUNK_ROWS, toStore.length - index);
        index += count;
        onWritten(count);
      }
    };
    await withoutForeignKeys(tx, 'contract_lines', bulk, () =>
      tx.copyIn('contract_lines', columns, counted()),
    );
    if (bulk) {
      await tx.query(
        'ALTER TABLE contract_lines ADD CONSTRAINT contract_lines_pkey PRIMARY KEY (id, source)',
      );
      await tx.query('CREATE INDEX contract_lines_source ON contract_lines (source)');
    }
    return {
      stored: toStore.length,
      counts: {
        added: added.length,
        changed: changed.length,
        removed: removed.length,
        unchanged,
        shared,
      },
      changes: { added, changed, removed },
    };
  }

  /** Stored lines of other sources whose ids occur in `lines`, with their content keys. */
  private async otherSourceLines(
    tx: Queryable,
    lines: readonly ContractLine[],
    source: string,
  ): Promise<Map<string, { source: string; key: string }>> {
    const result = new Map<string, { source: string; key: string }>();
    const others = await tx.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM contract_lines WHERE source <> $1',
      [source],
    );
    if (Number(others[0]?.n ?? 0) === 0 || lines.length === 0) return result;
    await tx.query(
      'CREATE TEMPORARY TABLE IF NOT EXISTS incoming_ids (id text PRIMARY KEY) ON COMMIT DROP',
    );
    await tx.query('DELETE FROM incoming_ids');
    const ids = [...new Set(lines.map((line) => line.id))];
    await tx.copyIn(
      'incoming_ids',
      ['id'],
      chunkRows(ids, (id) => `${csvField(id)}\n`),
    );
    const text = await tx.copyOut(
      `SELECT ${lineSelectList('c.')}, c.source
       FROM contract_lines c JOIN incoming_ids i ON i.id = c.id
       WHERE c.source <> ${literal(source)}`,
    );
    for (const fields of parseCopyCsv(text, LINE_COLUMNS.length + 1)) {
      const line = lineFromFields(fields);
      result.set(line.id, { source: fields[LINE_COLUMNS.length] ?? '', key: lineContentKey(line) });
    }
    return result;
  }

  /** Replaces the records a source stored in `table` with `items`; returns how many were stored. */
  private async replaceOwned<T>(
    tx: Queryable,
    table: string,
    columns: readonly string[],
    items: readonly T[],
    toRow: (item: T, owner: Owner) => string,
    owner: Owner,
  ): Promise<number> {
    await tx.query(`DELETE FROM ${table} WHERE source = $1`, [owner.source]);
    if (items.length > 0) {
      const bulk = await isBulkLoad(tx, table, items.length);
      await withoutForeignKeys(tx, table, bulk, () =>
        tx.copyIn(
          table,
          columnList(columns, OWNER_COLUMNS),
          chunkRows(items, (item) => toRow(item, owner)),
        ),
      );
    }
    return items.length;
  }

  /**
   * Stores the accounts a source states. Several sources may state one account, such as an
   * accounts file and names inline in a line file. Reads merge them, so a field one source states that
   * another states differently is a problem.
   */
  private async storeAccounts(
    tx: Queryable,
    file: ImportedFile,
    accounts: readonly Account[],
    owner: Owner,
  ): Promise<number> {
    await tx.query('DELETE FROM accounts WHERE source = $1', [owner.source]);
    if (accounts.length === 0) return 0;
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
    for (const account of accounts) {
      for (const other of statedElsewhere.get(account.id) ?? []) {
        for (const [field, label] of [
          ['name', 'name'],
          ['parentId', 'parent'],
          ['currency', 'currency'],
        ] as const) {
          const mine = account[field];
          const theirs = other.account[field];
          if (mine !== undefined && theirs !== undefined && mine !== theirs) {
            problems.push({
              file: file.fileName,
              row: 0,
              column: label,
              value: mine,
              message: `is the ${label} of account ${JSON.stringify(account.id)} here, but ${other.source} gives ${JSON.stringify(theirs)}; make the files agree, or import the corrected one under its own name`,
            });
          }
        }
      }
    }
    if (problems.length > 0) {
      throw new ImportError(
        problems.slice(0, MAX_PROBLEMS),
        Math.max(0, problems.length - MAX_PROBLEMS),
      );
    }
    const bulk = await isBulkLoad(tx, 'accounts', accounts.length);
    await withoutForeignKeys(tx, 'accounts', bulk, () =>
      tx.copyIn(
        'accounts',
        columnList(ACCOUNT_COLUMNS, OWNER_COLUMNS),
        chunkRows(accounts, (account) => accountRow(account, owner)),
      ),
    );
    return accounts.length;
  }

  /** Reads every stored record back into one dataset for the engine. */
  async loadDataset(onProgress?: (stage: string) => void): Promise<Dataset> {
    onProgress?.('contract lines');
    const linesText = await this.db.copyOut(`SELECT ${lineSelectList()} FROM contract_lines`);
    const lines: ContractLine[] = [];
    // A line stored by several sources (with the same content) is read once.
    const seen = new Set<string>();
    forEachCopyRow(linesText, LINE_COLUMNS.length, (fields) => {
      const id = fields[0] ?? '';
      if (seen.has(id)) return;
      seen.add(id);
      lines.push(lineFromFields(fields));
    });
    onProgress?.('accounts, owners, segments and FX rates');
    /**
     * Owner, segment and FX records read from several sources (a line file with inline owners
     * and an owner file, or one file stored under two names) are read back once each.
     */
    const read = async <T>(
      table: string,
      columns: readonly string[],
      content: readonly string[],
      from: (fields: readonly (string | null)[]) => T,
    ) => {
      // Only records that several sources state can repeat; one source's rows are read as they are.
      const sources = await this.db.query<{ n: number }>(
        `SELECT count(DISTINCT source)::integer AS n FROM ${table}`,
      );
      if (Number(sources[0]?.n ?? 0) <= 1) {
        return parseCopyCsv(
          await this.db.copyOut(`SELECT ${columns.join(', ')} FROM ${table}`),
          columns.length,
        ).map(from);
      }
      // Rows come in import order, and a row whose content an earlier row has is skipped here,
      // because sorting in SQL for DISTINCT costs seconds at a few hundred thousand rows.
      const text = await this.db.copyOut(
        `SELECT ${columns.join(', ')} FROM ${table} ORDER BY import_id`,
      );
      const positions = content.map((column) => columns.indexOf(column));
      const seen = new Set<string>();
      const result: T[] = [];
      forEachCopyRow(text, columns.length, (fields) => {
        const key = positions.map((position) => fields[position] ?? '\u0000').join('\u0001');
        if (seen.has(key)) return;
        seen.add(key);
        result.push(from(fields));
      });
      return result;
    };
    const contentOf = (columns: readonly string[]) =>
      columns.filter((column) => column !== 'source_file' && column !== 'source_row');
    return {
      accounts: mergeAccounts(
        await read('accounts', ACCOUNT_COLUMNS, ACCOUNT_COLUMNS, accountFromFields),
      ),
      lines,
      assignments: await read(
        'assignments',
        ASSIGNMENT_COLUMNS,
        contentOf(ASSIGNMENT_COLUMNS),
        assignmentFromFields,
      ),
      segments: await read(
        'segment_spans',
        SEGMENT_COLUMNS,
        contentOf(SEGMENT_COLUMNS),
        segmentFromFields,
      ),
      fxRates: await read('fx_rates', FX_COLUMNS, contentOf(FX_COLUMNS), fxFromFields),
    };
  }

  /**
   * Number of stored records per table. Lines count once per id, however many sources state
   * them.
   */
  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.query<{ name: string; n: number }>(
      `SELECT 'contract_lines' AS name, count(DISTINCT id)::integer AS n FROM contract_lines
       UNION ALL SELECT 'accounts', count(*)::integer FROM accounts
       UNION ALL SELECT 'assignments', count(*)::integer FROM assignments
       UNION ALL SELECT 'segment_spans', count(*)::integer FROM segment_spans
       UNION ALL SELECT 'fx_rates', count(*)::integer FROM fx_rates
       UNION ALL SELECT 'imports', count(*)::integer FROM imports`,
    );
    return Object.fromEntries(rows.map((row) => [row.name, Number(row.n)]));
  }

  /** Lists the import records, oldest first. */
  async imports(): Promise<ImportRecord[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT i.*, (s.import_id IS NOT NULL) AS current,
              ${isoTime('i.started_at')} AS started_iso, ${isoTime('i.finished_at')} AS finished_iso
       FROM imports i LEFT JOIN sources s ON s.import_id = i.id ORDER BY i.id`,
    );
    return rows.map((row) => ({
      id: Number(row['id']),
      source: String(row['source']),
      path: String(row['file_path']),
      checksum: String(row['checksum']),
      preset: String(row['preset']),
      fileKind: String(row['file_kind']),
      rows: Number(row['rows_read']),
      records: Number(row['records']),
      rejected: Number(row['rejected']),
      added: Number(row['added']),
      changed: Number(row['changed']),
      removed: Number(row['removed']),
      unchanged: Number(row['unchanged']),
      shared: Number(row['shared']),
      changes: row['changes'] as LineChanges,
      importedBy: String(row['imported_by']),
      startedAt: String(row['started_iso']),
      finishedAt: String(row['finished_iso']),
      current: row['current'] === true,
    }));
  }

  /** Id of the latest import, or null for an empty workspace. */
  async lastImportId(): Promise<number | null> {
    const rows = await this.db.query<{ id: number | null }>('SELECT max(id) AS id FROM imports');
    const id = rows[0]?.id;
    return id === null || id === undefined ? null : Number(id);
  }

  /**
   * Stores `definitions` as a version (the existing version when an identical one is stored) and
   * returns its number.
   */
  async saveDefinitions(definitions: Definitions, user: string): Promise<number> {
    validateDefinitions(definitions);
    return this.db.transaction((tx) => this.saveDefinitionsIn(tx, definitions, user));
  }

  private async saveDefinitionsIn(
    tx: Queryable,
    definitions: Definitions,
    user: string,
  ): Promise<number> {
    const text = canonicalJson(definitions);
    await tx.query('LOCK TABLE definition_versions IN EXCLUSIVE MODE');
    const existing = await tx.query<{ version: number }>(
      'SELECT version FROM definition_versions WHERE body_text = $1',
      [text],
    );
    if (existing[0] !== undefined) return Number(existing[0].version);
    const next = await tx.query<{ version: number }>(
      'SELECT coalesce(max(version), 0) + 1 AS version FROM definition_versions',
    );
    const version = Number(next[0]?.version ?? 1);
    await tx.query(
      `INSERT INTO definition_versions (version, body, body_text, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5)`,
      [version, text, text, nowIso(), user],
    );
    return version;
  }

  /** Currencies of stored recurring and usage lines that no stored FX rate converts. */
  currenciesWithoutRates(reporting: string): Promise<string[]> {
    return missingRates(this.db, reporting);
  }

  /** Makes a stored version the one reports use by default. */
  async setCurrentDefinitions(version: number): Promise<void> {
    const stored = await this.definitionsVersion(version);
    const missing = await missingRates(this.db, stored.definitions.reportingCurrency);
    if (missing.length > 0) {
      throw new StoreError(
        `with ${stored.definitions.reportingCurrency} as the reporting currency, lines in ${missing.join(', ')} have no FX rate; import rates to ${stored.definitions.reportingCurrency} first`,
      );
    }
    await this.db.query(
      `INSERT INTO settings (key, value) VALUES ('definitions', $1)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [String(version)],
    );
  }

  /** The definitions reports use by default: the current version, or the product defaults. */
  async currentDefinitions(): Promise<{ version: number | null; definitions: Definitions }> {
    return this.currentDefinitionsIn(this.db);
  }

  private async currentDefinitionsIn(
    tx: Queryable,
  ): Promise<{ version: number | null; definitions: Definitions }> {
    const rows = await tx.query<{ value: string }>(
      "SELECT value FROM settings WHERE key = 'definitions'",
    );
    const value = rows[0]?.value;
    if (value === undefined) return { version: null, definitions: DEFAULT_DEFINITIONS };
    const stored = await this.definitionsVersionIn(tx, Number(value));
    return { version: stored.version, definitions: stored.definitions };
  }

  /** A stored version of the definitions. */
  async definitionsVersion(version: number): Promise<StoredDefinitions> {
    return this.definitionsVersionIn(this.db, version);
  }

  private async definitionsVersionIn(tx: Queryable, version: number): Promise<StoredDefinitions> {
    // Numbers beyond the column's range are simply not stored versions.
    const rows = !(Number.isInteger(version) && version >= 0 && version <= 2_147_483_647)
      ? []
      : await tx.query<{ body_text: string; created_at: string; created_by: string }>(
          `SELECT body_text, ${isoTime('created_at')} AS created_at, created_by
           FROM definition_versions WHERE version = $1`,
          [version],
        );
    const row = rows[0];
    if (row === undefined) {
      const known = await tx.query<{ version: number }>(
        'SELECT version FROM definition_versions ORDER BY version',
      );
      const list = known.map((item) => item.version).join(', ');
      throw new StoreError(
        `definitions version ${version} is not stored in this workspace; ${list === '' ? 'none is stored yet' : `stored versions: ${list}`} (nrr definitions --list)`,
      );
    }
    return {
      version,
      definitions: JSON.parse(row.body_text) as Definitions,
      createdAt: row.created_at,
      createdBy: row.created_by,
    };
  }

  /** Every stored version, oldest first, and which one is current. */
  async definitionsVersions(): Promise<{ current: number | null; versions: StoredDefinitions[] }> {
    const rows = await this.db.query<{ version: number }>(
      'SELECT version FROM definition_versions ORDER BY version',
    );
    const versions: StoredDefinitions[] = [];
    for (const row of rows) versions.push(await this.definitionsVersion(Number(row.version)));
    const current = await this.currentDefinitions();
    return { current: current.version, versions };
  }

  /** Freezes a month's figures; fails when the month is already closed. */
  async closeMonth(close: Omit<MonthClose, 'closedAt'>): Promise<MonthClose> {
    const closedAt = nowIso();
    return this.db.transaction(async (tx) => {
      const existing = await tx.query<{ closed_at: string }>(
        `SELECT ${isoTime('closed_at')} AS closed_at FROM month_closes WHERE month = $1`,
        [close.month],
      );
      if (existing[0] !== undefined) {
        throw new StoreError(
          `${close.month} was closed on ${existing[0].closed_at}; a closed month stays frozen (nrr closes lists it with any restatement)`,
        );
      }
      await tx.query(
        `INSERT INTO month_closes (month, as_of, definitions_version, figures, account_arr,
           last_import_id, closed_at, closed_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          close.month,
          close.asOf,
          close.definitionsVersion,
          JSON.stringify(close.figures),
          JSON.stringify(close.accountArr),
          close.lastImportId,
          closedAt,
          close.closedBy,
        ],
      );
      return { ...close, closedAt };
    });
  }

  /** Closed months, oldest first. */
  async monthCloses(): Promise<MonthClose[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT *, ${isoTime('closed_at')} AS closed_iso FROM month_closes ORDER BY month`,
    );
    return rows.map((row) => ({
      month: String(row['month']),
      asOf: String(row['as_of']),
      definitionsVersion: Number(row['definitions_version']),
      figures: row['figures'],
      accountArr: row['account_arr'] as UnitArr[],
      lastImportId: row['last_import_id'] === null ? null : Number(row['last_import_id']),
      closedAt: String(row['closed_iso']),
      closedBy: String(row['closed_by']),
    }));
  }
}

/** Orders problems by file name, then by row. */
export function byFileAndRow(a: RowProblem, b: RowProblem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.row - b.row;
}

/** Currencies of stored recurring and usage lines that no stored FX rate converts. */
async function missingRates(tx: Queryable, reporting: string): Promise<string[]> {
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

/** Text fields that PostgreSQL cannot store because they contain a NUL character. */
function nulProblems(request: ImportRequest): RowProblem[] {
  const problems: RowProblem[] = [];
  const fileOf = new Map(request.files.map((file) => [file.fileName, file]));
  const check = (
    value: string | undefined,
    source: { file: string; row: number } | undefined,
    columns: readonly string[],
  ) => {
    if (value === undefined || !value.includes('\u0000')) return;
    const summary = source === undefined ? undefined : fileOf.get(source.file)?.summary;
    const column =
      columns.map((name) => summary?.columns[name]).find((header) => header !== undefined) ??
      columns[0] ??
      '';
    problems.push({
      file: source?.file ?? '',
      row: source?.row ?? 0,
      column,
      value,
      message: 'contains a NUL character, which cannot be stored; remove it from the file',
    });
  };
  for (const line of request.dataset.lines) {
    check(line.id, line.source, ['line_id', 'line']);
    check(line.accountId, line.source, ['account_id', 'customer']);
    check(line.contractId, line.source, ['contract_id']);
    check(line.product, line.source, ['product']);
    check(line.renews, line.source, ['renews']);
  }
  for (const assignment of request.dataset.assignments) {
    check(assignment.role, assignment.source, ['role']);
    check(assignment.person, assignment.source, ['person', 'owner']);
    check(assignment.accountId, assignment.source, ['account_id', 'customer']);
  }
  for (const span of request.dataset.segments) {
    check(span.segment, span.source, ['segment']);
    check(span.region, span.source, ['region']);
    check(span.subRegion, span.source, ['sub_region']);
    check(span.accountId, span.source, ['account_id', 'customer']);
  }
  for (const account of request.dataset.accounts) {
    check(account.id, undefined, ['account_id']);
    check(account.name, undefined, ['account_name']);
    check(account.parentId, undefined, ['parent_id']);
  }
  return problems;
}

/** Merges the accounts into one per id, with the fields any source states (imports keep them consistent). */
function mergeAccounts(accounts: readonly Account[]): Account[] {
  const merged = new Map<string, Account>();
  for (const account of accounts) {
    const earlier = merged.get(account.id);
    merged.set(account.id, earlier === undefined ? account : { ...account, ...earlier });
  }
  return [...merged.values()];
}

/** Whether loading `rows` rows into `table` is a bulk load: many rows, and more than it keeps. */
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
 * the embedded database and 3.6 s on a server; adding the key back checks every row with one
 * join (0.2 to 0.3 s per million). Both steps run inside the import's transaction, so a failure
 * restores the keys; they lock the table and `imports` until the import commits.
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

/** SQL that formats a timestamp as ISO 8601 in UTC, such as 2026-12-04T18:15:43.120Z. */
function isoTime(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Quotes a string literal for the few statements (COPY) that cannot take parameters. */
function literal(value: string): string {
  if (value.includes('\u0000')) throw new StoreError('a name contains a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}
