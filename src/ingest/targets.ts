/**
 * The targets file: one NRR and GRR target per book and fiscal year (see docs/checks.md).
 * A file with any bad row is rejected as a whole, with one problem per bad cell.
 */
import { MAX_YEAR, MIN_YEAR } from '../core/dates.js';
import { parseDecimal, type Decimal } from '../core/money.js';
import { TARGET_SCOPES, type Target, type TargetScope } from '../core/targets.js';
import { ProblemList } from './problems.js';
import { RowReader } from './row-reader.js';
import { fieldSpec, parseTable, resolveColumns } from './table.js';
import type { Parsed } from './values.js';

type TargetField = 'scope' | 'book' | 'fiscalYear' | 'nrr' | 'grr';

const TARGET_FIELDS = [
  fieldSpec<TargetField>('scope', undefined, ['scope'], true),
  fieldSpec<TargetField>('book', undefined, ['book']),
  fieldSpec<TargetField>('fiscalYear', undefined, ['fiscal_year'], true),
  fieldSpec<TargetField>('nrr', undefined, ['nrr_target']),
  fieldSpec<TargetField>('grr', undefined, ['grr_target']),
];

const PERCENT_TEXT = /^(\d{1,4}(?:\.\d{1,4})?)\s*%?$/;
const PERCENT_HINT = 'write a percentage such as 105, 104.5 or 92%';

/** Parses a target percentage from above 0 up to `max`, with at most four decimals. */
function parsePercent(max: number): (text: string) => Parsed<Decimal> {
  return (text) => {
    const match = PERCENT_TEXT.exec(text);
    const value = match?.[1] === undefined ? undefined : parseDecimal(match[1]);
    if (value === undefined) return { ok: false, message: `is not a percentage; ${PERCENT_HINT}` };
    const limit = BigInt(max) * 10n ** BigInt(value.scale);
    if (value.coefficient <= 0n || value.coefficient > limit) {
      return { ok: false, message: `is out of range; a target is above 0% and at most ${max}%` };
    }
    return { ok: true, value };
  };
}

function parseScope(text: string): Parsed<TargetScope> {
  const scope = text.toLowerCase() as TargetScope;
  return TARGET_SCOPES.includes(scope)
    ? { ok: true, value: scope }
    : { ok: false, message: `is not a scope; use one of ${TARGET_SCOPES.join(', ')}` };
}

function parseFiscalYear(text: string): Parsed<number> {
  const year = /^\d{4}$/.test(text) ? Number(text) : NaN;
  return year >= MIN_YEAR && year <= MAX_YEAR
    ? { ok: true, value: year }
    : {
        ok: false,
        message: `is not a fiscal year; write the calendar year in which the fiscal year ends, from ${MIN_YEAR} to ${MAX_YEAR}`,
      };
}

/** Reads a targets CSV file, or throws an `ImportError` listing every bad row. */
export function readTargetsText(text: string, file: string): Target[] {
  const problems = new ProblemList();
  const table = parseTable(text, file, problems);
  if (table === undefined) {
    problems.throwIfAny();
    return [];
  }
  const columns = resolveColumns(table, TARGET_FIELDS, {}, problems);
  if (columns.nrr === undefined && columns.grr === undefined) {
    problems.add({
      file,
      row: 1,
      column: 'nrr_target',
      value: '',
      message: 'no header is named "nrr_target" or "grr_target"; a targets file needs one or both',
    });
  }
  const targets: Target[] = [];
  const firstRow = new Map<string, number>();
  for (const row of table.rows) {
    const reader = new RowReader(file, row, problems);
    const scope = reader.parseRequired(
      columns.scope,
      parseScope,
      `use one of ${TARGET_SCOPES.join(', ')}`,
    );
    const book = reader.text(columns.book) ?? '';
    if (scope === 'company' && book !== '' && columns.book !== undefined) {
      reader.report(columns.book, book, 'must be blank for the company scope');
    }
    if (scope !== undefined && scope !== 'company' && book === '') {
      if (columns.book === undefined) {
        problems.add({
          file,
          row: row.row,
          column: 'book',
          value: '',
          message: `value is missing; a ${scope} target names its ${scope} in a "book" column`,
        });
      } else {
        reader.report(columns.book, '', `value is missing; name the ${scope} the target is for`);
      }
    }
    const fiscalYear = reader.parseRequired(
      columns.fiscalYear,
      parseFiscalYear,
      'write the fiscal year, such as 2026',
    );
    const nrr = reader.optional(columns.nrr, parsePercent(1000)) ?? null;
    const grr = reader.optional(columns.grr, parsePercent(100)) ?? null;
    const hasTargetColumn = columns.nrr !== undefined || columns.grr !== undefined;
    if (
      hasTargetColumn &&
      reader.text(columns.nrr) === undefined &&
      reader.text(columns.grr) === undefined
    ) {
      problems.add({
        file,
        row: row.row,
        column: columns.nrr?.header ?? 'nrr_target',
        value: '',
        message: 'value is missing; give an NRR target, a GRR target or both',
      });
    }
    if (reader.failed || scope === undefined || fiscalYear === undefined) continue;
    const key = JSON.stringify([scope, book, fiscalYear]);
    const earlier = firstRow.get(key);
    if (earlier !== undefined) {
      problems.add({
        file,
        row: row.row,
        column: '',
        value: '',
        message: `repeats the ${scope} ${book === '' ? '' : `"${book}" `}target for fiscal year ${fiscalYear} of row ${earlier}; keep one row per book and year`,
      });
      continue;
    }
    firstRow.set(key, row.row);
    targets.push({ scope, book, fiscalYear, nrr, grr });
  }
  problems.throwIfAny();
  return targets;
}
