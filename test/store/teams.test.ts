/**
 * Teams: the teams file (CSV and XLSX), the replace-all store, `GET /api/teams` and the sample
 * company's teams.
 */
import ExcelJS from 'exceljs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dayFromCivil } from '../../src/core/dates.js';
import { generateCompany, sampleTeams } from '../../src/generate/index.js';
import { ImportError } from '../../src/ingest/problems.js';
import { readTeamsFile, readTeamsText } from '../../src/ingest/teams.js';
import { createApp } from '../../src/server/app.js';
import { listTeamMembers, replaceTeamMembers } from '../../src/store/teams.js';
import { Workspace } from '../../src/store/workspace.js';
import { DRIVERS, openLocation, type TestLocation } from './databases.js';

const TEAMS = `person,team,manager
Ana,North,Mia
Ben,North,Mia
Cleo,South,Raj
`;

function problemsOf(run: () => unknown): ImportError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('teams file', () => {
  test('reads person, team and manager', () => {
    expect(readTeamsText(TEAMS, 'teams.csv')).toEqual([
      { person: 'Ana', team: 'North', manager: 'Mia' },
      { person: 'Ben', team: 'North', manager: 'Mia' },
      { person: 'Cleo', team: 'South', manager: 'Raj' },
    ]);
  });

  test('accepts csm for person', () => {
    const members = readTeamsText('CSM,Team,Manager\nAna,North,Mia\n', 'teams.csv');
    expect(members).toEqual([{ person: 'Ana', team: 'North', manager: 'Mia' }]);
  });

  test('reports every bad row', () => {
    const text = `person,team,manager
Ana,North,Mia
,North,Mia
Ben,,Mia
Ana,South,Raj
Cleo,North,Raj
`;
    const error = problemsOf(() => readTeamsText(text, 'teams.csv'));
    expect(error.problems).toEqual([
      expect.objectContaining({ file: 'teams.csv', row: 3, column: 'person', value: '' }),
      expect.objectContaining({ file: 'teams.csv', row: 4, column: 'team', value: '' }),
      expect.objectContaining({ file: 'teams.csv', row: 5, column: 'person', value: 'Ana' }),
      expect.objectContaining({ file: 'teams.csv', row: 6, column: 'manager', value: 'Raj' }),
    ]);
    expect(error.problems[2]?.message).toContain('row 2');
    expect(error.problems[3]?.message).toContain('"Mia"');
    expect(error.message).toContain('nothing was imported');
  });

  test('names a missing column', () => {
    const error = problemsOf(() => readTeamsText('person,team\nAna,North\n', 'teams.csv'));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ row: 1, column: 'manager' });
  });

  test('reads the first sheet of a workbook', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Teams');
    sheet.addRows([
      ['Person', 'Team', 'Manager'],
      ['Ana', 'North', 'Mia'],
      ['Ben', 'North', ''],
    ]);
    const data = Buffer.from(await workbook.xlsx.writeBuffer());
    await expect(readTeamsFile(data, 'teams.xlsx')).rejects.toMatchObject({
      problems: [
        expect.objectContaining({ file: 'teams.xlsx sheet "Teams"', row: 3, column: 'Manager' }),
      ],
    });
    sheet.getCell('C3').value = 'Mia';
    const fixed = Buffer.from(await workbook.xlsx.writeBuffer());
    expect(await readTeamsFile(fixed, 'teams.xlsx')).toHaveLength(2);
  });

  test('rejects a file that is no workbook', async () => {
    await expect(readTeamsFile(Buffer.from('not a zip'), 'teams.xlsx')).rejects.toBeInstanceOf(
      ImportError,
    );
  });
});

describe('sample teams', () => {
  test('puts every CSM in one regional team', () => {
    const dataset = generateCompany({ accounts: 300, seed: 7 });
    const members = sampleTeams(dataset, 7);
    const csms = new Set(dataset.assignments.map((assignment) => assignment.person));
    expect(new Set(members.map((member) => member.person))).toEqual(csms);
    expect(new Set(members.map((member) => member.team))).toEqual(
      new Set(['AMER team', 'EMEA team', 'APAC team']),
    );
    for (const member of members) expect(csms.has(member.manager)).toBe(false);
    // The file the generator writes reads back as it was built.
    const text = [
      'person,team,manager',
      ...members.map((m) => `${m.person},${m.team},${m.manager}`),
    ];
    expect(readTeamsText(text.join('\n'), 'teams.csv')).toEqual(members);
  });
});

describe.each(DRIVERS)('team store on %s', (driver) => {
  let location: TestLocation;
  let workspace: Workspace;

  beforeAll(async () => {
    location = await openLocation(driver);
    workspace = await Workspace.open(location.location);
  });

  afterAll(async () => {
    await workspace.close();
    await location.drop();
  });

  test('replaces the whole list', async () => {
    const first = await replaceTeamMembers(
      workspace.db,
      readTeamsText(TEAMS, 'teams.csv'),
      'teams.csv',
      'tester',
    );
    expect(first).toEqual({ stored: 3, removed: 0 });
    const second = await replaceTeamMembers(
      workspace.db,
      [{ person: 'Dan', team: 'West', manager: 'Lou' }],
      'west.csv',
      'tester',
    );
    expect(second).toEqual({ stored: 1, removed: 3 });
    const stored = await listTeamMembers(workspace.db);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      person: 'Dan',
      team: 'West',
      manager: 'Lou',
      source: 'west.csv',
      importedBy: 'tester',
    });
  });

  test('keeps the stored teams when a write fails', async () => {
    const twice = { person: 'Eve', team: 'East', manager: 'Kim' };
    await expect(
      replaceTeamMembers(workspace.db, [twice, twice], 'east.csv', 'tester'),
    ).rejects.toThrow();
    const stored = await listTeamMembers(workspace.db);
    expect(stored.map((member) => member.person)).toEqual(['Dan']);
  });

  test('GET /api/teams groups members', async () => {
    await replaceTeamMembers(workspace.db, readTeamsText(TEAMS, 'teams.csv'), 't.csv', 'tester');
    const app = createApp({
      workspace,
      logger: pino({ level: 'silent' }),
      today: () => dayFromCivil(2025, 7, 1),
      user: 'tester',
    });
    const response = await app.request('/api/teams');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      teams: [
        { team: 'North', manager: 'Mia', members: ['Ana', 'Ben'] },
        { team: 'South', manager: 'Raj', members: ['Cleo'] },
      ],
    });
  });
});
