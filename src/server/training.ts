/**
 * Training over HTTP: practice exercises graded one at a time, and live sessions in which a
 * facilitator takes a group through a set of exercises, sees the answers arrive with their
 * distribution and misconceptions, and reveals the worked solution. Sessions and answers are
 * stored in the workspace.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import { CONCEPTS, syntheticExerciseById, syntheticExercises } from '../training/exercises.js';
import type { Exercise, Level } from '../training/exercises.js';
import { grade } from '../training/grading.js';
import { TrainingStore } from '../store/training.js';
import type { StoredAnswer, TrainingSession } from '../store/training.js';
import { keyHolder, visiblePeople } from '../store/people.js';
import type { KeyHolder } from '../store/people.js';
import { defaultAsOf } from '../core/as-of.js';
import { parseDay } from '../core/dates.js';
import type { Day } from '../core/dates.js';
import type { Dataset } from '../core/model.js';
import { listTeamMembers } from '../store/teams.js';
import type { Workspace } from '../store/workspace.js';
import { ApiError, ErrorSchema, errorResponses } from './errors.js';
import {
  buildDataExercises,
  dataExerciseId,
  parseDataExerciseId,
  requireData,
} from './training-data.js';
import type { TrainingInput } from './training-data.js';

export interface TrainingRouteOptions {
  readonly workspace: Workspace;
  readonly user: string;
  /** Today's date, for the as-of date of exercises from the workspace's accounts. */
  readonly today: () => Day;
  /** Reads the workspace's dataset and current definitions. */
  readonly input: () => Promise<TrainingInput>;
}

/** The largest set a live session runs. */
const MAX_SESSION_EXERCISES = 20;
/** The largest practice set from the workspace's accounts, each exercise analysing all of them. */
const MAX_DATA_EXERCISES = 20;

/** An exercise as shown before it is answered: no answer, solution or misconceptions. */
function shownExercise(exercise: Exercise) {
  return {
    id: exercise.id,
    level: exercise.level,
    title: exercise.title,
    question: exercise.question,
    data: [...exercise.data],
    answerKind: exercise.answerKind,
    ...(exercise.choices === undefined ? {} : { choices: [...exercise.choices] }),
    tolerance: exercise.tolerance,
    concepts: [...exercise.concepts],
  };
}

const ExerciseSchema = z
  .object({
    id: z.string(),
    level: z.number(),
    title: z.string(),
    question: z.string(),
    data: z.array(z.string()),
    answerKind: z.enum(['percent', 'choice']),
    choices: z.array(z.string()).optional(),
    tolerance: z.number(),
    concepts: z.array(z.string()),
  })
  .openapi('Exercise');

const CodeParam = z.object({
  code: z
    .string()
    .regex(/^[A-Za-z0-9]{6}$/, 'must be the six-character session code')
    .openapi({ param: { name: 'code', in: 'path' }, example: 'K7M2QX' }),
});

const FacilitatorHeader = z.object({
  'x-facilitator-key': z
    .string()
    .min(1)
    .openapi({
      param: { name: 'x-facilitator-key', in: 'header' },
      description: 'the key returned when the session was created',
    }),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const SourceQuery = {
  source: z
    .enum(['synthetic', 'data'])
    .optional()
    .openapi({
      param: { name: 'source', in: 'query' },
      description: "synthetic companies, or the workspace's own accounts (default synthetic)",
    }),
  anonymise: z
    .enum(['true', 'false'])
    .optional()
    .openapi({
      param: { name: 'anonymise', in: 'query' },
      description:
        'with source data: rename accounts and CSMs and drop account names (default true)',
    }),
};

/** Rejects an anonymise choice sent with synthetic exercises, which have no real names. */
function checkAnonymise(source: 'synthetic' | 'data', anonymise: unknown): void {
  if (source === 'synthetic' && anonymise !== undefined) {
    throw new ApiError(
      400,
      'invalid-parameter',
      'anonymise applies to source data only; leave it out for synthetic exercises',
      'anonymise',
    );
  }
}

/** Sets of exercises of live sessions on the workspace's accounts, kept per dataset read. */
const sessionSets = new WeakMap<Dataset, Map<string, Exercise[]>>();

/** Counts the answers per value: per choice, or per percentage rounded to one decimal. */
function distribution(exercise: Exercise, answers: readonly StoredAnswer[]) {
  const counts = new Map<string, number>();
  for (const answer of answers) {
    const label =
      exercise.answerKind === 'percent' && answer.understood !== null
        ? `${Number(answer.understood).toFixed(1)}%`
        : (answer.understood ?? answer.response);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }));
}

