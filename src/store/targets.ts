/**
 * Targets in the workspace: one row per scope, book and fiscal year. Importing a targets file
 * replaces the targets of the same book and year and keeps the others.
 */
import { formatDecimal, parseDecimal, type Decimal } from '../core/money.js';
import type { Target, TargetScope } from '../core/targets.js';
import type { Database } from './driver.js';
import { isoTime } from './driver.js';

/** A stored target with where it came from. */
export interface StoredTarget extends Target {
  readonly source: string;
  readonly importedAt: string;
  readonly importedBy: string;
}

function decimalText(value: Decimal | null): string | null {
  return value === null ? null : formatDecimal(value);
}

function decimalOf(text: unknown): Decimal | null {
  return typeof text === 'string' ? (parseDecimal(text) ?? null) : null;
}

/**
 * Stores targets in one transaction and returns how many were new and how many replaced a
 * stored target of the same book and year.
 */
export async function storeTargets(
  db: Database,
  targets: readonly Target[],
  source: string,
  user: string,
): Promise<{ added: number; replaced: number }> {
  const importedAt = new Date().toISOString();
  return db.transaction(async (tx) => {
    let added = 0;
    let replaced = 0;
    for (const target of targets) {
      const rows = await tx.query<{ inserted: boolean }>(
        `INSERT INTO targets (scope, book, fiscal_year, nrr_target, grr_target, source,
           imported_at, imported_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (scope, book, fiscal_year) DO UPDATE SET
           nrr_target = EXCLUDED.nrr_target, grr_target = EXCLUDED.grr_target,
           source = EXCLUDED.source, imported_at = EXCLUDED.imported_at,
           imported_by = EXCLUDED.imported_by
         RETURNING (xmax = 0) AS inserted`,
        [
          target.scope,
          target.book,
          target.fiscalYear,
          decimalText(target.nrr),
          decimalText(target.grr),
          source,
          importedAt,
          user,
        ],
      );
      if (rows[0]?.inserted === true) added++;
      else replaced++;
    }
    return { added, replaced };
  });
}

/** Lists stored targets, of one fiscal year when given, by year, scope and book. */
export async function listTargets(db: Database, fiscalYear?: number): Promise<StoredTarget[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT scope, book, fiscal_year, nrr_target, grr_target, source, imported_by,
       ${isoTime('imported_at')} AS imported_iso
     FROM targets
     WHERE $1::integer IS NULL OR fiscal_year = $1::integer
     ORDER BY fiscal_year, CASE scope WHEN 'company' THEN 0 WHEN 'region' THEN 1
       WHEN 'sub-region' THEN 2 WHEN 'segment' THEN 3 WHEN 'team' THEN 4 ELSE 5 END, book`,
    [fiscalYear ?? null],
  );
  return rows.map((row) => ({
    scope: String(row['scope']) as TargetScope,
    book: String(row['book']),
    fiscalYear: Number(row['fiscal_year']),
    nrr: decimalOf(row['nrr_target']),
    grr: decimalOf(row['grr_target']),
    source: String(row['source']),
    importedAt: String(row['imported_iso']),
    importedBy: String(row['imported_by']),
  }));
}
