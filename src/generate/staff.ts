/**
 * The customer success team: one pool of CSMs per segment and region. A pool has a fixed number
 * of books (slots), each owned by one CSM at a time. When a CSM leaves, the whole book moves to a
 * new hire or to a colleague in the same pool, which gives the ownership changes in the data.
 */
import type { Day } from '../core/dates.js';
import type { Assignment } from '../core/model.js';
import {
  PLAYBOOKS,
  REGION_NAMES,
  SEGMENT_NAMES,
  SEGMENT_SHARES,
  regionShare,
  type RegionName,
  type SegmentName,
} from './catalog.js';
import { Random } from './random.js';
import { PersonNames } from './vocabulary.js';

/** Mean time a CSM stays, in days (about four years, an estimate for the role). */
const MEAN_TENURE_DAYS = 4 * 365;
/** Minimum stay of a new hire in days, so a book does not change hands again within weeks. */
const MIN_TENURE_DAYS = 120;
/** Probability that a colleague already in the pool takes over a book rather than a new hire. */
const COLLEAGUE_TAKEOVER = 0.3;

interface Person {
  readonly name: string;
  readonly hired: Day;
  /** Day the person leaves, or null when they stay past the end of the data. */
  readonly leaves: Day | null;
}

interface Tenure {
  readonly person: string;
  /** First day of ownership, or -Infinity for a book owned since before the data begins. */
  readonly from: Day;
  readonly to: Day | null;
}

interface Pool {
  readonly persons: Person[];
  readonly books: (readonly Tenure[])[];
}

export class Staff {
  private readonly pools = new Map<string, Pool>();

  /**
   * Sizes each pool for `accounts` accounts at the segment's book size, and draws the
   * departures and successions between `start` and `end`.
   */
  constructor(seed: number, accounts: number, start: Day, end: Day) {
    const random = new Random(seed, -2);
    const names = new PersonNames(random);
    for (const segment of SEGMENT_NAMES) {
      for (const region of REGION_NAMES) {
        const expected = accounts * SEGMENT_SHARES[segment] * regionShare(region);
        const books = Math.max(1, Math.round(expected / PLAYBOOKS[segment].bookSize));
        this.pools.set(poolKey(segment, region), buildPool(random, names, books, start, end));
      }
    }
  }

  bookCount(segment: SegmentName, region: RegionName): number {
    return this.pool(segment, region).books.length;
  }

  /**
   * Appends the CSM assignments of `accountId` for its time in book `book` of the pool, from
   * `from` to `to` (exclusive, or null while current). Each owner of the book then gets one.
   */
  appendOwners(
    accountId: string,
    segment: SegmentName,
    region: RegionName,
    book: number,
    from: Day,
    to: Day | null,
    out: Assignment[],
  ): void {
    const tenures = this.pool(segment, region).books[book];
    if (tenures === undefined) throw new RangeError(`no book ${book} in ${segment} ${region}`);
    for (const tenure of tenures) {
      if (to !== null && tenure.from >= to) break;
      if (tenure.to !== null && tenure.to <= from) continue;
      let ownedTo = to;
      if (tenure.to !== null) ownedTo = to === null ? tenure.to : Math.min(to, tenure.to);
      out.push({
        accountId,
        role: 'CSM',
        person: tenure.person,
        from: Math.max(from, tenure.from),
        to: ownedTo,
      });
    }
  }

  private pool(segment: SegmentName, region: RegionName): Pool {
    const pool = this.pools.get(poolKey(segment, region));
    if (pool === undefined) throw new RangeError(`no CSM pool for ${segment} ${region}`);
    return pool;
  }
}

function poolKey(segment: SegmentName, region: RegionName): string {
  return `${segment}|${region}`;
}

/** Draws an exponentially distributed leaving day at least `minimum` days after `from`. */
function leaveDay(random: Random, from: Day, minimum: number, end: Day): Day | null {
  const day = from + minimum + Math.round(-Math.log(1 - random.next()) * MEAN_TENURE_DAYS);
  return day < end ? day : null;
}

function buildPool(
  random: Random,
  names: PersonNames,
  bookCount: number,
  start: Day,
  end: Day,
): Pool {
  const persons: Person[] = [];
  for (let book = 0; book < bookCount; book++) {
    persons.push({
      name: names.next(),
      hired: Number.NEGATIVE_INFINITY,
      leaves: leaveDay(random, start, 0, end),
    });
  }
  const books: Tenure[][] = [];
  for (let book = 0; book < bookCount; book++) {
    const tenures: Tenure[] = [];
    let owner = persons[book] as Person;
    let from: Day = Number.NEGATIVE_INFINITY;
    while (owner.leaves !== null) {
      const handover = owner.leaves;
      tenures.push({ person: owner.name, from, to: handover });
      const colleagues = persons.filter(
        (person) =>
          person !== owner &&
          person.hired <= handover &&
          (person.leaves === null || person.leaves > handover),
      );
      if (colleagues.length > 0 && random.chance(COLLEAGUE_TAKEOVER)) {
        owner = random.pick(colleagues);
      } else {
        owner = {
          name: names.next(),
          hired: handover,
          leaves: leaveDay(random, handover, MIN_TENURE_DAYS, end),
        };
        persons.push(owner);
      }
      from = handover;
    }
    tenures.push({ person: owner.name, from, to: null });
    books.push(tenures);
  }
  return { persons, books };
}
