/**
 * Routes for the scenario lab: the workspace's named scenarios, and the figures of one run on the
 * renewals open on the as-of date.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Dimension } from '../core/groups.js';
import {
  choiceFromText,
  choiceToText,
  MAX_LATE_DAYS,
  MAX_TERM_MONTHS,
  runScenario,
  SCENARIO_OUTCOMES,
} from '../core/scenarios.js';
import { StoreError } from '../store/driver.js';
import type { StoredScenario } from '../store/scenarios.js';
import type { Workspace } from '../store/workspace.js';
import type { RenewalRouteContext } from './renewal-routes.js';

export interface ScenarioRouteContext extends RenewalRouteContext {
  readonly workspace: Workspace;
  /** Name recorded as who stored a scenario. */
  readonly user: string;
  /** Runs workspace writes one after another. */
  readonly serialise: <T>(work: () => Promise<T>) => Promise<T>;
}

const StoredSchema = z
  .object({
    name: z.string(),
    choices: z.array(
      z.object({
        account: z.string(),
        renewalDate: z.string(),
        outcome: z.enum(SCENARIO_OUTCOMES),
        basisPoints: z.number().optional(),
        effective: z.string().optional(),
        lateDays: z.number().optional(),
        termMonths: z.number().optional(),
        addOn: z.number().optional(),
        steps: z
          .array(
            z.object({
              month: z.number(),
              basisPoints: z.number().optional(),
              amount: z.number().optional(),
            }),
          )
          .optional(),
        synthetic: z
          .object({
            name: z.string(),
            csm: z.string(),
            segment: z.string(),
            region: z.string(),
            arr: z.number(),
          })
          .optional(),
      }),
    ),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('StoredScenario');

const ResultSchema = z
  .looseObject({
    name: z.string(),
    asOf: z.string(),
    openRenewals: z.number(),
    choices: z.array(z.looseObject({ account: z.string() })),
    windows: z.array(z.looseObject({ year: z.number() })),
    explanation: z.array(z.string()),
  })
  .openapi('ScenarioResult');

function viewStored(stored: StoredScenario): z.infer<typeof StoredSchema> {
  return { ...stored, choices: stored.choices.map(choiceToText) };
}

/** Registers the scenario routes. */
export function registerScenarioRoutes(app: OpenAPIHono, context: ScenarioRouteContext): void {
  const { errorResponses, dateText, versionText, workspace } = context;
  const NameParameter = z.object({
    name: z
      .string()
      .min(1)
      .openapi({ param: { name: 'name', in: 'path' }, example: 'Q1 risks' }),
  });
  const whole = z.number().int('must be a whole number').max(Number.MAX_SAFE_INTEGER);
  const text = z.string().trim().min(1, 'must not be empty');
  const ChoiceSchema = z.object({
    account: z.string().min(1, 'must name an account'),
    renewalDate: dateText,
    outcome: z.enum(SCENARIO_OUTCOMES),
    basisPoints: z
      .number()
      .int('must be a whole number')
      .min(0)
      .optional()
      .openapi({ description: 'change of ARR for uplift or downgrade; 700 is 7%' }),
    effective: dateText.optional(),
    lateDays: z
      .number()
      .int('must be a whole number')
      .min(1)
      .max(MAX_LATE_DAYS)
      .optional()
      .openapi({ description: 'days after the renewal date that the renewed term starts' }),
    termMonths: z.number().int('must be a whole number').min(1).max(MAX_TERM_MONTHS).optional(),
    addOn: whole.min(1).optional().openapi({
      description:
        'ARR added with the renewal, co-termed, in minor units of the reporting currency',
    }),
    steps: z
      .array(
        z.object({
          month: z
            .number()
            .int('must be a whole number')
            .min(1)
            .max(MAX_TERM_MONTHS - 1),
          basisPoints: whole.min(1).optional(),
          amount: whole.min(1).optional(),
        }),
      )
      .optional()
      .openapi({
        description:
          'ramp steps: months into the term, each with basis points of the ARR before it or an amount in minor units',
      }),
    synthetic: z
      .object({
        name: text,
        csm: text,
        segment: text,
        region: text,
        arr: whole.min(1),
      })
      .optional()
      .openapi({
        description:
          'a renewal that is not in the data: its account name, CSM, segment, region and ARR in minor units',
      }),
  });

  /** Reads a stored scenario; a missing one is a 404 error whose field is the name. */
  async function stored(name: string): Promise<StoredScenario> {
    try {
      return await workspace.scenarios.get(name);
    } catch (error) {
      if (error instanceof StoreError && /is not stored/.test(error.message)) {
        throw context.reject(404, 'not-found', error.message, 'name');
      }
      throw error;
    }
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/scenarios',
      summary: 'The named scenarios stored in the workspace',
      responses: {
        200: {
          content: {
            'application/json': { schema: z.object({ scenarios: z.array(StoredSchema) }) },
          },
          description: 'the scenarios, by name',
        },
      },
    }),
    async (c) => c.json({ scenarios: (await workspace.scenarios.list()).map(viewStored) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/scenarios/{name}',
      summary: 'One stored scenario and its choices',
      request: { params: NameParameter },
      responses: {
        200: {
          content: { 'application/json': { schema: StoredSchema } },
          description: 'the scenario',
        },
        ...errorResponses,
      },
    }),
    async (c) => c.json(viewStored(await stored(c.req.valid('param').name)), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/scenarios/{name}',
      summary: 'Store a scenario under a name, replacing one of that name',
      request: {
        params: NameParameter,
        body: {
          content: {
            'application/json': {
              schema: z.object({ choices: z.array(ChoiceSchema).min(1, 'must list a choice') }),
            },
          },
        },
      },
      responses: {
        200: {
          content: { 'application/json': { schema: StoredSchema } },
          description: 'the scenario, replaced',
        },
        201: {
          content: { 'application/json': { schema: StoredSchema } },
          description: 'the scenario, stored',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const choices = c.req.valid('json').choices.map(choiceFromText);
      const { created } = await context.serialise(() =>
        workspace.scenarios.save({ name, choices }, context.user),
      );
      return c.json(viewStored(await stored(name)), created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/scenarios/{name}',
      summary: 'Delete a stored scenario',
      request: { params: NameParameter },
      responses: {
        200: {
          content: { 'application/json': { schema: z.object({ deleted: z.string() }) } },
          description: 'the name of the deleted scenario',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      await stored(name);
      await context.serialise(() => workspace.scenarios.delete(name));
      return c.json({ deleted: name }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/scenarios/{name}/result',
      summary:
        'A stored scenario run on the renewals open on the as-of date: baseline and scenario ARR, bridge, NRR, GRR and logo retention for this fiscal year and the next, with the steps in plain words',
      request: {
        params: NameParameter,
        query: z.object({
          asOf: dateText.optional().openapi({
            param: { name: 'asOf', in: 'query' },
            description:
              'day the renewals are open on (default: end of the month of the latest line start, not after today)',
          }),
          definitions: versionText.optional().openapi({
            param: { name: 'definitions', in: 'query' },
            description: 'stored definitions version (default: the current one)',
          }),
          by: z
            .string()
            .regex(
              /^(csm|segment|region|sub-region)(,(csm|segment|region|sub-region))*$/,
              'must be books separated by commas: csm, segment, region, sub-region',
            )
            .optional()
            .openapi({
              param: { name: 'by', in: 'query' },
              description: 'books to show (default csm,segment,region)',
            }),
        }),
      },
      responses: {
        200: {
          content: { 'application/json': { schema: ResultSchema } },
          description: 'the run; money in minor units, ratios as fractions',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const query = c.req.valid('query');
      const scenario = await stored(name);
      const input = await context.input(query);
      const by = (query.by?.split(',') ?? ['csm', 'segment', 'region']) as Dimension[];
      const result = runScenario(input.dataset, input.definitions, input.asOf, scenario, by);
      return c.json(
        { ...result, definitions: { ...result.definitions, workspaceVersion: input.version } },
        200,
      );
    },
  );
}
