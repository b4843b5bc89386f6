/**
 * Exercises built from real accounts: a few accounts of one CSM's book, with their lines, and
 * optionally anonymised so the material can leave the team. Anonymised material names accounts
 * "Account 1", "Account 2" and so on and CSMs "CSM 1", "CSM 2", keeps products, prices and
 * dates, and drops account names.
 *
 * Level 1 names a real movement of a real account, level 2 computes a real book's NRR or GRR,
 * and level 3 judges a real upcoming renewal's outcome with the scenario lab. Each answer is the
 * engine's figure on the exercise's own extracted lines.
 */
import { analyse } from '../core/analysis.js';
import type { Analysis } from '../core/analysis.js';
import { bookAccounts, filteredBooks } from '../core/books.js';
import { addMonths, formatDay, monthEnd, parseDay } from '../core/dates.js';
import type { Day } from '../core/dates.js';
import type { Definitions } from '../core/definitions.js';
import { EngineError } from '../core/errors.js';
import { explainAccount } from '../core/explain.js';
import type { Explanation, MovementExplanation } from '../core/explain.js';
import type { Account, ContractLine, Dataset } from '../core/model.js';
import { formatDecimal } from '../core/money.js';
import { findRenewals } from '../core/renewals.js';
import { buildReport } from '../core/report.js';
import { choiceToText, runScenario } from '../core/scenarios.js';
import type { ScenarioChoice } from '../core/scenarios.js';
import { Random } from '../generate/random.js';
import { BOOK_LINES, bookLinesBetween } from './concepts.js';
import {
  bookMisconceptions,
  distinctMisconceptions,
  MOVEMENT_MISCONCEPTIONS,
  percentOf,
} from './exercises.js';
import type { Concept, Exercise, Misconception } from './exercises.js';

export interface FromDataOptions {
  readonly asOf: Day;
  readonly definitions: Definitions;
  readonly seed: number;
  readonly measure: 'nrr' | 'grr';
  readonly anonymise: boolean;
  /** The CSM whose book to draw from; a random book with enough accounts when not given. */
  readonly csm?: string;
}

/** Cohort accounts and new logos taken into one exercise. */
const COHORT_ACCOUNTS = 4;
const NEW_LOGOS = 1;
/** Accounts of the same book that a renewal exercise adds to the renewing one. */
const RENEWAL_COMPANIONS = 2;
/** Accounts tried before a level 1 exercise gives up on a concept and takes any movement. */
const MOVEMENT_TRIES = 60;

/** Maps each account to the root of its parent chain. */
function rootsOf(accounts: readonly Account[]): (id: string) => string {
  const parent = new Map(accounts.map((account) => [account.id, account.parentId]));
  return (id) => {
    let current = id;
    for (let depth = 0; depth < 64; depth++) {
      const next = parent.get(current);
      if (next === undefined || next === '') return current;
      current = next;
    }
    return current;
  };
}

function periodText(line: ContractLine): string {
  const { unit, count } = line.period;
  if (unit === 'term') return 'for the term';
  return count === 1 ? `a ${unit}` : `per ${count} ${unit}s`;
}

function lineText(line: ContractLine, id: string): string {
  const end = line.end === null ? 'open-ended' : `to ${formatDay(line.end - 1)}`;
  const kind = line.kind === 'recurring' ? '' : ` (${line.kind})`;
  return `${id}: ${line.product ?? 'product'}${kind}, ${formatDecimal(line.amount)} ${line.currency} ${periodText(line)}, from ${formatDay(line.start)} ${end}`;
}

/** Takes `count` entries of `list` at random, without repeats. */
function pick<T>(random: Random, list: readonly T[], count: number): T[] {
  const pool = [...list];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) {
    chosen.push(pool.splice(random.int(0, pool.length - 1), 1)[0] as T);
  }
  return chosen;
}

