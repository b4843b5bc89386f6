/**
 * Synthetic exercises on three concepts that the book and renewal exercises leave out:
 * multi-year contracts and ramps, currencies, and transfers between CSM books. Like every
 * exercise, each answer is what the engine computes on the exercise's own lines, and each
 * exercise lists the wrong answers that the usual misconception behind it produces.
 */
import { analyse } from '../core/analysis.js';
import type { BridgeTotals } from '../core/bridge.js';
import { addMonths, dayFromCivil, formatDay, parseDay } from '../core/dates.js';
import type { Day } from '../core/dates.js';
import { DEFAULT_DEFINITIONS } from '../core/definitions.js';
import type { Definitions } from '../core/definitions.js';
import type { Assignment, ContractLine, Dataset } from '../core/model.js';
import { parseDecimal } from '../core/money.js';
import { buildReport } from '../core/report.js';
import { Random } from '../generate/random.js';
import {
  annualLine,
  AS_OF,
  distinctMisconceptions,
  dollars,
  engineReport,
  percentOf,
  percentText,
  roundTo,
  TOLERANCE_POINTS,
  WINDOW_START,
} from './exercises.js';
import type { Exercise, Misconception } from './exercises.js';

const OPENED = dayFromCivil(2024, 1, 1);

function whole(value: number): string {
  return value.toLocaleString('en-US');
}

function emptyDataset(lines: ContractLine[], accounts: readonly string[]): Dataset {
  return {
    accounts: accounts.map((id) => ({ id })),
    assignments: [],
    segments: [],
    fxRates: [],
    lines,
  };
}

/**
 * Builds a level 2 exercise on a book with a three-year contract sold for its total contract
 * value, a three-year ramp whose second step starts during the year and whose third starts after
 * it, and a flat annual customer. The learner computes the book's NRR for 2025.
 */
export function rampExercise(seed: number): Exercise {
  const random = new Random(seed, 4);
  const yearly = roundTo(random.int(20, 90) * 1000, 1000);
  const contractValue = yearly * 3;
  const first = roundTo(random.int(20, 80) * 1000, 1000);
  const second = roundTo(first * (1 + random.int(2, 6) / 10), 1000);
  const third = roundTo(second * (1 + random.int(2, 6) / 10), 1000);
  const flat = roundTo(random.int(10, 60) * 1000, 1000);
  const rampStart = dayFromCivil(2024, random.int(2, 11), 1);
  const secondStart = addMonths(rampStart, 12);
  const thirdStart = addMonths(rampStart, 24);
  const lines: ContractLine[] = [
    {
      ...annualLine('M-1', 'M', contractValue, OPENED, dayFromCivil(2027, 1, 1)),
      period: { unit: 'term', count: 1 },
      contractId: 'M-C',
    },
    annualLine('P-1', 'P', first, rampStart, secondStart, { contractId: 'P-C' }),
    annualLine('P-2', 'P', second, secondStart, thirdStart, { contractId: 'P-C' }),
    annualLine('P-3', 'P', third, thirdStart, addMonths(rampStart, 36), { contractId: 'P-C' }),
    annualLine('S-1', 'S', flat, OPENED, null),
  ];
  const dataset = emptyDataset(lines, ['M', 'P', 'S']);
  const report = engineReport(dataset);
  const { startArr, endArr } = report.cohort;
  const answer = percentOf(endArr, startArr);
  const minor = (value: number) => value * 100;
  const misconceptions = distinctMisconceptions(
    [
      {
        code: 'tcv-as-arr',
        description: 'counted the total contract value as ARR instead of its annual value',
        answer: percentOf(
          endArr + minor(contractValue - yearly),
          startArr + minor(contractValue - yearly),
        ),
      },
      {
        code: 'ramp-step-before-start',
        description: 'counted a ramp step before it starts',
        answer: percentOf(endArr + minor(third - second), startArr),
      },
      {
        code: 'ramp-step-ignored',
        description: 'left out the ramp step that started during the year',
        answer: percentOf(endArr - minor(second - first), startArr),
      },
    ],
    answer,
  );
  return {
    id: `ramp-${seed}`,
    level: 2,
    title: 'Multi-year contracts and ramps',
    question: `Compute the book's NRR for 2025 (from ${WINDOW_START} to 2025-12-31), in percent. Prices are in USD.`,
    data: [
      `M: a three-year contract from 2024-01-01 to 2026-12-31 with a total contract value of $${whole(contractValue)}.`,
      `P: a three-year ramp deal from ${formatDay(rampStart)}: $${whole(first)} a year in the first year, $${whole(second)} a year from ${formatDay(secondStart)} and $${whole(third)} a year from ${formatDay(thirdStart)}, all signed up front.`,
      `S: $${whole(flat)} a year since 2024-01-01, no change in 2025.`,
    ],
    answerKind: 'percent',
    answer,
    tolerance: TOLERANCE_POINTS,
    solution: [
      `M's ARR is its annual value: $${whole(contractValue)} ÷ 3 years = $${whole(yearly)}, the same all year.`,
      `P's ARR is $${whole(first)} on ${WINDOW_START} and $${whole(second)} on 2025-12-31: the step of ${formatDay(secondStart)} is expansion when it starts. The step of ${formatDay(thirdStart)} has not started, so it is not ARR yet.`,
      `Starting ARR: ${dollars(startArr)}; ending ARR of the same accounts: ${dollars(endArr)}.`,
      `NRR = ${dollars(endArr)} ÷ ${dollars(startArr)} = ${percentText(answer)}.`,
    ],
    concepts: ['multi-year-ramps'],
    misconceptions,
    figure: { kind: 'retention', measure: 'nrr' },
    dataset,
    asOf: formatDay(AS_OF),
  };
}

