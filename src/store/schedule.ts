/**
 * The months the server's check schedule has run, one row per month: its state, attempts and
 * outcome. The schedule reads them on start, so a restart neither repeats nor skips a month.
 */
import type { Database } from './driver.js';
import { isoTime } from './driver.js';

export type ScheduledCheckState = 'running' | 'succeeded' | 'failed';

export interface ScheduledCheck {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly state: ScheduledCheckState;
  readonly attempts: number;
  /** ISO 8601 times in UTC; `finishedAt` is null while running. */
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** The failure of the last attempt, or null. */
  readonly error: string | null;
  /** Books behind target and alerts of the check, once it succeeded. */
  readonly behindBooks: number | null;
  readonly alerts: number | null;
}

/** Lists the scheduled checks, newest month first. */
export async function listScheduledChecks(db: Database): Promise<ScheduledCheck[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT month, state, attempts, error, behind_books, alerts,
       ${isoTime('started_at')} AS started_iso, ${isoTime('finished_at')} AS finished_iso
     FROM scheduled_checks
     ORDER BY month DESC`,
  );
  const numberOrNull = (value: unknown): number | null => (value === null ? null : Number(value));
  const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return rows.map((row) => ({
    month: String(row['month']),
    state: String(row['state']) as ScheduledCheckState,
    attempts: Number(row['attempts']),
    startedAt: String(row['started_iso']),
    finishedAt: textOrNull(row['finished_iso']),
    error: textOrNull(row['error']),
    behindBooks: numberOrNull(row['behind_books']),
    alerts: numberOrNull(row['alerts']),
  }));
}

/** Records that an attempt at a month started, counting it. */
export async function startScheduledCheck(db: Database, month: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO scheduled_checks (month, state, attempts, started_at)
     VALUES ($1, 'running', 1, $2)
     ON CONFLICT (month) DO UPDATE SET state = 'running',
       attempts = scheduled_checks.attempts + 1, started_at = EXCLUDED.started_at,
       finished_at = NULL, error = NULL`,
    [month, at.toISOString()],
  );
}

/** Records how an attempt ended: succeeded with its counts, or failed with the error. */
export async function finishScheduledCheck(
  db: Database,
  month: string,
  at: Date,
  outcome: { behindBooks: number; alerts: number } | { error: string },
): Promise<void> {
  const failed = 'error' in outcome;
  await db.query(
    `UPDATE scheduled_checks SET state = $2, finished_at = $3, error = $4, behind_books = $5,
       alerts = $6
     WHERE month = $1`,
    [
      month,
      failed ? 'failed' : 'succeeded',
      at.toISOString(),
      failed ? outcome.error : null,
      failed ? null : outcome.behindBooks,
      failed ? null : outcome.alerts,
    ],
  );
}

/**
 * Marks the runs left `running` by a server that stopped during them as failed, so that they are
 * tried again. Returns their months.
 */
export async function failInterruptedChecks(db: Database, at: Date): Promise<string[]> {
  const rows = await db.query<{ month: string }>(
    `UPDATE scheduled_checks SET state = 'failed', finished_at = $1,
       error = 'the server stopped during the check'
     WHERE state = 'running'
     RETURNING month`,
    [at.toISOString()],
  );
  return rows.map((row) => String(row.month)).sort();
}