/** Lists the CSM books with two or more cohort accounts, or the one `options.csm` names. */
function candidateBooks(analysis: Analysis, dataset: Dataset, options: FromDataOptions) {
  const books = filteredBooks(analysis, dataset, 'csm');
  const candidates = [...books.codes.entries()]
    .map(([key, code]) => ({
      key,
      cohort: bookAccounts(analysis, dataset, 'cohort', { groups: books.groups, code }),
      active: bookAccounts(analysis, dataset, 'active', { groups: books.groups, code }),
    }))
    .filter((book) => book.cohort.count >= 2)
    .filter((book) => options.csm === undefined || book.key === options.csm);
  if (candidates.length === 0) {
    throw new EngineError(
      'invalid-filter',
      options.csm === undefined
        ? 'no CSM book has two or more accounts with ARR on the window start; import more data or use synthetic exercises'
        : `CSM "${options.csm}" has no book with two or more accounts on the window start`,
    );
  }
  return candidates;
}

/** Accounts and lines of some root accounts, renamed when anonymised. */
interface Extract {
  readonly data: Dataset;
  /** The name an original account id has in the extract. */
  readonly accountName: (id: string) => string;
  /** The name an original person has in the extract. */
  readonly personName: (person: string) => string;
}

/**
 * Copies the accounts of `roots` (with their child accounts) and their lines out of a dataset.
 * With `withOwners`, the owner assignments come along, so books and transfers can be computed.
 * Anonymised ids follow the order of `roots`, so the data reads in order.
 */
function extract(
  dataset: Dataset,
  roots: readonly string[],
  options: { anonymise: boolean; withOwners: boolean; ownerRole: string },
): Extract {
  const rootOf = rootsOf(dataset.accounts);
  const chosenRoots = new Set(roots);
  const accounts = dataset.accounts.filter((account) => chosenRoots.has(rootOf(account.id)));
  const lines = dataset.lines.filter((line) => chosenRoots.has(rootOf(line.accountId)));
  const renamer = (prefix: string) => {
    const names = new Map<string, string>();
    return (id: string) => {
      if (!options.anonymise) return id;
      let name = names.get(id);
      if (name === undefined) {
        name = `${prefix} ${names.size + 1}`;
        names.set(id, name);
      }
      return name;
    };
  };
  const accountName = renamer('Account');
  const personName = renamer('CSM');
  roots.forEach((id) => accountName(id));
  const lineIds = new Map(
    lines.map((line, index) => [line.id, options.anonymise ? `L${index + 1}` : line.id]),
  );
  const contractIds = new Map<string, string>();
  const contractName = (id: string) => {
    let name = contractIds.get(id);
    if (name === undefined) {
      name = `C${contractIds.size + 1}`;
      contractIds.set(id, name);
    }
    return name;
  };
  const rename = (line: ContractLine): ContractLine => {
    const { source, contractId, renews, ...rest } = line;
    return {
      ...rest,
      id: lineIds.get(line.id) as string,
      accountId: accountName(line.accountId),
      ...(contractId === undefined
        ? {}
        : {
            contractId: options.anonymise ? contractName(contractId) : contractId,
          }),
      ...(renews === undefined ? {} : { renews: lineIds.get(renews) ?? renews }),
    };
  };
  const accountIds = new Set(accounts.map((account) => account.id));
  const assignments = options.withOwners
    ? dataset.assignments
        .filter(
          (assignment) =>
            assignment.role === options.ownerRole && accountIds.has(assignment.accountId),
        )
        .map(({ source, ...assignment }) => ({
          ...assignment,
          accountId: accountName(assignment.accountId),
          person: personName(assignment.person),
        }))
    : [];
  return {
    data: {
      accounts: accounts.map((account) => ({
        id: accountName(account.id),
        ...(account.parentId === undefined || account.parentId === ''
          ? {}
          : { parentId: accountName(account.parentId) }),
        ...(account.currency === undefined ? {} : { currency: account.currency }),
        ...(options.anonymise || account.name === undefined ? {} : { name: account.name }),
      })),
      assignments,
      segments: [],
      fxRates: dataset.fxRates,
      lines: lines.map(rename),
    },
    accountName,
    personName,
  };
}

