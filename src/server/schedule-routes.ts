/** API route of the monthly check schedule that `nrr serve --check-day` runs. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { CheckSchedule } from '../service/schedule.js';

const RunSchema = z
  .object({
    month: z.string(),
    state: z.enum(['running', 'succeeded', 'failed']),
    attempts: z.number(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    error: z.string().nullable(),
    behindBooks: z.number().nullable(),
    alerts: z.number().nullable(),
  })
  .openapi('ScheduledCheck');

const ScheduleSchema = z
  .object({
    enabled: z.boolean(),
    checkDay: z.number().nullable(),
    running: z.string().nullable(),
    lastRun: RunSchema.nullable(),
    nextRun: z.object({ month: z.string(), due: z.string() }).nullable(),
    runs: z.array(RunSchema),
  })
  .openapi('CheckSchedule');

/** Registers `GET /api/checks/schedule`; without a schedule it reports `enabled: false`. */
export function registerScheduleRoutes(
  app: OpenAPIHono,
  schedule: CheckSchedule | undefined,
): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/checks/schedule',
      summary: "The server's monthly check schedule: the month running, the last and next run",
      responses: {
        200: {
          content: { 'application/json': { schema: ScheduleSchema } },
          description: 'the schedule and its stored runs, newest month first',
        },
      },
    }),
    async (c) => {
      if (schedule === undefined) {
        return c.json(
          { enabled: false, checkDay: null, running: null, lastRun: null, nextRun: null, runs: [] },
          200,
        );
      }
      const state = await schedule.state();
      return c.json({ enabled: true, ...state, runs: [...state.runs] }, 200);
    },
  );
}
