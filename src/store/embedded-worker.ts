/**
 * The thread that runs the embedded database. PGlite executes PostgreSQL as WebAssembly on the
 * thread that calls it, so in the main thread every statement would stop the reading of files
 * and the handling of requests until it finished. Here it runs beside them: while the database
 * stores one chunk of an import, the main thread parses the next.
 *
 * The main thread sends requests (`EmbeddedRequest`) and receives one reply per request. Rows,
 * COPY input and COPY output cross as structured clones or transferred bytes.
 */
import { parentPort } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';

/** Types read as text, so dates stay calendar dates and decimals stay exact. */
const TEXT_PARSERS = {
  [types.DATE]: (value: string) => value,
  [types.NUMERIC]: (value: string) => value,
  [types.TIMESTAMPTZ]: (value: string) => value,
  [types.INT8]: (value: string) => Number(value),
};

/** A request from the main thread; `tx` names an open transaction, 0 for none. */
export type EmbeddedRequest =
  | { readonly id: number; readonly op: 'open'; readonly dataDir: string }
  | {
      readonly id: number;
      readonly op: 'query';
      readonly tx: number;
      readonly sql: string;
      readonly params: readonly unknown[];
    }
  | {
      readonly id: number;
      readonly op: 'copyIn';
      readonly tx: number;
      readonly statement: string;
      readonly bytes: Uint8Array;
    }
  | { readonly id: number; readonly op: 'copyOut'; readonly tx: number; readonly query: string }
  | { readonly id: number; readonly op: 'begin' }
  | { readonly id: number; readonly op: 'end'; readonly tx: number; readonly commit: boolean }
  | { readonly id: number; readonly op: 'close' };

/** An error as it crosses to the main thread: its message and PostgreSQL's fields. */
export interface ErrorFields {
  readonly message: string;
  readonly [field: string]: string | number | undefined;
}

export type EmbeddedReply =
  | { readonly id: number; readonly ok: true; readonly value?: unknown }
  | { readonly id: number; readonly ok: false; readonly error: ErrorFields };

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
        if (output === undefined) throw new Error(`nothing reads ${String(stream.path)}`);
        output.append(buffer.subarray(offset, offset + length));
        return length;
      },
    });
  }

  /** Runs `copy` with a path to write to, and returns the bytes it wrote there. */
  async read(copy: (path: string) => Promise<unknown>): Promise<Uint8Array> {
    const path = `/dev/nrr-copy-out-${++this.reads}`;
    const output = new Output();
    this.outputs.set(path, output);
    this.fs.mkdev(path, this.device);
    try {
      await copy(path);
      return output.bytes();
    } finally {
      this.outputs.delete(path);
      this.fs.unlink(path);
    }
  }
}

/** Bytes written to a `CopyOutDevice` path. */
class Output {
  private buffer = new Uint8Array(1 << 16);
  private length = 0;

  append(chunk: Uint8Array): void {
    const needed = this.length + chunk.length;
    if (needed > this.buffer.length) {
      const larger = new Uint8Array(Math.max(needed, this.buffer.length * 2));
      larger.set(this.buffer.subarray(0, this.length));
      this.buffer = larger;
    }
    this.buffer.set(chunk, this.length);
    this.length = needed;
  }

  /**
   * Returns the bytes written, as a view of the start of the buffer that the caller may transfer.
   * Copying them out first would hold a second copy of the largest read at its peak.
   */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/** A transaction held open until the main thread ends it. */
interface OpenTransaction {
  readonly tx: Transaction;
  readonly end: (commit: boolean) => void;
  /** Settles once PGlite has committed or rolled back. */
  readonly done: Promise<void>;
}

/** Thrown inside PGlite's transaction callback to make it roll back. */
class RollBack extends Error {}

class DatabaseHost {
  private db: PGlite | undefined;
  private device: CopyOutDevice | undefined;
  private readonly transactions = new Map<number, OpenTransaction>();
  private nextTransaction = 0;