function moneyIn(currency: string): (minor: number) => string {
  return (minor) => `${currency} ${Math.round(minor / 100).toLocaleString('en-US')}`;
}

export function bookExerciseFromData(dataset: Dataset, options: FromDataOptions): Exercise {
  const random = new Random(options.seed, 7);
  const analysis = analyse(dataset, options.definitions, options.asOf);
  const candidates = candidateBooks(analysis, dataset, options);
  const book = candidates[random.int(0, candidates.length - 1)] as (typeof candidates)[number];
  const cohort = pick(random, book.cohort.accounts, COHORT_ACCOUNTS).map((row) => row.account);
  const newcomers = pick(
    random,
    book.active.accounts.filter((row) => !row.cohort),
    NEW_LOGOS,
  ).map((row) => row.account);
  const roots = [...cohort, ...newcomers];
  const exerciseData = extract(dataset, roots, {
    anonymise: options.anonymise,
    withOwners: false,
    ownerRole: options.definitions.ownerRole,
  }).data;

  const report = buildReport(
    analyse(exerciseData, options.definitions, options.asOf),
    exerciseData,
  );
  const { startArr, endArr, cappedArr } = report.cohort;
  const answer = percentOf(options.measure === 'nrr' ? endArr : cappedArr, startArr);
  const newArr = book.active.accounts
    .filter((row) => newcomers.includes(row.account))
    .reduce((sum, row) => sum + row.arrAtEnd, 0);
  const label = options.measure === 'nrr' ? 'NRR' : 'GRR';
  const money = moneyIn(options.definitions.reportingCurrency);
  const windowStart = formatDay(analysis.windowStart);
  const asOf = formatDay(options.asOf);
  const data = exerciseData.lines
    .filter(
      (line) =>
        line.start <= options.asOf && (line.end === null || line.end > analysis.windowStart),
    )
    .map((line) => `${line.accountId}, ${lineText(line, line.id)}`);
  return {
    id: `data-${options.measure}-${options.seed}`,
    level: 2,
    title: `${label} of real accounts`,
    question: `Compute the ${label} of these accounts from ${windowStart} to ${asOf}, in percent, in ${options.definitions.reportingCurrency}. The lines below are those in service during the window.`,
    data,
    answerKind: 'percent',
    answer,
    tolerance: 0.1,
    solution: [
      `The cohort is the accounts with ARR on ${windowStart}; ARR then: ${money(startArr)}.`,
      options.measure === 'nrr'
        ? `Their ARR on ${asOf}: ${money(endArr)}.`
        : `Their ARR on ${asOf}, each capped at its starting ARR: ${money(cappedArr)}.`,
      `${label} = ${money(options.measure === 'nrr' ? endArr : cappedArr)} ÷ ${money(startArr)} = ${answer.toFixed(1)}%.`,
    ],
    concepts:
      options.measure === 'nrr'
        ? ['new-logos-excluded', 'cohort-vs-bridge']
        : ['new-logos-excluded', 'grr-cap'],
    misconceptions: bookMisconceptions(report, options.measure, newArr, 0),
    figure: { kind: 'retention', measure: options.measure },
    dataset: exerciseData,
    asOf,
  };
}

/** A concept a level 1 exercise from real accounts may look for. */
export type MovementFocus = 'multi-year-ramps' | 'currency' | 'transfers';

/** Lists the FX rates of the currencies the lines use, as lines of data: those in force from `from` on. */
function rateTexts(data: Dataset, reporting: string, from?: Day): string[] {
  const currencies = new Set(data.lines.map((line) => line.currency));
  return data.fxRates
    .filter((rate) => currencies.has(rate.currency) && rate.currency !== reporting)
    .filter((rate) => from === undefined || rate.to === null || rate.to > from)
    .map(
      (rate) =>
        `${rate.kind} rate: 1 ${rate.currency} = ${formatDecimal(rate.rate)} ${reporting} from ${formatDay(rate.from)}${rate.to === null ? '' : ` to ${formatDay(rate.to - 1)}`}`,
    );
}

