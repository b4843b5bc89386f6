/**
 * Live training sessions kept in the workspace: the session a facilitator runs, the people who
 * joined it with its short code, and every answer with its grade, so results outlive the server.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Database, Queryable } from './driver.js';
import { isoTime, StoreError } from './driver.js';

/** The origin of a session's exercises: generated companies, or the workspace's accounts. */
export type ExerciseSource = 'synthetic' | 'data';

export interface TrainingSession {
  readonly id: number;
  readonly code: string;
  readonly seed: number;
  readonly level: number | null;
  readonly source: ExerciseSource;
  /** Whether exercises from the workspace's accounts rename accounts and people. */
  readonly anonymise: boolean;
  readonly count: number;
  /** Index of the exercise everyone is on, from 0; `count` once the session is over. */
  readonly currentIndex: number;
  /** Whether the facilitator has shown the current exercise's worked solution. */
  readonly revealed: boolean;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface Participant {
  readonly id: number;
  readonly name: string;
}

export interface StoredAnswer {
  readonly participant: string;
  readonly exerciseIndex: number;
  readonly exerciseId: string;
  readonly response: string;
  readonly explanation: string;
  readonly correct: boolean;
  readonly understood: string | null;
  readonly misconception: string | null;
  readonly concepts: readonly string[];
  readonly answeredAt: string;
}

/** Letters and digits people do not confuse when they read a code aloud or off a screen. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 6;

function newCode(): string {
  let code = '';
  for (let index = 0; index < CODE_LENGTH; index++) {
    code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  }
  return code;
}

function sessionOf(row: Record<string, unknown>): TrainingSession {
  return {
    id: Number(row['id']),
    code: String(row['code']),
    seed: Number(row['seed']),
    level: row['level'] === null ? null : Number(row['level']),
    source: row['source'] === 'data' ? 'data' : 'synthetic',
    anonymise: row['anonymise'] === true,
    count: Number(row['exercise_count']),
    currentIndex: Number(row['current_index']),
    revealed: row['revealed'] === true,
    createdAt: String(row['created_iso']),
    createdBy: String(row['created_by']),
  };
}

const SESSION_COLUMNS = `id, code, seed, level, source, anonymise, exercise_count, current_index,
  revealed, created_by, ${isoTime('created_at')} AS created_iso`;

export class TrainingStore {
  constructor(private readonly db: Database) {}

  /** Starts a session and returns it with the key that lets its facilitator run it. */
  async createSession(options: {
    seed: number;
    level: number | null;
    /** Synthetic unless given. */
    source?: ExerciseSource;
    anonymise?: boolean;
    count: number;
    user: string;
  }): Promise<{ session: TrainingSession; facilitatorKey: string }> {
    const facilitatorKey = randomBytes(16).toString('hex');
    // A clash of two random codes is rare; a few tries make it vanishingly so.
    for (let attempt = 0; attempt < 8; attempt++) {
      const code = newCode();
      const rows = await this.db.query<Record<string, unknown>>(
        `INSERT INTO training_sessions (code, facilitator_key, seed, level, source, anonymise,
           exercise_count, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8)
         ON CONFLICT (code) DO NOTHING
         RETURNING ${SESSION_COLUMNS}`,
        [
          code,
          facilitatorKey,
          options.seed,
          options.level,
          options.source ?? 'synthetic',
          options.source === 'data' && options.anonymise === true,
          options.count,
          options.user,
        ],
      );
      const row = rows[0];
      if (row !== undefined) return { session: sessionOf(row), facilitatorKey };
    }
    throw new StoreError('could not choose an unused session code; try again');
  }

