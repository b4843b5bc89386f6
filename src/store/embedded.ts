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

/** The calls of the database's Emscripten file system that `CopyOutDevice` makes. */
interface DeviceFiles {
  makedev(major: number, minor: number): number;
  registerDevice(device: number, operations: object): void;
  mkdev(path: string, device: number): void;
  unlink(path: string): void;
}

/**
 * A character device of the database's file system that keeps what COPY TO writes to it in
 * memory, in a buffer that doubles as it fills. Each read writes to a path of its own, so reads
 * queued at once (one outside a transaction, one inside it) never mix their rows. PGlite's own
 * `/dev/blob` returns a Blob of one part per row, and at a million lines assembling and decoding
 * those parts took about 2 s. A file of the in-memory file system grows by an eighth at a time
 * past 1 MiB, and a profile showed 1.4 s of copying for one.
 */
class CopyOutDevice {
  private readonly fs: DeviceFiles;
  private readonly device: number;
  /** Output of each read under way, by its path. */
  private readonly outputs = new Map<string, Output>();
  private reads = 0;

  constructor(instance: PGlite) {
    this.fs = (instance.Module as unknown as { FS: DeviceFiles }).FS;
    // PGlite registers /dev/blob as device 64.
    this.device = this.fs.makedev(65, 0);
    this.fs.registerDevice(this.device, {
      open: () => undefined,
      close: () => undefined,
      write: (stream: { path?: string }, buffer: Uint8Array, offset: number, length: number) => {
        const output = this.outputs.get(stream.path ?? '');
        if (output === undefined) throw new StoreError(`nothing reads ${String(stream.path)}`);
        output.append(buffer.subarray(offset, offset + length));
        return length;
      },
    });
  }

  /** Runs `copy` with a path to write to, and returns what it wrote there as text. */
  async read(copy: (path: string) => Promise<unknown>): Promise<string> {
    const path = `/dev/nrr-copy-out-${++this.reads}`;
    const output = new Output();
    this.outputs.set(path, output);
    this.fs.mkdev(path, this.device);
    try {
      await copy(path);
      return output.text();
    } finally {
      this.outputs.delete(path);
      this.fs.unlink(path);
    }
  }
}

/** Bytes written to a `CopyOutDevice` path. */
class Output {
  private bytes = new Uint8Array(1 << 16);
  private length = 0;

  append(chunk: Uint8Array): void {
    const needed = this.length + chunk.length;
    if (needed > this.bytes.length) {
      const larger = new Uint8Array(Math.max(needed, this.bytes.length * 2));
      larger.set(this.bytes.subarray(0, this.length));
      this.bytes = larger;
    }
    this.bytes.set(chunk, this.length);
    this.length = needed;
  }

  text(): string {
    return Buffer.from(this.bytes.buffer, 0, this.length).toString('utf8');
  }
}

class EmbeddedQueries implements Queryable {
  constructor(
    private readonly target: PGlite | Transaction,
    protected readonly device: CopyOutDevice,
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

  copyOut(query: string): Promise<string> {
    return this.device.read((path) =>
      this.target.query(`COPY (${query}) TO '${path}' WITH (FORMAT csv)`),
    );
  }
}

class EmbeddedDatabase extends EmbeddedQueries implements Database {
  readonly kind = 'embedded';

  constructor(
    private readonly db: PGlite,
    readonly location: string,
    private readonly release: () => void,
  ) {
    super(db, new CopyOutDevice(db));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(new EmbeddedQueries(tx, this.device)));
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
