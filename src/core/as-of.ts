import { monthEnd } from './dates.js';
import type { Day } from './dates.js';
import type { Dataset } from './model.js';

/**
 * The default as-of date: the last day of the month of the latest start or end in the data that
 * is not after `today`, so a historical file is reported where its data ends rather than years
 * later when every account would look churned.
 */
export function defaultAsOf(dataset: Dataset, today: Day): Day {
  let latest: Day | undefined;
  for (const line of dataset.lines) {
    for (const day of [line.start, line.end]) {
      if (day !== null && day <= today && (latest === undefined || day > latest)) latest = day;
    }
  }
  return latest === undefined ? today : Math.min(monthEnd(latest), today);
}
