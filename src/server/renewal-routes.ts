/**
 * Routes for ARR growth against NRR per book, the renewals of a period with their renewal rates,
 * and the timing effects of early and late renewals. The application passes in what the routes
 * share with the others: the error responses, the date and version parameters, the input of a
 * request and the cached analyses.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Analysis } from '../core/analysis.js';
import { buildComparison, fiscalYear } from '../core/compare.js';
import { MAX_YEAR, MIN_YEAR, parseDay } from '../core/dates.js';
import type { Day } from '../core/dates.js';
import type { Definitions } from '../core/definitions.js';
import type { Dimension } from '../core/groups.js';
import type { Dataset } from '../core/model.js';
import { buildRenewalsReport, periodWindow, resolvePeriod } from '../core/renewal-rates.js';
import type { RenewalPeriod } from '../core/renewal-rates.js';
import {
  bookFilters,
  bookIndices,
  findRenewals,
  RENEWAL_OUTCOMES,
  RENEWAL_STATUSES,
  RENEWAL_TIMINGS,
} from '../core/renewals.js';
import type { RenewalFilter } from '../core/renewals.js';
import { buildTimingReport } from '../core/timing.js';

/** The input of a request: the stored dataset, the definitions and the as-of date. */
export interface RequestInput {
  readonly dataset: Dataset;
  readonly definitions: Definitions;
  /** Stored definitions version the figures use. */
  readonly version: number;
  readonly asOf: Day;
}

export interface RenewalRouteContext {
  /** Error responses every route documents. */
  readonly errorResponses: RouteConfig['responses'];
  /** Query parameter of a day as YYYY-MM-DD. */
  readonly dateText: z.ZodType<string>;
  /** Query parameter of a stored definitions version. */
  readonly versionText: z.ZodType<string>;
  /** Reads the input of a request; rejects an empty workspace. */
  readonly input: (query: { asOf?: string; definitions?: string }) => Promise<RequestInput>;
  /** Returns the (cached) analysis of the stored dataset over a window. */
  readonly analysis: (input: RequestInput, end: Day, windowStart: Day) => Promise<Analysis>;
  /** Builds the error a request is rejected with. */
  readonly reject: (
    status: ContentfulStatusCode,
    code: string,
    message: string,
    field: string,
  ) => Error;
}

const Books = ['csm', 'segment', 'region', 'sub-region'] as const;

function bookParameter(name: string, description: string) {
  return z
    .string()
    .min(1, 'must not be empty; leave the parameter out to list every book')
    .optional()
    .openapi({ param: { name, in: 'query' }, description });
}

const ComparisonSchema = z
  .looseObject({
    year: z.number(),
    window: z.object({ start: z.string(), end: z.string() }),
    currency: z.string(),
    groupedBy: z.enum(Books),
    company: z.looseObject({ key: z.string() }),
    rows: z.array(
      z.looseObject({
        key: z.string(),
        startArr: z.number(),
        endArr: z.number(),
        arrGrowth: z.number().nullable(),
        nrr: z.number().nullable(),
      }),
    ),
    reconciliation: z.looseObject({}),
  })
  .openapi('Comparison');

const RenewalsSchema = z
  .looseObject({
    asOf: z.string(),
    period: z.object({ from: z.string(), to: z.string() }),
    renewals: z.array(
      z.looseObject({
        account: z.string(),
        renewalDate: z.string(),
        arrUpForRenewal: z.number(),
        status: z.enum(RENEWAL_STATUSES),
        outcome: z.enum(RENEWAL_OUTCOMES).nullable(),
        timing: z.enum(RENEWAL_TIMINGS).nullable(),
      }),
    ),
    renewalRates: z.looseObject({
      grossRenewalRate: z.number().nullable(),
      netRenewalRate: z.number().nullable(),
    }),
    cohort: z.looseObject({ nrr: z.number().nullable() }).nullable(),
  })
  .openapi('Renewals');

const TimingSchema = z
  .looseObject({
    window: z.object({ start: z.string(), end: z.string() }),
    byTiming: z.array(z.looseObject({ timing: z.enum(RENEWAL_TIMINGS) })),
    effects: z.looseObject({ early: z.looseObject({}), late: z.looseObject({}) }),
  })
  .openapi('RenewalTiming');

