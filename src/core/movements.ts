/**
 * The accounts behind each movement of the bridge. For a window, every netting unit gets its
 * new, expansion, contraction, churn and reactivation amounts, netted month by month exactly as
 * the bridge nets them, so the amounts of one kind add up to the bridge's figure.
 */
import { bridgeSteps, historyFor, unitArr, wasActiveBy } from './analysis.js';
import type { Analysis } from './analysis.js';
import { classifyMovement, type MovementKind } from './bridge.js';
import { codeAt, type GroupIndex } from './groups.js';

export interface UnitMovement {
  /** Root account of the netting unit. */
  readonly account: string;
  readonly kind: MovementKind;
  /** Positive amount in reporting minor units, summed over the window's steps. */
  readonly amount: number;
}

/** A book whose movements to list: its index and key code, as `groupBridges` credits them. */
export interface BookFilter {
  readonly groups: GroupIndex;
  readonly code: number;
}

/**
 * Lists the movements of every unit from sample `from` to sample `to`, one entry per unit and
 * kind, largest amount first. A unit that expanded in one month and contracted in another has
 * an entry for each. With `book`, only the movements credited to that book count: a movement
 * between two samples belongs to the unit's book at the later one, as in the book bridges.
 */
export function unitMovements(
  analysis: Analysis,
  from: number,
  to: number,
  book?: BookFilter,
): UnitMovement[] {
  const steps = bridgeSteps(analysis, from, to);
  const history = historyFor(analysis, from);
  const { samples } = analysis;
  const result: UnitMovement[] = [];
  const sums = new Map<MovementKind, number>();
  for (let unit = 0; unit < analysis.units; unit++) {
    if ((analysis.arrOffsets[unit] as number) === (analysis.arrOffsets[unit + 1] as number)) {
      continue;
    }
    sums.clear();
    for (let s = 1; s < steps.length; s++) {
      const a = steps[s - 1] as number;
      const b = steps[s] as number;
      if (book !== undefined && codeAt(book.groups, unit, b) !== book.code) continue;
      const movement = classifyMovement(
        unitArr(analysis, unit, a),
        unitArr(analysis, unit, b),
        wasActiveBy(history, unit, samples[a] as number),
      );
      if (movement !== undefined) {
        sums.set(movement.kind, (sums.get(movement.kind) ?? 0) + movement.amount);
      }
    }
    const account = analysis.prepared.unitRoot[unit] as string;
    for (const [kind, amount] of sums) result.push({ account, kind, amount });
  }
  return result.sort(byAmountThenAccount);
}

/** Orders movements by amount, largest first, then by account. */
function byAmountThenAccount(x: UnitMovement, y: UnitMovement): number {
  if (x.amount !== y.amount) return y.amount - x.amount;
  if (x.account === y.account) return 0;
  return x.account < y.account ? -1 : 1;
}