/** Returns the last month end before the month of `day`, and the last day of that month. */
function monthEndsAround(day: Day): { before: Day; after: Day } {
  const after = monthEnd(day);
  return { before: monthEnd(addMonths(after, -1)), after };
}

interface MovementCase {
  readonly root: string;
  readonly extract: Extract;
  readonly explanation: Explanation;
  readonly movement: MovementExplanation;
}

/** Finds a movement of one account that fits the focus, on the account's extracted lines. */
function movementCase(
  dataset: Dataset,
  root: string,
  options: FromDataOptions,
  focus: MovementFocus | undefined,
  random: Random,
): MovementCase | undefined {
  const extracted = extract(dataset, [root], {
    anonymise: options.anonymise,
    withOwners: false,
    ownerRole: options.definitions.ownerRole,
  });
  const analysis = analyse(extracted.data, options.definitions, options.asOf);
  const explanation = explainAccount(analysis, extracted.data, extracted.accountName(root));
  const reporting = options.definitions.reportingCurrency;
  const fits = explanation.movements.filter((movement) => {
    if (focus === 'multi-year-ramps') {
      return movement.components.some((component) => component.subtype === 'ramp-step');
    }
    if (focus === 'currency') {
      // A line in another currency must be in service at one of the two month ends.
      const from = parseDay(movement.from) as Day;
      const to = parseDay(movement.to) as Day;
      return extracted.data.lines.some(
        (line) =>
          line.currency !== reporting && line.start <= to && (line.end === null || line.end > from),
      );
    }
    return true;
  });
  const movement = fits[random.int(0, fits.length - 1)];
  return movement === undefined ? undefined : { root, extract: extracted, explanation, movement };
}

/**
 * Lists the root accounts whose lines may show a concept: lines in another currency, or two
 * lines of one contract and product that start on different days (a ramp).
 */
function likelyAccounts(
  dataset: Dataset,
  focus: 'multi-year-ramps' | 'currency',
  reporting: string,
): Set<string> {
  const rootOf = rootsOf(dataset.accounts);
  const found = new Set<string>();
  const starts = new Map<string, Day>();
  for (const line of dataset.lines) {
    const root = rootOf(line.accountId);
    if (focus === 'currency') {
      if (line.currency !== reporting) found.add(root);
      continue;
    }
    if (line.contractId === undefined || line.renews !== undefined) continue;
    const key = `${root}\u0000${line.contractId}\u0000${line.product ?? ''}`;
    const start = starts.get(key);
    if (start !== undefined && start !== line.start) found.add(root);
    else starts.set(key, line.start);
  }
  return found;
}

const FOCUS_CONCEPTS: Readonly<Record<MovementFocus, readonly Concept[]>> = {
  'multi-year-ramps': ['multi-year-ramps'],
  currency: ['currency'],
  transfers: ['transfers'],
};

function movementConcepts(kind: string, focus: MovementFocus | undefined): readonly Concept[] {
  if (focus !== undefined) return FOCUS_CONCEPTS[focus];
  return kind === 'reactivation' || kind === 'new'
    ? ['reactivation', 'new-logos-excluded']
    : ['cohort-vs-bridge'];
}

/**
 * Builds a level 1 exercise from one real account: the learner names the movement the bridge
 * recorded for it between two month ends, and the solution gives the rule the engine applied.
 * With a focus, it looks for a ramp step, an account billed in another currency, or an account
 * that changed CSM during the window, and takes any movement when the data has none.
 */
