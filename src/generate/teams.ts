/**
 * The sample company's teams: one per region, managed by a person who owns no book, with every
 * CSM who has owned accounts in the region.
 */
import { writeFileSync } from 'node:fs';
import type { Dataset } from '../core/model.js';
import type { TeamMember } from '../core/teams.js';
import { REGION_NAMES } from './catalog.js';
import { csvField } from './csv.js';
import { Random } from './random.js';
import { PersonNames } from './vocabulary.js';

/** Columns of the teams file, as `nrr teams import` reads them. */
export const TEAM_COLUMNS = ['person', 'team', 'manager'] as const;

/**
 * Builds the teams of a generated dataset. Each CSM joins the team of the region where most of
 * their assignments start; a CSM in the sample works in one segment and region's pool.
 */
export function sampleTeams(dataset: Dataset, seed = 42): TeamMember[] {
  const regionOf = new Map<string, { from: number; region: string }[]>();
  for (const span of dataset.segments) {
    if (span.region === undefined || span.region === '') continue;
    const spans = regionOf.get(span.accountId) ?? [];
    spans.push({ from: span.from, region: span.region });
    regionOf.set(span.accountId, spans);
  }
  const votes = new Map<string, Map<string, number>>();
  for (const assignment of dataset.assignments) {
    if (assignment.role !== 'CSM') continue;
    const spans = regionOf.get(assignment.accountId) ?? [];
    const region = spans.filter((span) => span.from <= assignment.from).at(-1) ?? spans[0];
    if (region === undefined) continue;
    const personVotes = votes.get(assignment.person) ?? new Map<string, number>();
    personVotes.set(region.region, (personVotes.get(region.region) ?? 0) + 1);
    votes.set(assignment.person, personVotes);
  }

  const names = new PersonNames(new Random(seed, -3));
  const managers = new Map<string, string>();
  for (const region of REGION_NAMES) {
    let name = names.next();
    while (votes.has(name)) name = names.next();
    managers.set(region, name);
  }
  const members: TeamMember[] = [];
  for (const [person, personVotes] of [...votes].sort((a, b) => a[0].localeCompare(b[0]))) {
    const [region] =
      [...personVotes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [];
    if (region === undefined) continue;
    members.push({ person, team: `${region} team`, manager: managers.get(region) ?? region });
  }
  return members;
}

/** Writes team members as a teams CSV file, overwriting `file`. */
export function writeTeamsCsv(members: readonly TeamMember[], file: string): void {
  const rows = members.map((member) =>
    [member.person, member.team, member.manager].map(csvField).join(','),
  );
  writeFileSync(file, [TEAM_COLUMNS.join(','), ...rows].join('\n') + '\n');
}
