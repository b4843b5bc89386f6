/**
 * The embedded driver: PostgreSQL compiled to WebAssembly (PGlite), keeping its files in a folder
 * on disk. One process at a time may open a folder, and a lock file inside it records which.
 */
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  copyInStatement,
  StoreError,
  type Database,
  type Queryable,
  type Row,
  type SqlValue,
} from './driver.js';
import type { EmbeddedReply, EmbeddedRequest } from './embedded-worker.js';
import { inBuild } from './build-path.js';

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
          `the workspace ${folder} is in use by process ${holder}; wait for it to finish (a running nrr serve keeps it until stopped, and its dashboard and API reach the same data), or use a PostgreSQL server (DATABASE_URL) for several users at once`,
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new StoreError(`cannot take the lock ${lockPath}; remove it if no nrr process is running`);
}

/** Requests kept in flight while a COPY streams, so parsing and storing overlap. */
const COPY_IN_FLIGHT = 2;

/** Distributes the requests of the main thread, without `id`. */
type Request = EmbeddedRequest extends infer R
  ? R extends unknown
    ? Omit<R, 'id'>
    : never
  : never;

/** The worker thread that runs the database, and the requests waiting for its replies. */
class Link {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;
  private failure: Error | undefined;

  constructor() {
    this.worker = new Worker(inBuild('src/store/embedded-worker.js'));
    // The worker keeps the process alive only while a reply is awaited (see `send`).
    this.worker.unref();
    this.worker.on('message', (reply: EmbeddedReply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) =>
      this.fail(new StoreError(`the embedded database stopped (exit code ${code})`)),
    );
  }

  send(request: Request, transfer: readonly ArrayBuffer[] = []): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id }, [...transfer]);
    });
  }

  async stop(): Promise<void> {
    this.failure ??= new StoreError('the embedded database is closed');
    await this.worker.terminate();
  }

  private settle(reply: EmbeddedReply): void {
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(Object.assign(new Error(reply.error.message), reply.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    this.worker.unref();
  }
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

class EmbeddedQueries implements Queryable {
  constructor(
    protected readonly link: Link,
    /** The transaction these queries run in, 0 for none. */
    private readonly tx: number,
  ) {}

  async query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.link.send({ op: 'query', tx: this.tx, sql, params })) as T[];
  }

  async copyIn(
    table: string,
    columns: readonly string[],
    rows: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  ): Promise<void> {
    const statement = copyInStatement(table, columns, `'/dev/blob'`);
    const inFlight: Promise<unknown>[] = [];
    let failure: unknown;
    try {
      for await (const chunk of rows) {
        // A string is encoded into a buffer of its own, which moves to the worker. Bytes from the
        // caller are copied instead, because the caller may reuse them.
        const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
        const transfer = typeof chunk === 'string' ? [bytes.buffer as ArrayBuffer] : [];
        const sent = this.link.send({ op: 'copyIn', tx: this.tx, statement, bytes }, transfer);
        // Awaited below or in `allSettled`; until then a failure must not count as unhandled.
        sent.catch(() => undefined);
        inFlight.push(sent);
        if (inFlight.length >= COPY_IN_FLIGHT) await inFlight.shift();
      }
    } catch (error) {
      failure = error;
    }
    // Every chunk sent is awaited, so none is left running when the caller moves on; the first
    // failure is the one raised.
    const results = await Promise.allSettled(inFlight);
    if (failure !== undefined) throw failure as Error;
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  async copyOut(query: string): Promise<string> {
    const bytes = (await this.link.send({ op: 'copyOut', tx: this.tx, query })) as Uint8Array;
    return decoder.decode(bytes);
  }
}

class EmbeddedDatabase extends EmbeddedQueries implements Database {
  readonly kind = 'embedded';

  constructor(
    link: Link,
    readonly location: string,
    private readonly release: () => void,
  ) {
    super(link, 0);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const tx = (await this.link.send({ op: 'begin' })) as number;
    let result: T;
    try {
      result = await work(new EmbeddedQueries(this.link, tx));
    } catch (error) {
      // The work's error is the one to report; a failed rollback leaves nothing stored either.
      await this.link.send({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw error;
    }
    await this.link.send({ op: 'end', tx, commit: true });
    return result;
  }

  async close(): Promise<void> {
    try {
      await this.link.send({ op: 'close' });
      await this.link.stop();
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
  let link: Link | undefined;
  const dataDir = path.join(absolute, 'pgdata');
  try {
    const copied = !existsSync(dataDir) && copyTemplate(dataDir);
    if (!existsSync(dataDir)) await initialise(dataDir);
    link = new Link();
    try {
      await link.send({ op: 'open', dataDir });
    } catch (error) {
      if (!copied) throw error;
      // A template from another version of the database fails to open; initdb replaces it.
      await link.stop();
      rmSync(dataDir, { recursive: true, force: true });
      await initialise(dataDir);
      link = new Link();
      await link.send({ op: 'open', dataDir });
    }
    return new EmbeddedDatabase(link, absolute, release);
  } catch (error) {
    await link?.stop();
    release();
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      `cannot open the embedded database in ${absolute}: ${reason}; check that ${dataDir} is a database folder written by nrr`,
    );
  }
}

/** Returns the folder of the empty database that the build creates beside the compiled code. */
export function templateFolder(): string {
  return fileURLToPath(inBuild('pgdata-template'));
}

/**
 * Copies the build's empty database to `dataDir`, which takes a fraction of a second where
 * initdb takes several. Returns false when there is no template.
 */
function copyTemplate(dataDir: string): boolean {
  const template = templateFolder();
  if (!existsSync(path.join(template, 'PG_VERSION'))) return false;
  cpSync(template, dataDir, { recursive: true });
  return true;
}

/**
 * Creates an empty database in `dataDir` with initdb. Creating loads a second WebAssembly module
 * (initdb) that would stay in memory while the instance lives, about 400 MiB, so a thread of its
 * own creates the database and ends, which frees that memory at once.
 */
async function initialise(dataDir: string): Promise<void> {
  const creator = new Link();
  try {
    await creator.send({ op: 'open', dataDir });
    await creator.send({ op: 'close' });
  } finally {
    await creator.stop();
  }
}

/**
 * Creates the build's empty database, replacing an earlier one. It is written to a folder beside
 * the template and renamed, so a failed or interrupted build never leaves half a template.
 */
export async function createTemplate(): Promise<string> {
  const template = templateFolder();
  const partial = `${template}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await initialise(partial);
  rmSync(template, { recursive: true, force: true });
  renameSync(partial, template);
  return template;
}
