/**
 * Training exercises. Each exercise is a small dataset of contract lines, and its answer is what
 * the engine computes on it, so a stored answer can never drift from the product's own figures.
 * Each also carries the worked solution, the concepts it tests, and the wrong answers that the
 * usual misconceptions produce, which grading recognises.
 *
 * Three levels: 1 classifies one account's movement in a month, 2 computes a small book's NRR or
 * GRR, 3 judges what a renewal outcome does to a book's NRR. The exercises on multi-year ramps,
 * currencies and transfers are in concepts.ts.
 */
import { analyse } from '../core/analysis.js';
import { dayFromCivil, formatDay } from '../core/dates.js';
import type { Day } from '../core/dates.js';
import { DEFAULT_DEFINITIONS } from '../core/definitions.js';
import type { Definitions } from '../core/definitions.js';
import { explainAccount } from '../core/explain.js';
import type { ContractLine, Dataset } from '../core/model.js';
import { parseDecimal } from '../core/money.js';
import { buildReport } from '../core/report.js';
import type { ScenarioChoiceText } from '../core/scenarios.js';
import { Random } from '../generate/random.js';
import {
  currencyExercise,
  rampExercise,
  transferBookExercise,
  transferMoveExercise,
} from './concepts.js';

/** Concepts that exercises teach, with their wording; results are counted per concept. */
export const CONCEPTS = {
  'new-logos-excluded': 'new logos are outside NRR and GRR',
  reactivation: 'a returning customer is a reactivation, not a new logo',
  'cohort-vs-bridge': 'cohort NRR differs from ARR growth and from the bridge ratio',
  'grr-cap': 'GRR caps each account at its starting ARR',
  'grace-window': 'a late renewal inside the grace window is not churn',
  'early-late-renewals': 'early and late renewals move ARR on their effective dates',
  'multi-year-ramps': 'ramp steps of a multi-year contract are expansion when they start',
  currency: 'ARR in other currencies is converted at the defined rates',
  transfers: 'an account moving between books is a transfer, not churn',
  'one-time-fees': 'one-time fees never count towards ARR',
} as const;

export type Concept = keyof typeof CONCEPTS;

export type Level = 1 | 2 | 3;

/**
 * The engine figure an exercise's answer is, so anyone can compute it again from the exercise's
 * own dataset: an account's movement between two month ends, the bridge line a book records for
 * an account, a book's (or the whole dataset's) NRR or GRR, or a book's NRR for a fiscal year
 * once the scenario lab applies one renewal outcome.
 */
export type FigureRef =
  | {
      readonly kind: 'movement';
      readonly account: string;
      readonly from: string;
      readonly to: string;
    }
  | {
      readonly kind: 'book-line';
      readonly book: string;
      readonly from: string;
      readonly to: string;
    }
  | { readonly kind: 'retention'; readonly measure: 'nrr' | 'grr'; readonly book?: string }
  | {
      readonly kind: 'scenario';
      readonly choice: ScenarioChoiceText;
      readonly year: number;
    };

/** A wrong answer that a known misconception produces, and how to recognise it. */
export interface Misconception {
  readonly code: string;
  /** The misconception in words, as shown to the learner. */
  readonly description: string;
  /** The answer it leads to: a percentage, or a movement kind. */
  readonly answer: number | string;
}

export interface Exercise {
  readonly id: string;
  readonly level: Level;
  readonly title: string;
  /** The question, in plain words, with the data it needs as lines of text. */
  readonly question: string;
  readonly data: readonly string[];
  /** `percent`: a number in percent (104.5 means 104.5%); `choice`: one of `choices`. */
  readonly answerKind: 'percent' | 'choice';
  readonly choices?: readonly string[];
  readonly answer: number | string;
  /** Accepted distance from the answer, in percentage points, for `percent` answers. */
  readonly tolerance: number;
  readonly solution: readonly string[];
  readonly concepts: readonly Concept[];
  readonly misconceptions: readonly Misconception[];
  /** What the answer is, in engine terms. */
  readonly figure: FigureRef;
  /** The lines the answer was computed from, and the date it is measured on. */
  readonly dataset: Dataset;
  readonly asOf: string;
}

