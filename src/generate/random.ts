/**
 * A small seeded pseudo-random number generator, so that generated data depends only on the
 * options and never on `Math.random` or the clock. Not suitable for cryptography.
 */

/** Scrambles a 32-bit integer with the MurmurHash3 finaliser (xor-shift and multiply rounds). */
export function mix32(value: number): number {
  let x = value | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const GOLDEN_GAMMA = 0x9e3779b9;
const TWO_POW_32 = 4_294_967_296;

/**
 * A Weyl sequence (a counter stepped by the 32-bit golden ratio) passed through `mix32`. Each
 * `(seed, stream)` pair gives an independent sequence, so one stream per account keeps an
 * account's history unchanged when other accounts change.
 */
export class Random {
  private state: number;

  constructor(seed: number, stream = 0) {
    this.state = mix32(mix32(seed) ^ mix32(stream + GOLDEN_GAMMA)) | 0;
  }

  /** Returns a uniform integer in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + GOLDEN_GAMMA) | 0;
    return mix32(this.state);
  }

  /** Returns a uniform number in [0, 1). */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Returns a uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Returns a uniform number in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** Returns true with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('cannot pick from an empty list');
    return item;
  }

  /** Returns a standard normal deviate (Box-Muller transform). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Returns a log-normal deviate whose logarithm has mean `mu` and standard deviation `sigma`. */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }
}

/** A fixed list of values with relative weights, sampled in proportion to the weights. */
export class WeightedTable<T> {
  private readonly values: readonly T[];
  private readonly cumulative: Float64Array;

  constructor(entries: readonly (readonly [T, number])[]) {
    if (entries.length === 0) throw new RangeError('a weighted table needs at least one entry');
    this.values = entries.map(([value]) => value);
    this.cumulative = new Float64Array(entries.length);
    let total = 0;
    entries.forEach(([, weight], index) => {
      if (!(weight > 0)) throw new RangeError(`weight must be positive, got ${weight}`);
      total += weight;
      this.cumulative[index] = total;
    });
    for (let index = 0; index < entries.length; index++) {
      this.cumulative[index] = (this.cumulative[index] ?? 0) / total;
    }
  }

  sample(random: Random): T {
    const u = random.next();
    const last = this.values.length - 1;
    let index = 0;
    while (index < last && u >= (this.cumulative[index] ?? 1)) index++;
    return this.values[index] as T;
  }
}
