/**
 * `nrr teams` and team targets in `nrr check`, run as a user runs them, on the book of
 * test/server/behind-workspace.ts checked at 2025-06-30 (fiscal year 2025 from January).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BEHIND_LINES } from '../server/behind-workspace.js';
import { DRIVERS, openLocation, type TestLocation } from '../store/databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist/src/cli/main.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'nrr-teams-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface CheckJson {
  books: {
    scope: string;
    book: string;
    behind: boolean;
    fiscalYearToDate: { startArr: number; endArr: number };
    plan: { nrr: { needed: number } | null };
  }[];
}

describe.each(DRIVERS)('nrr teams on the %s driver', (driver) => {
  let location: TestLocation;

  beforeEach(async () => {
    location = await openLocation(driver);
  });

  afterEach(async () => {
    await location.drop();
  });

  function nrr(...args: string[]) {
    const result = spawnSync(process.execPath, [CLI, ...args, ...location.flags], {
      cwd: scratch,
      env: { ...location.env, NRR_USER: 'tester' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  function write(name: string, text: string): string {
    const file = path.join(scratch, `${driver}-${name}`);
    writeFileSync(file, text);
    return file;
  }

  test('team behind its target', () => {
    expect(nrr('import', write('lines.csv', BEHIND_LINES)).status).toBe(0);

    const bad = nrr(
      'teams',
      'import',
      write('bad.csv', 'csm,team,manager\nAna,North,Mia\nBen,North,\n'),
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('bad.csv row 3, column "manager": value is missing');
    const none = nrr('teams', '--format', 'json');
    expect(JSON.parse(none.stdout)).toEqual([]);

    const good = nrr(
      'teams',
      'import',
      write('teams.csv', 'csm,team,manager\nAna,North,Mia\nBen,North,Mia\n'),
    );
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('Stored 2 team members in 1 team from');
    const listed = nrr('teams');
    expect(listed.stdout).toMatch(/North +Mia +Ana/);

    const targets = 'scope,book,fiscal_year,nrr_target,grr_target\nteam,North,2025,100,\n';
    expect(nrr('targets', 'import', write('targets.csv', targets)).status).toBe(0);
    const check = nrr('check', '--month', '2025-06', '--format', 'json');
    // Exit code 2: the team is behind its glide path.
    expect(check.status).toBe(2);
    const north = (JSON.parse(check.stdout) as CheckJson).books.find(
      (book) => book.scope === 'team' && book.book === 'North',
    );
    // Cohort on 2024-12-31: Ana A 100,000 + B 50,000 + G 20,000, Ben C 200,000 + D 40,000 +
    // E 60,000 = 470,000 (in cents below).
    expect(north?.fiscalYearToDate.startArr).toBe(47_000_000);
    // At June: A 110,000 + B 50,000 + G 20,000 (lapsed inside its grace window) + C 200,000 +
    // D 40,000 = 420,000, below the 100% path of 470,000.
    expect(north?.fiscalYearToDate.endArr).toBe(42_000_000);
    expect(north?.behind).toBe(true);
    // Contracted on 2025-12-31: A 110,000 + C 150,000 = 260,000; 470,000 − 260,000 = 210,000.
    expect(north?.plan.nrr?.needed).toBe(21_000_000);

    const table = nrr('check', '--month', '2025-06');
    expect(table.stdout).toMatch(/team North .* BEHIND/);
  });
});