/** The window every synthetic exercise uses: calendar 2025, measured on 2025-12-31. */
export const AS_OF = dayFromCivil(2025, 12, 31);
export const WINDOW_START = '2024-12-31';
export const TOLERANCE_POINTS = 0.1;

/** Builds an annual recurring line in USD with a whole-dollar price. */
export function annualLine(
  id: string,
  account: string,
  dollars: number,
  start: Day,
  end: Day | null,
  extra: Partial<ContractLine> = {},
): ContractLine {
  return {
    id,
    accountId: account,
    kind: 'recurring',
    kindSource: 'file',
    amount: parseDecimal(String(dollars)) as NonNullable<ReturnType<typeof parseDecimal>>,
    period: { unit: 'year', count: 1 },
    currency: 'USD',
    start,
    end,
    product: 'Platform',
    ...extra,
  };
}

function oneTimeFee(id: string, account: string, dollars: number, start: Day): ContractLine {
  return {
    ...annualLine(id, account, dollars, start, start + 1),
    kind: 'one-time',
    period: { unit: 'term', count: 1 },
    product: 'Onboarding',
  };
}

/** Money in whole dollars for questions and solutions, e.g. "$12,000". */
export function dollars(minor: number): string {
  return `$${Math.round(minor / 100).toLocaleString('en-US')}`;
}

/** Formats a percentage with one decimal, the precision of the tolerance. */
export function percentText(value: number): string {
  return `${value.toFixed(1)}%`;
}

export function percentOf(numerator: number, denominator: number): number {
  return (numerator / denominator) * 100;
}

/** Runs the engine on an exercise's data and returns the report. */
export function engineReport(dataset: Dataset, definitions: Definitions = DEFAULT_DEFINITIONS) {
  return buildReport(analyse(dataset, definitions, AS_OF), dataset);
}

/** Figures of a book that the usual wrong answers are built from, in minor units. */
export interface BookFigures {
  readonly arr: number;
  readonly cohort: {
    readonly startArr: number;
    readonly endArr: number;
    readonly cappedArr: number;
  };
}

/**
 * Lists the wrong answers a book exercise anticipates: the new logos' ARR (`newArr`) and a one-time
 * fee (`feeAmount`, 0 when the book has none) counted where they do not belong, the wrong
 * denominator, ARR growth, and for GRR the missing cap.
 */
export function bookMisconceptions(
  report: BookFigures,
  measure: 'nrr' | 'grr',
  newArr: number,
  feeAmount: number,
): Misconception[] {
  const { startArr, endArr, cappedArr } = report.cohort;
  const numerator = measure === 'nrr' ? endArr : cappedArr;
  const misconceptions: Misconception[] = [];
  if (newArr > 0) {
    misconceptions.push({
      code: 'new-logo-in-numerator',
      description: 'included the new customer in the numerator, which measures ARR growth',
      answer: percentOf(numerator + newArr, startArr),
    });
  }
  misconceptions.push({
    code: 'ending-arr-denominator',
    description: 'used the ending ARR as the denominator',
    answer: percentOf(numerator, report.arr),
  });
  if (feeAmount > 0) {
    misconceptions.push({
      code: 'one-time-fee-counted',
      description: 'counted the one-time fee as recurring revenue',
      answer: percentOf(numerator + feeAmount, startArr),
    });
  }
  misconceptions.push({
    code: 'arr-growth',
    description: 'computed ARR growth (all ending ARR over starting ARR), not retention',
    answer: percentOf(report.arr, startArr),
  });
  if (measure === 'grr') {
    misconceptions.push({
      code: 'grr-not-capped',
      description: 'did not cap expansion for GRR, which gives NRR',
      answer: percentOf(endArr, startArr),
    });
  }
  return distinctMisconceptions(misconceptions, percentOf(numerator, startArr));
}

