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
import {
  ACCOUNT_COLUMNS,
  accountFromFields,
  ASSIGNMENT_COLUMNS,
  assignmentFromFields,
  FX_COLUMNS,
  fxFromFields,
  LINE_COLUMNS,
  lineFromFields,
  lineSelectList,
  SEGMENT_COLUMNS,
  segmentFromFields,
  selectList,
} from './codec.js';
import {
  forEachCopyRow,
  isoTime,
  quoteIdentifier,
  StoreError,
  type Database,
  type Queryable,
} from './driver.js';
import { openEmbedded } from './embedded.js';
import { migrate } from './migrations.js';
import { ScenarioStore } from './scenarios.js';
import { openServer } from './server.js';
import {
  canonicalJson,
  missingRates,
  nowIso,
  storeImport,
  type ImportOutcome,
  type ImportRequest,
  type LineChanges,
} from './import.js';

/** Parts the lines table is read in, so parsing one overlaps copying the next. */
const LINE_PARTS = 6;
/** Minimum pages of the lines table in one part (8 KiB each, about 60 lines a page). */
const LINE_PART_PAGES = 256;

export {
  byFileAndRow,
  importSettings,
  type FileOutcome,
  type ImportedFile,
  type ImportOutcome,
  type ImportRequest,
  type LineChanges,
} from './import.js';

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

  /** The named renewal scenarios stored in this workspace. */
  get scenarios(): ScenarioStore {
    return new ScenarioStore(this.db);
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
   * Stores the files of `request` in one transaction. Either every file is stored or, on any
   * error, nothing is. Imports run one at a time.
   *
   * @throws ImportError for invalid rows, lines that conflict with stored ones or lack an FX
   *   rate, and accounts that sources state differently.
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
    return this.db.transaction(async (tx) => {
      // Imports run one at a time, so two of them never race for the same line ids.
      await tx.query('SELECT pg_advisory_xact_lock(724012)');
      const reporting = (await this.currentDefinitionsIn(tx)).definitions.reportingCurrency;
      return storeImport(tx, request, reporting);
    });
  }

  /**
   * Reads every stored record back into one dataset for the engine. The lines are read in parts
   * (see `lineParts`), and the database copies the next part or another table while this thread
   * parses the one before: on a server, on other connections, and on the embedded database, in
   * its own thread.
   */
  async loadDataset(onProgress?: (stage: string) => void): Promise<Dataset> {
    onProgress?.('contract lines');
    const several = await this.severalSources();
    const parts = await this.lineParts();
    const texts: Promise<string>[] = [];
    // With several sources, each line comes with its import, so that a line stored by several
    // sources is read from the earliest import, whatever the order of the rows in the table.
    const shared = several.has('contract_lines');
    const selected = shared ? `${lineSelectList()}, import_id` : lineSelectList();
    const requestPart = (where: string) => {
      const text = this.db.copyOut(`SELECT ${selected} FROM contract_lines${where}`);
      // Awaited in turn below; until then a failure must not count as unhandled.
      text.catch(() => undefined);
      texts.push(text);
    };
    // The first part goes ahead of the other tables, so parsing starts at once. The other tables
    // are then parsed while the database copies the remaining parts.
    requestPart(parts[0] ?? '');
    const supporting = Promise.all([
      this.readOnce('accounts', several, ACCOUNT_COLUMNS, ACCOUNT_COLUMNS, accountFromFields),
      this.readOnce(
        'assignments',
        several,
        ASSIGNMENT_COLUMNS,
        contentOf(ASSIGNMENT_COLUMNS),
        assignmentFromFields,
      ),
      this.readOnce(
        'segment_spans',
        several,
        SEGMENT_COLUMNS,
        contentOf(SEGMENT_COLUMNS),
        segmentFromFields,
      ),
      this.readOnce('fx_rates', several, FX_COLUMNS, contentOf(FX_COLUMNS), fxFromFields),
    ]);
    // Keeps a rejection from going unhandled while the lines are read; it is raised below.
    supporting.catch(() => undefined);
    for (const where of parts.slice(1)) requestPart(where);
    const lines: ContractLine[] = [];
    // A line stored by several sources (with the same content) is read once. One import stores
    // a line id at most once, so the import finds the first copy. The map gives, by line id, the
    // position in `lines` and the import of the copy read.
    const firstCopies = new Map<string, { index: number; importId: number }>();
    for (const text of texts) {
      forEachCopyRow(await text, LINE_COLUMNS.length + (shared ? 1 : 0), (fields) => {
        if (!shared) {
          lines.push(lineFromFields(fields));
          return;
        }
        const id = fields[0] ?? '';
        const importId = Number(fields[LINE_COLUMNS.length]);
        const earlier = firstCopies.get(id);
        if (earlier === undefined) {
          firstCopies.set(id, { index: lines.length, importId });
          lines.push(lineFromFields(fields));
        } else if (importId < earlier.importId) {
          lines[earlier.index] = lineFromFields(fields);
          earlier.importId = importId;
        }
      });
    }
    onProgress?.('accounts, owners, segments and FX rates');
    const [accounts, assignments, segments, fxRates] = await supporting;
    return { accounts: mergeAccounts(accounts), lines, assignments, segments, fxRates };
  }

  /**
   * Returns the tables in which several sources store rows, from the ends of each table's
   * `source` values, in one query.
   */
  private async severalSources(): Promise<Set<string>> {
    const tables = ['contract_lines', 'accounts', 'assignments', 'segment_spans', 'fx_rates'];
    const rows = await this.db.query<{ name: string; several: boolean | null }>(
      tables
        .map(
          (table) =>
            `SELECT '${table}' AS name, min(source) <> max(source) AS several FROM ${quoteIdentifier(table)}`,
        )
        .join(' UNION ALL '),
    );
    return new Set(rows.filter((row) => row.several === true).map((row) => row.name));
  }

  /**
   * Splits the lines table into parts by ranges of its pages, as `WHERE` clauses that together
   * cover every row. The first part has no lower bound and the last no upper one, so rows added
   * since the size was read still count. A small table is one part.
   */
  private async lineParts(): Promise<string[]> {
    const rows = await this.db.query<{ pages: number }>(
      `SELECT (pg_relation_size('contract_lines') / current_setting('block_size')::integer)::integer
         AS pages`,
    );
    const pages = Number(rows[0]?.pages ?? 0);
    const parts = Math.min(LINE_PARTS, Math.floor(pages / LINE_PART_PAGES));
    if (parts < 2) return [''];
    const bounds = Array.from({ length: parts - 1 }, (_, index) =>
      Math.round((pages * (index + 1)) / parts),
    );
    return Array.from({ length: parts }, (_, index) => {
      const conditions: string[] = [];
      if (index > 0) conditions.push(`ctid >= '(${bounds[index - 1]},0)'::tid`);
      if (index < parts - 1) conditions.push(`ctid < '(${bounds[index]},0)'::tid`);
      return ` WHERE ${conditions.join(' AND ')}`;
    });
  }

  /**
   * Reads a table's records, each once. A record that several sources state (a line file with
   * inline owners and an owner file, or one file stored under two names) is stored once per
   * source, with the same `content` columns, and its later copies are skipped.
   */
  private async readOnce<T>(
    table: string,
    several: ReadonlySet<string>,
    columns: readonly string[],
    content: readonly string[],
    from: (fields: readonly (string | null)[]) => T,
  ): Promise<T[]> {
    const result: T[] = [];
    if (!several.has(table)) {
      const text = await this.db.copyOut(`SELECT ${selectList(columns)} FROM ${table}`);
      forEachCopyRow(text, columns.length, (fields) => result.push(from(fields)));
      return result;
    }
    // Rows come in import order, then by source file and row, so the copy kept does not depend
    // on where rows sit in the table. A row whose content an earlier row has is skipped here,
    // because sorting in SQL for DISTINCT costs seconds at a few hundred thousand rows.
    const order = columns.includes('source_row')
      ? 'import_id, source_file COLLATE "C" NULLS FIRST, source_row NULLS FIRST'
      : 'import_id';
    const text = await this.db.copyOut(
      `SELECT ${selectList(columns)} FROM ${table} ORDER BY ${order}`,
    );
    const positions = content.map((column) => columns.indexOf(column));
    const seen = new Set<string>();
    forEachCopyRow(text, columns.length, (fields) => {
      const key = positions.map((position) => fields[position] ?? '\u0000').join('\u0001');
      if (seen.has(key)) return;
      seen.add(key);
      result.push(from(fields));
    });
    return result;
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

/** Merges the accounts into one per id, with the fields any source states (imports keep them consistent). */
function mergeAccounts(accounts: readonly Account[]): Account[] {
  const merged = new Map<string, Account>();
  for (const account of accounts) {
    const earlier = merged.get(account.id);
    merged.set(account.id, earlier === undefined ? account : { ...account, ...earlier });
  }
  return [...merged.values()];
}

/** Returns the columns that make up a record's content: all but where it was read from. */
function contentOf(columns: readonly string[]): string[] {
  return columns.filter((column) => column !== 'source_file' && column !== 'source_row');
}
