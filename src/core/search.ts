import type { Day } from './dates.js';

/** Finds the index of the first entry >= day in a sorted array (its length when none). */
export function lowerBound(sorted: Int32Array, day: Day): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] as number) < day) low = middle + 1;
    else high = middle;
  }
  return low;
}
