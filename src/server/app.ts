/**
 * The HTTP API over a workspace: reports, account explanations, definitions and imports, each
 * route validated with zod and described in the OpenAPI document at `/api/openapi.json`.
 *
 * Every error is JSON of the form `{ "error": { "code", "message", "field" } }`, where `field`
 * names the offending parameter or is null.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { except } from 'hono/combine';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { Analysis } from '../core/analysis.js';
import { defaultAsOf } from '../core/as-of.js';
import { addMonths, formatDay, parseDay, type Day } from '../core/dates.js';
import { DefinitionsError, applyDefinitionChanges, changedFields } from '../core/definitions.js';
import { EngineError } from '../core/errors.js';
import { explainAccount } from '../core/explain.js';
import { bookAccounts, filteredBooks, filteredGroupReports } from '../core/books.js';
import type { BookFilters } from '../core/books.js';
import { acquisitionCohorts, cohortAccounts } from '../core/cohorts.js';
import type { Dimension } from '../core/groups.js';
import { unitMovements, type BookFilter } from '../core/movements.js';
import type { Dataset } from '../core/model.js';
import { buildReport } from '../core/report.js';
import { ImportError, ImportOptionsError, isPresetName, PRESET_NAMES } from '../ingest/index.js';
import type { ReadOptions } from '../ingest/index.js';
import { importFiles, type ImportStage } from '../service/import.js';
import { describeUnstorableValue, StoreError } from '../store/driver.js';
import type { Workspace } from '../store/workspace.js';
import { ApiError, errorResponses } from './errors.js';
import { registerCheckRoutes } from './checks.js';
import { Jobs } from './jobs.js';
import { registerRenewalRoutes, type RequestInput } from './renewal-routes.js';
import { registerScenarioRoutes } from './scenario-routes.js';
import type { CheckSchedule } from '../service/schedule.js';
import { ServerState } from './state.js';
import { registerScheduleRoutes } from './schedule-routes.js';
import { registerTeamRoutes } from './team-routes.js';
import { registerTrainingRoutes } from './training.js';

export interface AppOptions {
  readonly workspace: Workspace;
  readonly logger: Logger;
  /** Today's date, for the default as-of date. */
  readonly today: () => Day;
  /** Name recorded as who imported or stored definitions through the API. */
  readonly user: string;
  /** Largest request body accepted; 500 MiB unless given. */
  readonly maxUploadBytes?: number;
  /** Folder of the built dashboard; the one built beside the server unless given. */
  readonly webRoot?: string;
  /** The monthly check schedule the server runs, whose state the API shows. */
  readonly schedule?: CheckSchedule;
}

/**
 * Finds the dashboard that `npm run build` writes to dist/web under the package's root, whether
 * this module runs compiled (dist/src/server) or from its source (src/server).
 */
function builtWebRoot(): string {
  let folder = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(folder, 'package.json'))) {
    const parent = path.dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return path.join(folder, 'dist', 'web');
}

const DateText = z
  .string()
  .refine((text) => parseDay(text) !== undefined, { message: 'must be a date as YYYY-MM-DD' })
  .openapi({ example: '2025-12-31' });

const VersionText = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a stored definitions version number')
  .openapi({ example: '1' });

const ReportQuery = z.object({
  asOf: DateText.optional().openapi({
    param: { name: 'asOf', in: 'query' },
    description:
      'date the figures are measured on (default: end of the month of the latest line start, not after today)',
  }),
  by: z
    .enum(['csm', 'segment', 'region', 'sub-region', 'month', 'year'])
    .optional()
    .openapi({
      param: { name: 'by', in: 'query' },
      description: 'break the figures down by book or period',
    }),
  definitions: VersionText.optional().openapi({
    param: { name: 'definitions', in: 'query' },
    description: 'stored definitions version (default: the current one)',
  }),
});

/** Narrows books to accounts with these values in other dimensions. */
const FilterQuery = z.object({
  csm: z
    .string()
    .min(1)
    .optional()
    .openapi({ param: { name: 'csm', in: 'query' }, description: 'only accounts of this CSM' }),
  segment: z
    .string()
    .min(1)
    .optional()
    .openapi({
      param: { name: 'segment', in: 'query' },
      description: 'only accounts in this segment',
    }),
  region: z
    .string()
    .min(1)
    .optional()
    .openapi({
      param: { name: 'region', in: 'query' },
      description: 'only accounts in this region',
    }),
  subRegion: z
    .string()
    .min(1)
    .optional()
    .openapi({
      param: { name: 'subRegion', in: 'query' },
      description: 'only accounts in this sub-region',
    }),
});