export function registerTrainingRoutes(app: OpenAPIHono, options: TrainingRouteOptions): void {
  const store = new TrainingStore(options.workspace.db);

  /** Reads the workspace's data for exercises from its accounts, rejecting an empty workspace. */
  async function dataInput(): Promise<TrainingInput> {
    const input = await options.input();
    requireData(input.dataset);
    return input;
  }

  /**
   * Builds a session's exercises. A session on the workspace's accounts measures them as of the
   * default as-of date on the day it was created, and keeps its set until the next import.
   */
  async function exercisesOf(session: TrainingSession): Promise<Exercise[]> {
    const level = session.level === null ? null : (session.level as Level);
    if (session.source === 'synthetic') {
      return syntheticExercises(session.seed, session.count, level === null ? [1, 2, 3] : [level]);
    }
    const input = await dataInput();
    const kept = sessionSets.get(input.dataset)?.get(`${session.id}:${input.version}`);
    if (kept !== undefined) return kept;
    const created = parseDay(session.createdAt.slice(0, 10)) ?? options.today();
    const asOf = defaultAsOf(input.dataset, Math.min(created, options.today()));
    const exercises = buildDataExercises(
      input,
      { anonymise: session.anonymise, level, asOf, seed: session.seed },
      Array.from({ length: session.count }, (_, index) => index),
    );
    keepSessionSet(session, input, exercises);
    return exercises;
  }

  function keepSessionSet(session: TrainingSession, input: TrainingInput, exercises: Exercise[]) {
    const sets = sessionSets.get(input.dataset) ?? new Map<string, Exercise[]>();
    sessionSets.set(input.dataset, sets);
    sets.set(`${session.id}:${input.version}`, exercises);
  }

  async function sessionFor(code: string): Promise<TrainingSession> {
    const session = await store.session(code);
    if (session === undefined) {
      throw new ApiError(
        404,
        'not-found',
        `no training session with code ${code.toUpperCase()}`,
        'code',
      );
    }
    return session;
  }

  async function facilitatedSession(code: string, key: string): Promise<TrainingSession> {
    const session = await sessionFor(code);
    if (!(await store.isFacilitator(session, key))) {
      throw new ApiError(
        403,
        'forbidden',
        'the facilitator key does not match this session; only its facilitator can run it',
        'x-facilitator-key',
      );
    }
    return session;
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/training/exercises',
      summary:
        "NRR exercises to practise, synthetic or from the workspace's accounts, without their answers",
      request: {
        query: z.object({
          ...SourceQuery,
          level: z
            .enum(['1', '2', '3'])
            .optional()
            .openapi({
              param: { name: 'level', in: 'query' },
              description:
                '1 classify a movement, 2 compute NRR or GRR, 3 judge a renewal (default: all)',
            }),
          count: z
            .string()
            .regex(/^(100|[1-9]\d?)$/, 'must be a whole number from 1 to 100')
            .optional()
            .openapi({ param: { name: 'count', in: 'query' }, description: 'default 5' }),
          seed: z
            .string()
            .regex(/^\d{1,9}$/, 'must be a whole number')
            .optional()
            .openapi({
              param: { name: 'seed', in: 'query' },
              description: 'the same seed gives the same exercises (default 1)',
            }),
        }),
      },
      responses: {
        200: json(
          z.object({ exercises: z.array(ExerciseSchema) }),
          'the exercises; POST /api/training/answers grades an answer',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const source = query.source ?? 'synthetic';
      checkAnonymise(source, query.anonymise);
      const level = query.level === undefined ? null : (Number(query.level) as Level);
      const seed = Number(query.seed ?? '1');
      const count = Number(query.count ?? '5');
      if (source === 'synthetic') {
        const levels: Level[] = level === null ? [1, 2, 3] : [level];
        const exercises = syntheticExercises(seed, count, levels).map(shownExercise);
        return c.json({ exercises }, 200);
      }
      if (count > MAX_DATA_EXERCISES) {
        throw new ApiError(
          400,
          'invalid-parameter',
          `count must be at most ${MAX_DATA_EXERCISES} with source data, because each exercise from the workspace analyses all of its accounts`,
          'count',
        );
      }
      const input = await dataInput();
      const choice = {
        anonymise: query.anonymise !== 'false',
        level,
        asOf: defaultAsOf(input.dataset, options.today()),
        seed,
      };
      const indexes = Array.from({ length: count }, (_, index) => index);
      const exercises = buildDataExercises(input, choice, indexes).map((exercise, index) => ({
        ...shownExercise(exercise),
        id: dataExerciseId(choice, index),
      }));
      return c.json({ exercises }, 200);
    },
  );

  /**
   * Builds a practice exercise again from its id, synthetic or from the workspace's accounts.
   * NOTE: an exercise from the workspace is built on the data and definitions current when it is
   * graded, so an import since it was handed out can change it.
   */
  async function practiceExercise(id: string): Promise<Exercise | undefined> {
    const fromData = parseDataExerciseId(id);
    if (fromData === undefined) return syntheticExerciseById(id);
    const [exercise] = buildDataExercises(await dataInput(), fromData.choice, [fromData.index]);
    return exercise;
  }

  const GradeSchema = z
    .object({
      correct: z.boolean(),
      understood: z.union([z.number(), z.string()]).nullable(),
      misconception: z.object({ code: z.string(), description: z.string() }).nullable(),
      feedback: z.string(),
      answer: z.union([z.number(), z.string()]),
      solution: z.array(z.string()),
    })
    .openapi('Grade');

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/training/answers',
      summary:
        'Grade an answer to an exercise, with the misconception behind a wrong one and the worked solution',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                exercise: z.string().min(1).max(100).openapi({ example: 'book-nrr-1001' }),
                response: z.string().max(200).openapi({ example: '104.5%' }),
              }),
            },
          },
        },
      },
      responses: {
        200: json(GradeSchema, 'the grade; an answer that cannot be read has understood null'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const exercise = await practiceExercise(body.exercise);
      if (exercise === undefined) {
        throw new ApiError(
          404,
          'not-found',
          `no exercise "${body.exercise}"; take ids from GET /api/training/exercises`,
          'exercise',
        );
      }
      const result = grade(exercise, body.response);
      return c.json(
        {
          correct: result.correct,
          understood: result.understood,
          misconception:
            result.misconception === null
              ? null
              : { code: result.misconception.code, description: result.misconception.description },
          feedback: result.feedback,
          answer: exercise.answer,
          solution: [...exercise.solution],
        },
        200,
      );
    },
  );

  const SessionSchema = z
    .object({
      code: z.string(),
      count: z.number(),
      currentIndex: z.number(),
      finished: z.boolean(),
      revealed: z.boolean(),
      participants: z.array(z.string()),
      exercise: ExerciseSchema.nullable(),
      answer: z.union([z.number(), z.string()]).nullable(),
      solution: z.array(z.string()).nullable(),
      mine: z
        .object({
          response: z.string(),
          explanation: z.string(),
          correct: z.boolean().nullable(),
          feedback: z.string().nullable(),
        })
        .nullable(),
    })
    .openapi('TrainingSession');

  /** Builds the state shown to everyone, with the solution and each person's grade once revealed. */
  async function sessionView(session: TrainingSession, token: string | undefined) {
    const exercise = (await exercisesOf(session))[session.currentIndex];
    const participants = await store.participants(session);
    let mine = null;
    if (token !== undefined && exercise !== undefined) {
      const participant = await store.participant(session, token);
      if (participant === undefined) {
        throw new ApiError(403, 'forbidden', 'this token has not joined the session', 'token');
      }
      const stored = (await store.answers(session, session.currentIndex)).find(
        (answer) => answer.participant === participant.name,
      );
      if (stored !== undefined) {
        mine = {
          response: stored.response,
          explanation: stored.explanation,
          correct: session.revealed ? stored.correct : null,
          feedback: session.revealed ? grade(exercise, stored.response).feedback : null,
        };
      }
    }
    return {
      code: session.code,
      count: session.count,
      currentIndex: session.currentIndex,
      finished: exercise === undefined,
      revealed: session.revealed,
      participants: participants.map((participant) => participant.name),
      exercise: exercise === undefined ? null : shownExercise(exercise),
      answer: session.revealed && exercise !== undefined ? exercise.answer : null,
      solution: session.revealed && exercise !== undefined ? [...exercise.solution] : null,
      mine,
    };
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/training/sessions',
      summary: 'Start a live session; people join with its code',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                level: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
                source: z.enum(['synthetic', 'data']).optional().openapi({
                  description:
                    "synthetic companies, or the workspace's own accounts (default synthetic)",
                }),
                anonymise: z.boolean().optional().openapi({
                  description:
                    'with source data: rename accounts and CSMs and drop account names (default true)',
                }),
                count: z.number().int().min(1).max(MAX_SESSION_EXERCISES).optional(),
                seed: z.number().int().min(0).max(999_999_999).optional(),
              }),
            },
          },
        },
      },
      responses: {
        201: json(
          z.object({ code: z.string(), facilitatorKey: z.string(), session: SessionSchema }),
          'the session, its code and the key its facilitator sends to run it',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const source = body.source ?? 'synthetic';
      checkAnonymise(source, body.anonymise);
      const seed = body.seed ?? Math.floor(Math.random() * 1_000_000);
      const level = body.level ?? null;
      const count = body.count ?? 5;
      const anonymise = source === 'data' && body.anonymise !== false;
      // The set is built before the session is stored, so a workspace that gives none is rejected.
      let built: { input: TrainingInput; exercises: Exercise[] } | undefined;
      if (source === 'data') {
        const input = await dataInput();
        const asOf = defaultAsOf(input.dataset, options.today());
        const indexes = Array.from({ length: count }, (_, index) => index);
        const exercises = buildDataExercises(input, { anonymise, level, asOf, seed }, indexes);
        built = { input, exercises };
      }
      const { session, facilitatorKey } = await store.createSession({
        seed,
        level,
        source,
        anonymise,
        count,
        user: options.user,
      });
      if (built !== undefined) keepSessionSet(session, built.input, built.exercises);
      return c.json(
        { code: session.code, facilitatorKey, session: await sessionView(session, undefined) },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/training/sessions/{code}',
      summary: "A live session's current exercise; with a participant's token, their own answer",
      request: {
        params: CodeParam,
        query: z.object({
          token: z
            .string()
            .min(1)
            .optional()
            .openapi({
              param: { name: 'token', in: 'query' },
              description: "a participant's token",
            }),
        }),
      },
      responses: { 200: json(SessionSchema, 'the session'), ...errorResponses },
    }),
    async (c) => {
      const session = await sessionFor(c.req.valid('param').code);
      return c.json(await sessionView(session, c.req.valid('query').token), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/training/sessions/{code}/participants',
      summary: 'Join a live session under a name',
      request: {
        params: CodeParam,
        body: {
          content: {
            'application/json': {
              schema: z.object({ name: z.string().trim().min(1).max(80) }),
            },
          },
        },
      },
      responses: {
        201: json(z.object({ name: z.string(), token: z.string() }), 'the token to answer with'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const session = await sessionFor(c.req.valid('param').code);
      const { name } = c.req.valid('json');
      try {
        const joined = await store.join(session, name);
        return c.json({ name, token: joined.token }, 201);
      } catch (error) {
        if (error instanceof Error && /already joined/.test(error.message)) {
          throw new ApiError(409, 'name-taken', error.message, 'name');
        }
        throw error;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/training/sessions/{code}/answers',
      summary: 'Answer the current exercise with a number or choice and a written explanation',
      request: {
        params: CodeParam,
        body: {
          content: {
            'application/json': {
              schema: z.object({
                token: z.string().min(1),
                response: z.string().max(200),
                explanation: z.string().max(4000).optional(),
              }),
            },
          },
        },
      },
      responses: {
        200: json(
          z.object({ received: z.boolean(), exerciseIndex: z.number() }),
          'the answer is stored; its grade shows once the facilitator reveals the solution',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const session = await sessionFor(c.req.valid('param').code);
      const body = c.req.valid('json');
      const participant = await store.participant(session, body.token);
      if (participant === undefined) {
        throw new ApiError(403, 'forbidden', 'this token has not joined the session', 'token');
      }
      const exercise = (await exercisesOf(session))[session.currentIndex];
      if (exercise === undefined) {
        throw new ApiError(409, 'session-finished', 'the session has no exercise left', null);
      }
      if (session.revealed) {
        throw new ApiError(
          409,
          'solution-revealed',
          'the solution of this exercise is already shown; wait for the next one',
          null,
        );
      }
      const result = grade(exercise, body.response);
      if (result.understood === null) {
        throw new ApiError(400, 'invalid-parameter', result.feedback, 'response');
      }
      await store.recordAnswer(session, participant, {
        exerciseIndex: session.currentIndex,
        exerciseId: exercise.id,
        response: body.response.trim(),
        explanation: body.explanation?.trim() ?? '',
        correct: result.correct,
        understood: String(result.understood),
        misconception: result.misconception?.code ?? null,
        concepts: exercise.concepts,
      });
      return c.json({ received: true, exerciseIndex: session.currentIndex }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/training/sessions/{code}/results',
      summary:
        "The facilitator's view of the current exercise: each answer, the distribution and the misconceptions",
      request: { params: CodeParam, headers: FacilitatorHeader },
      responses: {
        200: json(
          z
            .object({
              exerciseIndex: z.number(),
              answer: z.union([z.number(), z.string()]).nullable(),
              answers: z.array(
                z.object({
                  participant: z.string(),
                  response: z.string(),
                  explanation: z.string(),
                  correct: z.boolean(),
                  misconception: z.string().nullable(),
                }),
              ),
              distribution: z.array(z.object({ label: z.string(), count: z.number() })),
              misconceptions: z.array(
                z.object({ code: z.string(), description: z.string(), count: z.number() }),
              ),
              correct: z.number(),
            })
            .openapi('SessionResults'),
          'the results so far',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const session = await facilitatedSession(
        c.req.valid('param').code,
        c.req.valid('header')['x-facilitator-key'],
      );
      const exercise = (await exercisesOf(session))[session.currentIndex];
      const answers =
        exercise === undefined ? [] : await store.answers(session, session.currentIndex);
      const named = new Map<string, { description: string; count: number }>();
      for (const answer of answers) {
        if (answer.misconception === null || exercise === undefined) continue;
        const known = exercise.misconceptions.find((entry) => entry.code === answer.misconception);
        const entry = named.get(answer.misconception) ?? {
          description: known?.description ?? answer.misconception,
          count: 0,
        };
        entry.count++;
        named.set(answer.misconception, entry);
      }
      return c.json(
        {
          exerciseIndex: session.currentIndex,
          answer: exercise?.answer ?? null,
          answers: answers.map((answer) => ({
            participant: answer.participant,
            response: answer.response,
            explanation: answer.explanation,
            correct: answer.correct,
            misconception: answer.misconception,
          })),
          distribution: exercise === undefined ? [] : distribution(exercise, answers),
          misconceptions: [...named.entries()].map(([code, entry]) => ({ code, ...entry })),
          correct: answers.filter((answer) => answer.correct).length,
        },
        200,
      );
    },
  );

  for (const action of ['reveal', 'next'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/api/training/sessions/{code}/${action}`,
        summary:
          action === 'reveal'
            ? 'Show everyone the worked solution and their grade'
            : 'Move everyone to the next exercise',
        request: { params: CodeParam, headers: FacilitatorHeader },
        responses: { 200: json(SessionSchema, 'the session'), ...errorResponses },
      }),
      async (c) => {
        const session = await facilitatedSession(
          c.req.valid('param').code,
          c.req.valid('header')['x-facilitator-key'],
        );
        const state =
          action === 'reveal'
            ? { currentIndex: session.currentIndex, revealed: true }
            : { currentIndex: Math.min(session.currentIndex + 1, session.count), revealed: false };
        await store.setState(session, state);
        return c.json(await sessionView({ ...session, ...state }, undefined), 200);
      },
    );
  }

  /**
   * Reads the personal access key of a request: undefined without an Authorization header, the
   * key's holder when it matches one, and a 401 error when it matches none.
   */
  async function holderOf(authorization: string | undefined): Promise<KeyHolder | undefined> {
    if (authorization === undefined || authorization.trim() === '') return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    const holder =
      match === null ? undefined : await keyHolder(options.workspace.db, match[1] as string);
    if (holder === undefined) {
      throw new ApiError(
        401,
        'invalid-key',
        'the personal access key is not valid; send "Authorization: Bearer KEY" with the key a leader issued (nrr people key NAME)',
        'authorization',
      );
    }
    return holder;
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/training/progress',
      summary:
        'How often answers were right per concept and month, for the whole team without names; with a personal access key, per person for the people the key may see',
      request: {
        query: z.object({
          person: z
            .string()
            .min(1)
            .max(80)
            .optional()
            .openapi({
              param: { name: 'person', in: 'query' },
              description: 'one person the key may see; the concepts then count their answers only',
            }),
        }),
        headers: z.object({
          authorization: z
            .string()
            .optional()
            .openapi({
              param: { name: 'authorization', in: 'header' },
              description:
                'Bearer and a personal access key: its holder sees their own progress, a manager also that of the people who report to them, a leader everyone',
            }),
        }),
      },
      responses: {
        200: json(
          z
            .object({
              viewer: z.object({ person: z.string(), leader: z.boolean() }).nullable(),
              concepts: z.array(
                z.object({
                  concept: z.string(),
                  description: z.string(),
                  months: z.array(
                    z.object({ month: z.string(), right: z.number(), answered: z.number() }),
                  ),
                }),
              ),
              people: z.array(
                z.object({ person: z.string(), right: z.number(), answered: z.number() }),
              ),
            })
            .openapi('TrainingProgress'),
          'the progress; without a key, people is empty',
        ),
        401: json(
          ErrorSchema,
          'a personal access key that matches no issued key, or none where one is needed',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { person } = c.req.valid('query');
      const holder = await holderOf(c.req.valid('header').authorization);
      const visible =
        holder === undefined
          ? new Set<string>()
          : visiblePeople(holder, await listTeamMembers(options.workspace.db));
      const mayRead = (name: string) => visible === undefined || visible.has(name);
      if (person !== undefined && holder === undefined) {
        throw new ApiError(
          401,
          'key-required',
          `the progress of ${person} needs a personal access key; send "Authorization: Bearer KEY"`,
          'authorization',
        );
      }
      if (person !== undefined && holder !== undefined && !mayRead(person)) {
        throw new ApiError(
          403,
          'forbidden',
          `${holder.person}'s key does not show the progress of ${person}: only their own, and that of the people who report to them`,
          'person',
        );
      }
      const answers =
        person === undefined ? await store.allAnswers() : await store.answersOf(person);
      const progress = progressOf(answers);
      return c.json(
        {
          viewer: holder === undefined ? null : { person: holder.person, leader: holder.leader },
          concepts: progress.concepts,
          people: progress.people.filter((entry) => mayRead(entry.person)),
        },
        200,
      );
    },
  );
}

/** Counts right answers per concept and month, and per person. */
function progressOf(answers: readonly StoredAnswer[]) {
  const concepts = new Map<string, Map<string, { right: number; answered: number }>>();
  const people = new Map<string, { right: number; answered: number }>();
  for (const answer of answers) {
    const month = answer.answeredAt.slice(0, 7);
    for (const concept of answer.concepts) {
      const months =
        concepts.get(concept) ?? new Map<string, { right: number; answered: number }>();
      const entry = months.get(month) ?? { right: 0, answered: 0 };
      entry.answered++;
      if (answer.correct) entry.right++;
      months.set(month, entry);
      concepts.set(concept, months);
    }
    const entry = people.get(answer.participant) ?? { right: 0, answered: 0 };
    entry.answered++;
    if (answer.correct) entry.right++;
    people.set(answer.participant, entry);
  }
  return {
    concepts: [...concepts.entries()].map(([concept, months]) => ({
      concept,
      description: CONCEPTS[concept as keyof typeof CONCEPTS] ?? concept,
      months: [...months.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([month, entry]) => ({ month, ...entry })),
    })),
    people: [...people.entries()].map(([name, entry]) => ({ person: name, ...entry })),
  };
}
