/**
 * Training exercises: every stored answer is the engine's result on the exercise's own data,
 * each anticipated misconception is recognised from the wrong answer it produces, and
 * anonymised material contains no account or person name from the workspace.
 */
import { describe, expect, test } from 'vitest';
import {
  analyse,
  buildReport,
  dayFromCivil,
  DEFAULT_DEFINITIONS,
  explainAccount,
  parseDay,
} from '../../src/core/index.js';
import { generateCompany } from '../../src/generate/index.js';
import {
  bookExercise,
  classifyExercise,
  renewalExercise,
  syntheticExerciseById,
  syntheticExercises,
} from '../../src/training/exercises.js';
import type { Exercise } from '../../src/training/exercises.js';
import { bookExerciseFromData } from '../../src/training/from-data.js';
import { grade, parsePercent } from '../../src/training/grading.js';
import { worksheetPdf } from '../../src/training/worksheet.js';

/** Recomputes an exercise's answer with the engine on its own data. */
function engineAnswer(exercise: Exercise): number | string {
  const asOf = parseDay(exercise.asOf) as number;
  const analysis = analyse(exercise.dataset, DEFAULT_DEFINITIONS, asOf);
  if (exercise.answerKind === 'choice') {
    const explanation = explainAccount(analysis, exercise.dataset, 'X');
    const to = /and (\d{4}-\d{2}-\d{2})\?$/.exec(exercise.question)?.[1];
    return explanation.movements.find((movement) => movement.to === to)?.kind ?? 'none';
  }
  const { cohort } = buildReport(analysis, exercise.dataset);
  const numerator = exercise.id.includes('grr') ? cohort.cappedArr : cohort.endArr;
  return (numerator / cohort.startArr) * 100;
}

describe('generated exercises', () => {
  const exercises = syntheticExercises(5, 60);

  test('store the engine result as the answer', () => {
    for (const exercise of exercises) {
      expect(exercise.answer, exercise.id).toEqual(engineAnswer(exercise));
    }
  });

  test('cover every level and movement kind', () => {
    expect(new Set(exercises.map((exercise) => exercise.level))).toEqual(new Set([1, 2, 3]));
    const kinds = new Set(
      exercises.filter((exercise) => exercise.level === 1).map((exercise) => exercise.answer),
    );
    expect(kinds).toEqual(new Set(['new', 'expansion', 'contraction', 'churn', 'reactivation']));
  });

  test('give the same set for the same seed', () => {
    expect(syntheticExercises(5, 6).map((exercise) => exercise.answer)).toEqual(
      exercises.slice(0, 6).map((exercise) => exercise.answer),
    );
  });
});

describe('a book exercise worked by hand', () => {
  const exercise = bookExercise(7, 'grr');
  const figures = buildReport(
    analyse(exercise.dataset, DEFAULT_DEFINITIONS, dayFromCivil(2025, 12, 31)),
    exercise.dataset,
  ).cohort;

  test('has the cohort arithmetic in its solution', () => {
    // GRR = capped ARR ÷ starting ARR of A, B, C and D; E is a new logo and stays out.
    expect(exercise.solution.join(' ')).toContain('E joined during the year');
    expect(exercise.answer).toBeCloseTo((figures.cappedArr / figures.startArr) * 100, 10);
    expect(figures.cohortAccounts).toBe(4);
  });
});

describe('grading', () => {
  const nrr = bookExercise(11, 'nrr');
  const grr = bookExercise(11, 'grr');

  test('accepts the answer within the tolerance, in any usual form', () => {
    const answer = nrr.answer as number;
    expect(grade(nrr, `${answer.toFixed(2)}%`).correct).toBe(true);
    expect(grade(nrr, (answer + 0.09).toFixed(2)).correct).toBe(true);
    expect(grade(nrr, (answer / 100).toFixed(5)).correct).toBe(true);
    expect(grade(nrr, (answer + 0.5).toFixed(2)).correct).toBe(false);
  });

  test.each([
    ['new-logo-in-numerator', 'included the new customer in the numerator'],
    ['ending-arr-denominator', 'used the ending ARR as the denominator'],
    ['one-time-fee-counted', 'counted the one-time fee'],
  ])('names the misconception %s', (code, words) => {
    const misconception = nrr.misconceptions.find((entry) => entry.code === code);
    expect(misconception, code).toBeDefined();
    const result = grade(nrr, (misconception?.answer as number).toFixed(2));
    expect(result.correct).toBe(false);
    expect(result.misconception?.code).toBe(code);
    expect(result.feedback).toContain(words);
  });

  test('names ARR growth on a GRR question', () => {
    const misconception = grr.misconceptions.find((entry) => entry.code === 'arr-growth');
    expect(grade(grr, (misconception?.answer as number).toFixed(2)).misconception?.code).toBe(
      'arr-growth',
    );
  });

  test('keeps anticipated answers apart', () => {
    for (const exercise of syntheticExercises(9, 30)) {
      const answers = exercise.misconceptions.map((entry) => entry.answer);
      expect(new Set(answers).size, exercise.id).toBe(answers.length);
      expect(answers, exercise.id).not.toContain(exercise.answer);
    }
  });

  test('names an uncapped GRR', () => {
    const misconception = grr.misconceptions.find((entry) => entry.code === 'grr-not-capped');
    const result = grade(grr, `${(misconception?.answer as number).toFixed(1)}%`);
    expect(result.misconception?.code).toBe('grr-not-capped');
    expect(result.feedback).toContain('did not cap expansion for GRR');
  });

  test('names a late renewal counted as churn', () => {
    const late = renewalExercise(3, 'late-inside-grace');
    // The renewal is back inside the grace window, so NRR keeps R; dropping R is the mistake.
    const wrong = late.misconceptions.find((entry) => entry.code === 'late-renewal-as-churn');
    expect(grade(late, (wrong?.answer as number).toFixed(2)).misconception?.code).toBe(
      'late-renewal-as-churn',
    );
    expect(grade(late, '100').correct).toBe(true);
  });

  test('names a returning customer taken for a new one', () => {
    let exercise = classifyExercise(0);
    for (let seed = 1; exercise.answer !== 'reactivation'; seed++)
      exercise = classifyExercise(seed);
    const result = grade(exercise, 'new');
    expect(result.misconception?.code).toBe('returning-customer-as-new');
    expect(grade(exercise, 'Reactivation ').correct).toBe(true);
  });

  test('does not mark unreadable answers', () => {
    expect(grade(nrr, 'about a hundred').understood).toBeNull();
    expect(grade(classifyExercise(1), 'upsell').understood).toBeNull();
    expect(parsePercent('104,5 %')).toBe(104.5);
    expect(parsePercent('1.045')).toBeCloseTo(104.5, 10);
  });
});