/** Plan rates the currency exercise draws from: USD per unit, as decimal text. */
const EUR_RATES = ['1.05', '1.08', '1.10', '1.12', '1.15'] as const;
const GBP_RATES = ['1.22', '1.25', '1.27', '1.30', '1.33'] as const;

function localLine(
  id: string,
  account: string,
  amount: number,
  currency: string,
  start: Day,
  end: Day | null,
): ContractLine {
  return { ...annualLine(id, account, amount, start, end), currency };
}

/**
 * Builds a level 2 exercise on a book in three currencies: a USD customer that stays flat, a EUR
 * customer that adds a product and a GBP customer that cancels. The learner converts at the plan
 * rates and computes the book's NRR in USD.
 */
export function currencyExercise(seed: number): Exercise {
  const random = new Random(seed, 5);
  const eurRate = EUR_RATES[random.int(0, EUR_RATES.length - 1)] as string;
  const gbpRate = GBP_RATES[random.int(0, GBP_RATES.length - 1)] as string;
  const usd = roundTo(random.int(20, 80) * 1000, 1000);
  const eur = roundTo(random.int(20, 80) * 1000, 1000);
  const eurAdded = roundTo(random.int(5, 30) * 1000, 1000);
  const gbp = roundTo(random.int(20, 80) * 1000, 1000);
  const addedOn = dayFromCivil(2025, random.int(2, 10), 1);
  const cancelledOn = dayFromCivil(2025, random.int(2, 10), 1);
  const rate = (currency: string, text: string) => ({
    currency,
    rate: parseDecimal(text) as NonNullable<ReturnType<typeof parseDecimal>>,
    from: dayFromCivil(2023, 1, 1),
    to: null,
    kind: 'plan' as const,
  });
  const dataset: Dataset = {
    ...emptyDataset(
      [
        annualLine('U-1', 'U', usd, OPENED, null),
        localLine('E-1', 'E', eur, 'EUR', OPENED, null),
        localLine('E-2', 'E', eurAdded, 'EUR', addedOn, null),
        localLine('G-1', 'G', gbp, 'GBP', OPENED, cancelledOn),
      ],
      ['U', 'E', 'G'],
    ),
    fxRates: [rate('EUR', eurRate), rate('GBP', gbpRate)],
  };
  const report = engineReport(dataset);
  const { startArr, endArr } = report.cohort;
  const answer = percentOf(endArr, startArr);
  const misconceptions = distinctMisconceptions(
    [
      {
        code: 'currencies-summed',
        description: 'added amounts in different currencies without converting them first',
        answer: percentOf(usd + eur + eurAdded, usd + eur + gbp),
      },
    ],
    answer,
  );
  return {
    id: `currency-${seed}`,
    level: 2,
    title: 'ARR in several currencies',
    question: `Compute the book's NRR for 2025 (from ${WINDOW_START} to 2025-12-31) in USD, in percent. The plan rates for 2024 and 2025 are 1 EUR = ${eurRate} USD and 1 GBP = ${gbpRate} USD.`,
    data: [
      `U: $${whole(usd)} a year since 2024-01-01, no change in 2025.`,
      `E: €${whole(eur)} a year since 2024-01-01; adds €${whole(eurAdded)} a year from ${formatDay(addedOn)}.`,
      `G: £${whole(gbp)} a year since 2024-01-01; cancels, last day ${formatDay(cancelledOn - 1)}.`,
    ],
    answerKind: 'percent',
    answer,
    tolerance: TOLERANCE_POINTS,
    solution: [
      `Convert each amount to USD at the plan rate before adding: E starts at €${whole(eur)} × ${eurRate} and ends at €${whole(eur + eurAdded)} × ${eurRate}; G starts at £${whole(gbp)} × ${gbpRate} and ends at 0.`,
      `Starting ARR in USD: ${dollars(startArr)}; ending ARR: ${dollars(endArr)}.`,
      `NRR = ${dollars(endArr)} ÷ ${dollars(startArr)} = ${percentText(answer)}.`,
    ],
    concepts: ['currency'],
    misconceptions,
    figure: { kind: 'retention', measure: 'nrr' },
    dataset,
    asOf: formatDay(AS_OF),
  };
}

