/**
 * The server driver: a PostgreSQL server reached through a connection string (`DATABASE_URL`),
 * for a team that shares one workspace.
 */
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import {
  copyInStatement,
  StoreError,
  type Database,
  type Queryable,
  type Row,
  type SqlValue,
} from './driver.js';

const DATE_OID = 1082;
const NUMERIC_OID = 1700;
const TIMESTAMPTZ_OID = 1184;
const INT8_OID = 20;

/** Dates, decimals and timestamps as text; 64-bit integers (row ids) as numbers. */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === DATE_OID || oid === NUMERIC_OID || oid === TIMESTAMPTZ_OID) {
      return (value: string) => value;
    }
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

type Client = pg.PoolClient | pg.Pool;

class ServerQueries implements Queryable {
  constructor(protected readonly client: Client) {}

  async query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const result = await this.client.query<T>(sql, [...params]);
    return result.rows;
  }

  async copyIn(
    table: string,
    columns: readonly string[],
    rows: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  ): Promise<void> {
    await this.withClient(async (client) => {
      const stream = client.query(copyFrom(copyInStatement(table, columns, 'STDIN')));
      await pipeline(Readable.from(rows), stream);
    });
  }

  async copyOut(query: string): Promise<string> {
    return this.withClient(async (client) => {
      const chunks: Buffer[] = [];
      const stream = client.query(copyTo(`COPY (${query}) TO STDOUT WITH (FORMAT csv)`));
      await pipeline(
        stream,
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            chunks.push(chunk);
            done();
          },
        }),
      );
      return Buffer.concat(chunks).toString('utf8');
    });
  }

  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.client instanceof pg.Pool) {
      const client = await this.client.connect();
      try {
        return await work(client);
      } finally {
        client.release();
      }
    }
    return work(this.client);
  }
}

class ServerDatabase extends ServerQueries implements Database {
  readonly kind = 'server';

  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {
    super(pool);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(new ServerQueries(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Replaces the password in a connection string, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the DATABASE_URL given';
  }
}

/** Connects to the PostgreSQL server at `url` and checks that it responds to a query. */
export async function openServer(url: string): Promise<Database> {
  const location = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError(
      'DATABASE_URL is not a valid URL; use postgres://USER@HOST:PORT/DATABASE, e.g. postgres://postgres@127.0.0.1:5432/nrr',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new StoreError(
      `DATABASE_URL ${location} uses ${parsed.protocol.replace(/:$/, '')}; nrr needs a postgres:// or postgresql:// URL`,
    );
  }
  if (parsed.hostname === '') {
    throw new StoreError(
      `DATABASE_URL ${location} names no host; use postgres://USER@HOST:PORT/DATABASE`,
    );
  }
  let pool: pg.Pool;
  try {
    pool = new pg.Pool({ connectionString: url, max: 4, types: typeParsers });
  } catch (error) {
    throw new StoreError(`cannot use DATABASE_URL ${location}: ${(error as Error).message}`);
  }
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StoreError(
      `cannot connect to the PostgreSQL server at ${location}: ${(error as Error).message}; check DATABASE_URL and that the server runs`,
    );
  }
  return new ServerDatabase(pool, location);
}
