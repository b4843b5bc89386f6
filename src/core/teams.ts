/**
 * Teams: a manager and the CSMs who report to them. A team's book is the union of its CSMs'
 * books, so an account moving between two CSMs of one team stays in the team's book.
 */

/**
 * One CSM's place in a team. Each person belongs to at most one team.
 * NOTE: membership has no dates, so a CSM who changes team takes their past accounts along.
 */
export interface TeamMember {
  /** The CSM, spelt as the owner assignments name them. */
  readonly person: string;
  readonly team: string;
  readonly manager: string;
}

/** Book of the CSMs that no team lists. */
export const NO_TEAM = '(no team)';

/** Maps each person to their team. */
export function teamOfPerson(members: readonly TeamMember[]): ReadonlyMap<string, string> {
  return new Map(members.map((member) => [member.person, member.team]));
}