/**
 * Keeps only misconceptions whose answers stand apart from the right answer and from each other,
 * so a wrong answer names one cause. On a book whose only newcomers are new logos, for example,
 * counting them in the numerator gives exactly ARR growth.
 */
export function distinctMisconceptions(
  list: readonly Misconception[],
  answer: number,
): Misconception[] {
  const kept: Misconception[] = [];
  const apart = (a: number, b: number) => Math.abs(a - b) > 3 * TOLERANCE_POINTS;
  for (const entry of list) {
    const value = entry.answer as number;
    if (apart(value, answer) && kept.every((other) => apart(value, other.answer as number))) {
      kept.push(entry);
    }
  }
  return kept;
}

/** Returns an exercise without its dataset, for JSON output and worksheets. */
export function exerciseView(exercise: Exercise): Omit<Exercise, 'dataset'> {
  const { dataset, ...view } = exercise;
  return view;
}

interface BookAccountPlan {
  readonly id: string;
  readonly start: number;
  readonly kind: 'flat' | 'expand' | 'contract' | 'churn' | 'new' | 'fee';
  readonly change: number;
  readonly month: number;
}

/** Writes the plan of one account as lines and as a sentence for the question. */
function planLines(plan: BookAccountPlan): { lines: ContractLine[]; text: string } {
  const opened = dayFromCivil(2024, 1, 1);
  const on = dayFromCivil(2025, plan.month, 1);
  const date = formatDay(on);
  const base = (end: Day | null) => annualLine(`${plan.id}-1`, plan.id, plan.start, opened, end);
  switch (plan.kind) {
    case 'flat':
      return {
        lines: [base(null)],
        text: `${plan.id}: $${plan.start.toLocaleString('en-US')} a year all year`,
      };
    case 'expand':
      return {
        lines: [base(null), annualLine(`${plan.id}-2`, plan.id, plan.change, on, null)],
        text: `${plan.id}: $${plan.start.toLocaleString('en-US')} a year; adds $${plan.change.toLocaleString('en-US')} a year from ${date}`,
      };
    case 'contract':
      return {
        lines: [
          base(on),
          annualLine(`${plan.id}-2`, plan.id, plan.start - plan.change, on, null, {
            renews: `${plan.id}-1`,
          }),
        ],
        text: `${plan.id}: $${plan.start.toLocaleString('en-US')} a year; renews at $${(plan.start - plan.change).toLocaleString('en-US')} a year from ${date}`,
      };
    case 'churn':
      return {
        lines: [base(on)],
        text: `${plan.id}: $${plan.start.toLocaleString('en-US')} a year; cancels, last day ${formatDay(on - 1)}`,
      };
    case 'new':
      return {
        lines: [annualLine(`${plan.id}-1`, plan.id, plan.change, on, null)],
        text: `${plan.id}: a new customer from ${date} at $${plan.change.toLocaleString('en-US')} a year`,
      };
    case 'fee':
      return {
        lines: [base(null), oneTimeFee(`${plan.id}-2`, plan.id, plan.change, on)],
        text: `${plan.id}: $${plan.start.toLocaleString('en-US')} a year; pays a one-time setup fee of $${plan.change.toLocaleString('en-US')} on ${date}`,
      };
  }
}

/** Rounds to a multiple of `step`, for round numbers in questions. */
export function roundTo(value: number, step: number): number {
  return Math.max(step, Math.round(value / step) * step);
}

/**
 * Builds a level 2 exercise: a book of five accounts where one expands, one contracts, one
 * churns, one pays a one-time fee and one is a new logo. The learner computes NRR or GRR.
 */
