/**
 * The contract lines the scenario lab adds to the data: the renewal of each open renewal, with
 * its add-on and ramp steps, and the current term of each renewal described by hand.
 */
import type { Analysis } from './analysis.js';
import { addMonths, formatDay } from './dates.js';
import type { Day } from './dates.js';
import type { Definitions } from './definitions.js';
import { EngineError } from './errors.js';
import { minorExponent, roundDivide, toMinor } from './money.js';
import type { ContractLine, Dataset } from './model.js';
import type { Renewal } from './renewals.js';
import { SCENARIO_TERM_MONTHS } from './scenario-choices.js';
import type { RampStep, ScenarioChoice } from './scenario-choices.js';

/** The terms a renewal is written with. */
export interface RenewalTerms {
  /** Change of ARR in basis points, signed. */
  readonly points: number;
  readonly effective: Day;
  readonly termMonths: number;
  /** Added ARR co-termed with the renewal, in reporting minor units; 0 for none. */
  readonly addOn: number;
  readonly steps: readonly RampStep[];
  /** Flat renewals follow the first term until one reaches past this day. */
  readonly horizon: Day;
}

/** A run of ARR of one line of the first term: from `start` (inclusive) to `end` (exclusive). */
interface Segment {
  readonly start: Day;
  end: Day;
  readonly arr: number;
}

/**
 * A sequence of lines of the first term with the same product and currency: a renewed line, the
 * add-on or an amount step. Each ramp step in basis points ends its segment and starts another.
 */
interface Chain {
  readonly template: ContractLine;
  readonly currency: string;
  /** Line ids of the chain start with this: -1 for the first term, -2 for the next, and so on. */
  readonly base: string;
  readonly renews: string | undefined;
  readonly segments: Segment[];
}

/** Multiplies an amount by (1 + points ÷ 10,000), rounded once to the minor unit. */
export function changedBy(amount: number, points: number, definitions: Definitions): number {
  return toMinor(
    roundDivide(BigInt(amount) * BigInt(10_000 + points), 10_000n, definitions.rounding),
  );
}

/** Builds the chains of a renewal's first term: its lines, the add-on, then each ramp step. */
function firstTermChains(analysis: Analysis, renewal: Renewal, terms: RenewalTerms): Chain[] {
  const { prepared, definitions } = analysis;
  const termEnd = addMonths(terms.effective, terms.termMonths);
  const chains: Chain[] = renewal.lines.map((index) => {
    const line = prepared.lines[index] as ContractLine;
    const arr = changedBy(prepared.lineArr[index] as number, terms.points, definitions);
    return {
      template: line,
      currency: line.currency,
      base: `${line.id}#scenario`,
      renews: line.id,
      segments: [{ start: terms.effective, end: termEnd, arr }],
    };
  });
  const first = prepared.lines[renewal.lines[0] as number] as ContractLine;
  const base = `${renewal.accountId}@${formatDay(renewal.renewalDay)}#scenario`;
  const extra = (name: string, start: Day, arr: number): Chain => ({
    template: { ...first, product: 'add-on' },
    currency: definitions.reportingCurrency,
    base: `${base}-${name}`,
    renews: undefined,
    segments: [{ start, end: termEnd, arr }],
  });
  if (terms.addOn > 0) chains.push(extra('add-on', terms.effective, terms.addOn));
  terms.steps.forEach((step, position) => {
    const start = addMonths(terms.effective, step.month);
    if (step.amount !== undefined) {
      chains.push(extra(`step-${position + 1}`, start, step.amount));
      return;
    }
    for (const chain of chains) {
      const last = chain.segments.at(-1) as Segment;
      if (last.start >= start) continue;
      last.end = start;
      const arr = changedBy(last.arr, step.basisPoints ?? 0, definitions);
      chain.segments.push({ start, end: termEnd, arr });
    }
  });
  return chains;
}

function lineOf(chain: Chain, id: string, contractId: string, segment: Segment): ContractLine {
  const { template } = chain;
  return {
    id,
    accountId: template.accountId,
    contractId,
    ...(template.product === undefined ? {} : { product: template.product }),
    kind: 'recurring',
    kindSource: 'file',
    amount: { coefficient: BigInt(segment.arr), scale: minorExponent(chain.currency) },
    period: { unit: 'year', count: 1 },
    currency: chain.currency,
    start: segment.start,
    end: segment.end,
  };
}

