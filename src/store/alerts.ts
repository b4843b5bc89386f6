/**
 * Account events, alerts and alert deliveries in the workspace.
 *
 * An alert is stored once per key: a check run again for the same month finds its alerts already
 * stored and adds none. Its state moves from open to acknowledged to resolved (or straight from
 * open to resolved), and every delivery attempt is stored with its outcome.
 */
import type { AccountEvent, AccountEventKind, AlertDraft, AlertKind } from '../core/checks.js';
import { formatDay, parseDay } from '../core/dates.js';
import type { TargetScope } from '../core/targets.js';
import { StoreError, type Database } from './driver.js';
import { isoTime } from './driver.js';

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface StoredAlert {
  readonly id: number;
  readonly key: string;
  readonly month: string;
  readonly kind: AlertKind;
  readonly scope: TargetScope;
  readonly book: string;
  readonly account: string | null;
  readonly state: AlertState;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface DeliveryAttempt {
  readonly channel: 'webhook' | 'file';
  readonly destination: string;
  readonly attempt: number;
  readonly alertIds: readonly number[];
  readonly succeeded: boolean;
  readonly httpStatus: number | null;
  readonly error: string | null;
}

export interface StoredDeliveryAttempt extends DeliveryAttempt {
  readonly id: number;
  readonly attemptedAt: string;
}

/** Stores events in one transaction; an event of the same account, kind and date is replaced. */
export async function storeEvents(
  db: Database,
  events: readonly AccountEvent[],
  source: string,
): Promise<{ added: number; replaced: number }> {
  const importedAt = new Date().toISOString();
  return db.transaction(async (tx) => {
    let added = 0;
    for (const event of events) {
      const rows = await tx.query<{ inserted: boolean }>(
        `INSERT INTO account_events (account_id, kind, event_date, note, source, imported_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (account_id, kind, event_date) DO UPDATE SET
           note = EXCLUDED.note, source = EXCLUDED.source, imported_at = EXCLUDED.imported_at
         RETURNING (xmax = 0) AS inserted`,
        [event.account, event.kind, formatDay(event.date), event.note, source, importedAt],
      );
      if (rows[0]?.inserted === true) added++;
    }
    return { added, replaced: events.length - added };
  });
}

/** Lists the stored events by date, then account. */
export async function listEvents(db: Database): Promise<AccountEvent[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT account_id, kind, to_char(event_date, 'YYYY-MM-DD') AS event_date, note
     FROM account_events ORDER BY event_date, account_id, kind`,
  );
  return rows.map((row) => ({
    account: String(row['account_id']),
    kind: String(row['kind']) as AccountEventKind,
    date: parseDay(String(row['event_date'])) ?? 0,
    note: String(row['note']),
  }));
}

const ALERT_COLUMNS = `id, alert_key, month, kind, scope, book, account_id, state, message, details,
  ${isoTime('created_at')} AS created_iso, ${isoTime('updated_at')} AS updated_iso, updated_by`;

function alertOf(row: Record<string, unknown>): StoredAlert {
  const details = row['details'];
  return {
    id: Number(row['id']),
    key: String(row['alert_key']),
    month: String(row['month']),
    kind: String(row['kind']) as AlertKind,
    scope: String(row['scope']) as TargetScope,
    book: String(row['book']),
    account: typeof row['account_id'] === 'string' ? row['account_id'] : null,
    state: String(row['state']) as AlertState,
    message: String(row['message']),
    details: (typeof details === 'string' ? JSON.parse(details) : details) as Record<
      string,
      unknown
    >,
    createdAt: String(row['created_iso']),
    updatedAt: String(row['updated_iso']),
    updatedBy: String(row['updated_by']),
  };
}

/**
 * Stores the alerts whose key is new, in one transaction. Returns every alert of the drafts as
 * stored, with `created` true for those this call added.
 */
export async function raiseAlerts(
  db: Database,
  month: string,
  drafts: readonly AlertDraft[],
  user: string,
): Promise<{ alert: StoredAlert; created: boolean }[]> {
  const now = new Date().toISOString();
  return db.transaction(async (tx) => {
    const result: { alert: StoredAlert; created: boolean }[] = [];
    for (const draft of drafts) {
      const inserted = await tx.query<Record<string, unknown>>(
        `INSERT INTO alerts (alert_key, month, kind, scope, book, account_id, state, message,
           details, created_at, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9, $10)
         ON CONFLICT (alert_key) DO NOTHING
         RETURNING ${ALERT_COLUMNS}`,
        [
          draft.key,
          month,
          draft.kind,
          draft.scope,
          draft.book,
          draft.account,
          draft.message,
          JSON.stringify(draft.details),
          now,
          user,
        ],
      );
      const row = inserted[0];
      if (row !== undefined) {
        result.push({ alert: alertOf(row), created: true });
        continue;
      }
      const existing = await tx.query<Record<string, unknown>>(
        `SELECT ${ALERT_COLUMNS} FROM alerts WHERE alert_key = $1`,
        [draft.key],
      );
      if (existing[0] !== undefined) result.push({ alert: alertOf(existing[0]), created: false });
    }
    return result;
  });
}

/** Lists alerts, newest first, optionally of one state. */
export async function listAlerts(db: Database, state?: AlertState): Promise<StoredAlert[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE $1::text IS NULL OR state = $1::text
     ORDER BY id DESC`,
    [state ?? null],
  );
  return rows.map(alertOf);
}

