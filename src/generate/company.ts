/**
 * A seeded generator of a made-up B2B SaaS company: accounts with parents, contract lines with
 * renewals, add-ons, churn and reactivations, segment and CSM history, and plan FX rates. The
 * result depends only on the options, so the same options always give an identical dataset.
 *
 * Size: about 4.9 contract lines per account (4.87 to 4.99 measured from 2,000 to 205,000
 * accounts), so 205,000 accounts give about one million lines.
 */
import { civilFromDay, dayFromCivil, type Day } from '../core/dates.js';
import type { Account, Assignment, Dataset, SegmentSpan } from '../core/model.js';
import {
  ARR_LOG_MEAN,
  ARR_LOG_SIGMA,
  MAX_ARR_USD,
  MIN_ARR_USD,
  PLAYBOOKS,
  SUB_REGION_TABLE,
  reviewSegment,
  segmentForArr,
  type SegmentName,
  type SubRegion,
} from './catalog.js';
import { buildPlanRates, type PlanRates } from './fx.js';
import { Ledger } from './ledger.js';
import { Lifecycle } from './lifecycle.js';
import { Random } from './random.js';
import { Staff } from './staff.js';
import { companyBaseName } from './vocabulary.js';

export { writeCanonicalCsv } from './csv.js';

export interface CompanyOptions {
  /** Seed of the pseudo-random generator (an integer); default 42. */
  seed?: number;
  /** Number of accounts, including those acquired during the generated years; default 3,000. */
  accounts?: number;
  /** First calendar year of history; default 2023. */
  startYear?: number;
  /** Years of history. The data ends at the start of `startYear + years`. Default 3. */
  years?: number;
}

const DEFAULT_OPTIONS: Required<CompanyOptions> = {
  seed: 42,
  accounts: 3000,
  startYear: 2023,
  years: 3,
};

/** Share of accounts that are already customers when the data begins. The rest are new logos. */
const INSTALLED_BASE_SHARE = 0.5;
/** Yearly growth of the number of new logos per month. */
const NEW_LOGO_GROWTH = 0.25;
/** Share of accounts that are subsidiaries of an earlier High Touch or Growth account. */
const CHILD_SHARE = 0.05;
/** Share of subsidiaries in the parent's own sub-region. The rest are abroad. */
const CHILD_SAME_REGION = 0.5;
/** Share of names with a legal suffix, and of names with a quoted trading name. */
const LEGAL_SUFFIX_SHARE = 0.6;
const TRADING_NAME_SHARE = 0.003;
/** Installed-base contracts started up to three years before the data begins. */
const YEARS_BEFORE_START = 3;

interface ParentCandidate {
  readonly id: string;
  /** The family's name without a legal suffix or country, shared by its subsidiaries. */
  readonly familyName: string;
  readonly subRegion: SubRegion;
}

/** The running state of one generation: shared inputs and the tables being filled. */
interface Generation {
  readonly seed: number;
  readonly startYear: number;
  readonly years: number;
  readonly horizonStart: Day;
  readonly horizonEnd: Day;
  readonly planRates: PlanRates;
  readonly staff: Staff;
  readonly ledger: Ledger;
  readonly accounts: Account[];
  readonly segments: SegmentSpan[];
  readonly assignments: Assignment[];
  readonly parents: ParentCandidate[];
}

/**
 * Generates the company. Throws a RangeError unless `accounts`, `startYear` and `years` are
 * positive integers and `seed` is an integer.
 */
export function generateCompany(options: CompanyOptions = {}): Dataset {
  const { seed, accounts, startYear, years } = resolveOptions(options);
  const horizonStart = dayFromCivil(startYear, 1, 1);
  const horizonEnd = dayFromCivil(startYear + years, 1, 1);
  const generation: Generation = {
    seed,
    startYear,
    years,
    horizonStart,
    horizonEnd,
    planRates: buildPlanRates(seed, startYear - YEARS_BEFORE_START, startYear + years),
    staff: new Staff(seed, accounts, horizonStart, horizonEnd),
    ledger: new Ledger(),
    accounts: [],
    segments: [],
    assignments: [],
    parents: [],
  };
  const idWidth = Math.max(6, String(accounts).length);
  for (let index = 0; index < accounts; index++) {
    const id = `A${String(index + 1).padStart(idWidth, '0')}`;
    generateAccount(generation, id, new Random(seed, index + 1));
  }
  return {
    accounts: generation.accounts,
    lines: generation.ledger.lines,
    assignments: generation.assignments,
    segments: generation.segments,
    fxRates: generation.planRates.rates,
  };
}

