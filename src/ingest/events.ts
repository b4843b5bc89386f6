/**
 * The account events file: renewal plans and notices of termination that users record, which
 * the monthly check reads (see docs/checks.md). A file with any bad row is rejected as a whole.
 */
import type { AccountEvent, AccountEventKind } from '../core/checks.js';
import { ProblemList } from './problems.js';
import { RowReader } from './row-reader.js';
import { fieldSpec, parseTable, resolveColumns } from './table.js';
import { parseDate, type Parsed } from './values.js';

/** Maximum length of a note in characters, so that a pasted document does not end up in an alert. */
export const MAX_NOTE_LENGTH = 2000;

type EventField = 'account' | 'kind' | 'date' | 'note';

const EVENT_FIELDS = [
  fieldSpec<EventField>('account', undefined, ['account_id'], true),
  fieldSpec<EventField>('kind', undefined, ['kind'], true),
  fieldSpec<EventField>('date', undefined, ['date'], true),
  fieldSpec<EventField>('note', undefined, ['note']),
];

function parseKind(text: string): Parsed<AccountEventKind> {
  const kind = text.toLowerCase();
  return kind === 'plan' || kind === 'notice'
    ? { ok: true, value: kind }
    : {
        ok: false,
        message:
          'is not an event kind; use plan (a renewal plan is recorded) or notice (a notice of termination was received)',
      };
}

/** Reads an events CSV file, or throws an `ImportError` listing every bad row. */
export function readEventsText(text: string, file: string): AccountEvent[] {
  const problems = new ProblemList();
  const table = parseTable(text, file, problems);
  if (table === undefined) {
    problems.throwIfAny();
    return [];
  }
  const columns = resolveColumns(table, EVENT_FIELDS, {}, problems);
  const events: AccountEvent[] = [];
  const firstRow = new Map<string, number>();
  for (const row of table.rows) {
    const reader = new RowReader(file, row, problems);
    const account = reader.required(columns.account, 'give the account id the event is about');
    const kind = reader.parseRequired(columns.kind, parseKind, 'use plan or notice');
    const date = reader.parseRequired(columns.date, parseDate, 'give the date as YYYY-MM-DD');
    const note = reader.text(columns.note) ?? '';
    if (columns.note !== undefined && note.length > MAX_NOTE_LENGTH) {
      reader.report(
        columns.note,
        note,
        `is longer than ${MAX_NOTE_LENGTH} characters; shorten it or link to the document`,
      );
    }
    if (reader.failed || account === undefined || kind === undefined || date === undefined) {
      continue;
    }
    const key = JSON.stringify([account, kind, date]);
    const earlier = firstRow.get(key);
    if (earlier !== undefined) {
      problems.add({
        file,
        row: row.row,
        column: '',
        value: '',
        message: `repeats the ${kind} of account "${account}" on the same date as row ${earlier}; keep one row`,
      });
      continue;
    }
    firstRow.set(key, row.row);
    events.push({ account, kind, date, note });
  }
  problems.throwIfAny();
  return events;
}