export function movementExerciseFromData(
  dataset: Dataset,
  options: FromDataOptions,
  focus?: MovementFocus,
): Exercise {
  const random = new Random(options.seed, 9);
  const analysis = analyse(dataset, options.definitions, options.asOf);
  const candidates = candidateBooks(analysis, dataset, options);
  const book = candidates[random.int(0, candidates.length - 1)] as (typeof candidates)[number];
  const inBook = [
    ...new Set([...book.cohort.accounts, ...book.active.accounts].map((row) => row.account)),
  ];
  const order = pick(random, inBook, MOVEMENT_TRIES);
  if (focus === 'transfers') {
    for (const root of order) {
      const found = transferExerciseFromData(dataset, root, options);
      if (found !== undefined) return found;
    }
  }
  if (focus === 'multi-year-ramps' || focus === 'currency') {
    // The chosen book first, then the accounts of the other books that may show the concept.
    const likely = likelyAccounts(dataset, focus, options.definitions.reportingCurrency);
    const others = candidates
      .flatMap((entry) => entry.active.accounts.map((row) => row.account))
      .filter((root) => likely.has(root) && !inBook.includes(root));
    const ordered = [
      ...order.filter((root) => likely.has(root)),
      ...pick(random, others, MOVEMENT_TRIES),
    ];
    for (const root of ordered) {
      const found = movementCase(dataset, root, options, focus, random);
      if (found !== undefined) return movementExercise(found, options, focus);
    }
  }
  for (const root of order) {
    const found = movementCase(dataset, root, options, undefined, random);
    if (found !== undefined) return movementExercise(found, options, undefined);
  }
  throw new EngineError(
    'invalid-filter',
    `no account of the book "${options.anonymise ? 'chosen' : book.key}" moved between ${formatDay(analysis.windowStart)} and ${formatDay(options.asOf)}; choose another --csm or --as-of`,
  );
}

function movementExercise(
  found: MovementCase,
  options: FromDataOptions,
  focus: MovementFocus | undefined,
): Exercise {
  const { explanation, movement } = found;
  const name = found.extract.accountName(found.root);
  const money = moneyIn(options.definitions.reportingCurrency);
  const arrOn = (date: string) =>
    explanation.timeline.find((point) => point.date === date)?.arr ?? 0;
  const reporting = options.definitions.reportingCurrency;
  const parts = movement.components
    .filter((component) => component.amount !== 0)
    .map((component) => `${component.subtype} ${money(component.amount)} on ${component.product}`);
  const shown = (day: string) => (parseDay(day) as Day) <= options.asOf;
  const conversions = explanation.lines
    .filter((line) => line.conversion !== null && shown(line.start))
    .map((line) => `Line ${line.id} is in ${line.currency}: ${line.conversion ?? ''}.`);
  const kind = movement.kind;
  return {
    id: `data-move-${options.seed}`,
    level: 1,
    title: 'Name the movement of a real account',
    question: `Which movement does the ARR bridge record for ${name} between ${movement.from} and ${movement.to}? Amounts count in ${reporting}.`,
    data: [
      ...found.extract.data.lines
        .filter((line) => line.start <= options.asOf)
        .map((line) => lineText(line, line.id)),
      ...rateTexts(found.extract.data, reporting),
    ],
    answerKind: 'choice',
    choices: ['new', 'expansion', 'contraction', 'churn', 'reactivation'],
    answer: kind,
    tolerance: 0,
    solution: [
      `${name}'s ARR on ${movement.from}: ${money(arrOn(movement.from))}; on ${movement.to}: ${money(arrOn(movement.to))}.`,
      `Rule ${movement.rule}: ${movement.reason}.`,
      ...(parts.length === 0 ? [] : [`The change is made of: ${parts.join('; ')}.`]),
      ...(focus === 'currency' ? conversions : []),
    ],
    concepts: movementConcepts(kind, focus),
    misconceptions: [MOVEMENT_MISCONCEPTIONS[kind]],
    figure: { kind: 'movement', account: name, from: movement.from, to: movement.to },
    dataset: found.extract.data,
    asOf: formatDay(options.asOf),
  };
}

/**
 * Builds a level 1 exercise from an account whose CSM changed during the window, or returns
 * undefined when it did not or had no ARR then. The learner names the line the old book
 * records: a transfer out, not churn.
 */