  async session(code: string): Promise<TrainingSession | undefined> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT ${SESSION_COLUMNS} FROM training_sessions WHERE code = $1`,
      [code.toUpperCase()],
    );
    return rows[0] === undefined ? undefined : sessionOf(rows[0]);
  }

  /** Checks a facilitator key against the session's. */
  async isFacilitator(session: TrainingSession, key: string): Promise<boolean> {
    const rows = await this.db.query<{ facilitator_key: string }>(
      'SELECT facilitator_key FROM training_sessions WHERE id = $1',
      [session.id],
    );
    return rows[0]?.facilitator_key === key;
  }

  /** Moves the session to an exercise, hiding its solution until revealed. */
  async setState(
    session: TrainingSession,
    state: { currentIndex: number; revealed: boolean },
  ): Promise<void> {
    await this.db.query(
      'UPDATE training_sessions SET current_index = $1, revealed = $2 WHERE id = $3',
      [state.currentIndex, state.revealed, session.id],
    );
  }

  /** Adds a participant by name; a name already taken in the session is rejected. */
  async join(
    session: TrainingSession,
    name: string,
  ): Promise<{ participant: Participant; token: string }> {
    const token = randomBytes(16).toString('hex');
    const rows = await this.db.query<{ id: number | string }>(
      `INSERT INTO training_participants (session_id, name, token, joined_at)
       VALUES ($1, $2, $3, now())
       ON CONFLICT (session_id, name) DO NOTHING
       RETURNING id`,
      [session.id, name, token],
    );
    const row = rows[0];
    if (row === undefined) {
      throw new StoreError(`"${name}" has already joined this session; choose another name`);
    }
    return { participant: { id: Number(row.id), name }, token };
  }

  async participant(session: TrainingSession, token: string): Promise<Participant | undefined> {
    const rows = await this.db.query<{ id: number | string; name: string }>(
      'SELECT id, name FROM training_participants WHERE session_id = $1 AND token = $2',
      [session.id, token],
    );
    const row = rows[0];
    return row === undefined ? undefined : { id: Number(row.id), name: row.name };
  }

  async participants(session: TrainingSession): Promise<Participant[]> {
    const rows = await this.db.query<{ id: number | string; name: string }>(
      'SELECT id, name FROM training_participants WHERE session_id = $1 ORDER BY id',
      [session.id],
    );
    return rows.map((row) => ({ id: Number(row.id), name: row.name }));
  }

  /** Stores a participant's answer to an exercise, replacing an earlier one to the same. */
  async recordAnswer(
    session: TrainingSession,
    participant: Participant,
    answer: Omit<StoredAnswer, 'participant' | 'answeredAt'>,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO training_answers (session_id, participant_id, exercise_index, exercise_id, response,
         explanation, correct, understood, misconception, concepts, answered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
       ON CONFLICT (session_id, participant_id, exercise_index) DO UPDATE SET
         response = EXCLUDED.response, explanation = EXCLUDED.explanation,
         correct = EXCLUDED.correct, understood = EXCLUDED.understood,
         misconception = EXCLUDED.misconception, answered_at = EXCLUDED.answered_at`,
      [
        session.id,
        participant.id,
        answer.exerciseIndex,
        answer.exerciseId,
        answer.response,
        answer.explanation,
        answer.correct,
        answer.understood,
        answer.misconception,
        JSON.stringify(answer.concepts),
      ],
    );
  }

  /** Lists the answers of a session, for one exercise or all, in the order they arrived. */
  async answers(session: TrainingSession, exerciseIndex?: number): Promise<StoredAnswer[]> {
    return answersIn(this.db, 'a.session_id = $1', [session.id], exerciseIndex);
  }

  /** Lists every stored answer of one person across sessions, oldest first. */
  async answersOf(name: string): Promise<StoredAnswer[]> {
    return answersIn(this.db, 'p.name = $1', [name]);
  }

  /** Lists every stored answer in the workspace, oldest first. */
  async allAnswers(): Promise<StoredAnswer[]> {
    return answersIn(this.db, 'true', []);
  }
}

async function answersIn(
  db: Queryable,
  where: string,
  params: (string | number)[],
  exerciseIndex?: number,
): Promise<StoredAnswer[]> {
  const filter = exerciseIndex === undefined ? '' : ` AND a.exercise_index = $${params.length + 1}`;
  const rows = await db.query<Record<string, unknown>>(
    `SELECT p.name, a.exercise_index, a.exercise_id, a.response, a.explanation, a.correct,
       a.understood, a.misconception, a.concepts, ${isoTime('a.answered_at')} AS answered_iso
     FROM training_answers a JOIN training_participants p ON p.id = a.participant_id
     WHERE ${where}${filter}
     ORDER BY a.answered_at, p.id`,
    exerciseIndex === undefined ? params : [...params, exerciseIndex],
  );
  return rows.map((row) => ({
    participant: String(row['name']),
    exerciseIndex: Number(row['exercise_index']),
    exerciseId: String(row['exercise_id']),
    response: String(row['response']),
    explanation: String(row['explanation']),
    correct: row['correct'] === true,
    understood: row['understood'] === null ? null : (row['understood'] as string),
    misconception: row['misconception'] === null ? null : (row['misconception'] as string),
    concepts: (typeof row['concepts'] === 'string'
      ? JSON.parse(row['concepts'])
      : row['concepts']) as string[],
    answeredAt: String(row['answered_iso']),
  }));
}
