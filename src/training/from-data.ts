/**
 * Exercises built from real accounts: a few accounts of one CSM's book, with their lines, and
 * optionally anonymised so the material can leave the team. Anonymised material names accounts
 * "Account 1", "Account 2" and so on, keeps products, prices and dates, and drops account names
 * and people.
 */
import { analyse } from '../core/analysis.js';
import { bookAccounts, filteredBooks } from '../core/books.js';
import { formatDay } from '../core/dates.js';
import type { Day } from '../core/dates.js';
import type { Definitions } from '../core/definitions.js';
import { EngineError } from '../core/errors.js';
import type { Account, ContractLine, Dataset } from '../core/model.js';
import { formatDecimal } from '../core/money.js';
import { buildReport } from '../core/report.js';
import { Random } from '../generate/random.js';
import { bookMisconceptions, percentOf } from './exercises.js';
import type { Exercise } from './exercises.js';

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

export function bookExerciseFromData(dataset: Dataset, options: FromDataOptions): Exercise {
  const random = new Random(options.seed, 7);
  const analysis = analyse(dataset, options.definitions, options.asOf);
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
  const book = candidates[random.int(0, candidates.length - 1)] as (typeof candidates)[number];
  const pick = <T>(list: readonly T[], count: number): T[] => {
    const pool = [...list];
    const chosen: T[] = [];
    while (chosen.length < count && pool.length > 0) {
      chosen.push(pool.splice(random.int(0, pool.length - 1), 1)[0] as T);
    }
    return chosen;
  };
  const cohort = pick(book.cohort.accounts, COHORT_ACCOUNTS).map((row) => row.account);
  const newcomers = pick(
    book.active.accounts.filter((row) => !row.cohort),
    NEW_LOGOS,
  ).map((row) => row.account);
  const roots = [...cohort, ...newcomers];

  const rootOf = rootsOf(dataset.accounts);
  const chosenRoots = new Set(roots);
  const accounts = dataset.accounts.filter((account) => chosenRoots.has(rootOf(account.id)));
  const lines = dataset.lines.filter((line) => chosenRoots.has(rootOf(line.accountId)));

  // Anonymised ids are given in the order the accounts are listed, so the data reads in order.
  const accountIds = new Map<string, string>();
  const accountName = (id: string) => {
    if (!options.anonymise) return id;
    let name = accountIds.get(id);
    if (name === undefined) {
      name = `Account ${accountIds.size + 1}`;
      accountIds.set(id, name);
    }
    return name;
  };
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
  const exerciseData: Dataset = {
    accounts: accounts.map((account) => ({
      id: accountName(account.id),
      ...(account.parentId === undefined || account.parentId === ''
        ? {}
        : { parentId: accountName(account.parentId) }),
      ...(account.currency === undefined ? {} : { currency: account.currency }),
      ...(options.anonymise || account.name === undefined ? {} : { name: account.name }),
    })),
    assignments: [],
    segments: [],
    fxRates: dataset.fxRates,
    lines: lines.map(rename),
  };

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
  const currency = options.definitions.reportingCurrency;
  const money = (minor: number) => `${currency} ${Math.round(minor / 100).toLocaleString('en-US')}`;
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
    dataset: exerciseData,
    asOf,
  };
}