function csm(account: string, person: string, from: Day, to: Day | null): Assignment {
  return { accountId: account, role: 'CSM', person, from, to };
}

/**
 * Builds a level 2 exercise on one CSM's book during a year in which one account moves to
 * another CSM and another account moves in. The learner computes the NRR of the first book.
 */
export function transferBookExercise(seed: number): Exercise {
  const random = new Random(seed, 6);
  const size = () => roundTo(random.int(10, 60) * 1000, 1000);
  const kept = size();
  const expanding = size();
  const added = roundTo(random.int(3, 20) * 1000, 1000);
  const movedOut = size();
  const movedIn = size();
  const outOn = dayFromCivil(2025, random.int(2, 10), 1);
  const inOn = dayFromCivil(2025, random.int(2, 10), 1);
  const addedOn = dayFromCivil(2025, random.int(2, 10), 1);
  const dataset: Dataset = {
    ...emptyDataset(
      [
        annualLine('A-1', 'A', kept, OPENED, null),
        annualLine('B-1', 'B', expanding, OPENED, null),
        annualLine('B-2', 'B', added, addedOn, null),
        annualLine('T-1', 'T', movedOut, OPENED, null),
        annualLine('U-1', 'U', movedIn, OPENED, null),
      ],
      ['A', 'B', 'T', 'U'],
    ),
    assignments: [
      csm('A', 'Ana', OPENED, null),
      csm('B', 'Ana', OPENED, null),
      csm('T', 'Ana', OPENED, outOn),
      csm('T', 'Ben', outOn, null),
      csm('U', 'Ben', OPENED, inOn),
      csm('U', 'Ana', inOn, null),
    ],
  };
  const report = buildReport(analyse(dataset, DEFAULT_DEFINITIONS, AS_OF), dataset, 'csm');
  const book = report.groups?.find((group) => group.key === 'Ana');
  if (book === undefined) throw new Error('the transfer exercise has no book for Ana');
  const { startArr, endArr } = book.cohort;
  const answer = percentOf(endArr, startArr);
  const minor = (value: number) => value * 100;
  const misconceptions = distinctMisconceptions(
    [
      {
        code: 'transfer-out-as-churn',
        description: 'counted the account that moved to another CSM as churn',
        answer: percentOf(endArr - minor(movedOut), startArr),
      },
      {
        code: 'transfer-in-counted',
        description: "counted the account that moved in, which was not in the book's cohort",
        answer: percentOf(endArr + minor(movedIn), startArr),
      },
    ],
    answer,
  );
  return {
    id: `transfer-book-${seed}`,
    level: 2,
    title: 'A book with transfers',
    question: `Compute the NRR of Ana's book for 2025 (from ${WINDOW_START} to 2025-12-31), in percent. A book's cohort is the accounts it has on the first day. Prices are annual, in USD.`,
    data: [
      `A: Ana's since 2024-01-01, $${whole(kept)} a year, no change in 2025.`,
      `B: Ana's since 2024-01-01, $${whole(expanding)} a year; adds $${whole(added)} a year from ${formatDay(addedOn)}.`,
      `T: Ana's since 2024-01-01, $${whole(movedOut)} a year, no change; moves to Ben's book on ${formatDay(outOn)}.`,
      `U: Ben's since 2024-01-01, $${whole(movedIn)} a year, no change; moves to Ana's book on ${formatDay(inOn)}.`,
    ],
    answerKind: 'percent',
    answer,
    tolerance: TOLERANCE_POINTS,
    solution: [
      `Ana's cohort is the accounts in her book on ${WINDOW_START}: A, B and T, with ${dollars(startArr)} of ARR.`,
      `T moved to Ben but still pays: a transfer, not churn, so its ARR stays in the numerator. U was Ben's on ${WINDOW_START}, so it is outside Ana's cohort.`,
      `Ending ARR of A, B and T: ${dollars(endArr)}.`,
      `NRR = ${dollars(endArr)} ÷ ${dollars(startArr)} = ${percentText(answer)}.`,
    ],
    concepts: ['transfers'],
    misconceptions,
    figure: { kind: 'retention', measure: 'nrr', book: 'Ana' },
    dataset,
    asOf: formatDay(AS_OF),
  };
}

