/**
 * Teams in the workspace: one row per CSM naming their team and manager. An import replaces the
 * whole list in one transaction, because a teams file describes the organisation as it is now.
 */
import type { TeamMember } from '../core/teams.js';
import type { Database } from './driver.js';
import { isoTime } from './driver.js';

export type { TeamMember } from '../core/teams.js';

/** A stored team member with the file and import it came from. */
export interface StoredTeamMember extends TeamMember {
  readonly source: string;
  readonly importedAt: string;
  readonly importedBy: string;
}

/** Lists the stored team members by team, then person. */
export async function listTeamMembers(db: Database): Promise<StoredTeamMember[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT person, team, manager, source, imported_by, ${isoTime('imported_at')} AS imported_iso
     FROM team_members
     ORDER BY team, person`,
  );
  return rows.map((row) => ({
    person: String(row['person']),
    team: String(row['team']),
    manager: String(row['manager']),
    source: String(row['source']),
    importedAt: String(row['imported_iso']),
    importedBy: String(row['imported_by']),
  }));
}

/**
 * Replaces every stored team member with `members` in one transaction, and returns how many
 * were stored and how many earlier rows were removed. On any failure the stored teams stay.
 */
export async function replaceTeamMembers(
  db: Database,
  members: readonly TeamMember[],
  source: string,
  user: string,
): Promise<{ stored: number; removed: number }> {
  const importedAt = new Date().toISOString();
  return db.transaction(async (tx) => {
    const removed = await tx.query('DELETE FROM team_members RETURNING person');
    for (const member of members) {
      await tx.query(
        `INSERT INTO team_members (person, team, manager, source, imported_at, imported_by)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [member.person, member.team, member.manager, source, importedAt, user],
      );
    }
    return { stored: members.length, removed: removed.length };
  });
}