/** Returns the filters of a request keyed by the core's dimension names. */
function filtersOf(query: z.infer<typeof FilterQuery>): BookFilters {
  const filters: BookFilters = {};
  if (query.csm !== undefined) filters.csm = query.csm;
  if (query.segment !== undefined) filters.segment = query.segment;
  if (query.region !== undefined) filters.region = query.region;
  if (query.subRegion !== undefined) filters['sub-region'] = query.subRegion;
  return filters;
}

/** Returns the name of a dimension's filter parameter. */
function filterParameter(dimension: Dimension): string {
  return dimension === 'sub-region' ? 'subRegion' : dimension;
}

/** A book to list the accounts or movements of, and how many entries to return. */
const BookQuery = ReportQuery.pick({ asOf: true, definitions: true })
  .extend(FilterQuery.shape)
  .extend({
    by: z
      .enum(['csm', 'segment', 'region', 'sub-region'])
      .optional()
      .openapi({
        param: { name: 'by', in: 'query' },
        description: 'the dimension of `key`',
      }),
    key: z
      .string()
      .min(1)
      .optional()
      .openapi({
        param: { name: 'key', in: 'query' },
        description: 'the book (a CSM, segment, region or sub-region) to list',
      }),
    limit: z
      .string()
      .regex(/^\d{1,7}$/, 'must be a whole number below 10,000,000')
      .optional()
      .openapi({
        param: { name: 'limit', in: 'query' },
        description: 'most entries returned (default 1000); the sums cover them all',
      }),
  });

const ReportSchema = z
  .looseObject({
    asOf: z.string(),
    currency: z.string(),
    definitions: z.looseObject({
      name: z.string(),
      version: z.string(),
      workspaceVersion: z.number(),
    }),
    arr: z
      .number()
      .openapi({ description: 'ARR on the as-of date, in minor units of the currency' }),
    nrr: z.number().nullable().openapi({ description: 'cohort NRR as a fraction (1.05 is 105%)' }),
    grr: z.number().nullable(),
    logoRetention: z.number().nullable(),
    bridge: z.looseObject({ start: z.number(), end: z.number() }),
  })
  .openapi('Report');

const ExplanationSchema = z
  .looseObject({
    accountId: z.string(),
    arrAtStart: z.number(),
    arrAtEnd: z.number(),
    lines: z.array(z.looseObject({})),
    movements: z.array(z.looseObject({})),
    timeline: z.array(z.object({ date: z.string(), arr: z.number() })),
  })
  .openapi('Explanation');

const DefinitionsSchema = z
  .object({
    current: z.number().nullable(),
    versions: z.array(
      z.object({
        version: z.number(),
        definitions: z.looseObject({ name: z.string(), version: z.string() }),
        changes: z.record(z.string(), z.unknown()),
        createdAt: z.string(),
        createdBy: z.string(),
      }),
    ),
  })
  .openapi('Definitions');

const JobSchema = z
  .object({
    id: z.string(),
    state: z.enum(['running', 'succeeded', 'failed']),
    stage: z.string().nullable(),
    done: z.number(),
    total: z.number(),
    result: z.unknown().optional(),
    error: z.unknown().optional(),
  })
  .openapi('Job');

/** How far after today an as-of date may lie. */
const MAX_MONTHS_AHEAD = 120;

/** Largest request body: the size limit of one file given to the command line. */
const MAX_UPLOAD_BYTES = 500 * 2 ** 20;
/** Largest JSON body of any other request; the largest (a scenario, targets) take far less. */
const MAX_JSON_BYTES = 5 * 2 ** 20;

/** Fields an upload's `options` JSON may set, as in a mapping file. */
const UPLOAD_OPTIONS = ['columns', 'endDate', 'currency', 'wonStages'];

