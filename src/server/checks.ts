/**
 * API routes of targets, monthly checks, alerts and white space. They share the app's error
 * format: `{ "error": { "code", "message", "field" } }`.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import { formatDay, parseDay, type Day } from '../core/dates.js';
import { parseDecimal, type Decimal } from '../core/money.js';
import { TARGET_SCOPES, type Target } from '../core/targets.js';
import { accountJson } from '../core/whitespace.js';
import { readCatalogueText, readPipelineText, readSeatsText } from '../ingest/whitespace.js';
import { checkJson, monthEndOf, runMonthlyCheck } from '../service/checks.js';
import { whiteSpaceReport } from '../service/whitespace.js';
import { ALERT_STATES, getAlert, listAlerts, setAlertState } from '../store/alerts.js';
import { StoreError } from '../store/driver.js';
import { deleteTarget, listTargets, storeTargets } from '../store/targets.js';
import type { Workspace } from '../store/workspace.js';
import { ApiError } from './errors.js';

export interface CheckRouteOptions {
  readonly workspace: Workspace;
  readonly logger: Logger;
  readonly today: () => Day;
  readonly user: string;
  /** Runs a write after the writes already running, as the app does for imports. */
  readonly serialise: <T>(work: () => Promise<T>) => Promise<T>;
}

const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().nullable() }),
});

const errors = {
  400: { content: { 'application/json': { schema: ErrorBody } }, description: 'invalid input' },
  404: { content: { 'application/json': { schema: ErrorBody } }, description: 'not found' },
  409: {
    content: { 'application/json': { schema: ErrorBody } },
    description: 'the alert is in a state that does not allow the change',
  },
  422: {
    content: { 'application/json': { schema: ErrorBody } },
    description: 'input that cannot be computed or stored',
  },
} as const;

const PercentText = z
  .string()
  .regex(/^\d{1,4}(\.\d{1,4})?$/, 'must be a percentage such as 105 or 104.5')
  .nullable()
  .openapi({ example: '105' });

/** Targets stored by one request; a company's books number in the hundreds or thousands. */
const MAX_TARGETS = 10_000;

const TargetSchema = z
  .object({
    scope: z.enum(TARGET_SCOPES as [string, ...string[]]),
    book: z.string().max(200).openapi({
      description: 'the CSM, segment, region, sub-region or team; "" for company',
    }),
    fiscalYear: z.number().int().min(1900).max(2999),
    nrrTarget: PercentText,
    grrTarget: PercentText,
  })
  .openapi('Target');

const MonthText = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM')
  .openapi({ example: '2025-06' });

