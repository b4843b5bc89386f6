/**
 * The monthly check: each book's fiscal-year-to-date and trailing-twelve-month NRR and GRR at a
 * month end, compared with its targets and its glide path, and the alerts the month raises.
 *
 * Alerts carry a key that names what they are about (the book and month, or the account and the
 * date of the event), so running the check again for the same month raises nothing new.
 */
import { unitArr } from './analysis.js';
import type { Analysis } from './analysis.js';
import { filteredBooks, teamBooks, type FilteredBooks } from './books.js';
import { addMonths, formatDay, formatMonth, monthEnd, monthStart, type Day } from './dates.js';
import {
  bookPlan,
  lapsedLastDay,
  fiscalYearDays,
  scheduledDrops,
  type BookPlan,
  type BookSelector,
  type FiscalYear,
} from './glide.js';
import { codeAt, groupIndex, type Dimension } from './groups.js';
import type { Dataset } from './model.js';
import { formatDecimal, formatMinor, ratioValue, type Decimal, type Minor } from './money.js';
import { unitAccounts } from './prepare.js';
import { companyRetention, groupRetention, type RetentionFigures } from './retention.js';
import { lowerBound } from './search.js';
import { fiscalYearOfDay, type Target, type TargetScope } from './targets.js';
import type { TeamMember } from './teams.js';

export type AccountEventKind = 'plan' | 'notice';

/** A renewal plan or a notice of termination recorded for an account. */
export interface AccountEvent {
  readonly account: string;
  readonly kind: AccountEventKind;
  readonly date: Day;
  readonly note: string;
}

export type AlertKind =
  | 'behind-target'
  | 'renewal-lapsed'
  | 'large-contraction'
  | 'renewal-90-days'
  | 'renewal-180-days'
  | 'notice-received';

