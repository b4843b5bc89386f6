/**
 * `nrr people key`, `nrr people` and `nrr people revoke` run as a user runs them, on a workspace
 * of the test's own: the key is printed once, works against the stored hash, and stops working
 * once revoked.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { keyHolder } from '../../src/store/people.js';
import { Workspace } from '../../src/store/workspace.js';
import { DRIVERS, openLocation, type TestLocation } from '../store/databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist/src/cli/main.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'nrr-people-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(DRIVERS)('nrr people on the %s driver', (driver) => {
  let location: TestLocation;

  beforeEach(async () => {
    location = await openLocation(driver);
  });

  afterEach(async () => {
    await location.drop();
  });

  function nrr(...args: string[]) {
    const result = spawnSync(process.execPath, [CLI, ...args, ...location.flags], {
      encoding: 'utf8',
      cwd: scratch,
      env: { ...location.env, NRR_USER: 'tester' },
      timeout: 120_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  async function holderOf(key: string) {
    const workspace = await Workspace.open(location.location);
    try {
      return await keyHolder(workspace.db, key);
    } finally {
      await workspace.close();
    }
  }

  test('issue, list and revoke a key', async () => {
    const issued = nrr('people', 'key', 'Ana', '--leader');
    expect(issued.stderr).toBe('');
    expect(issued.status).toBe(0);
    const key = /^(nrrk_\S+)$/m.exec(issued.stdout)?.[1] ?? '';
    expect(key).toMatch(/^nrrk_[A-Za-z0-9_-]{43}$/);
    expect(await holderOf(key)).toEqual({ person: 'Ana', leader: true });

    const listed = nrr('people');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('Ana');
    expect(listed.stdout).toContain('leader');
    expect(listed.stdout).not.toContain(key);

    expect(nrr('people', 'revoke', 'Ana').status).toBe(0);
    expect(await holderOf(key)).toBeUndefined();
    const again = nrr('people', 'revoke', 'Ana');
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('Ana has no key');
  });

  test('warn about a person in no team', () => {
    const issued = nrr('people', 'key', 'Bo');
    expect(issued.status).toBe(0);
    expect(issued.stdout).toContain('Bo is in no stored team');
  });
});
