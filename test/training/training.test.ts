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
  choiceFromText,
  explainAccount,
  parseDay,
  runScenario,
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
import {
  currencyExercise,
  rampExercise,
  transferBookExercise,
  transferMoveExercise,
} from '../../src/training/concepts.js';
import {
  bookExerciseFromData,
  exercisesFromData,
  movementExerciseFromData,
  renewalExerciseFromData,
} from '../../src/training/from-data.js';
import type { MovementFocus } from '../../src/training/from-data.js';
import { grade, parsePercent } from '../../src/training/grading.js';
import { worksheetPdf } from '../../src/training/worksheet.js';

/** Recomputes an exercise's answer with the engine on its own data, from the figure it names. */
function engineAnswer(exercise: Exercise): number | string {
  const asOf = parseDay(exercise.asOf) as number;
  const { figure } = exercise;
  switch (figure.kind) {
    case 'movement': {
      const analysis = analyse(exercise.dataset, DEFAULT_DEFINITIONS, asOf);
      const explanation = explainAccount(analysis, exercise.dataset, figure.account);
      const movement = explanation.movements.find(
        (entry) => entry.from === figure.from && entry.to === figure.to,
      );
      return movement?.kind ?? 'none';
    }
    case 'book-line': {
      const from = parseDay(figure.from) as number;
      const to = parseDay(figure.to) as number;
      const analysis = analyse(exercise.dataset, DEFAULT_DEFINITIONS, to, { windowStart: from });
      const bridge = buildReport(analysis, exercise.dataset, 'csm').groups?.find(
        (group) => group.key === figure.book,
      )?.bridge;
      const lines = Object.entries({
        new: bridge?.new,
        expansion: bridge?.expansion,
        contraction: bridge?.contraction,
        churn: bridge?.churn,
        reactivation: bridge?.reactivation,
        'transfer-in': bridge?.transferIn,
        'transfer-out': bridge?.transferOut,
      }).filter(([, amount]) => amount !== undefined && amount !== 0);
      return lines.length === 1 ? (lines[0]?.[0] as string) : 'none';
    }
    case 'retention': {
      const analysis = analyse(exercise.dataset, DEFAULT_DEFINITIONS, asOf);
      const report = buildReport(analysis, exercise.dataset, 'csm');
      const cohort =
        figure.book === undefined
          ? report.cohort
          : report.groups?.find((group) => group.key === figure.book)?.cohort;
      if (cohort === undefined) return 'no such book';
      const numerator = figure.measure === 'grr' ? cohort.cappedArr : cohort.endArr;
      return (numerator / cohort.startArr) * 100;
    }
    case 'scenario': {
      const result = runScenario(
        exercise.dataset,
        DEFAULT_DEFINITIONS,
        asOf,
        { name: 'check', choices: [choiceFromText(figure.choice)] },
        [],
      );
      const cohort = result.windows.find((window) => window.year === figure.year)?.company.scenario
        .cohort;
      return cohort === undefined ? 'no such window' : (cohort.endArr / cohort.startArr) * 100;
    }
  }
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
    expect(kinds).toEqual(
      new Set([
        'new',
        'expansion',
        'contraction',
        'churn',
        'reactivation',
        'transfer-in',
        'transfer-out',
      ]),
    );
    const titles = new Set(exercises.map((exercise) => exercise.id.replace(/-\d+$/, '')));
    for (const kind of ['ramp', 'currency', 'transfer-book', 'transfer-move']) {
      expect(titles, kind).toContain(kind);
    }
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

describe('concept exercises worked by hand', () => {
  test('a ramp counts its annual value and started steps', () => {
    const exercise = rampExercise(1);
    // M: 237,000 ÷ 3 years = 79,000 a year; P: 52,000 before its step of 2025-02-01, 83,000
    // after it (the step of 2026-02-01 has not started); S: 30,000 flat.
    // NRR = (79,000 + 83,000 + 30,000) ÷ (79,000 + 52,000 + 30,000) = 192,000 ÷ 161,000.
    expect(exercise.data[0]).toContain('$237,000');
    expect(exercise.answer).toBeCloseTo((192_000 / 161_000) * 100, 10);
  });

  test('currencies convert at the plan rates', () => {
    const exercise = currencyExercise(1);
    // U 41,000 USD flat; E 51,000 EUR + 9,000 EUR at 1.10; G 78,000 GBP at 1.33, cancelled.
    // NRR = (41,000 + 60,000 × 1.10) ÷ (41,000 + 51,000 × 1.10 + 78,000 × 1.33)
    //     = 107,000 ÷ 200,840.
    expect(exercise.question).toContain('1 EUR = 1.10 USD');
    expect(exercise.answer).toBeCloseTo((107_000 / 200_840) * 100, 10);
  });

  test("a transfer stays in the old book's cohort", () => {
    const exercise = transferBookExercise(1);
    // Ana's cohort: A 50,000, B 18,000 (+9,000 in May), T 59,000 (moves to Ben, keeps paying).
    // U moves in from Ben and stays out. NRR = 136,000 ÷ 127,000.
    expect(exercise.answer).toBeCloseTo((136_000 / 127_000) * 100, 10);
  });

  test('store the engine result as the answer', () => {
    for (let seed = 0; seed < 20; seed++) {
      for (const exercise of [
        rampExercise(seed),
        currencyExercise(seed),
        transferBookExercise(seed),
        transferMoveExercise(seed),
      ]) {
        expect(exercise.answer, exercise.id).toEqual(engineAnswer(exercise));
      }
    }
  });
});

describe('concept misconceptions', () => {
  const BUILDERS: Record<string, (seed: number) => Exercise> = {
    'tcv-as-arr': rampExercise,
    'ramp-step-before-start': rampExercise,
    'ramp-step-ignored': rampExercise,
    'currencies-summed': currencyExercise,
    'transfer-out-as-churn': transferBookExercise,
    'transfer-in-counted': transferBookExercise,
  };

  /** Builds the exercise of the first seed from 0 to 49 that anticipates `code`. */
  function withMisconception(build: (seed: number) => Exercise, code: string): Exercise {
    for (let seed = 0; seed < 50; seed++) {
      const exercise = build(seed);
      if (exercise.misconceptions.some((entry) => entry.code === code)) return exercise;
    }
    throw new Error(`no seed from 0 to 49 anticipates ${code}`);
  }

  test.each([
    ['tcv-as-arr', 'counted the total contract value as ARR'],
    ['ramp-step-before-start', 'counted a ramp step before it starts'],
    ['ramp-step-ignored', 'left out the ramp step'],
    ['currencies-summed', 'added amounts in different currencies'],
    ['transfer-out-as-churn', 'moved to another CSM as churn'],
    ['transfer-in-counted', 'counted the account that moved in'],
  ] as const)('names %s', (code, words) => {
    const build = BUILDERS[code] as (seed: number) => Exercise;
    const exercise = withMisconception(build, code);
    const wrong = exercise.misconceptions.find((entry) => entry.code === code);
    // A crafted wrong answer: the misconception's figure, typed with two decimals.
    const result = grade(exercise, `${(wrong?.answer as number).toFixed(2)}%`);
    expect(result.correct).toBe(false);
    expect(result.misconception?.code).toBe(code);
    expect(result.feedback).toContain(words);
  });

  test('names a ramp counted at its contract value in numbers', () => {
    const exercise = rampExercise(1);
    // TCV as ARR: (237,000 + 83,000 + 30,000) ÷ (237,000 + 52,000 + 30,000) = 350,000 ÷ 319,000.
    const result = grade(exercise, ((350_000 / 319_000) * 100).toFixed(2));
    expect(result.misconception?.code).toBe('tcv-as-arr');
  });

  test('names summed currencies in numbers', () => {
    const exercise = currencyExercise(1);
    // Summed as if all were USD: (41,000 + 60,000) ÷ (41,000 + 51,000 + 78,000) = 101,000 ÷ 170,000.
    const result = grade(exercise, ((101_000 / 170_000) * 100).toFixed(2));
    expect(result.misconception?.code).toBe('currencies-summed');
  });

  test('names a transfer out counted as churn', () => {
    let exercise = transferMoveExercise(0);
    for (let seed = 1; exercise.answer !== 'transfer-out'; seed++) {
      exercise = transferMoveExercise(seed);
    }
    expect(grade(exercise, 'transfer-out').correct).toBe(true);
    const result = grade(exercise, 'churn');
    expect(result.misconception?.code).toBe('transfer-out-as-churn');
    expect(result.feedback).toContain('moved to another CSM as churn');
  });

  test('names a transfer in counted as new', () => {
    let exercise = transferMoveExercise(0);
    for (let seed = 1; exercise.answer !== 'transfer-in'; seed++) {
      exercise = transferMoveExercise(seed);
    }
    const result = grade(exercise, 'new');
    expect(result.misconception?.code).toBe('transfer-in-as-new');
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

  test('level 1 stores the movement the engine classified', () => {
    for (const focus of [undefined, 'multi-year-ramps', 'currency', 'transfers'] as const) {
      for (const seed of [1, 2]) {
        const exercise = movementExerciseFromData(company, { ...options, seed }, focus);
        expect(exercise.level, exercise.id).toBe(1);
        expect(exercise.answer, exercise.id).toEqual(engineAnswer(exercise));
        expect(exercise.solution.join(' '), exercise.id).toMatch(/Rule movement\.|transfers out/);
      }
    }
  });

  test.each([
    ['multi-year-ramps', 'ramp-step'],
    ['currency', 'converted at'],
    ['transfers', 'transfers out'],
  ] as const)('level 1 finds a real case of %s', (focus, words) => {
    const exercise = movementExerciseFromData(company, { ...options, seed: 1 }, focus);
    expect(exercise.concepts).toEqual([focus]);
    expect(exercise.solution.join(' ')).toContain(words);
  });

  test('level 3 stores the scenario lab result', () => {
    for (const seed of [1, 2, 3, 4]) {
      const exercise = renewalExerciseFromData(company, { ...options, seed });
      expect(exercise.level, exercise.id).toBe(3);
      expect(exercise.figure.kind).toBe('scenario');
      expect(exercise.answer as number, exercise.id).toBeCloseTo(
        engineAnswer(exercise) as number,
        10,
      );
    }
  });

  test('anonymised material holds no account or person name', () => {
    const names = new Set<string>();
    for (const account of company.accounts) {
      names.add(account.id);
      if (account.name !== undefined) names.add(account.name);
    }
    for (const assignment of company.assignments) names.add(assignment.person);
    const material: Exercise[] = [
      ...exercisesFromData(company, { ...options, seed: 3, count: 12, levels: [1, 2, 3] }),
      ...(['multi-year-ramps', 'currency', 'transfers'] as MovementFocus[]).map((focus) =>
        movementExerciseFromData(company, { ...options, seed: 4 }, focus),
      ),
    ];
    expect(new Set(material.map((exercise) => exercise.level))).toEqual(new Set([1, 2, 3]));
    for (const exercise of material) {
      // The whole exercise: question, data, solution, misconceptions, figure and dataset.
      const text = JSON.stringify(exercise, (_key, value: unknown) =>
        typeof value === 'bigint' ? value.toString() : value,
      );
      const leaked = [...names].filter((name) => name.length > 3 && text.includes(name));
      expect(leaked, exercise.id).toEqual([]);
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