/** Registers the compare, renewals and renewal timing routes. */
export function registerRenewalRoutes(app: OpenAPIHono, context: RenewalRouteContext): void {
  const { errorResponses, dateText, versionText } = context;
  const commonQuery = {
    asOf: dateText.optional().openapi({
      param: { name: 'asOf', in: 'query' },
      description:
        'day that decides which renewals are still upcoming or lapsed (default: end of the month of the latest line start, not after today)',
    }),
    definitions: versionText.optional().openapi({
      param: { name: 'definitions', in: 'query' },
      description: 'stored definitions version (default: the current one)',
    }),
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/compare',
      summary:
        "Each book's ARR growth beside cohort NRR, GRR, logo retention and renewal rates for a fiscal year, with ranks and the accounts that explain the difference",
      request: {
        query: z.object({
          ...commonQuery,
          year: z
            .string()
            .regex(/^\d{4}$/, 'must be a year such as 2025')
            .refine((text) => Number(text) >= MIN_YEAR && Number(text) <= MAX_YEAR, {
              message: `must be from ${MIN_YEAR} to ${MAX_YEAR}`,
            })
            .openapi({
              param: { name: 'year', in: 'query' },
              description: 'fiscal year, named by the calendar year in which it ends',
              example: '2025',
            }),
          by: z
            .enum(Books)
            .optional()
            .openapi({
              param: { name: 'by', in: 'query' },
              description: 'books to compare (default csm)',
            }),
        }),
      },
      responses: {
        200: {
          content: { 'application/json': { schema: ComparisonSchema } },
          description: 'the comparison; money in minor units, ratios as fractions',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const input = await context.input(query);
      const year = Number(query.year);
      const { first, last } = fiscalYear(year, input.definitions.fiscalYearStartMonth);
      const analysis = await context.analysis(input, last, first - 1);
      const by: Dimension = query.by ?? 'csm';
      const comparison = buildComparison(analysis, input.dataset, year, by, input.asOf);
      return c.json(
        {
          ...comparison,
          definitions: { ...comparison.definitions, workspaceVersion: input.version },
        },
        200,
      );
    },
  );

  const RenewalsQuery = z
    .object({
      ...commonQuery,
      from: dateText.optional().openapi({
        param: { name: 'from', in: 'query' },
        description: 'first renewal date listed (default: one window before to)',
      }),
      to: dateText.optional().openapi({
        param: { name: 'to', in: 'query' },
        description: 'last renewal date listed (default: one window after from, else asOf)',
      }),
      csm: bookParameter('csm', 'only renewals of this CSM on the renewal date'),
      segment: bookParameter('segment', 'only renewals of this segment on the renewal date'),
      region: bookParameter('region', 'only renewals of this region on the renewal date'),
      subRegion: bookParameter('subRegion', 'only renewals of this sub-region on the renewal date'),
      outcome: z
        .enum(RENEWAL_OUTCOMES)
        .optional()
        .openapi({ param: { name: 'outcome', in: 'query' }, description: 'only this outcome' }),
      timing: z
        .enum(RENEWAL_TIMINGS)
        .optional()
        .openapi({ param: { name: 'timing', in: 'query' }, description: 'only this timing' }),
      status: z
        .enum(RENEWAL_STATUSES)
        .optional()
        .openapi({ param: { name: 'status', in: 'query' }, description: 'only this status' }),
    })
    .refine(
      (query) =>
        query.from === undefined ||
        query.to === undefined ||
        (parseDay(query.from) as Day) <= (parseDay(query.to) as Day),
      { message: 'must not be after to', path: ['from'] },
    );
  type RenewalsQueryValue = z.infer<typeof RenewalsQuery>;

  /** Reads a renewals request: its input, period, filter, analysis and renewals. */
  async function renewalsOf(query: RenewalsQueryValue) {
    const input = await context.input(query);
    const from = query.from === undefined ? undefined : parseDay(query.from);
    const to = query.to === undefined ? undefined : parseDay(query.to);
    const period: RenewalPeriod = resolvePeriod(
      input.asOf,
      input.definitions.windowMonths,
      from,
      to,
    );
    const { end, windowStart } = periodWindow(input.definitions, period);
    const analysis = await context.analysis(input, end, windowStart);
    const filter: RenewalFilter = {
      csm: query.csm,
      segment: query.segment,
      region: query.region,
      subRegion: query.subRegion,
      outcome: query.outcome,
      timing: query.timing,
      status: query.status,
    };
    checkBooks(analysis, input.dataset, filter);
    return {
      input,
      period,
      analysis,
      filter,
      renewals: findRenewals(analysis, input.dataset, input.asOf),
    };
  }

  /** Rejects a book name that no account has, so a misspelt name fails instead of listing nothing. */
  function checkBooks(analysis: Analysis, dataset: Dataset, filter: RenewalFilter): void {
    const indices = bookIndices(analysis, dataset);
    const fields: Record<Dimension, string> = {
      csm: 'csm',
      segment: 'segment',
      region: 'region',
      'sub-region': 'subRegion',
    };
    for (const [dimension, key] of Object.entries(bookFilters(filter)) as [Dimension, string][]) {
      if (!indices[dimension].keys.includes(key)) {
        throw context.reject(
          404,
          'not-found',
          `no ${dimension} book "${key}" in the data; check the spelling`,
          fields[dimension],
        );
      }
    }
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/renewals',
      summary:
        'The renewals due in a period with their ARR, outcome and timing, and the renewal rates on the ARR available to renew beside cohort NRR (a different measure)',
      request: { query: RenewalsQuery },
      responses: {
        200: {
          content: { 'application/json': { schema: RenewalsSchema } },
          description: 'the renewals, renewal rates and cohort figures of the period',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { input, period, analysis, filter, renewals } = await renewalsOf(c.req.valid('query'));
      const report = buildRenewalsReport(analysis, input.dataset, period, filter, renewals);
      return c.json(
        { ...report, definitions: { ...report.definitions, workspaceVersion: input.version } },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/renewals/timing',
      summary:
        'What early and late renewals did to ARR, the bridge and cohort NRR over a period, against the same renewals starting on their renewal dates',
      request: { query: RenewalsQuery },
      responses: {
        200: {
          content: { 'application/json': { schema: TimingSchema } },
          description: 'the renewals by timing and the effects of early and late starts',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { input, period, analysis, filter, renewals } = await renewalsOf(c.req.valid('query'));
      return c.json(buildTimingReport(analysis, input.dataset, renewals, period, filter), 200);
    },
  );
}