const AlertSchema = z
  .object({
    id: z.number(),
    key: z.string(),
    month: z.string(),
    kind: z.string(),
    scope: z.string(),
    book: z.string(),
    account: z.string().nullable(),
    state: z.enum(ALERT_STATES),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('Alert');

const IdParam = z.object({
  id: z
    .string()
    .regex(/^\d{1,15}$/, 'must be an alert id')
    .openapi({ param: { name: 'id', in: 'path' }, example: '1' }),
});

function percentOrNull(text: string | null): Decimal | null {
  return text === null ? null : (parseDecimal(text) ?? null);
}

/** Registers the routes on `app`. */
export function registerCheckRoutes(app: OpenAPIHono, options: CheckRouteOptions): void {
  const db = options.workspace.db;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/targets',
      summary: 'The stored NRR and GRR targets per book and fiscal year',
      request: {
        query: z.object({
          fiscalYear: z
            .string()
            .regex(/^\d{4}$/, 'must be a fiscal year such as 2026')
            .optional()
            .openapi({ param: { name: 'fiscalYear', in: 'query' } }),
        }),
      },
      responses: {
        200: {
          content: { 'application/json': { schema: z.object({ targets: z.array(TargetSchema) }) } },
          description: 'the targets',
        },
        ...errors,
      },
    }),
    async (c) => {
      const { fiscalYear } = c.req.valid('query');
      const stored = await listTargets(
        db,
        fiscalYear === undefined ? undefined : Number(fiscalYear),
      );
      return c.json(
        {
          targets: stored.map((target) => ({
            scope: target.scope,
            book: target.book,
            fiscalYear: target.fiscalYear,
            nrrTarget: target.nrr === null ? null : decimalText(target.nrr),
            grrTarget: target.grr === null ? null : decimalText(target.grr),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/targets',
      summary: 'Store targets; each replaces a stored target of the same scope, book and year',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({ targets: z.array(TargetSchema).min(1).max(MAX_TARGETS) }),
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z.object({ added: z.number(), replaced: z.number() }),
            },
          },
          description: 'how many targets were new and how many replaced stored ones',
        },
        ...errors,
      },
    }),
    async (c) => {
      const { targets } = c.req.valid('json');
      const parsed: Target[] = [];
      for (const [index, target] of targets.entries()) {
        const field = `targets.${index}`;
        if (target.nrrTarget === null && target.grrTarget === null) {
          throw new ApiError(
            400,
            'invalid-parameter',
            `${field} needs an nrrTarget, a grrTarget or both`,
            `${field}.nrrTarget`,
          );
        }
        for (const [name, max] of [
          ['nrrTarget', 1000],
          ['grrTarget', 100],
        ] as const) {
          const value = target[name];
          if (value !== null && !(Number(value) > 0 && Number(value) <= max)) {
            throw new ApiError(
              400,
              'invalid-parameter',
              `${field}.${name} ${value} is out of range; give a percentage above 0 and at most ${max}`,
              `${field}.${name}`,
            );
          }
        }
        if ((target.scope === 'company') !== (target.book === '')) {
          throw new ApiError(
            400,
            'invalid-parameter',
            `${field}.book must be "" for the company scope and name the book otherwise`,
            `${field}.book`,
          );
        }
        parsed.push({
          scope: target.scope as Target['scope'],
          book: target.book,
          fiscalYear: target.fiscalYear,
          nrr: percentOrNull(target.nrrTarget),
          grr: percentOrNull(target.grrTarget),
        });
      }
      const outcome = await options.serialise(() => storeTargets(db, parsed, 'api', options.user));
      return c.json(outcome, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/targets',
      summary: 'Delete the target of a scope, book and fiscal year',
      request: {
        query: z.object({
          scope: z
            .enum(TARGET_SCOPES as [string, ...string[]])
            .openapi({ param: { name: 'scope', in: 'query' } }),
          book: z
            .string()
            .optional()
            .openapi({ param: { name: 'book', in: 'query' }, description: 'blank for company' }),
          fiscalYear: z
            .string()
            .regex(/^\d{4}$/, 'must be a fiscal year such as 2026')
            .openapi({ param: { name: 'fiscalYear', in: 'query' } }),
        }),
      },
      responses: {
        200: {
          content: { 'application/json': { schema: z.object({ deleted: z.number() }) } },
          description: 'the target was deleted',
        },
        ...errors,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const key = {
        scope: query.scope as Target['scope'],
        book: query.book ?? '',
        fiscalYear: Number(query.fiscalYear),
      };
      const deleted = await options.serialise(() => deleteTarget(db, key));
      if (!deleted) {
        throw new ApiError(
          404,
          'not-found',
          `no ${key.scope} target${key.book === '' ? '' : ` for ${JSON.stringify(key.book)}`} is stored for fiscal year ${key.fiscalYear}; GET /api/targets lists the stored ones`,
          'book',
        );
      }
      return c.json({ deleted: 1 }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/checks',
      summary:
        "Run the monthly check: each book's NRR and GRR against target and glide path, storing new alerts",
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                month: MonthText,
                contractionThreshold: z
                  .string()
                  .regex(/^\d{1,3}(\.\d{1,4})?$/, 'must be a percentage such as 20')
                  .optional()
                  .openapi({
                    description: 'percentage of ARR lost in the month that alerts (default 20)',
                  }),
              }),
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z
                .looseObject({
                  month: z.string(),
                  asOf: z.string(),
                  fiscalYear: z.number(),
                  currency: z.string(),
                  behind: z.boolean(),
                  books: z.array(
                    z.looseObject({ scope: z.string(), book: z.string(), behind: z.boolean() }),
                  ),
                  alerts: z.array(z.looseObject({ id: z.number(), created: z.boolean() })),
                })
                .openapi('Check'),
            },
          },
          description: 'the books, their plans and ranked actions, and the alerts of the month',
        },
        ...errors,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (monthEndOf(body.month) > options.today()) {
        throw new ApiError(
          400,
          'invalid-parameter',
          `month ${body.month} has not ended yet`,
          'month',
        );
      }
      const threshold = parseDecimal(body.contractionThreshold ?? '20') as Decimal;
      if (
        threshold.coefficient <= 0n ||
        threshold.coefficient > 100n * 10n ** BigInt(threshold.scale)
      ) {
        throw new ApiError(
          400,
          'invalid-parameter',
          'contractionThreshold must be above 0 and at most 100',
          'contractionThreshold',
        );
      }
      const { definitions } = await options.workspace.currentDefinitions();
      // NOTE: the API stores alerts but does not deliver them, unlike `nrr check --webhook`.
      // A request must not make the server post to an address of its choosing.
      const outcome = await options.serialise(() =>
        runMonthlyCheck(options.workspace, {
          month: body.month,
          definitions,
          contractionThreshold: threshold,
          user: options.user,
          retry: { maxAttempts: 1, retryDelayMs: 0, timeoutMs: 1, logger: options.logger },
        }),
      );
      return c.json(
        JSON.parse(JSON.stringify(checkJson(outcome))) as {
          month: string;
          asOf: string;
          fiscalYear: number;
          currency: string;
          behind: boolean;
          books: { scope: string; book: string; behind: boolean }[];
          alerts: { id: number; created: boolean }[];
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/alerts',
      summary: 'The stored alerts, newest first',
      request: {
        query: z.object({
          state: z
            .enum(ALERT_STATES)
            .optional()
            .openapi({ param: { name: 'state', in: 'query' }, description: 'only this state' }),
        }),
      },
      responses: {
        200: {
          content: { 'application/json': { schema: z.object({ alerts: z.array(AlertSchema) }) } },
          description: 'the alerts',
        },
        ...errors,
      },
    }),
    async (c) => {
      const { state } = c.req.valid('query');
      return c.json({ alerts: await listAlerts(db, state) }, 200);
    },
  );

  for (const [action, state] of [
    ['acknowledge', 'acknowledged'],
    ['resolve', 'resolved'],
  ] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/api/alerts/{id}/${action}`,
        summary:
          action === 'acknowledge'
            ? 'Acknowledge an open alert'
            : 'Resolve an open or acknowledged alert',
        request: { params: IdParam },
        responses: {
          200: {
            content: { 'application/json': { schema: AlertSchema } },
            description: 'the alert in its new state',
          },
          ...errors,
        },
      }),
      async (c) => {
        const id = Number(c.req.valid('param').id);
        try {
          await getAlert(db, id);
        } catch (error) {
          if (!(error instanceof StoreError)) throw error;
          throw new ApiError(404, 'not-found', error.message, 'id');
        }
        try {
          const alert = await options.serialise(() => setAlertState(db, id, state, options.user));
          return c.json(alert, 200);
        } catch (error) {
          if (!(error instanceof StoreError)) throw error;
          throw new ApiError(409, 'invalid-state', error.message, 'id');
        }
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/whitespace',
      summary:
        "White space per account from a product catalogue, rolled up per book next to the book's gap to its NRR target",
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                asOf: z
                  .string()
                  .refine((text) => parseDay(text) !== undefined, {
                    message: 'must be a date as YYYY-MM-DD',
                  })
                  .optional(),
                by: z.enum(['csm', 'segment', 'region', 'sub-region']).optional(),
                catalog: z
                  .string()
                  .min(1)
                  .openapi({ description: 'catalogue CSV text, as for nrr whitespace --catalog' }),
                pipeline: z.string().optional().openapi({ description: 'pipeline CSV text' }),
                seats: z.string().optional().openapi({ description: 'potential seats CSV text' }),
              }),
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z
                .looseObject({
                  asOf: z.string(),
                  currency: z.string(),
                  books: z.array(z.looseObject({ book: z.string(), potential: z.number() })),
                  accounts: z.array(z.looseObject({ account: z.string(), potential: z.number() })),
                })
                .openapi('WhiteSpace'),
            },
          },
          description: 'the books and accounts; money in minor units',
        },
        ...errors,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { definitions } = await options.workspace.currentDefinitions();
      const dataset = await options.workspace.loadDataset();
      if (dataset.lines.length === 0) {
        throw new StoreError('the workspace has no contract lines yet; import files first');
      }
      const catalogue = readCatalogueText(body.catalog, 'catalog');
      const pipeline =
        body.pipeline === undefined
          ? []
          : readPipelineText(
              body.pipeline,
              'pipeline',
              definitions.reportingCurrency,
              definitions.rounding,
            );
      const seats = body.seats === undefined ? [] : readSeatsText(body.seats, 'seats');
      const asOf = body.asOf === undefined ? options.today() : (parseDay(body.asOf) as Day);
      const report = await whiteSpaceReport(options.workspace, {
        dataset,
        definitions,
        asOf,
        ...(body.by === undefined ? {} : { by: body.by }),
        catalogue,
        pipeline,
        seats,
      });
      return c.json(
        {
          asOf: formatDay(asOf),
          currency: definitions.reportingCurrency,
          fiscalYear: report.fiscalYear,
          books: report.books.map((book) => ({ ...book })),
          accounts: report.accounts.map(accountJson),
        },
        200,
      );
    },
  );
}

function decimalText(value: Decimal): string {
  const digits = value.coefficient.toString().padStart(value.scale + 1, '0');
  return value.scale === 0
    ? digits
    : `${digits.slice(0, -value.scale)}.${digits.slice(-value.scale)}`;
}