/** An alert the check raises, before it is stored. */
export interface AlertDraft {
  /** Identifies what the alert is about; a second alert with the same key is not stored. */
  readonly key: string;
  readonly kind: AlertKind;
  readonly scope: TargetScope;
  readonly book: string;
  readonly account: string | null;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface CheckOptions {
  /** A month's contraction of at least this percentage of an account's ARR raises an alert. */
  readonly contractionThreshold: Decimal;
  /** Days ahead in which a renewal without a plan raises an alert: 90 and 180 by default. */
  readonly renewalHorizons?: readonly [number, number];
  /** The teams whose books team targets name; without it every team book is empty. */
  readonly teams?: readonly TeamMember[];
}

/** Retention figures with their ratios. */
export interface Figures {
  readonly startArr: Minor;
  readonly endArr: Minor;
  readonly cappedArr: Minor;
  readonly nrr: number | null;
  readonly grr: number | null;
}

export interface BookCheck {
  readonly scope: TargetScope;
  readonly book: string;
  readonly fiscalYearToDate: Figures;
  readonly trailing: Figures;
  readonly nrrTarget: string | null;
  readonly grrTarget: string | null;
  readonly plan: BookPlan;
  /** Behind the glide path of its NRR or its GRR target. */
  readonly behind: boolean;
}

export interface CheckResult {
  readonly month: string;
  readonly asOf: string;
  readonly fiscalYear: number;
  readonly currency: string;
  readonly books: readonly BookCheck[];
  readonly alerts: readonly AlertDraft[];
  /** Accounts named by events that no netting unit contains. */
  readonly unknownEventAccounts: readonly string[];
  /**
   * Books that a target of the fiscal year names but the data does not have on the as-of date,
   * such as a misspelt CSM, as `scope book`. Their cohort is empty, so they are never behind.
   */
  readonly unknownTargetBooks: readonly string[];
}

const DIMENSIONS: readonly Dimension[] = ['csm', 'segment', 'region', 'sub-region'];
const SCOPE_NAMES: Readonly<Record<TargetScope, string>> = {
  company: 'The company',
  csm: 'CSM',
  segment: 'Segment',
  region: 'Region',
  'sub-region': 'Sub-region',
  team: 'Team',
};

function figures(retention: RetentionFigures): Figures {
  return {
    startArr: retention.startArr,
    endArr: retention.endArr,
    cappedArr: retention.cappedArr,
    nrr: ratioValue({ numerator: retention.endArr, denominator: retention.startArr }),
    grr: ratioValue({ numerator: retention.cappedArr, denominator: retention.startArr }),
  };
}

function planFigures(plan: BookPlan): Figures {
  return {
    startArr: plan.base,
    endArr: plan.cohortArr,
    cappedArr: plan.cappedArr,
    nrr: ratioValue({ numerator: plan.cohortArr, denominator: plan.base }),
    grr: ratioValue({ numerator: plan.cappedArr, denominator: plan.base }),
  };
}

function bookName(scope: TargetScope, book: string): string {
  return scope === 'company' ? SCOPE_NAMES.company : `${SCOPE_NAMES[scope]} ${book}`;
}

/**
 * Runs the check on an analysis whose as-of date is the month end checked. Books are the company
 * and every book of each dimension that has a target for the fiscal year.
 */
export function runCheck(
  analysis: Analysis,
  dataset: Dataset,
  targets: readonly Target[],
  events: readonly AccountEvent[],
  options: CheckOptions,
): CheckResult {
  const { asOf, definitions } = analysis;
  const currency = definitions.reportingCurrency;
  const month = formatMonth(asOf);
  const fiscalYear = fiscalYearOfDay(asOf, definitions.fiscalYearStartMonth);
  const year = fiscalYearDays(fiscalYear, definitions.fiscalYearStartMonth);
  const yearTargets = targets.filter((target) => target.fiscalYear === fiscalYear);
  const money = (value: Minor): string => `${formatMinor(value, currency)} ${currency}`;

  const books: BookCheck[] = [];
  const unknownTargetBooks: string[] = [];
  const companyTarget = yearTargets.find((target) => target.scope === 'company');
  const companyPlan = bookPlan(analysis, undefined, year, {
    nrr: companyTarget?.nrr ?? null,
    grr: companyTarget?.grr ?? null,
  });
  books.push(
    bookCheck(
      'company',
      '',
      companyPlan,
      companyTarget,
      figures(companyRetention(analysis, analysis.windowStartSample, analysis.asOfSample)),
    ),
  );
  const scopes: readonly (Dimension | 'team')[] = [...DIMENSIONS, 'team'];
  for (const scope of scopes) {
    const scopeTargets = yearTargets.filter((target) => target.scope === scope);
    if (scopeTargets.length === 0) continue;
    const scopeBooks =
      scope === 'team'
        ? teamBooks(analysis, dataset, options.teams ?? [])
        : filteredBooks(analysis, dataset, scope);
    const checked = scopeChecks(analysis, year, scope, scopeBooks, scopeTargets);
    books.push(...checked.books);
    unknownTargetBooks.push(...checked.unknown);
  }

  const alerts: AlertDraft[] = [];
  for (const book of books) {
    if (!book.behind) continue;
    alerts.push(behindAlert(book, month, formatDay(asOf), money));
  }
  const unknownEventAccounts = accountAlerts(analysis, dataset, events, options, money, alerts);
  return {
    month,
    asOf: formatDay(asOf),
    fiscalYear,
    currency,
    books,
    alerts,
    unknownEventAccounts,
    unknownTargetBooks,
  };
}

/**
 * Checks the books of one scope: each book with a cohort, and each book a target names. Returns
 * them by key, with the target books that the scope does not have, as `scope book`.
 */
function scopeChecks(
  analysis: Analysis,
  year: FiscalYear,
  scope: Dimension | 'team',
  scopeBooks: FilteredBooks,
  scopeTargets: readonly Target[],
): { books: BookCheck[]; unknown: string[] } {
  const { groups, codes } = scopeBooks;
  const trailing = groupRetention(
    analysis,
    groups,
    analysis.windowStartSample,
    analysis.asOfSample,
  );
  const books: BookCheck[] = [];
  const unknown: string[] = [];
  const keys = new Set([...codes.keys(), ...scopeTargets.map((target) => target.book)]);
  for (const key of [...keys].sort()) {
    const target = scopeTargets.find((candidate) => candidate.book === key);
    const code = codes.get(key);
    if (code === undefined) unknown.push(`${scope} ${key}`);
    const selector: BookSelector = { groups, code: code ?? -1 };
    const plan = bookPlan(analysis, selector, year, {
      nrr: target?.nrr ?? null,
      grr: target?.grr ?? null,
    });
    const trailingFigures = code === undefined ? undefined : trailing[code];
    if (plan.cohortAccounts === 0 && target === undefined) continue;
    books.push(
      bookCheck(
        scope,
        key,
        plan,
        target,
        figures(
          trailingFigures ?? {
            cohortAccounts: 0,
            retainedAccounts: 0,
            startArr: 0,
            endArr: 0,
            cappedArr: 0,
          },
        ),
      ),
    );
  }
  return { books, unknown };
}

function bookCheck(
  scope: TargetScope,
  book: string,
  plan: BookPlan,
  target: Target | undefined,
  trailing: Figures,
): BookCheck {
  return {
    scope,
    book,
    fiscalYearToDate: planFigures(plan),
    trailing,
    nrrTarget: target?.nrr ? formatDecimal(target.nrr) : null,
    grrTarget: target?.grr ? formatDecimal(target.grr) : null,
    plan,
    behind: plan.nrr?.behind === true || plan.grr?.behind === true,
  };
}

function behindAlert(
  book: BookCheck,
  month: string,
  asOf: string,
  money: (value: Minor) => string,
): AlertDraft {
  const parts: string[] = [];
  for (const [name, position, target] of [
    ['NRR', book.plan.nrr, book.nrrTarget],
    ['GRR', book.plan.grr, book.grrTarget],
  ] as const) {
    if (position === null || !position.behind) continue;
    parts.push(
      `${name} cohort ARR ${money(position.actual)} is below the glide path's ${money(position.expectedNow)} to ${target ?? ''}%; ${money(Math.max(0, position.needed))} more contracted ARR is needed by ${formatDay(book.plan.year.end)}`,
    );
  }
  const actions = book.plan.actions.slice(0, 5).map((action) => ({
    kind: action.kind,
    account: action.account,
    arr: action.arr,
    date: action.date,
    status: action.status,
  }));
  return {
    key: `behind-target|${month}|${book.scope}|${book.book}`,
    kind: 'behind-target',
    scope: book.scope,
    book: book.book,
    account: null,
    message: `${bookName(book.scope, book.book)} is behind target at ${asOf}: ${parts.join('; ')}.`,
    details: {
      fiscalYear: book.plan.year.year,
      nrrTarget: book.nrrTarget,
      grrTarget: book.grrTarget,
      fiscalYearToDate: book.fiscalYearToDate,
      nrr: positionDetails(book.plan.nrr),
      grr: positionDetails(book.plan.grr),
      actions,
    },
  };
}

function positionDetails(position: BookPlan['nrr']): Record<string, unknown> | null {
  if (position === null) return null;
  return {
    actual: position.actual,
    expectedNow: position.expectedNow,
    targetArr: position.targetArr,
    projected: position.projected,
    needed: position.needed,
  };
}

/**
 * Adds the alerts about single accounts: lapsed renewals, large contractions, renewals due
 * without a plan and notices of termination. Returns the event accounts found in no unit.
 */
function accountAlerts(
  analysis: Analysis,
  dataset: Dataset,
  events: readonly AccountEvent[],
  options: CheckOptions,
  money: (value: Minor) => string,
  alerts: AlertDraft[],
): string[] {
  const { asOf, prepared } = analysis;
  const [near, far] = options.renewalHorizons ?? [90, 180];
  const owners = groupIndex(analysis, dataset, 'csm');
  const ownerOf = (unit: number): string =>
    owners.keys[codeAt(owners, unit, analysis.asOfSample)] as string;

  const unknown = new Set<string>();
  const eventsByUnit = new Map<number, AccountEvent[]>();
  for (const event of events) {
    const unit = prepared.findUnit(event.account);
    if (unit === undefined) {
      unknown.add(event.account);
      continue;
    }
    const list = eventsByUnit.get(unit) ?? [];
    list.push(event);
    eventsByUnit.set(unit, list);
  }

  const previousMonthEnd = monthEnd(addMonths(monthStart(asOf), -1));
  const previousSample = lowerBound(analysis.samples, previousMonthEnd);
  const hasPrevious = analysis.samples[previousSample] === previousMonthEnd;
  const threshold = options.contractionThreshold;
  const thresholdScale = 100n * 10n ** BigInt(threshold.scale);
  const month = formatMonth(asOf);

  for (let unit = 0; unit < analysis.units; unit++) {
    const account = prepared.unitRoot[unit] as string;
    const now = unitArr(analysis, unit, analysis.asOfSample);
    const base = { scope: 'csm' as const, book: ownerOf(unit), account };

    if (analysis.lapsedUnits.has(unit)) {
      const lastDay = lapsedLastDay(analysis, unit);
      alerts.push({
        ...base,
        key: `renewal-lapsed|${account}|${formatDay(lastDay)}`,
        kind: 'renewal-lapsed',
        message: `Account ${account} has not renewed: service ended on ${formatDay(lastDay)} and ${money(now)} ARR is lapsed inside the ${analysis.definitions.graceDays}-day grace window.`,
        details: {
          arr: now,
          lastDay: formatDay(lastDay),
          graceDays: analysis.definitions.graceDays,
        },
      });
    }

    if (hasPrevious) {
      const before = unitArr(analysis, unit, previousSample);
      // A drop of at least threshold% of the month's opening ARR: (before − now) × 100 ≥ t × before.
      if (
        now > 0 &&
        now < before &&
        BigInt(before - now) * thresholdScale >= threshold.coefficient * BigInt(before)
      ) {
        alerts.push({
          ...base,
          key: `large-contraction|${account}|${month}`,
          kind: 'large-contraction',
          message: `Account ${account} contracted by ${money(before - now)} in ${month}, from ${money(before)} to ${money(now)} ARR.`,
          details: {
            before,
            after: now,
            contraction: before - now,
            thresholdPercent: formatDecimal(threshold),
          },
        });
      }
    }

    const unitEvents = eventsByUnit.get(unit) ?? [];
    if (now > 0 && !analysis.lapsedUnits.has(unit)) {
      for (const drop of scheduledDrops(analysis, unit, asOf + far)) {
        if (drop.renewed) continue;
        const days = drop.lastDay - asOf;
        const horizon = days <= near ? near : far;
        const planned = unitEvents.some(
          (event) => event.kind === 'plan' && event.date <= asOf && event.date > drop.lastDay - 365,
        );
        if (planned) continue;
        const kind: AlertKind = horizon === near ? 'renewal-90-days' : 'renewal-180-days';
        alerts.push({
          ...base,
          key: `${kind}|${account}|${formatDay(drop.lastDay)}`,
          kind,
          message: `Account ${account} has ${money(drop.arr)} ARR up for renewal on ${formatDay(drop.lastDay)}, in ${days} days, and no renewal plan is recorded.`,
          details: { arr: drop.arr, lastDay: formatDay(drop.lastDay), days },
        });
      }
    }

    for (const event of unitEvents) {
      if (event.kind !== 'notice' || event.date > asOf || event.date <= addMonths(asOf, -12))
        continue;
      alerts.push({
        ...base,
        key: `notice-received|${account}|${formatDay(event.date)}`,
        kind: 'notice-received',
        message: `Account ${account} gave notice of termination on ${formatDay(event.date)}; ${money(now)} ARR is at risk.${event.note === '' ? '' : ` Note: ${event.note}`}`,
        details: {
          arr: now,
          noticeDate: formatDay(event.date),
          note: event.note,
          accounts: unitAccounts(prepared, unit),
        },
      });
    }
  }
  return [...unknown].sort();
}
