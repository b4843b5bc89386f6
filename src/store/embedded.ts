/**
 * The embedded driver: PostgreSQL compiled to WebAssembly (PGlite), keeping its files in a folder
 * on disk. One process at a time may open a folder, and a lock file inside it records which.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';
import {
  copyInStatement,
  StoreError,
  type Database,
  type Queryable,
  type Row,
  type SqlValue,
} from './driver.js';

/** Types read as text, so dates stay calendar dates and decimals stay exact. */
const TEXT_PARSERS = {
  [types.DATE]: (value: string) => value,
  [types.NUMERIC]: (value: string) => value,
  [types.TIMESTAMPTZ]: (value: string) => value,
  [types.INT8]: (value: string) => Number(value),
};

const LOCK_FILE = 'nrr.lock';

/** Checks whether a process with this id runs (one owned by another user counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder's lock, replacing one left by a process that no longer runs (after a crash or
 * a kill). Returns the function that releases it.
 */
function takeLock(folder: string): () => void {
  const lockPath = path.join(folder, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = openSync(lockPath, 'wx');
      writeSync(handle, String(process.pid));
      closeSync(handle);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new StoreError(
          `cannot write the lock file ${lockPath} (${code}); the workspace folder must be writable`,
        );
      }
      if (code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      // Process ids 0 and 1 never hold a lock: 0 would signal the process group, 1 is init.
      if (
        Number.isInteger(holder) &&
        holder > 1 &&
        holder !== process.pid &&
        processAlive(holder)
      ) {
        throw new StoreError(
          `the workspace ${folder} is in use by process ${holder}; wait for it to finish, or use a PostgreSQL server (DATABASE_URL) for several users at once`,
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new StoreError(`cannot take the lock ${lockPath}; remove it if no nrr process is running`);
}

/** The calls of the database's Emscripten file system that `copyOut` makes. */
interface MemoryFiles {
  readFile(path: string): Uint8Array;
  analyzePath(path: string): { exists: boolean };
  unlink(path: string): void;
}

/** Numbers the files that `copyOut` writes, so that two reads never share one. */
let copyFiles = 0;

class EmbeddedQueries implements Queryable {
  constructor(
    private readonly target: PGlite | Transaction,
    private readonly instance: PGlite,
  ) {}

  async query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const result = await this.target.query<T>(sql, [...params], { parsers: TEXT_PARSERS });
    return result.rows;
  }

  async copyIn(
    table: string,
    columns: readonly string[],
    rows: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  ): Promise<void> {
    const statement = copyInStatement(table, columns, `'/dev/blob'`);
    for await (const chunk of rows) {
      await this.target.query(statement, [], { blob: new Blob([chunk]) });
    }
  }

  /**
   * Writes the rows to a file of the database's in-memory file system and reads it back. A
   * `/dev/blob` result arrives as one Blob part per row. At a million lines, assembling and
   * decoding those parts took about 2 s, and reading the file takes a fraction of a second.
   */
  async copyOut(query: string): Promise<string> {
    const file = `/tmp/nrr-copy-out-${++copyFiles}.csv`;
    const fs = (this.instance.Module as unknown as { FS: MemoryFiles }).FS;
    try {
      await this.target.query(`COPY (${query}) TO '${file}' WITH (FORMAT csv)`);
      const bytes = fs.readFile(file);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    } finally {
      if (fs.analyzePath(file).exists) fs.unlink(file);
    }
  }
}

class EmbeddedDatabase extends EmbeddedQueries implements Database {
  readonly kind = 'embedded';

  constructor(
    private readonly db: PGlite,
    readonly location: string,
    private readonly release: () => void,
  ) {
    super(db, db);
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(new EmbeddedQueries(tx, this.db)));
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      this.release();
    }
  }
}

/** Opens (creating when needed) the embedded database kept in `folder`. */
export async function openEmbedded(folder: string): Promise<Database> {
  const absolute = path.resolve(folder);
  try {
    mkdirSync(absolute, { recursive: true });
  } catch (error) {
    throw new StoreError(
      `cannot create the workspace folder ${absolute}: ${(error as Error).message}`,
    );
  }
  const release = takeLock(absolute);
  try {
    const dataDir = path.join(absolute, 'pgdata');
    if (!existsSync(dataDir)) {
      // Creating the database loads a second WebAssembly module (initdb) that stays in memory
      // while the instance lives; reopening frees it, about 400 MiB.
      await (await PGlite.create(dataDir)).close();
    }
    const db = await PGlite.create(dataDir);
    return new EmbeddedDatabase(db, absolute, release);
  } catch (error) {
    release();
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      `cannot open the embedded database in ${absolute}: ${reason}; check that ${path.join(absolute, 'pgdata')} is a database folder written by nrr`,
    );
  }
}