export function bookExercise(seed: number, measure: 'nrr' | 'grr'): Exercise {
  const random = new Random(seed, 2);
  const size = () => roundTo(random.int(8, 60) * 1000, 1000);
  const month = () => random.int(2, 9);
  const plans: BookAccountPlan[] = [
    {
      id: 'A',
      start: size(),
      kind: 'expand',
      change: roundTo(random.int(2, 15) * 1000, 1000),
      month: month(),
    },
    { id: 'B', start: size(), kind: 'contract', change: 0, month: month() },
    { id: 'C', start: size(), kind: 'churn', change: 0, month: month() },
    {
      id: 'D',
      start: size(),
      kind: 'fee',
      change: roundTo(random.int(2, 9) * 1000, 500),
      month: month(),
    },
    {
      id: 'E',
      start: size(),
      kind: 'new',
      change: roundTo(random.int(5, 40) * 1000, 1000),
      month: month(),
    },
  ];
  const contracted = plans[1] as BookAccountPlan;
  plans[1] = { ...contracted, change: roundTo(contracted.start * 0.25, 1000) };
  const written = plans.map(planLines);
  const dataset: Dataset = {
    accounts: plans.map((plan) => ({ id: plan.id })),
    assignments: [],
    segments: [],
    fxRates: [],
    lines: written.flatMap((entry) => entry.lines),
  };
  const report = engineReport(dataset);
  const { startArr, endArr, cappedArr } = report.cohort;
  const answer = percentOf(measure === 'nrr' ? endArr : cappedArr, startArr);

  const newLogo = plans.find((plan) => plan.kind === 'new') as BookAccountPlan;
  const fee = plans.find((plan) => plan.kind === 'fee') as BookAccountPlan;
  const misconceptions = bookMisconceptions(
    report,
    measure,
    newLogo.change * 100,
    fee.change * 100,
  );
  const label = measure === 'nrr' ? 'NRR' : 'GRR';
  const numeratorText =
    measure === 'nrr'
      ? `their ARR on 2025-12-31: ${dollars(endArr)}`
      : `each one's ARR on 2025-12-31 capped at its starting ARR: ${dollars(cappedArr)}`;
  return {
    id: `book-${measure}-${seed}`,
    level: 2,
    title: `A small book's ${label}`,
    question: `Compute the book's ${label} for 2025 (from ${WINDOW_START} to 2025-12-31), in percent. All prices are annual, in USD, and every account was a customer throughout 2024 unless said otherwise.`,
    data: written.map((entry) => entry.text),
    answerKind: 'percent',
    answer,
    tolerance: TOLERANCE_POINTS,
    solution: [
      `The cohort is the accounts with ARR on ${WINDOW_START}: ${plans
        .filter((plan) => plan.kind !== 'new')
        .map((plan) => plan.id)
        .join(', ')}. ${newLogo.id} joined during the year, so it is outside the cohort.`,
      `Their ARR on ${WINDOW_START}: ${dollars(startArr)}. The one-time fee of ${fee.id} is not ARR.`,
      `The numerator is ${numeratorText}.`,
      `${label} = ${dollars(measure === 'nrr' ? endArr : cappedArr)} ÷ ${dollars(startArr)} = ${percentText(answer)}.`,
    ],
    concepts:
      measure === 'nrr'
        ? ['new-logos-excluded', 'one-time-fees', 'cohort-vs-bridge']
        : ['new-logos-excluded', 'one-time-fees', 'grr-cap'],
    misconceptions,
    figure: { kind: 'retention', measure },
    dataset,
    asOf: formatDay(AS_OF),
  };
}

export const MOVEMENT_KINDS = ['new', 'expansion', 'contraction', 'churn', 'reactivation'] as const;

/** The usual wrong name for each movement kind, and the misconception behind it. */
export const MOVEMENT_MISCONCEPTIONS: Readonly<
  Record<(typeof MOVEMENT_KINDS)[number], Misconception>
> = {
  reactivation: {
    code: 'returning-customer-as-new',
    description: 'treated a returning customer as a new logo',
    answer: 'new',
  },
  contraction: {
    code: 'downgrade-as-churn',
    description: 'called a downgrade churn although the customer stayed',
    answer: 'churn',
  },
  new: {
    code: 'new-as-expansion',
    description: 'counted a first contract as expansion of an existing customer',
    answer: 'expansion',
  },
  expansion: {
    code: 'add-on-as-new',
    description: 'counted an add-on product as a new logo',
    answer: 'new',
  },
  churn: {
    code: 'churn-as-contraction',
    description: 'called a lost customer a contraction',
    answer: 'contraction',
  },
};