  async handle(request: EmbeddedRequest): Promise<{ value?: unknown; transfer?: ArrayBuffer[] }> {
    switch (request.op) {
      case 'open': {
        this.db = await PGlite.create(request.dataDir);
        this.device = new CopyOutDevice(this.db);
        return {};
      }
      case 'query': {
        const result = await this.target(request.tx).query(request.sql, [...request.params], {
          parsers: TEXT_PARSERS,
        });
        return { value: result.rows };
      }
      case 'copyIn': {
        await this.target(request.tx).query(request.statement, [], {
          blob: new Blob([request.bytes]),
        });
        return {};
      }
      case 'copyOut': {
        const target = this.target(request.tx);
        const bytes = await this.openDevice().read((path) =>
          target.query(`COPY (${request.query}) TO '${path}' WITH (FORMAT csv)`),
        );
        return { value: bytes, transfer: [bytes.buffer as ArrayBuffer] };
      }
      case 'begin':
        return { value: await this.begin() };
      case 'end': {
        const open = this.transactions.get(request.tx);
        if (open === undefined) throw new Error(`no open transaction ${request.tx}`);
        this.transactions.delete(request.tx);
        open.end(request.commit);
        await open.done;
        return {};
      }
      case 'close': {
        await this.db?.close();
        this.db = undefined;
        return {};
      }
    }
  }

  /** Opens a transaction and returns its number once PGlite has begun it. */
  private begin(): Promise<number> {
    const db = this.openDatabase();
    const number = ++this.nextTransaction;
    return new Promise<number>((begun, failed) => {
      let end: (commit: boolean) => void = () => undefined;
      const decided = new Promise<boolean>((resolve) => (end = resolve));
      const done = db
        .transaction(async (tx) => {
          this.transactions.set(number, { tx, end, done });
          begun(number);
          if (!(await decided)) throw new RollBack();
        })
        .catch((error: unknown) => {
          if (!(error instanceof RollBack)) throw error;
        });
      done.catch(failed);
    });
  }

  private target(tx: number): PGlite | Transaction {
    if (tx === 0) return this.openDatabase();
    const open = this.transactions.get(tx);
    if (open === undefined) throw new Error(`no open transaction ${tx}`);
    return open.tx;
  }

  private openDatabase(): PGlite {
    if (this.db === undefined) throw new Error('the embedded database is not open');
    return this.db;
  }

  private openDevice(): CopyOutDevice {
    if (this.device === undefined) throw new Error('the embedded database is not open');
    return this.device;
  }
}

/** Copies an error's message and its string and number fields (PostgreSQL's code, detail...). */
function errorFields(error: unknown): ErrorFields {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: Record<string, string | number | undefined> = { message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return fields as ErrorFields;
}

/** Returns the transaction a request belongs to, 0 for none. */
function laneOf(request: EmbeddedRequest): number {
  return 'tx' in request ? request.tx : 0;
}

const port = parentPort;
if (port !== null) {
  const host = new DatabaseHost();
  // Requests of one transaction run one after another, in the order sent: the next chunk of a
  // COPY waits for the one before it. Requests outside any transaction form a lane of their
  // own, so a read waiting for an open transaction never holds up that transaction's requests.
  const lanes = new Map<number, Promise<void>>();
  port.on('message', (request: EmbeddedRequest) => {
    const lane = laneOf(request);
    const run = (lanes.get(lane) ?? Promise.resolve()).then(() =>
      host.handle(request).then(
        ({ value, transfer }) => {
          const reply: EmbeddedReply = { id: request.id, ok: true, value };
          port.postMessage(reply, transfer ?? []);
        },
        (error: unknown) => {
          const reply: EmbeddedReply = { id: request.id, ok: false, error: errorFields(error) };
          port.postMessage(reply);
        },
      ),
    );
    lanes.set(lane, run);
    // The lane is forgotten once idle, so finished transactions leave nothing behind.
    void run.then(() => {
      if (lanes.get(lane) === run) lanes.delete(lane);
    });
  });
}