/**
 * Writes the lines that renew a renewal's lines. Each line's ARR changes by the basis points,
 * rounded once to the minor unit of its currency, from the effective day for the term. The add-on
 * and amount steps are lines of their own in the reporting currency, in the same contract. Each
 * ramp step in basis points starts a new line of the same contract. Flat renewals of a year each
 * follow until one ends past the horizon.
 */
export function renewalLines(
  analysis: Analysis,
  renewal: Renewal,
  terms: RenewalTerms,
  usedIds: Set<string>,
): ContractLine[] {
  const written: ContractLine[] = [];
  const claim = (id: string): string => {
    if (usedIds.has(id)) {
      throw new EngineError('invalid-scenario', `line id ${id} is already in the data; rename it`);
    }
    usedIds.add(id);
    return id;
  };
  for (const chain of firstTermChains(analysis, renewal, terms)) {
    const contractId = `${chain.base}-1`;
    let previous = '';
    chain.segments.forEach((segment, position) => {
      const id = claim(position === 0 ? contractId : `${contractId}-step-${position}`);
      const line = lineOf(chain, id, contractId, segment);
      const renews = position === 0 ? chain.renews : undefined;
      written.push(renews === undefined ? line : { ...line, renews });
      previous = id;
    });
    const last = chain.segments.at(-1) as Segment;
    let start = last.end;
    for (let term = 2; start <= terms.horizon; term++) {
      const end = addMonths(start, SCENARIO_TERM_MONTHS);
      const id = claim(`${chain.base}-${term}`);
      written.push({ ...lineOf(chain, id, id, { start, end, arr: last.arr }), renews: previous });
      previous = id;
      start = end;
    }
  }
  return written;
}

/**
 * Returns the first day of the current term of a renewal described by hand: the first day of the
 * fiscal year before the one in progress, or 12 months before the renewal date when earlier. The
 * account then has its ARR on the day before each window the lab shows, so it is in the cohort of
 * the baseline and of the scenario alike.
 */
export function syntheticStart(choice: ScenarioChoice, firstYearStart: Day): Day {
  return Math.min(
    addMonths(choice.renewalDate, -SCENARIO_TERM_MONTHS),
    addMonths(firstYearStart, -12),
  );
}

/**
 * Adds the renewals described by hand to the data. Each becomes an account with its name, and its
 * CSM, segment and region from the start of its term. One line of its ARR in the reporting
 * currency ends on the renewal date.
 */
export function withSynthetic(
  dataset: Dataset,
  choices: readonly ScenarioChoice[],
  definitions: Definitions,
  firstYearStart: Day,
): Dataset {
  const described = choices.filter((choice) => choice.synthetic !== undefined);
  if (described.length === 0) return dataset;
  const accounts = [...dataset.accounts];
  const lines = [...dataset.lines];
  const assignments = [...dataset.assignments];
  const segments = [...dataset.segments];
  const currency = definitions.reportingCurrency;
  for (const choice of described) {
    const synthetic = choice.synthetic as NonNullable<ScenarioChoice['synthetic']>;
    const from = syntheticStart(choice, firstYearStart);
    const id = choice.account;
    accounts.push({ id, name: synthetic.name });
    assignments.push({
      accountId: id,
      role: definitions.ownerRole,
      person: synthetic.csm,
      from,
      to: null,
    });
    segments.push({
      accountId: id,
      segment: synthetic.segment,
      region: synthetic.region,
      from,
      to: null,
    });
    lines.push({
      id: `${id}#described`,
      accountId: id,
      contractId: `${id}#described`,
      kind: 'recurring',
      kindSource: 'file',
      amount: { coefficient: BigInt(synthetic.arr), scale: minorExponent(currency) },
      period: { unit: 'year', count: 1 },
      currency,
      start: from,
      end: choice.renewalDate,
    });
  }
  return { ...dataset, accounts, lines, assignments, segments };
}