function resolveOptions(options: CompanyOptions): Required<CompanyOptions> {
  const resolved = { ...DEFAULT_OPTIONS, ...stripUndefined(options) };
  if (!Number.isSafeInteger(resolved.seed)) {
    throw new RangeError(`seed must be an integer, got ${resolved.seed}`);
  }
  for (const key of ['accounts', 'startYear', 'years'] as const) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${key} must be a positive integer, got ${value}`);
    }
  }
  return resolved;
}

function stripUndefined(options: CompanyOptions): CompanyOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function generateAccount(generation: Generation, id: string, random: Random): void {
  const { ledger, planRates, horizonStart, horizonEnd } = generation;
  const parent =
    generation.parents.length > 0 && random.chance(CHILD_SHARE)
      ? random.pick(generation.parents)
      : undefined;
  const subRegion =
    parent !== undefined && random.chance(CHILD_SAME_REGION)
      ? parent.subRegion
      : SUB_REGION_TABLE.sample(random);
  const currency = subRegion.currencies.sample(random);
  const familyName = parent?.familyName ?? companyBaseName(random);
  const name = accountName(random, familyName, subRegion, parent !== undefined);

  const targetUsd = Math.min(
    MAX_ARR_USD,
    Math.max(MIN_ARR_USD, random.logNormal(ARR_LOG_MEAN, ARR_LOG_SIGMA)),
  );
  const segment = segmentForArr(targetUsd);
  const newLogoStart = random.chance(INSTALLED_BASE_SHARE)
    ? null
    : newLogoDay(random, horizonStart, horizonEnd, generation.years);
  const pricingYear =
    newLogoStart === null ? generation.startYear : civilFromDay(newLogoStart).year;

  ledger.beginAccount(id, currency);
  new Lifecycle(
    random,
    ledger,
    PLAYBOOKS[segment],
    planRates.usdPerUnit(currency, pricingYear),
    horizonStart,
    horizonEnd,
  ).run(targetUsd, newLogoStart);

  const since = ledger.firstStart() ?? horizonStart;
  const history = segmentHistory(generation, segment, currency, since);
  for (const span of history) {
    generation.segments.push({
      accountId: id,
      segment: span.segment,
      region: subRegion.region,
      subRegion: subRegion.name,
      from: span.from,
      to: span.to,
    });
    const book = random.int(0, generation.staff.bookCount(span.segment, subRegion.region) - 1);
    generation.staff.appendOwners(
      id,
      span.segment,
      subRegion.region,
      book,
      span.from,
      span.to,
      generation.assignments,
    );
  }

  generation.accounts.push({
    id,
    name,
    ...(parent === undefined ? {} : { parentId: parent.id }),
    currency,
  });
  if (segment !== 'Nurture') generation.parents.push({ id, familyName, subRegion });
}

function accountName(
  random: Random,
  familyName: string,
  subRegion: SubRegion,
  subsidiary: boolean,
): string {
  let name = subsidiary ? `${familyName} ${random.pick(subRegion.subsidiaryLabels)}` : familyName;
  if (subsidiary || random.chance(LEGAL_SUFFIX_SHARE)) name += random.pick(subRegion.legalSuffixes);
  if (!subsidiary && random.chance(TRADING_NAME_SHARE)) {
    name += ` (trading as "${familyName.split(' ')[0] ?? familyName}")`;
  }
  return name;
}

/**
 * Draws the first day of a new logo. Monthly new-logo counts grow by `NEW_LOGO_GROWTH` a year, so
 * the draw inverts the cumulative share of an exponential curve over the years.
 */
function newLogoDay(random: Random, start: Day, end: Day, years: number): Day {
  const rate = Math.log(1 + NEW_LOGO_GROWTH);
  const elapsedYears = Math.log(1 + random.next() * (Math.exp(rate * years) - 1)) / rate;
  const day = start + Math.floor((elapsedYears / years) * (end - start));
  return Math.min(day, end - 1);
}

interface SegmentPeriod {
  readonly segment: SegmentName;
  readonly from: Day;
  readonly to: Day | null;
}

/**
 * Reviews the account's segment each 1 January inside the data (not the first), moving it when
 * its ARR is clearly past a boundary. An account without ARR on the day, because it churned or its
 * renewal is late, keeps its segment.
 */
function segmentHistory(
  generation: Generation,
  initial: SegmentName,
  currency: string,
  since: Day,
): SegmentPeriod[] {
  const periods: SegmentPeriod[] = [];
  let segment = initial;
  let from = since;
  for (
    let year = generation.startYear + 1;
    year < generation.startYear + generation.years;
    year++
  ) {
    const day = dayFromCivil(year, 1, 1);
    if (day <= from) continue;
    const arr = generation.ledger.arrOn(day);
    if (arr === 0) continue;
    const usd = (arr / 100) * generation.planRates.usdPerUnit(currency, year);
    const next = reviewSegment(segment, usd);
    if (next === segment) continue;
    periods.push({ segment, from, to: day });
    segment = next;
    from = day;
  }
  periods.push({ segment, from, to: null });
  return periods;
}