/** Reads one alert; fails when no alert has that id. */
export async function getAlert(db: Database, id: number): Promise<StoredAlert> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`,
    [id],
  );
  if (rows[0] === undefined) {
    throw new StoreError(`alert ${id} not found; nrr alerts lists the stored alerts and their ids`);
  }
  return alertOf(rows[0]);
}

/** The states an alert may move to from each state. */
const NEXT_STATES: Readonly<Record<AlertState, readonly AlertState[]>> = {
  open: ['acknowledged', 'resolved'],
  acknowledged: ['resolved'],
  resolved: [],
};

/**
 * Moves an alert to `state`. Acknowledging is allowed from open, resolving from open or
 * acknowledged; any other move fails with the alert's current state.
 */
export async function setAlertState(
  db: Database,
  id: number,
  state: AlertState,
  user: string,
): Promise<StoredAlert> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ state: string }>(
      'SELECT state FROM alerts WHERE id = $1 FOR UPDATE',
      [id],
    );
    const current = rows[0]?.state as AlertState | undefined;
    if (current === undefined) {
      throw new StoreError(
        `alert ${id} not found; nrr alerts lists the stored alerts and their ids`,
      );
    }
    if (!NEXT_STATES[current].includes(state)) {
      throw new StoreError(`alert ${id} is ${current} and cannot become ${state}`);
    }
    const updated = await tx.query<Record<string, unknown>>(
      `UPDATE alerts SET state = $2, updated_at = $3, updated_by = $4 WHERE id = $1
       RETURNING ${ALERT_COLUMNS}`,
      [id, state, new Date().toISOString(), user],
    );
    return alertOf(updated[0] as Record<string, unknown>);
  });
}

/** Stores one delivery attempt. */
export async function recordDeliveryAttempt(db: Database, attempt: DeliveryAttempt): Promise<void> {
  await db.query(
    `INSERT INTO alert_deliveries (channel, destination, attempt, alert_ids, succeeded,
       http_status, error, attempted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      attempt.channel,
      attempt.destination,
      attempt.attempt,
      JSON.stringify(attempt.alertIds),
      attempt.succeeded,
      attempt.httpStatus,
      attempt.error,
      new Date().toISOString(),
    ],
  );
}

/** Lists delivery attempts, oldest first. */
export async function listDeliveryAttempts(db: Database): Promise<StoredDeliveryAttempt[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT id, channel, destination, attempt, alert_ids, succeeded, http_status, error,
       ${isoTime('attempted_at')} AS attempted_iso
     FROM alert_deliveries ORDER BY id`,
  );
  return rows.map((row) => {
    const ids = row['alert_ids'];
    return {
      id: Number(row['id']),
      channel: String(row['channel']) as 'webhook' | 'file',
      destination: String(row['destination']),
      attempt: Number(row['attempt']),
      alertIds: (typeof ids === 'string' ? JSON.parse(ids) : ids) as number[],
      succeeded: row['succeeded'] === true,
      httpStatus: row['http_status'] === null ? null : Number(row['http_status']),
      error: typeof row['error'] === 'string' ? row['error'] : null,
      attemptedAt: String(row['attempted_iso']),
    };
  });
}

/** Returns the ids among `ids` that no successful attempt delivered to the destination. */
export async function undelivered(
  db: Database,
  channel: 'webhook' | 'file',
  destination: string,
  ids: readonly number[],
): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<{ alert_ids: unknown }>(
    `SELECT alert_ids FROM alert_deliveries
     WHERE succeeded AND channel = $1 AND destination = $2`,
    [channel, destination],
  );
  const delivered = new Set<number>();
  for (const row of rows) {
    const list = (typeof row.alert_ids === 'string' ? JSON.parse(row.alert_ids) : row.alert_ids) as
      number[] | null;
    for (const id of list ?? []) delivered.add(Number(id));
  }
  return ids.filter((id) => !delivered.has(id));
}
