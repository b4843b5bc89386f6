/**
 * Grading of an answer: right within the exercise's tolerance, or wrong, with the misconception
 * behind the answer named when it matches one the exercise knows.
 */
import type { Exercise, Misconception } from './exercises.js';

export interface Grade {
  readonly correct: boolean;
  /** The answer as understood, in percent for percentage exercises. */
  readonly understood: number | string | null;
  readonly misconception: Misconception | null;
  readonly feedback: string;
}

/** Extra room, in percentage points, when matching a wrong answer to a misconception. */
const MISCONCEPTION_TOLERANCE = 0.15;

/**
 * Reads a percentage: "104.5", "104.5%" and "104,5 %" are 104.5. A bare number up to 3 without a
 * percent sign, such as 1.045, is taken as a fraction, because no NRR of 3% or less is plausible
 * as a typed percentage while fractions up to 300% are.
 */
export function parsePercent(text: string): number | null {
  const trimmed = text.trim().replace(/\s+/g, '');
  const match = /^([+-]?\d+(?:[.,]\d+)?)(%?)$/.exec(trimmed);
  if (match === null) return null;
  const value = Number((match[1] as string).replace(',', '.'));
  if (!Number.isFinite(value)) return null;
  return match[2] === '' && Math.abs(value) <= 3 ? value * 100 : value;
}

function describe(exercise: Exercise): string {
  return exercise.answerKind === 'percent'
    ? `${(exercise.answer as number).toFixed(1)}%`
    : String(exercise.answer);
}

export function grade(exercise: Exercise, response: string): Grade {
  if (exercise.answerKind === 'choice') {
    const choice = response.trim().toLowerCase();
    if (!(exercise.choices ?? []).includes(choice)) {
      return {
        correct: false,
        understood: null,
        misconception: null,
        feedback: `"${response.trim()}" is not one of ${(exercise.choices ?? []).join(', ')}.`,
      };
    }
    if (choice === exercise.answer) {
      return { correct: true, understood: choice, misconception: null, feedback: 'Right.' };
    }
    const misconception = exercise.misconceptions.find((entry) => entry.answer === choice) ?? null;
    return {
      correct: false,
      understood: choice,
      misconception,
      feedback: `Not quite: the answer is ${describe(exercise)}.${misconception === null ? '' : ` It looks as if you ${misconception.description}.`}`,
    };
  }

  const value = parsePercent(response);
  if (value === null) {
    return {
      correct: false,
      understood: null,
      misconception: null,
      feedback: `"${response.trim()}" is not a percentage; type a number such as 104.5 or 104.5%.`,
    };
  }
  const answer = exercise.answer as number;
  if (Math.abs(value - answer) <= exercise.tolerance + 1e-9) {
    return { correct: true, understood: value, misconception: null, feedback: 'Right.' };
  }
  const misconception =
    exercise.misconceptions
      .filter((entry) => typeof entry.answer === 'number')
      .map((entry) => ({ entry, distance: Math.abs((entry.answer as number) - value) }))
      .filter(({ distance }) => distance <= MISCONCEPTION_TOLERANCE)
      .sort((a, b) => a.distance - b.distance)[0]?.entry ?? null;
  return {
    correct: false,
    understood: value,
    misconception,
    feedback: `Not quite: the answer is ${describe(exercise)} (within ${exercise.tolerance} points).${misconception === null ? '' : ` It looks as if you ${misconception.description}.`}`,
  };
}