/** A validation issue in plain words: what the value must be. */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return 'is invalid';
  if (issue.code === 'invalid_value') {
    return `must be one of ${issue.values.map((value) => String(value)).join(', ')}`;
  }
  if (issue.code === 'invalid_type') {
    // zod leaves the input out of issues, so its message is the only record of what was received.
    const received = /received (\w+)/.exec(issue.message)?.[1];
    if (received === 'undefined') return 'is missing';
    if (received === 'array' && issue.expected !== 'array') return 'is given more than once';
    const article = /^[aeiou]/.test(issue.expected) ? 'an' : 'a';
    return `must be ${article} ${issue.expected}${received === undefined ? '' : `, not ${received}`}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string') {
    return Number(issue.minimum) <= 1
      ? 'must not be empty'
      : `must have at least ${String(issue.minimum)} characters`;
  }
  if (issue.code === 'too_big' && issue.origin === 'string') {
    return `must have at most ${String(issue.maximum)} characters`;
  }
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    return `must be ${issue.code === 'too_big' ? 'at most' : 'at least'} ${String(issue.code === 'too_big' ? issue.maximum : issue.minimum)}`;
  }
  if (issue.code === 'invalid_union') return 'is missing or not a file';
  return issue.message;
}

/** Statuses of engine errors that are not 422, an input the data cannot answer. */
const ENGINE_ERROR_STATUS: Partial<Record<EngineError['code'], ContentfulStatusCode>> = {
  'unknown-account': 404,
  'invalid-filter': 400,
};

/** Turns a thrown error into the JSON error body and its status. */
function errorBody(error: unknown): {
  status: ContentfulStatusCode;
  code: string;
  message: string;
  field: string | null;
  problems?: unknown;
} {
  if (error instanceof ApiError) {
    return { status: error.status, code: error.code, message: error.message, field: error.field };
  }
  if (error instanceof HTTPException && error.status < 500) {
    return {
      status: error.status,
      code: 'invalid-body',
      message: `${error.message}; send JSON with content-type application/json, or a multipart form for uploads`,
      field: null,
    };
  }
  if (error instanceof ImportError) {
    return {
      status: 422,
      code: 'invalid-rows',
      message: `${(error.message.split('\n')[0] ?? error.message).replace(/:$/, '')}; each problem names its file, row and column`,
      field: null,
      problems: error.problems,
    };
  }
  if (error instanceof ImportOptionsError)
    return { status: 400, code: 'invalid-options', message: error.message, field: null };
  if (error instanceof DefinitionsError)
    return {
      status: 400,
      code: 'invalid-definitions',
      message: error.message,
      field: 'definitions',
    };
  if (error instanceof EngineError) {
    return {
      status: ENGINE_ERROR_STATUS[error.code] ?? 422,
      code: error.code,
      message: error.message,
      field: error.code === 'unknown-account' ? 'id' : null,
    };
  }
  if (error instanceof StoreError) {
    const notFound = /is not stored in this workspace/.test(error.message);
    return {
      status: notFound ? 404 : 422,
      code: notFound ? 'not-found' : 'store-error',
      message: error.message,
      field: notFound ? 'definitions' : null,
    };
  }
  const unstorable = describeUnstorableValue(error);
  if (unstorable !== undefined) {
    return { status: 422, code: 'unstorable-value', message: unstorable, field: null };
  }
  return {
    status: 500,
    code: 'internal-error',
    message: 'the request failed on the server; its log has the details',
    field: null,
  };
}

/** Maps an error to its JSON body; used for failed jobs as well as requests. */
export { errorBody };

export function createApp(options: AppOptions): OpenAPIHono {
  const state = new ServerState(options.workspace);
  const jobs = new Jobs((id, error) => {
    const body = errorBody(error);
    if (body.status === 500) options.logger.error({ err: error, job: id }, 'job failed');
    else options.logger.info({ job: id, code: body.code }, 'job failed');
  });
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (result.success) return undefined;
      const issue = result.error.issues[0];
      const field = issue?.path.map(String).join('.') ?? '';
      return c.json(
        {
          error: {
            code: 'invalid-parameter',
            message: `${field === '' ? 'the request' : field} ${describeIssue(issue)}`,
            field: field === '' ? null : field,
          },
        },
        400,
      );
    },
  });

  // Uploads are read into memory, so their size is capped like a file given to the CLI.
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: options.maxUploadBytes ?? MAX_UPLOAD_BYTES,
      onError: (c) =>
        c.json(
          {
            error: {
              code: 'too-large',
              message: `the request body is larger than ${((options.maxUploadBytes ?? MAX_UPLOAD_BYTES) / 2 ** 20).toFixed(0)} MiB; split the file into several uploads`,
              field: null,
            },
          },
          413,
        ),
    }),
  );

  // Every other body is JSON that is parsed whole, so it gets a far smaller cap than an upload.
  const jsonLimit = bodyLimit({
    maxSize: MAX_JSON_BYTES,
    onError: (c) =>
      c.json(
        {
          error: {
            code: 'too-large',
            message: `the request body is larger than ${MAX_JSON_BYTES / 2 ** 20} MiB; send it in several smaller requests`,
            field: null,
          },
        },
        413,
      ),
  });
  app.use('/api/*', except('/api/imports', jsonLimit));

  // Without a JSON content type the validators see no body at all, so such requests stop here.
  app.use('/api/*', async (c, next) => {
    const method = c.req.method;
    const isJson = (c.req.header('content-type') ?? '').toLowerCase().includes('application/json');
    // Uploads are multipart, and actions such as acknowledge or reveal take no body.
    const bodiless = /\/(acknowledge|resolve|reveal|next)$/.test(c.req.path);
    const expectsJson = c.req.path !== '/api/imports' && !bodiless;
    if ((method === 'POST' || method === 'PUT') && expectsJson && !isJson) {
      return c.json(
        {
          error: {
            code: 'invalid-body',
            message: 'send a JSON body with content-type application/json',
            field: null,
          },
        },
        400,
      );
    }
    return next();
  });

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    options.logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });

  app.onError((error, c) => {
    const body = errorBody(error);
    if (body.status === 500)
      options.logger.error({ err: error, path: c.req.path }, 'request failed');
    else if (body.code === 'unstorable-value')
      options.logger.warn({ err: error, path: c.req.path }, 'value rejected by the database');
    return c.json(
      {
        error: { code: body.code, message: body.message, field: body.field },
        ...(body.problems === undefined ? {} : { problems: body.problems }),
      },
      body.status,
    );
  });

  app.notFound((c) =>
    c.json(
      {
        error: {
          code: 'not-found',
          message: `no route ${c.req.method} ${c.req.path}`,
          field: null,
        },
      },
      404,
    ),
  );

  /** The definitions of a request: a stored version, or the current one. */
  async function definitionsFor(version: string | undefined) {
    if (version !== undefined) {
      const stored = await options.workspace.definitionsVersion(Number(version));
      return { definitions: stored.definitions, version: stored.version };
    }
    const current = await options.workspace.currentDefinitions();
    const stored = await state.serialise(() =>
      options.workspace.saveDefinitions(current.definitions, options.user),
    );
    return { definitions: current.definitions, version: stored };
  }

  /** Reads the stored dataset, the definitions and the as-of date of a request. */
  async function inputFor(query: {
    asOf?: string | undefined;
    definitions?: string | undefined;
  }): Promise<RequestInput> {
    const dataset = await state.currentDataset();
    if (dataset.lines.length === 0) {
      throw new StoreError('the workspace has no contract lines yet; import files first');
    }
    const asOf =
      query.asOf === undefined
        ? defaultAsOf(dataset, options.today())
        : (parseDay(query.asOf) as Day);
    // Every month up to the as-of date is sampled, so a far-future date costs time and memory.
    const latest = addMonths(options.today(), MAX_MONTHS_AHEAD);
    if (asOf > latest) {
      throw new ApiError(
        400,
        'invalid-parameter',
        `asOf must be no later than ${formatDay(latest)}, ${MAX_MONTHS_AHEAD / 12} years from today`,
        'asOf',
      );
    }
    const { definitions, version } = await definitionsFor(query.definitions);
    return { dataset, definitions, version, asOf };
  }

  async function analysisFor(query: {
    asOf?: string | undefined;
    definitions?: string | undefined;
  }) {
    const { asOf, definitions, version } = await inputFor(query);
    const result = await state.analysis(asOf, version, definitions);
    return { ...result, version };
  }

  /**
   * Selects the book a request narrows to: `by` and `key` name it, and filters narrow it further.
   * With filters alone, the first of them names the book. Without either, it returns undefined.
   */
  function selectBook(
    analysis: Analysis,
    dataset: Dataset,
    by: Dimension | undefined,
    key: string | undefined,
    filters: BookFilters,
  ): BookFilter | undefined {
    if ((by === undefined) !== (key === undefined)) {
      throw new ApiError(
        400,
        'invalid-parameter',
        'by and key go together: by names the dimension, key the book',
        by === undefined ? 'by' : 'key',
      );
    }
    const selection: BookFilters = { ...filters };
    if (by !== undefined && key !== undefined) {
      if (selection[by] !== undefined && selection[by] !== key) {
        throw new ApiError(
          400,
          'invalid-parameter',
          `by=${by} with key "${key}" contradicts the ${by} filter "${selection[by]}"`,
          filterParameter(by),
        );
      }
      selection[by] = key;
    }
    const dimensions = (['csm', 'segment', 'region', 'sub-region'] as const).filter(
      (dimension) => selection[dimension] !== undefined,
    );
    const first = by !== undefined && key !== undefined ? by : dimensions[0];
    if (first === undefined) return undefined;
    const value = selection[first] as string;
    delete selection[first];
    const books = filteredBooks(analysis, dataset, first, selection);
    const code = books.codes.get(value);
    if (code === undefined) {
      const narrowed = Object.entries(selection)
        .map(([dimension, text]) => ` in ${dimension} "${text}"`)
        .join('');
      throw new ApiError(
        404,
        'not-found',
        `no ${first} book "${value}"${narrowed} in the data`,
        by !== undefined && key !== undefined ? 'key' : filterParameter(first),
      );
    }
    return { groups: books.groups, code };
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/report',
      summary:
        'ARR, the ARR bridge, NRR, GRR and logo retention, for the company or per book or period',
      request: { query: ReportQuery.extend(FilterQuery.shape) },
      responses: {
        200: {
          content: { 'application/json': { schema: ReportSchema } },
          description: 'the report',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const filters = filtersOf(query);
      const filtered = Object.keys(filters).length > 0;
      if (filtered && (query.by === undefined || query.by === 'month' || query.by === 'year')) {
        throw new ApiError(
          400,
          'invalid-parameter',
          'filters narrow the books of a report by csm, segment, region or sub-region; give by as one of those',
          'by',
        );
      }
      const { analysis, dataset, version } = await analysisFor(query);
      const dimension = query.by as Dimension;
      if (filtered && filters[dimension] !== undefined) {
        throw new ApiError(
          400,
          'invalid-parameter',
          `a ${dimension} filter cannot narrow a report by ${dimension}`,
          filterParameter(dimension),
        );
      }
      const report = buildReport(analysis, dataset, filtered ? undefined : query.by);
      if (filtered) {
        report.groupedBy = dimension;
        report.groups = filteredGroupReports(
          analysis,
          filteredBooks(analysis, dataset, dimension, filters),
        );
      }
      return c.json(
        {
          ...report,
          ...(filtered ? { filters } : {}),
          definitions: { ...report.definitions, workspaceVersion: version },
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/accounts/{id}/explanation',
      summary: "One account's lines, the rule applied to each, its movements and its ARR timeline",
      request: {
        params: z.object({
          id: z
            .string()
            .min(1)
            .openapi({ param: { name: 'id', in: 'path' }, example: 'A000042' }),
        }),
        query: ReportQuery.pick({ asOf: true, definitions: true }),
      },
      responses: {
        200: {
          content: { 'application/json': { schema: ExplanationSchema } },
          description: 'the explanation',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const query = c.req.valid('query');
      const { analysis, dataset, version } = await analysisFor(query);
      const explanation = explainAccount(analysis, dataset, id);
      return c.json(
        { ...explanation, definitions: { ...explanation.definitions, workspaceVersion: version } },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/movements',
      summary:
        "The accounts behind the bridge: each account's new, expansion, contraction, churn and reactivation over the window, largest first",
      request: {
        query: BookQuery.extend({
          kind: z
            .enum(['new', 'expansion', 'contraction', 'churn', 'reactivation'])
            .optional()
            .openapi({
              param: { name: 'kind', in: 'query' },
              description: 'one movement kind (default: all)',
            }),
        }),
      },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z
                .object({
                  window: z.object({ start: z.string(), end: z.string() }),
                  currency: z.string(),
                  count: z.number(),
                  total: z.number(),
                  movements: z.array(
                    z.object({ account: z.string(), kind: z.string(), amount: z.number() }),
                  ),
                })
                .openapi('Movements'),
            },
          },
          description: 'the movements; amounts of one kind add up to the bridge figure',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const { analysis, dataset } = await analysisFor(query);
      const book = selectBook(analysis, dataset, query.by, query.key, filtersOf(query));
      const all = unitMovements(
        analysis,
        analysis.windowStartSample,
        analysis.asOfSample,
        book,
      ).filter((movement) => query.kind === undefined || movement.kind === query.kind);
      const limit = query.limit === undefined ? 1000 : Number(query.limit);
      return c.json(
        {
          window: {
            start: formatDay(analysis.samples[analysis.windowStartSample] as number),
            end: formatDay(analysis.asOf),
          },
          currency: analysis.definitions.reportingCurrency,
          count: all.length,
          total: all.reduce((sum, movement) => sum + movement.amount, 0),
          movements: all.slice(0, limit),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/definitions',
      summary: 'The stored definitions versions and the current one',
      responses: {
        200: {
          content: { 'application/json': { schema: DefinitionsSchema } },
          description: 'the versions',
        },
      },
    }),
    async (c) => {
      const { current, versions } = await options.workspace.definitionsVersions();
      const body: unknown = {
        current,
        versions: versions.map((stored) => ({
          version: stored.version,
          definitions: stored.definitions,
          changes: changedFields(stored.definitions),
          createdAt: stored.createdAt,
          createdBy: stored.createdBy,
        })),
      };
      // A JSON copy, typed by the response schema the OpenAPI document describes.
      return c.json(JSON.parse(JSON.stringify(body)) as z.infer<typeof DefinitionsSchema>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/definitions',
      summary:
        'Store the current definitions changed by the given fields as a version, and optionally make it current',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                changes: z.record(z.string(), z.unknown()).openapi({ example: { graceDays: 30 } }),
                makeCurrent: z.boolean().optional(),
              }),
            },
          },
        },
      },
      responses: {
        201: {
          content: {
            'application/json': { schema: z.object({ version: z.number(), current: z.boolean() }) },
          },
          description: 'the stored version',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { definitions } = await options.workspace.currentDefinitions();
      const changed = applyDefinitionChanges(definitions, body.changes);
      const version = await state.serialise(async () => {
        const stored = await options.workspace.saveDefinitions(changed, options.user);
        if (body.makeCurrent === true) await options.workspace.setCurrentDefinitions(stored);
        return stored;
      });
      return c.json({ version, current: body.makeCurrent === true }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/imports',
      summary: 'The imports stored in the workspace, oldest first',
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z.array(z.looseObject({ id: z.number(), source: z.string() })),
            },
          },
          description: 'the imports',
        },
      },
    }),
    async (c) => c.json(await options.workspace.imports(), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/imports',
      summary: 'Upload files to import in one transaction; returns a job to follow',
      request: {
        body: {
          content: {
            'multipart/form-data': {
              schema: z.object({
                files: z
                  .union([z.instanceof(File), z.array(z.instanceof(File))])
                  .openapi({ type: 'string', format: 'binary' }),
                preset: z.string().optional().openapi({ example: 'canonical' }),
                options: z
                  .string()
                  .optional()
                  .openapi({ description: 'JSON of columns, endDate, currency and wonStages' }),
                skipInvalid: z.enum(['true', 'false']).optional(),
              }),
            },
          },
        },
      },
      responses: {
        202: {
          content: { 'application/json': { schema: JobSchema } },
          description: 'the import job, running',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const form = c.req.valid('form') as ReturnType<typeof c.req.valid<'form'>> | undefined;
      if (form?.files === undefined) {
        throw new ApiError(
          400,
          'invalid-parameter',
          'send the files as a multipart form with a files field',
          'files',
        );
      }
      const files = Array.isArray(form.files) ? form.files : [form.files];
      const preset = form.preset ?? 'canonical';
      if (!isPresetName(preset)) {
        throw new ApiError(
          400,
          'invalid-parameter',
          `preset "${preset}" is not one of ${PRESET_NAMES.join(', ')}`,
          'preset',
        );
      }
      let extra: Record<string, unknown> = {};
      if (form.options !== undefined) {
        try {
          const parsed: unknown = JSON.parse(form.options);
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
            throw new Error('not an object');
          extra = parsed as Record<string, unknown>;
        } catch {
          throw new ApiError(
            400,
            'invalid-parameter',
            'options must be a JSON object such as {"currency": "EUR"}',
            'options',
          );
        }
      }
      const unknownOption = Object.keys(extra).find((key) => !UPLOAD_OPTIONS.includes(key));
      if (unknownOption !== undefined) {
        throw new ApiError(
          400,
          'invalid-parameter',
          `options has an unknown field "${unknownOption}"; use ${UPLOAD_OPTIONS.join(', ')}`,
          'options',
        );
      }
      const inputs = await Promise.all(
        files.map(async (file) => {
          const data = Buffer.from(await file.arrayBuffer());
          return {
            path: file.name,
            source: file.name,
            checksum: createHash('sha256').update(data).digest('hex'),
            data,
          };
        }),
      );
      const readOptions = {
        ...extra,
        preset,
        ...(form.skipInvalid === 'true' ? { skipInvalid: true } : {}),
      } as ReadOptions;
      const job = jobs.start(
        async (progress: (stage: ImportStage, done: number, total: number) => void) => {
          const run = await state.serialise(() =>
            importFiles(options.workspace, inputs, readOptions, progress),
          );
          // The result names what was stored; the uploaded bytes stay out of it.
          return {
            imports: run.outcomes,
            unchanged: run.unchanged.map((input) => ({
              path: input.path,
              source: input.source,
              importId: run.stored.get(input.source)?.importId ?? null,
            })),
            rejected: run.rejected,
          };
        },
      );
      return c.json(job.view(), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/jobs/{id}',
      summary:
        'The state of a long-running job such as an import: stage, rows done, result or error',
      request: {
        params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }),
      },
      responses: {
        200: { content: { 'application/json': { schema: JobSchema } }, description: 'the job' },
        ...errorResponses,
      },
    }),
    (c) => {
      const job = jobs.get(c.req.valid('param').id);
      if (job === undefined) {
        throw new ApiError(
          404,
          'not-found',
          'no such job; finished jobs are kept for an hour',
          'id',
        );
      }
      return c.json(job.view(errorBody), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/accounts',
      summary:
        'The accounts behind a figure: those with ARR on the as-of date (ARR) or on the window start (NRR, GRR, logo retention), with their sums',
      request: {
        query: BookQuery.extend({
          set: z
            .enum(['active', 'cohort'])
            .optional()
            .openapi({
              param: { name: 'set', in: 'query' },
              description:
                'active: ARR on the as-of date, in the book held then; cohort: ARR on the window start, in the book held then (default active)',
            }),
          q: z
            .string()
            .min(1)
            .max(200)
            .optional()
            .openapi({
              param: { name: 'q', in: 'query' },
              description: 'only accounts whose id or name contains this text (any case)',
            }),
        }),
      },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z
                .object({
                  set: z.enum(['active', 'cohort']),
                  window: z.object({ start: z.string(), end: z.string() }),
                  currency: z.string(),
                  count: z.number(),
                  arrAtStart: z.number(),
                  arrAtEnd: z.number(),
                  capped: z.number(),
                  retained: z.number(),
                  accounts: z.array(
                    z.object({
                      account: z.string(),
                      name: z.string().nullable(),
                      arrAtStart: z.number(),
                      arrAtEnd: z.number(),
                      capped: z.number(),
                      cohort: z.boolean(),
                      books: z.record(z.string(), z.string()),
                    }),
                  ),
                })
                .openapi('Accounts'),
            },
          },
          description:
            'the accounts, largest first; for the cohort, arrAtEnd ÷ arrAtStart is NRR, capped ÷ arrAtStart is GRR and retained ÷ count is logo retention',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const { analysis, dataset } = await analysisFor(query);
      const book = selectBook(analysis, dataset, query.by, query.key, filtersOf(query));
      const listed = bookAccounts(analysis, dataset, query.set ?? 'active', book);
      const needle = query.q?.toLowerCase();
      const matching =
        needle === undefined
          ? listed.accounts
          : listed.accounts.filter(
              (account) =>
                account.account.toLowerCase().includes(needle) ||
                (account.name ?? '').toLowerCase().includes(needle),
            );
      const sums =
        needle === undefined
          ? listed
          : {
              count: matching.length,
              arrAtStart: matching.reduce((sum, account) => sum + account.arrAtStart, 0),
              arrAtEnd: matching.reduce((sum, account) => sum + account.arrAtEnd, 0),
              capped: matching.reduce((sum, account) => sum + account.capped, 0),
              retained: matching.filter((account) => account.arrAtEnd > 0).length,
            };
      const limit = query.limit === undefined ? 1000 : Number(query.limit);
      return c.json(
        {
          set: listed.set,
          window: {
            start: formatDay(analysis.windowStart),
            end: formatDay(analysis.asOf),
          },
          currency: analysis.definitions.reportingCurrency,
          count: sums.count,
          arrAtStart: sums.arrAtStart,
          arrAtEnd: sums.arrAtEnd,
          capped: sums.capped,
          retained: sums.retained,
          accounts: matching.slice(0, limit),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/cohorts',
      summary:
        "Acquisition cohorts: accounts grouped by the month they first had ARR, with each cohort's ARR and net retention in every later month",
      request: { query: ReportQuery.pick({ asOf: true, definitions: true }) },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z
                .object({
                  asOf: z.string(),
                  currency: z.string(),
                  cohorts: z.array(
                    z.object({
                      month: z.string(),
                      installedBase: z.boolean(),
                      accounts: z.number(),
                      arr: z.array(z.number()),
                      active: z.array(z.number()),
                      nrr: z.array(z.number().nullable()),
                    }),
                  ),
                })
                .openapi('Cohorts'),
            },
          },
          description: 'one row per cohort month; element k of each list is k months after it',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const { analysis } = await analysisFor(query);
      return c.json(
        {
          asOf: formatDay(analysis.asOf),
          currency: analysis.definitions.reportingCurrency,
          cohorts: acquisitionCohorts(analysis),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/cohorts/{month}/accounts',
      summary: 'The accounts of one acquisition cohort, with their ARR in its first month and now',
      request: {
        params: z.object({
          month: z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM')
            .openapi({ param: { name: 'month', in: 'path' }, example: '2024-03' }),
        }),
        query: ReportQuery.pick({ asOf: true, definitions: true }),
      },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z
                .object({
                  month: z.string(),
                  currency: z.string(),
                  count: z.number(),
                  arrFirstMonth: z.number(),
                  arrNow: z.number(),
                  accounts: z.array(
                    z.object({
                      account: z.string(),
                      name: z.string().nullable(),
                      arrFirstMonth: z.number(),
                      arrNow: z.number(),
                    }),
                  ),
                })
                .openapi('CohortAccounts'),
            },
          },
          description: 'the accounts; their sums are the cohort row of /api/cohorts',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { month } = c.req.valid('param');
      const query = c.req.valid('query');
      const { analysis, dataset } = await analysisFor(query);
      const accounts = cohortAccounts(analysis, dataset, month);
      if (accounts === undefined) {
        throw new ApiError(404, 'not-found', `${month} is outside the months of the data`, 'month');
      }
      return c.json(
        {
          month,
          currency: analysis.definitions.reportingCurrency,
          count: accounts.length,
          arrFirstMonth: accounts.reduce((sum, account) => sum + account.arrFirstMonth, 0),
          arrNow: accounts.reduce((sum, account) => sum + account.arrNow, 0),
          accounts,
        },
        200,
      );
    },
  );

  registerTrainingRoutes(app, {
    workspace: options.workspace,
    user: options.user,
    today: options.today,
    // Read without storing the definitions, because live sessions poll this every second.
    input: async () => {
      const dataset = await state.currentDataset();
      const { definitions, version } = await options.workspace.currentDefinitions();
      return { dataset, definitions, version };
    },
  });

  const routeContext = {
    errorResponses,
    dateText: DateText,
    versionText: VersionText,
    input: inputFor,
    analysis: async (input: RequestInput, end: Day, windowStart: Day) =>
      (await state.analysis(end, input.version, input.definitions, windowStart)).analysis,
    reject: (status: ContentfulStatusCode, code: string, message: string, field: string) =>
      new ApiError(status, code, message, field),
  };
  registerRenewalRoutes(app, routeContext);
  registerScenarioRoutes(app, {
    ...routeContext,
    workspace: options.workspace,
    user: options.user,
    serialise: (work) => state.serialise(work),
  });
  registerCheckRoutes(app, {
    workspace: options.workspace,
    logger: options.logger,
    today: options.today,
    user: options.user,
    serialise: (work) => state.serialise(work),
  });
  registerTeamRoutes(app, options.workspace);
  options.schedule?.useSerialiser((work) => state.serialise(work));
  registerScheduleRoutes(app, options.schedule);

  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'nrr',
      version: '0.1.0',
      description:
        'ARR, NRR, GRR and logo retention per CSM book, segment and region, explained account by account',
    },
  });

  // The dashboard: its files, and its page for every other path outside /api.
  const webRoot = options.webRoot ?? builtWebRoot();
  if (existsSync(path.join(webRoot, 'index.html'))) {
    app.use('/assets/*', serveStatic({ root: webRoot }));
    app.get('*', async (c, next) => {
      // Unknown API routes return JSON, and a missing file is a 404 rather than the dashboard page.
      if (c.req.path === '/api' || c.req.path.startsWith('/api/')) return next();
      if (c.req.path.startsWith('/assets/') || /\.[A-Za-z0-9]+$/.test(c.req.path)) {
        return c.text('not found\n', 404);
      }
      return serveStatic({ root: webRoot, path: 'index.html' })(c, next);
    });
  } else {
    app.get('/', (c) =>
      c.text(
        'The dashboard is not built. Run `npm run build` and start the server again; the API is at /api/openapi.json.\n',
        503,
      ),
    );
  }

  return app;
}
