/** API route of the stored teams. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { listTeamMembers } from '../store/teams.js';
import type { Workspace } from '../store/workspace.js';

const TeamSchema = z
  .object({
    team: z.string(),
    manager: z.string(),
    members: z.array(z.string()),
  })
  .openapi('Team');

/** Registers `GET /api/teams` on `app`. */
export function registerTeamRoutes(app: OpenAPIHono, workspace: Workspace): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/teams',
      summary: 'The stored teams, each with its manager and CSMs',
      responses: {
        200: {
          content: { 'application/json': { schema: z.object({ teams: z.array(TeamSchema) }) } },
          description: 'the teams by name, their CSMs by name',
        },
      },
    }),
    async (c) => {
      const members = await listTeamMembers(workspace.db);
      const teams = new Map<string, { team: string; manager: string; members: string[] }>();
      for (const member of members) {
        const team = teams.get(member.team) ?? {
          team: member.team,
          manager: member.manager,
          members: [],
        };
        team.members.push(member.person);
        teams.set(member.team, team);
      }
      return c.json({ teams: [...teams.values()] }, 200);
    },
  );
}