describe('exercises from real accounts', () => {
  const company = generateCompany({ accounts: 300, seed: 21 });
  const options = {
    asOf: dayFromCivil(2025, 12, 31),
    definitions: DEFAULT_DEFINITIONS,
    measure: 'nrr' as const,
    anonymise: true,
  };

  test('store the engine result on the chosen accounts', () => {
    for (const seed of [1, 2, 3]) {
      const exercise = bookExerciseFromData(company, { ...options, seed });
      expect(exercise.answer, exercise.id).toBeCloseTo(engineAnswer(exercise) as number, 10);
      expect(exercise.data.length).toBeGreaterThan(0);
    }
  });

  test('anonymised material holds no account or person name', () => {
    const names = new Set<string>();
    for (const account of company.accounts) {
      names.add(account.id);
      if (account.name !== undefined) names.add(account.name);
    }
    for (const assignment of company.assignments) names.add(assignment.person);
    for (const seed of [1, 2, 3, 4, 5]) {
      const text = JSON.stringify(
        bookExerciseFromData(company, { ...options, seed }),
        (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
      );
      const leaked = [...names].filter((name) => name.length > 3 && text.includes(name));
      expect(leaked, `seed ${seed}`).toEqual([]);
    }
  });

  test('keep real ids when not anonymised', () => {
    const exercise = bookExerciseFromData(company, { ...options, anonymise: false, seed: 1 });
    const ids = new Set(company.accounts.map((account) => account.id));
    expect(exercise.dataset.accounts.every((account) => ids.has(account.id))).toBe(true);
  });

  test('an unknown CSM is an error', () => {
    expect(() => bookExerciseFromData(company, { ...options, seed: 1, csm: 'Nobody' })).toThrow(
      /CSM "Nobody"/,
    );
  });
});

describe('exercise ids', () => {
  test('rebuild the same exercise', () => {
    for (const exercise of syntheticExercises(12, 9)) {
      const rebuilt = syntheticExerciseById(exercise.id);
      expect(rebuilt?.answer, exercise.id).toEqual(exercise.answer);
      expect(rebuilt?.data, exercise.id).toEqual(exercise.data);
    }
  });

  test.each(['book-xrr-1', 'renewal-maybe-3', 'classify-', 'data-nrr-1', '../etc'])(
    'reject the id %s',
    (id) => {
      expect(syntheticExerciseById(id)).toBeUndefined();
    },
  );
});

describe('worksheet', () => {
  /** Extracts the text drawn on the pages: pdfkit writes each run as a hex string before TJ. */
  function drawnText(pdf: Buffer): string {
    return [...pdf.toString('latin1').matchAll(/<([0-9a-f]+)>/g)]
      .map((match) => Buffer.from(match[1] as string, 'hex').toString('latin1'))
      .join('');
  }

  test('has the exercises, then an answer key on its own page', async () => {
    const exercises = syntheticExercises(2, 3);
    const pdf = await worksheetPdf(exercises, { title: 'NRR worksheet', compress: false });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = drawnText(pdf);
    const key = text.indexOf('Answer key');
    expect(key).toBeGreaterThan(0);
    expect(text.indexOf(exercises[0]?.title ?? '')).toBeLessThan(key);
    // Each answer appears after the key's heading, with one decimal.
    for (const exercise of exercises) {
      const answer =
        typeof exercise.answer === 'number' ? `${exercise.answer.toFixed(1)}%` : exercise.answer;
      expect(text.indexOf(answer, key), exercise.id).toBeGreaterThan(key);
    }
    expect((pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length).toBeGreaterThanOrEqual(
      2,
    );
  });
});