function transferExerciseFromData(
  dataset: Dataset,
  root: string,
  options: FromDataOptions,
): Exercise | undefined {
  const windowStart = addMonths(options.asOf, -options.definitions.windowMonths);
  const change = dataset.assignments.find(
    (assignment) =>
      assignment.accountId === root &&
      assignment.role === options.definitions.ownerRole &&
      assignment.from > windowStart &&
      monthEnd(assignment.from) <= options.asOf,
  );
  if (change === undefined) return undefined;
  const previous = dataset.assignments.find(
    (assignment) =>
      assignment.accountId === root &&
      assignment.role === options.definitions.ownerRole &&
      assignment.to === change.from &&
      assignment.person !== change.person,
  );
  if (previous === undefined) return undefined;
  const extracted = extract(dataset, [root], {
    anonymise: options.anonymise,
    withOwners: true,
    ownerRole: options.definitions.ownerRole,
  });
  const { before, after } = monthEndsAround(change.from);
  const from = formatDay(before);
  const to = formatDay(after);
  const oldBook = extracted.personName(previous.person);
  const newBook = extracted.personName(change.person);
  const recorded = bookLinesBetween(extracted.data, oldBook, from, to, options.definitions);
  if (recorded.length !== 1 || recorded[0] !== 'transfer-out') return undefined;
  const name = extracted.accountName(root);
  const money = moneyIn(options.definitions.reportingCurrency);
  const moved = analyse(extracted.data, options.definitions, after, { windowStart: before });
  const explanation = explainAccount(moved, extracted.data, name);
  const misconception: Misconception = {
    code: 'transfer-out-as-churn',
    description: 'counted an account that moved to another CSM as churn',
    answer: 'churn',
  };
  return {
    id: `data-transfer-${options.seed}`,
    level: 1,
    title: 'A real account changes CSM',
    question: `Which line does ${oldBook}'s book bridge record for ${name} between ${from} and ${to}?`,
    data: [
      ...extracted.data.lines
        .filter((line) => line.start <= after)
        .map((line) => lineText(line, line.id)),
      `${name} is in ${oldBook}'s book until ${formatDay(change.from - 1)} and in ${newBook}'s book from ${formatDay(change.from)}.`,
    ],
    answerKind: 'choice',
    choices: BOOK_LINES,
    answer: 'transfer-out',
    tolerance: 0,
    solution: [
      `${name}'s ARR on ${from}: ${money(explanation.arrAtStart)}; on ${to}: ${money(explanation.arrAtEnd)}.`,
      `${oldBook}'s book transfers out the ${money(explanation.arrAtStart)} it had on ${from}, and ${newBook}'s book transfers it in. Any change of ARR that month belongs to ${newBook}'s book. The company bridge has no transfer lines, so the move is neither churn nor new business.`,
    ],
    concepts: ['transfers'],
    misconceptions: [misconception],
    figure: { kind: 'book-line', book: oldBook, from, to },
    dataset: extracted.data,
    asOf: formatDay(options.asOf),
  };
}

/** Renewal outcomes a level 3 exercise from real accounts draws from. */
const RENEWAL_OUTCOMES = ['uplift', 'downgrade', 'churn'] as const;

/**
 * Builds a level 3 exercise from a real renewal still open on the as-of date, on a small real
 * book: the renewing account and up to two others of its CSM. An outcome is drawn for the
 * renewal, every other open renewal renews flat, and the answer is the book's NRR for the next
 * fiscal year window as the scenario lab computes it.
 */
