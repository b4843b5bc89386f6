/**
 * The monthly check run by `nrr serve` on its own: on day `checkDay` of each month it checks the
 * month just closed, with the delivery settings of `nrr check`. The months it ran are stored in
 * the workspace (table scheduled_checks), so that after a restart it runs each month it missed,
 * once, in order, and a month whose check failed again after `retryDelayMs`.
 */
import type { Logger } from 'pino';
import {
  addMonths,
  civilFromDay,
  dayFromCivil,
  formatDay,
  formatMonth,
  type Day,
} from '../core/dates.js';
import type { Decimal } from '../core/money.js';
import {
  failInterruptedChecks,
  finishScheduledCheck,
  listScheduledChecks,
  startScheduledCheck,
  type ScheduledCheck,
} from '../store/schedule.js';
import type { Workspace } from '../store/workspace.js';
import { runMonthlyCheck } from './checks.js';
import type { RetryOptions } from './delivery.js';

/** Last day of the month that `checkDay` may name, so that every month has it. */
export const MAX_CHECK_DAY = 28;

export interface ScheduleSettings {
  /** Day of the month (1 to 28) on and after which the month before it is checked. */
  readonly checkDay: number;
  readonly contractionThreshold: Decimal;
  readonly webhook?: string;
  readonly alertsFile?: string;
  /** Attempts and backoff of each delivery, as for `nrr check`. */
  readonly delivery: Omit<RetryOptions, 'logger'>;
  /** Wait after a failed check before it is run again, in milliseconds. */
  readonly retryDelayMs: number;
  /** How often the schedule looks at the clock, in milliseconds. */
  readonly intervalMs: number;
  readonly user: string;
}

export interface ScheduleClock {
  /** Today's calendar day, which decides the months that are due. */
  readonly today: () => Day;
  /** The current time, for the stored run times and the wait before a retry. */
  readonly now: () => Date;
}

/** The schedule's state as the API shows it. */
export interface ScheduleState {
  readonly checkDay: number;
  /** The month being checked, or null. */
  readonly running: string | null;
  readonly lastRun: ScheduledCheck | null;
  /** The next month to check and the day it is due on (a retry may be due earlier than today). */
  readonly nextRun: { readonly month: string; readonly due: string } | null;
  /** The stored runs, newest month first. */
  readonly runs: readonly ScheduledCheck[];
}

/**
 * Returns the latest month that is due on `today`: the month before the current one from
 * `checkDay` on, else the month before that.
 */
export function dueMonth(today: Day, checkDay: number): Day {
  const { year, month, day } = civilFromDay(today);
  const current = dayFromCivil(year, month, 1);
  return addMonths(current, day >= checkDay ? -1 : -2);
}

/** Returns the first day of a `YYYY-MM` month. */
function monthDay(month: string): Day {
  const [year, monthNumber] = month.split('-').map(Number);
  return dayFromCivil(year ?? 0, monthNumber ?? 1, 1);
}

// NOTE: two servers scheduling checks on one PostgreSQL workspace may both run a month; run the
// schedule in one server only.
export class CheckSchedule {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private runningMonth: string | null = null;
  private stopped = false;
  private serialise: <T>(work: () => Promise<T>) => Promise<T> = (work) => work();

  constructor(
    private readonly workspace: Workspace,
    readonly settings: ScheduleSettings,
    private readonly clock: ScheduleClock,
    private readonly logger: Logger,
  ) {
    const { checkDay } = settings;
    if (!Number.isInteger(checkDay) || checkDay < 1 || checkDay > MAX_CHECK_DAY) {
      throw new RangeError(`checkDay ${checkDay} is not a whole day from 1 to ${MAX_CHECK_DAY}`);
    }
  }

  /** Runs the checks after the writes that `serialise` orders, such as the server's imports. */
  useSerialiser(serialise: <T>(work: () => Promise<T>) => Promise<T>): void {
    this.serialise = serialise;
  }

  /**
   * Marks runs a stopped server left unfinished as failed, then looks at the clock now and every
   * `intervalMs` until `stop`.
   */
  async start(): Promise<void> {
    const interrupted = await failInterruptedChecks(this.workspace.db, this.clock.now());
    if (interrupted.length > 0) {
      this.logger.warn({ months: interrupted }, 'scheduled checks were interrupted; retrying them');
    }
    this.logger.info({ checkDay: this.settings.checkDay }, 'check schedule started');
    const loop = () => {
      if (this.stopped) return;
      const looked = this.tick().catch((error: unknown) => {
        // Only the workspace failing to record a run gets here; the next look tries again.
        this.logger.error({ err: error }, 'check schedule could not read or record its runs');
      });
      this.current = looked.finally(() => {
        this.current = undefined;
        if (!this.stopped) this.timer = setTimeout(loop, this.settings.intervalMs);
      });
    };
    loop();
  }