/**
 * The bridge lines a book can record for one account: the movement kinds and the two transfers.
 * Written out rather than built from MOVEMENT_KINDS, because exercises.ts imports this module
 * before its own constants exist.
 */
export const BOOK_LINES = [
  'new',
  'expansion',
  'contraction',
  'churn',
  'reactivation',
  'transfer-in',
  'transfer-out',
] as const;

const LINE_FIELDS: Record<(typeof BOOK_LINES)[number], keyof BridgeTotals> = {
  new: 'new',
  expansion: 'expansion',
  contraction: 'contraction',
  churn: 'churn',
  reactivation: 'reactivation',
  'transfer-in': 'transferIn',
  'transfer-out': 'transferOut',
};

/**
 * Returns the bridge lines a book records between two month ends, as the engine computes them
 * on the dataset: the names of the non-zero lines, in the order of BOOK_LINES.
 */
export function bookLinesBetween(
  dataset: Dataset,
  book: string,
  from: string,
  to: string,
  definitions: Definitions = DEFAULT_DEFINITIONS,
): string[] {
  const start = parseDay(from);
  const end = parseDay(to);
  if (start === undefined || end === undefined) {
    throw new Error(`the month ends ${from} and ${to} must be dates as YYYY-MM-DD`);
  }
  const analysis = analyse(dataset, definitions, end, { windowStart: start });
  const group = buildReport(analysis, dataset, 'csm').groups?.find((entry) => entry.key === book);
  if (group === undefined) return [];
  return BOOK_LINES.filter((line) => group.bridge[LINE_FIELDS[line]] !== 0);
}

/**
 * Builds a level 1 exercise: an account moves from one CSM's book to another's, and the learner
 * names the line that one of the two books records for it that month.
 */
export function transferMoveExercise(seed: number): Exercise {
  const random = new Random(seed, 8);
  const price = roundTo(random.int(6, 48) * 1000, 1000);
  const month = random.int(3, 10);
  const on = dayFromCivil(2025, month, 1);
  const before = formatDay(on - 1);
  const after = formatDay(dayFromCivil(2025, month + 1, 1) - 1);
  const view = random.int(0, 1) === 0 ? 'Ana' : 'Ben';
  const dataset: Dataset = {
    ...emptyDataset([annualLine('X-1', 'X', price, OPENED, null)], ['X']),
    assignments: [csm('X', 'Ana', OPENED, on), csm('X', 'Ben', on, null)],
  };
  const recorded = bookLinesBetween(dataset, view, before, after);
  const answer = recorded.length === 1 ? (recorded[0] as string) : 'none';
  const wrong: Misconception =
    view === 'Ana'
      ? {
          code: 'transfer-out-as-churn',
          description: 'counted an account that moved to another CSM as churn',
          answer: 'churn',
        }
      : {
          code: 'transfer-in-as-new',
          description: 'counted an account that moved in from another CSM as a new logo',
          answer: 'new',
        };
  return {
    id: `transfer-move-${seed}`,
    level: 1,
    title: 'An account changes CSM',
    question: `Which line does ${view}'s book bridge record for X between ${before} and ${after}?`,
    data: [
      `X pays $${whole(price)} a year since 2024-01-01, with no change. It is in Ana's book until ${before} and in Ben's book from ${formatDay(on)}.`,
    ],
    answerKind: 'choice',
    choices: BOOK_LINES,
    answer,
    tolerance: 0,
    solution: [
      `X's ARR stays at $${whole(price)}: the customer neither left nor arrived.`,
      view === 'Ana'
        ? `Ana's book loses X as a transfer out of $${whole(price)}; the company bridge shows no movement, and Ben's book shows the same amount as a transfer in.`
        : `Ben's book gains X as a transfer in of $${whole(price)}; the company bridge shows no movement, and Ana's book shows the same amount as a transfer out.`,
    ],
    concepts: ['transfers'],
    misconceptions: [wrong],
    figure: { kind: 'book-line', book: view, from: before, to: after },
    dataset,
    asOf: formatDay(AS_OF),
  };
}