export function renewalExerciseFromData(dataset: Dataset, options: FromDataOptions): Exercise {
  const random = new Random(options.seed, 10);
  const { definitions, asOf } = options;
  const analysis = analyse(dataset, definitions, asOf);
  const books = filteredBooks(analysis, dataset, 'csm');
  const open = findRenewals(analysis, dataset, asOf).filter(
    (renewal) =>
      renewal.status === 'upcoming' &&
      renewal.renewalDay <= addMonths(asOf, 12) &&
      (options.csm === undefined || renewal.books.csm === options.csm),
  );
  for (const renewal of pick(random, open, 20)) {
    const root = analysis.prepared.unitRoot[renewal.unit] as string;
    const code = books.codes.get(renewal.books.csm);
    const others =
      code === undefined
        ? []
        : bookAccounts(analysis, dataset, 'active', { groups: books.groups, code })
            .accounts.map((row) => row.account)
            .filter((account) => account !== root);
    const roots = [root, ...pick(random, others, RENEWAL_COMPANIONS)];
    const extracted = extract(dataset, roots, {
      anonymise: options.anonymise,
      withOwners: false,
      ownerRole: definitions.ownerRole,
    });
    const name = extracted.accountName(root);
    const outcome = RENEWAL_OUTCOMES[random.int(0, RENEWAL_OUTCOMES.length - 1)] ?? 'churn';
    const choice: ScenarioChoice = {
      account: name,
      renewalDate: renewal.renewalDay,
      outcome,
      ...(outcome === 'churn' ? {} : { basisPoints: random.int(1, 4) * 500 }),
    };
    const exercise = renewalExerciseOf(extracted, roots, choice, options);
    if (exercise !== undefined) return exercise;
  }
  throw new EngineError(
    'invalid-filter',
    `no renewal is upcoming in the twelve months after ${formatDay(asOf)}${options.csm === undefined ? '' : ` in the book of CSM "${options.csm}"`}; choose an earlier --as-of or use synthetic exercises`,
  );
}

/**
 * Runs the scenario lab on the extracted book and writes the exercise, or returns undefined when
 * the extract does not give the renewal as open (a renewal that needs accounts left out).
 */
function renewalExerciseOf(
  extracted: Extract,
  roots: readonly string[],
  choice: ScenarioChoice,
  options: FromDataOptions,
): Exercise | undefined {
  const { definitions, asOf } = options;
  const { data } = extracted;
  let result;
  try {
    result = runScenario(data, definitions, asOf, { name: 'exercise', choices: [choice] }, []);
  } catch (error) {
    if (error instanceof EngineError) return undefined;
    throw error;
  }
  const window = result.windows[0];
  const applied = result.choices[0];
  if (window === undefined || applied === undefined) return undefined;
  const after = window.company.scenario.cohort;
  const before = window.company.baseline.cohort;
  // A renewal due after the first window moves nothing in it, so the exercise would teach nothing.
  if (after.startArr === 0 || applied.renewalDate > window.window.end) return undefined;
  const answer = percentOf(after.endArr, after.startArr);
  const name = choice.account;
  const startOfRenewing = explainAccount(
    analyse(data, definitions, asOf),
    data,
    name,
  ).timeline.find((point) => point.date === window.window.start)?.arr;
  const money = moneyIn(definitions.reportingCurrency);
  const percent = `${(choice.basisPoints ?? 0) / 100}%`;
  const outcomeText =
    choice.outcome === 'churn'
      ? 'is not renewed'
      : `renews on time with a ${percent} ${choice.outcome}`;
  const wrong: Misconception[] = [];
  if (choice.outcome !== 'churn') {
    wrong.push({
      code: 'outcome-ignored',
      description: 'left the price change out of the renewed ARR',
      answer: percentOf(before.endArr, before.startArr),
    });
  }
  if (choice.outcome === 'downgrade') {
    wrong.push({
      code: 'downgrade-as-churn',
      description: 'called a downgrade churn although the customer stayed',
      answer: percentOf(after.endArr - applied.scenarioArr, after.startArr),
    });
  }
  if (choice.outcome === 'churn' && startOfRenewing !== undefined) {
    wrong.push({
      code: 'churn-left-out-of-denominator',
      description: 'removed the lost customer from the starting ARR as well',
      answer: percentOf(after.endArr, after.startArr - startOfRenewing),
    });
  }
  const others = roots.slice(1).map((root) => extracted.accountName(root));
  const rootOf = rootsOf(data.accounts);
  // Lines that lapsed inside the grace window still count and renew flat, so they are shown too.
  const windowStart = parseDay(window.window.start) as Day;
  const shownFrom = Math.min(windowStart, asOf) - definitions.graceDays;
  return {
    id: `data-renewal-${options.seed}`,
    level: 3,
    title: 'What a real renewal does to NRR',
    question: `${name}'s renewal of ${money(applied.arrUpForRenewal)} of ARR is due on ${applied.renewalDate}, and it ${outcomeText}. Every other renewal of these accounts renews flat on its date for a year. What is their NRR for FY${window.year} (from ${window.window.start} to ${window.window.end}), in percent, in ${definitions.reportingCurrency}?`,
    data: [
      ...[name, ...others].flatMap((account) =>
        data.lines
          .filter((line) => rootOf(line.accountId) === account)
          .filter((line) => line.end === null || line.end > shownFrom)
          .map((line) => `${line.accountId}, ${lineText(line, line.id)}`),
      ),
      ...rateTexts(data, definitions.reportingCurrency, shownFrom),
    ],
    answerKind: 'percent',
    answer,
    tolerance: 0.1,
    solution: [
      `The cohort is ${[name, ...others].join(', ')}: the accounts with ARR on ${window.window.start}, ${money(after.startArr)} in all.`,
      choice.outcome === 'churn'
        ? `${name} does not renew, so it has no ARR on ${window.window.end} and stays in the denominator.`
        : `${name} renews at ${money(applied.arrUpForRenewal)} × (1 ${choice.outcome === 'uplift' ? '+' : '−'} ${percent}) = ${money(applied.scenarioArr)} from ${applied.renewalDate}.`,
      `With the other renewals flat, the cohort's ARR on ${window.window.end} is ${money(after.endArr)}; without the outcome it would be ${money(before.endArr)}.`,
      `NRR = ${money(after.endArr)} ÷ ${money(after.startArr)} = ${answer.toFixed(1)}%.`,
    ],
    concepts: ['early-late-renewals', 'cohort-vs-bridge'],
    misconceptions: distinctMisconceptions(wrong, answer),
    figure: { kind: 'scenario', choice: choiceToText(choice), year: window.year },
    dataset: data,
    asOf: formatDay(asOf),
  };
}