/**
 * Builds a level 1 exercise: one account's story around two month ends. The learner names the
 * movement the bridge records between them.
 */
export function classifyExercise(seed: number): Exercise {
  const random = new Random(seed, 1);
  const kind = MOVEMENT_KINDS[
    random.int(0, MOVEMENT_KINDS.length - 1)
  ] as (typeof MOVEMENT_KINDS)[number];
  const price = roundTo(random.int(6, 48) * 1000, 1000);
  const change = roundTo(price * 0.25, 1000);
  const month = random.int(3, 10);
  const on = dayFromCivil(2025, month, 1);
  const before = formatDay(on - 1);
  const after = formatDay(dayFromCivil(2025, month + 1, 1) - 1);
  const opened = dayFromCivil(2024, 1, 1);
  let lines: ContractLine[];
  let story: string[];
  switch (kind) {
    case 'new':
      lines = [annualLine('X-1', 'X', price, on, null)];
      story = [
        `X had never been a customer. Its first contract, $${price.toLocaleString('en-US')} a year, starts on ${formatDay(on)}.`,
      ];
      break;
    case 'expansion':
      lines = [
        annualLine('X-1', 'X', price, opened, null),
        annualLine('X-2', 'X', change, on, null),
      ];
      story = [
        `X pays $${price.toLocaleString('en-US')} a year since 2024-01-01 and adds a product at $${change.toLocaleString('en-US')} a year from ${formatDay(on)}.`,
      ];
      break;
    case 'contraction':
      lines = [
        annualLine('X-1', 'X', price, opened, on),
        annualLine('X-2', 'X', price - change, on, null, { renews: 'X-1' }),
      ];
      story = [
        `X pays $${price.toLocaleString('en-US')} a year since 2024-01-01 and renews at $${(price - change).toLocaleString('en-US')} a year from ${formatDay(on)}.`,
      ];
      break;
    case 'churn':
      lines = [annualLine('X-1', 'X', price, opened, on)];
      story = [
        `X paid $${price.toLocaleString('en-US')} a year since 2024-01-01; its contract ends on ${before} and is not renewed.`,
      ];
      break;
    case 'reactivation':
      lines = [
        annualLine('X-1', 'X', price, dayFromCivil(2023, 1, 1), dayFromCivil(2024, 1, 1)),
        annualLine('X-2', 'X', price, on, null),
      ];
      story = [
        `X was a customer in 2023 at $${price.toLocaleString('en-US')} a year and left at the end of 2023. It signs again at the same price from ${formatDay(on)}.`,
      ];
      break;
  }
  const dataset: Dataset = {
    accounts: [{ id: 'X' }],
    assignments: [],
    segments: [],
    fxRates: [],
    lines,
  };
  const explanation = explainAccount(analyse(dataset, DEFAULT_DEFINITIONS, AS_OF), dataset, 'X');
  const movement = explanation.movements.find((entry) => entry.to === after);
  const answer = movement?.kind ?? 'none';
  return {
    id: `classify-${seed}`,
    level: 1,
    title: 'Name the movement',
    question: `Which movement does the ARR bridge record for X between ${before} and ${after}?`,
    data: story,
    answerKind: 'choice',
    choices: MOVEMENT_KINDS,
    answer,
    tolerance: 0,
    solution: [
      `X's ARR on ${before}: ${dollars(movement === undefined ? 0 : (explanation.timeline.find((point) => point.date === before)?.arr ?? 0))}; on ${after}: ${dollars(explanation.timeline.find((point) => point.date === after)?.arr ?? 0)}.`,
      movement === undefined
        ? 'The ARR did not change, so there is no movement.'
        : `Rule ${movement.rule}: ${movement.reason}.`,
    ],
    concepts:
      kind === 'reactivation' || kind === 'new'
        ? ['reactivation', 'new-logos-excluded']
        : ['cohort-vs-bridge'],
    misconceptions: [MOVEMENT_MISCONCEPTIONS[kind]],
    figure: { kind: 'movement', account: 'X', from: before, to: after },
    dataset,
    asOf: formatDay(AS_OF),
  };
}

