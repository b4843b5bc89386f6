/**
 * Account ARR that a month close freezes besides the figures: each netting unit's ARR at the start of the
 * window and on the as-of date. Comparing a frozen list with today's names the accounts whose
 * back-dated changes restate a closed month.
 */
import { unitArr } from './analysis.js';
import type { Analysis } from './analysis.js';

export interface UnitArr {
  /** Root account of the netting unit. */
  readonly account: string;
  /** ARR at the window start, in reporting minor units. */
  readonly start: number;
  /** ARR on the as-of date, in reporting minor units. */
  readonly end: number;
}

/** Units with ARR at the window start or on the as-of date, sorted by account. */
export function unitArrList(analysis: Analysis): UnitArr[] {
  const result: UnitArr[] = [];
  analysis.prepared.unitRoot.forEach((account, unit) => {
    const start = unitArr(analysis, unit, analysis.windowStartSample);
    const end = unitArr(analysis, unit, analysis.asOfSample);
    if (start !== 0 || end !== 0) result.push({ account, start, end });
  });
  return result.sort(byAccount);
}

function byAccount(a: UnitArr, b: UnitArr): number {
  if (a.account === b.account) return 0;
  return a.account < b.account ? -1 : 1;
}

export interface RestatedAccount {
  readonly account: string;
  readonly frozen: { readonly start: number; readonly end: number };
  readonly now: { readonly start: number; readonly end: number };
}

/** Accounts whose start or end ARR differs between a frozen list and today's. */
export function restatedAccounts(
  frozen: readonly UnitArr[],
  now: readonly UnitArr[],
): RestatedAccount[] {
  const before = new Map(frozen.map((entry) => [entry.account, entry]));
  const after = new Map(now.map((entry) => [entry.account, entry]));
  const accounts = [...new Set([...before.keys(), ...after.keys()])].sort();
  const result: RestatedAccount[] = [];
  for (const account of accounts) {
    const was = before.get(account) ?? { start: 0, end: 0 };
    const is = after.get(account) ?? { start: 0, end: 0 };
    if (was.start !== is.start || was.end !== is.end) {
      result.push({
        account,
        frozen: { start: was.start, end: was.end },
        now: { start: is.start, end: is.end },
      });
    }
  }
  return result;
}
