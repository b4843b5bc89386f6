import { monthEnd } from './dates.js';
import type { Day } from './dates.js';
import type { Dataset } from './model.js';

/**
 * Picks the default as-of date: the last day of the month of the latest line start that is not
 * after `today`, capped at `today`. Start dates mark how far the data reaches, while end dates
 * often lie beyond the export. A historical file is therefore reported where its data ends, not
 * after every contract in it has run out.
 */
export function defaultAsOf(dataset: Dataset, today: Day): Day {
  let latest: Day | undefined;
  for (const line of dataset.lines) {
    if (line.start <= today && (latest === undefined || line.start > latest)) latest = line.start;
  }
  return latest === undefined ? today : Math.min(monthEnd(latest), today);
}
