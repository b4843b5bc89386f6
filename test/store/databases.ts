/**
 * Databases for store tests: a fresh embedded workspace folder, and, when DATABASE_URL is set, a
 * database of the test's own on that PostgreSQL server, dropped afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { Dataset } from '../../src/core/model.js';
import type { FileInput } from '../../src/service/import.js';
import type { WorkspaceLocation } from '../../src/store/workspace.js';

export interface TestLocation {
  readonly name: 'embedded' | 'server';
  readonly location: WorkspaceLocation;
  /** Environment for a child `nrr` process that should use this workspace. */
  readonly env: NodeJS.ProcessEnv;
  /** Flags for a child `nrr` process that should use this workspace. */
  readonly flags: readonly string[];
  readonly drop: () => Promise<void>;
}

export const SERVER_URL = process.env['DATABASE_URL']?.trim() || undefined;

/** Environment without DATABASE_URL, so a child process uses the folder it is given. */
export function embeddedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['DATABASE_URL'];
  delete env['NRR_WORKSPACE'];
  return env;
}

/**
 * A workspace folder of its own: a copy of the migrated template made before the tests, or with
 * `fresh`, an empty folder in which the first open creates the database.
 */
export function embeddedLocation(options: { fresh?: boolean } = {}): TestLocation {
  const folder = mkdtempSync(path.join(tmpdir(), 'nrr-ws-'));
  if (options.fresh !== true) {
    cpSync(inject('workspaceTemplate'), folder, { recursive: true });
  }
  return {
    name: 'embedded',
    location: { kind: 'embedded', folder },
    env: embeddedEnv(),
    flags: ['--workspace', folder],
    drop: () => Promise.resolve(rmSync(folder, { recursive: true, force: true })),
  };
}

/** Creates a database named for this test run on the server of DATABASE_URL. */
export async function serverLocation(): Promise<TestLocation> {
  if (SERVER_URL === undefined) throw new Error('DATABASE_URL is not set');
  const name = `nrr_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url.toString() };
  delete env['NRR_WORKSPACE'];
  return {
    name: 'server',
    location: { kind: 'server', url: url.toString() },
    env,
    flags: [],
    drop: async () => {
      const client = new pg.Client({ connectionString: SERVER_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The drivers to run a suite on: always the embedded one, the server one when configured. */
export const DRIVERS: readonly ('embedded' | 'server')[] =
  SERVER_URL === undefined ? ['embedded'] : ['embedded', 'server'];

export function openLocation(driver: 'embedded' | 'server'): Promise<TestLocation> {
  return driver === 'embedded' ? Promise.resolve(embeddedLocation()) : serverLocation();
}

if (SERVER_URL === undefined) {
  // eslint-disable-next-line no-console -- the reason a driver is left out must show in the output
  console.warn(
    'Store tests run on the embedded database only: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run them on a PostgreSQL server too.',
  );
}

/**
 * Sorts each list of a dataset by every field of its items, for comparing datasets whose lists
 * come back in any order.
 */
export function sortDataset(dataset: Dataset) {
  // Keys sorted, so that two objects with the same fields give the same text.
  const text = (item: unknown) =>
    JSON.stringify(item, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));
    });
  const by = <T>(items: readonly T[]) =>
    items
      .map((item) => ({ item, key: text(item) }))
      .sort((a, b) => compareText(a.key, b.key))
      .map(({ item }) => item);
  return {
    accounts: by(dataset.accounts),
    lines: by(dataset.lines),
    assignments: by(dataset.assignments),
    segments: by(dataset.segments),
    fxRates: by(dataset.fxRates),
  };
}

/** Orders two strings by code unit, as a sort comparator. */
function compareText(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** Makes a file to import from text, stored under its path unless another source is given. */
export function fileInput(path: string, text: string, source = path): FileInput {
  return {
    path,
    source,
    checksum: createHash('sha256').update(text).digest('hex'),
    data: Buffer.from(text),
  };
}