/** The concepts level 1 exercises from real accounts look for in turn; undefined is any movement. */
const FOCUS_ROTATION: readonly (MovementFocus | undefined)[] = [
  undefined,
  'multi-year-ramps',
  'currency',
  'transfers',
];

/** Options of a set of exercises from real accounts: the seed and levels of the whole set. */
export type FromDataSetOptions = Omit<FromDataOptions, 'measure' | 'seed'> & {
  readonly seed: number;
  readonly levels: readonly (1 | 2 | 3)[];
};

/**
 * Builds the exercise at `index` of a set from real accounts, the same one `exercisesFromData`
 * puts there, so a single exercise can be built again to grade an answer to it.
 */
export function exerciseFromData(
  dataset: Dataset,
  options: FromDataSetOptions,
  index: number,
): Exercise {
  const level = options.levels[index % options.levels.length];
  const round = Math.floor(index / options.levels.length);
  const each: FromDataOptions = {
    ...options,
    seed: options.seed * 1000 + index,
    measure: round % 2 === 0 ? 'nrr' : 'grr',
  };
  if (level === 1) {
    return movementExerciseFromData(dataset, each, FOCUS_ROTATION[round % FOCUS_ROTATION.length]);
  }
  if (level === 3) return renewalExerciseFromData(dataset, each);
  return bookExerciseFromData(dataset, each);
}

/**
 * Builds `count` exercises from real accounts, rotating through `levels` as the synthetic set
 * does. Level 1 looks in turn for any movement, a ramp step, another currency and a transfer;
 * level 2 alternates NRR and GRR.
 */
export function exercisesFromData(
  dataset: Dataset,
  options: FromDataSetOptions & { readonly count: number },
): Exercise[] {
  return Array.from({ length: options.count }, (_, index) =>
    exerciseFromData(dataset, options, index),
  );
}