const OUTCOMES = [
  'uplift',
  'downgrade',
  'churn',
  'late-inside-grace',
  'late-outside-grace',
] as const;
type Outcome = (typeof OUTCOMES)[number];

/**
 * Builds a level 3 exercise: a book with one renewal due in the year and its outcome. The
 * learner computes the book's NRR at the end of the year.
 */
export function renewalExercise(seed: number, outcome?: Outcome): Exercise {
  const random = new Random(seed, 3);
  const drawn = OUTCOMES[random.int(0, OUTCOMES.length - 1)] ?? 'uplift';
  const chosen = outcome ?? drawn;
  const others = roundTo(random.int(200, 900) * 1000, 10_000);
  const renewing = roundTo(random.int(50, 200) * 1000, 10_000);
  const percent = random.int(1, 4) * 5;
  const due = dayFromCivil(2025, random.int(3, 8), 1);
  const opened = dayFromCivil(2024, 1, 1);
  const firstTerm = annualLine('R-1', 'R', renewing, opened, due);
  const lines: ContractLine[] = [annualLine('S-1', 'S', others, opened, null), firstTerm];
  let story: string;
  let renewedArr: number;
  const lateBy = chosen === 'late-inside-grace' ? 30 : 90;
  switch (chosen) {
    case 'uplift':
      renewedArr = renewing * (1 + percent / 100);
      lines.push(annualLine('R-2', 'R', renewedArr, due, null, { renews: 'R-1' }));
      story = `R renews on time on ${formatDay(due)} with a ${percent}% uplift.`;
      break;
    case 'downgrade':
      renewedArr = renewing * (1 - percent / 100);
      lines.push(annualLine('R-2', 'R', renewedArr, due, null, { renews: 'R-1' }));
      story = `R renews on time on ${formatDay(due)} with a ${percent}% downgrade.`;
      break;
    case 'churn':
      renewedArr = 0;
      story = `R does not renew; its last day is ${formatDay(due - 1)}.`;
      break;
    default:
      renewedArr = renewing;
      lines.push(annualLine('R-2', 'R', renewing, due + lateBy, null, { renews: 'R-1' }));
      story = `R renews flat but late: the new term starts ${lateBy} days after the old one ended, on ${formatDay(due + lateBy)}, and is not back-dated. The grace window is ${DEFAULT_DEFINITIONS.graceDays} days.`;
  }
  const dataset: Dataset = {
    accounts: [{ id: 'S' }, { id: 'R' }],
    assignments: [],
    segments: [],
    fxRates: [],
    lines,
  };
  const report = engineReport(dataset);
  const { startArr, endArr } = report.cohort;
  const answer = percentOf(endArr, startArr);
  const misconceptions: Misconception[] = [];
  if (chosen === 'late-inside-grace' || chosen === 'late-outside-grace') {
    misconceptions.push({
      code: 'late-renewal-as-churn',
      description: 'counted the late renewal as lost, although R has ARR at the end of the year',
      answer: percentOf(endArr - renewing * 100, startArr),
    });
  }
  if (chosen === 'uplift' || chosen === 'downgrade') {
    misconceptions.push({
      code: 'outcome-ignored',
      description: 'left the price change out of the renewed ARR',
      answer: percentOf(endArr - (renewedArr - renewing) * 100, startArr),
    });
  }
  if (chosen === 'churn') {
    misconceptions.push({
      code: 'churn-left-out-of-denominator',
      description: 'removed the lost customer from the starting ARR as well',
      answer: percentOf(endArr, startArr - renewing * 100),
    });
  }
  return {
    id: `renewal-${chosen}-${seed}`,
    level: 3,
    title: 'What a renewal does to NRR',
    question: `The book below has two customers, both with ARR on ${WINDOW_START}. What is its NRR for 2025, measured on 2025-12-31, in percent?`,
    data: [
      `S: $${others.toLocaleString('en-US')} a year, no change in 2025.`,
      `R: $${renewing.toLocaleString('en-US')} a year, term ending ${formatDay(due - 1)}. ${story}`,
    ],
    answerKind: 'percent',
    answer,
    tolerance: TOLERANCE_POINTS,
    solution: [
      `Starting ARR of the cohort (S and R): ${dollars(startArr)}.`,
      `R's ARR on 2025-12-31 is ${dollars(endArr - others * 100)}: ${
        chosen === 'churn'
          ? 'it left'
          : chosen.startsWith('late')
            ? 'it renewed before the year ended, so the cohort keeps it on the last day'
            : 'the renewed price applies from the renewal date'
      }.`,
      `NRR = ${dollars(endArr)} ÷ ${dollars(startArr)} = ${percentText(answer)}.`,
    ],
    concepts: chosen.startsWith('late')
      ? ['grace-window', 'early-late-renewals']
      : ['early-late-renewals', 'cohort-vs-bridge'],
    misconceptions,
    figure: { kind: 'retention', measure: 'nrr' },
    dataset,
    asOf: formatDay(AS_OF),
  };
}

