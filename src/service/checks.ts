/**
 * The monthly check from stored data to stored and delivered alerts, shared by `nrr check` and
 * the HTTP API.
 */
import { analyse } from '../core/analysis.js';
import { runCheck, type BookCheck, type CheckResult } from '../core/checks.js';
import { dayFromCivil, formatDay, monthEnd } from '../core/dates.js';
import type { Definitions } from '../core/definitions.js';
import { formatDecimal, type Decimal } from '../core/money.js';
import { listEvents, raiseAlerts, type StoredAlert } from '../store/alerts.js';
import { StoreError } from '../store/driver.js';
import { listTargets } from '../store/targets.js';
import { listTeamMembers } from '../store/teams.js';
import type { Workspace } from '../store/workspace.js';
import {
  deliverToFile,
  deliverToWebhook,
  type DeliveryOutcome,
  type RetryOptions,
} from './delivery.js';

export interface MonthlyCheckRequest {
  /** `YYYY-MM`; the check is as of the month's last day. */
  readonly month: string;
  readonly definitions: Definitions;
  readonly contractionThreshold: Decimal;
  readonly user: string;
  readonly webhook?: string;
  readonly alertsFile?: string;
  readonly retry: RetryOptions;
}

export interface MonthlyCheck {
  readonly result: CheckResult;
  /** The alerts of this check as stored; `created` is false for those stored by an earlier run. */
  readonly alerts: readonly { alert: StoredAlert; created: boolean }[];
  readonly deliveries: readonly DeliveryOutcome[];
}

/** Returns the last day of a `YYYY-MM` month. */
export function monthEndOf(month: string): number {
  const [year, monthNumber] = month.split('-').map(Number);
  return monthEnd(dayFromCivil(year ?? 0, monthNumber ?? 1, 1));
}

/** Runs the check on the workspace's data, stores its new alerts and delivers the open ones. */
export async function runMonthlyCheck(
  workspace: Workspace,
  request: MonthlyCheckRequest,
): Promise<MonthlyCheck> {
  const dataset = await workspace.loadDataset();
  if (dataset.lines.length === 0) {
    throw new StoreError(
      `the workspace ${workspace.location} has no contract lines to check; store files with nrr import`,
    );
  }
  const analysis = analyse(dataset, request.definitions, monthEndOf(request.month));
  const targets = await listTargets(workspace.db);
  const events = await listEvents(workspace.db);
  const teams = await listTeamMembers(workspace.db);
  const result = runCheck(analysis, dataset, targets, events, {
    contractionThreshold: request.contractionThreshold,
    teams,
  });
  const alerts = await raiseAlerts(workspace.db, result.month, result.alerts, request.user);
  const stored = alerts.map((entry) => entry.alert);
  const behind = result.books.filter((book) => book.behind).length;
  const heading = `nrr check ${result.month}: ${behind} ${behind === 1 ? 'book' : 'books'} behind target, ${stored.length} ${stored.length === 1 ? 'alert' : 'alerts'}`;
  const deliveries: DeliveryOutcome[] = [];
  if (request.webhook !== undefined) {
    deliveries.push(
      await deliverToWebhook(workspace.db, request.webhook, heading, stored, request.retry),
    );
  }
  if (request.alertsFile !== undefined) {
    deliveries.push(await deliverToFile(workspace.db, request.alertsFile, stored, request.retry));
  }
  return { result, alerts, deliveries };
}

/** Converts the check to JSON: money in minor units, ratios as fractions. */
export function checkJson(outcome: MonthlyCheck) {
  return {
    ...outcome.result,
    behind: outcome.result.books.some((book) => book.behind),
    books: outcome.result.books.map((book) => ({
      ...book,
      plan: {
        ...book.plan,
        year: {
          year: book.plan.year.year,
          start: formatDay(book.plan.year.start),
          end: formatDay(book.plan.year.end),
        },
        calendar: book.plan.calendar.map(({ month, due, accounts }) => ({ month, due, accounts })),
        nrr: positionJson(book.plan.nrr),
        grr: positionJson(book.plan.grr),
      },
    })),
    alerts: outcome.alerts.map(({ alert, created }) => ({ ...alert, created })),
    deliveries: outcome.deliveries,
  };
}

function positionJson(position: BookCheck['plan']['nrr']) {
  if (position === null) return null;
  return {
    ...position,
    target: formatDecimal(position.target),
    path: position.path.map(({ month, expected }) => ({ month, expected })),
  };
}
