/**
 * The teams file: one row per CSM with their team and manager, as CSV or an XLSX workbook (its
 * first worksheet). A file with any bad row is rejected as a whole, with one problem per bad cell.
 */
import type { TeamMember } from '../core/teams.js';
import { ProblemList } from './problems.js';
import { RowReader } from './row-reader.js';
import { loadSource } from './sources.js';
import { fieldSpec, parseTable, resolveColumns, tableFromRecords, type Table } from './table.js';

type TeamField = 'person' | 'team' | 'manager';

const TEAM_FIELDS = [
  fieldSpec<TeamField>('person', undefined, ['person', 'csm'], true),
  fieldSpec<TeamField>('team', undefined, ['team'], true),
  fieldSpec<TeamField>('manager', undefined, ['manager'], true),
];

/** Longest name accepted in any column, in characters. */
const MAX_NAME_LENGTH = 200;

/** Reads a teams file's bytes, or throws an `ImportError` listing every bad row. */
export async function readTeamsFile(data: Buffer, file: string): Promise<TeamMember[]> {
  const problems = new ProblemList();
  const source = await loadSource(data, file, problems);
  let table: Table | undefined;
  if ('text' in source) table = parseTable(source.text, source.fileName, problems);
  else if (source.records !== undefined) {
    table = tableFromRecords(source.records, source.fileName, problems);
  }
  if (table === undefined) {
    problems.throwIfAny();
    return [];
  }
  return readTeamsTable(table, problems);
}

/** Reads a teams CSV text, or throws an `ImportError` listing every bad row. */
export function readTeamsText(text: string, file: string): TeamMember[] {
  const problems = new ProblemList();
  const table = parseTable(text, file, problems);
  if (table === undefined) {
    problems.throwIfAny();
    return [];
  }
  return readTeamsTable(table, problems);
}

function readTeamsTable(table: Table, problems: ProblemList): TeamMember[] {
  const { file } = table;
  const columns = resolveColumns(table, TEAM_FIELDS, {}, problems);
  const members: TeamMember[] = [];
  const personRow = new Map<string, number>();
  const managerOf = new Map<string, { manager: string; row: number }>();
  for (const row of table.rows) {
    const reader = new RowReader(file, row, problems);
    const person = reader.required(columns.person, 'name the CSM as the owner assignments do');
    const team = reader.required(columns.team, 'name the team the CSM belongs to');
    const manager = reader.required(columns.manager, "name the team's manager");
    for (const [column, value] of [
      [columns.person, person],
      [columns.team, team],
      [columns.manager, manager],
    ] as const) {
      if (column !== undefined && value !== undefined && value.length > MAX_NAME_LENGTH) {
        reader.report(column, value, `is longer than ${MAX_NAME_LENGTH} characters; shorten it`);
      }
    }
    if (reader.failed || person === undefined || team === undefined || manager === undefined) {
      continue;
    }
    const earlier = personRow.get(person);
    if (earlier !== undefined && columns.person !== undefined) {
      reader.report(
        columns.person,
        person,
        `is already listed on row ${earlier}; a CSM belongs to one team, so keep one row per CSM`,
      );
      continue;
    }
    const teamManager = managerOf.get(team);
    if (
      teamManager !== undefined &&
      teamManager.manager !== manager &&
      columns.manager !== undefined
    ) {
      reader.report(
        columns.manager,
        manager,
        `differs from the manager ${JSON.stringify(teamManager.manager)} that row ${teamManager.row} gives team ${JSON.stringify(team)}; a team has one manager, so use the same name on every row of the team`,
      );
      continue;
    }
    personRow.set(person, row.row);
    if (teamManager === undefined) managerOf.set(team, { manager, row: row.row });
    members.push({ person, team, manager });
  }
  if (table.rows.length === 0) {
    problems.add({
      file,
      row: 1,
      column: '',
      value: '',
      message:
        'the file has a header but no rows; list one CSM per row with their team and manager',
    });
  }
  problems.throwIfAny();
  return members;
}