/**
 * Generates `count` synthetic exercises of the given levels from a seed. Each level rotates
 * through its kinds: at level 1 two movement stories, then a transfer between books; at level 2
 * NRR, GRR, a multi-year ramp, currencies and transfers.
 */
export function syntheticExercises(
  seed: number,
  count: number,
  levels: readonly Level[] = [1, 2, 3],
): Exercise[] {
  const exercises: Exercise[] = [];
  for (let index = 0; index < count; index++) {
    const level = levels[index % levels.length] as Level;
    const round = Math.floor(index / levels.length);
    const next = seed * 1000 + index;
    if (level === 1) {
      exercises.push(round % 3 === 2 ? transferMoveExercise(next) : classifyExercise(next));
    } else if (level === 2) {
      exercises.push(BOOK_KINDS[round % BOOK_KINDS.length]?.(next) ?? bookExercise(next, 'nrr'));
    } else exercises.push(renewalExercise(next));
  }
  return exercises;
}

/** The level 2 exercises in the order syntheticExercises rotates through them. */
const BOOK_KINDS: readonly ((seed: number) => Exercise)[] = [
  (seed) => bookExercise(seed, 'nrr'),
  (seed) => bookExercise(seed, 'grr'),
  rampExercise,
  currencyExercise,
  transferBookExercise,
];

/** Builders of the exercises whose id is a name and a seed, such as "ramp-5003". */
const BY_NAME: Readonly<Record<string, (seed: number) => Exercise>> = {
  ramp: rampExercise,
  currency: currencyExercise,
  'transfer-book': transferBookExercise,
  'transfer-move': transferMoveExercise,
  classify: classifyExercise,
};

/**
 * Rebuilds a synthetic exercise from its id, such as "book-nrr-5003" or "renewal-churn-12", so a
 * server can grade an answer without keeping the exercises it handed out. Returns undefined for
 * ids of other forms.
 */
export function syntheticExerciseById(id: string): Exercise | undefined {
  const book = /^book-(nrr|grr)-(\d{1,12})$/.exec(id);
  if (book !== null) return bookExercise(Number(book[2]), book[1] as 'nrr' | 'grr');
  const named = /^([a-z-]+)-(\d{1,12})$/.exec(id);
  const builder = named === null ? undefined : BY_NAME[named[1] as string];
  if (named !== null && builder !== undefined && Object.hasOwn(BY_NAME, named[1] as string)) {
    return builder(Number(named[2]));
  }
  const renewal = /^renewal-([a-z-]+)-(\d{1,12})$/.exec(id);
  if (renewal !== null && (OUTCOMES as readonly string[]).includes(renewal[1] as string)) {
    return renewalExercise(Number(renewal[2]), renewal[1] as Outcome);
  }
  return undefined;
}