  /** Stops looking at the clock and waits for a check that is running. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.current;
    this.logger.info('check schedule stopped');
  }

  /** Runs every month that is due, oldest first. A failure is stored and does not stop the rest. */
  async tick(): Promise<void> {
    for (const month of await this.dueMonths()) {
      if (this.stopped) return;
      await this.runMonth(month);
    }
  }

  async state(): Promise<ScheduleState> {
    const runs = await listScheduledChecks(this.workspace.db);
    const lastRun =
      [...runs].sort(
        (a, b) => b.startedAt.localeCompare(a.startedAt) || b.month.localeCompare(a.month),
      )[0] ?? null;
    return {
      checkDay: this.settings.checkDay,
      running: this.runningMonth,
      lastRun,
      nextRun: this.nextRun(runs),
      runs,
    };
  }

  /** Lists the months to check now: failed ones whose wait is over, and those never checked. */
  private async dueMonths(): Promise<string[]> {
    const runs = await listScheduledChecks(this.workspace.db);
    const latest = dueMonth(this.clock.today(), this.settings.checkDay);
    const now = this.clock.now().getTime();
    const retries = runs
      .filter(
        (run) =>
          run.state === 'failed' &&
          Date.parse(run.finishedAt ?? run.startedAt) + this.settings.retryDelayMs <= now,
      )
      .map((run) => run.month);
    const newest = runs[0]?.month;
    const missed: string[] = [];
    // A workspace the schedule never ran on starts with the month due now, not with its history.
    let month = newest === undefined ? latest : addMonths(monthDay(newest), 1);
    while (month <= latest) {
      missed.push(formatMonth(month));
      month = addMonths(month, 1);
    }
    return [...retries, ...missed].sort();
  }

  private nextRun(runs: readonly ScheduledCheck[]): ScheduleState['nextRun'] {
    const failed = runs
      .filter((run) => run.state === 'failed')
      .sort((a, b) => a.month.localeCompare(b.month))[0];
    if (failed !== undefined) {
      const retryAt = new Date(
        Date.parse(failed.finishedAt ?? failed.startedAt) + this.settings.retryDelayMs,
      );
      return { month: failed.month, due: retryAt.toISOString() };
    }
    const latest = dueMonth(this.clock.today(), this.settings.checkDay);
    const newest = runs[0]?.month;
    const next = newest === undefined ? latest : addMonths(monthDay(newest), 1);
    const { year, month } = civilFromDay(addMonths(next, 1));
    return {
      month: formatMonth(next),
      due: formatDay(dayFromCivil(year, month, this.settings.checkDay)),
    };
  }

  private async runMonth(month: string): Promise<void> {
    const { db } = this.workspace;
    await startScheduledCheck(db, month, this.clock.now());
    this.runningMonth = month;
    this.logger.info({ month }, 'scheduled check started');
    try {
      const outcome = await this.serialise(async () => {
        const { definitions } = await this.workspace.currentDefinitions();
        return runMonthlyCheck(this.workspace, {
          month,
          definitions,
          contractionThreshold: this.settings.contractionThreshold,
          user: this.settings.user,
          ...(this.settings.webhook === undefined ? {} : { webhook: this.settings.webhook }),
          ...(this.settings.alertsFile === undefined
            ? {}
            : { alertsFile: this.settings.alertsFile }),
          retry: { ...this.settings.delivery, logger: this.logger },
        });
      });
      const failed = outcome.deliveries.filter((delivery) => !delivery.delivered);
      if (failed.length > 0) {
        throw new Error(
          failed
            .map(
              (delivery) =>
                `delivery to ${delivery.channel} ${delivery.destination} failed after ${delivery.attempts} attempts: ${delivery.error ?? 'unknown error'}`,
            )
            .join('; '),
        );
      }
      const behindBooks = outcome.result.books.filter((book) => book.behind).length;
      await finishScheduledCheck(db, month, this.clock.now(), {
        behindBooks,
        alerts: outcome.alerts.length,
      });
      this.logger.info(
        { month, behindBooks, alerts: outcome.alerts.length },
        'scheduled check succeeded',
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await finishScheduledCheck(db, month, this.clock.now(), { error: message });
      this.logger.error(
        { month, err: error, retryInMs: this.settings.retryDelayMs },
        'scheduled check failed; it runs again after the retry delay',
      );
    } finally {
      this.runningMonth = null;
    }
  }
}
