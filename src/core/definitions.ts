/**
 * The definitions in force for a computation: one versioned object, printed with every report.
 * A file or command-line flags may change any field. The report then lists the changes next to
 * the name and version, so a figure can be reproduced.
 */
import type { RoundingMode } from './money.js';

export interface Definitions {
  readonly name: string;
  readonly version: string;
  /** ISO 4217 code that ARR is reported in. */
  readonly reportingCurrency: string;
  /** Days after the end of service during which an account is lapsed rather than churned. */
  readonly graceDays: number;
  /** Months between the start and the end of the NRR, GRR and logo retention window. */
  readonly windowMonths: number;
  /** Whether usage lines count towards ARR (committed ARR excludes them). */
  readonly includeUsage: boolean;
  /**
   * Lines without an explicit kind whose product matches one of these patterns (case-insensitive
   * regular expressions) are one-time fees, never recurring.
   */
  readonly oneTimeProductPatterns: readonly string[];
  /** A line that ends at most this many days after another line of the account starts is cut back to that start. */
  readonly overlapToleranceDays: number;
  /** Netting level: accounts roll up to their ultimate parent, or stand alone. */
  readonly netting: 'parent' | 'account';
  /** First month (1-12) of the fiscal year, which yearly periods follow. */
  readonly fiscalYearStartMonth: number;
  /** The assignment role whose person owns an account's book. */
  readonly ownerRole: string;
  /** Rounding of the one rounding step (annualisation and currency conversion). */
  readonly rounding: RoundingMode;
  /** Days in a year for day-count normalisation of a term that is not a whole number of months. */
  readonly dayCountYear: number;
}

export const DEFAULT_DEFINITIONS: Definitions = {
  name: 'nrr-standard',
  version: '1.0',
  reportingCurrency: 'USD',
  graceDays: 60,
  windowMonths: 12,
  includeUsage: false,
  oneTimeProductPatterns: [
    '\\bsetup\\b',
    '\\bset-up\\b',
    '\\bactivation\\b',
    '\\bimplementation\\b',
    '\\bonboarding\\b',
    '\\binstallation\\b',
    '\\bone[- ]?time\\b',
    '\\bprofessional services\\b',
    '\\btraining\\b',
  ],
  overlapToleranceDays: 1,
  netting: 'parent',
  fiscalYearStartMonth: 1,
  ownerRole: 'CSM',
  rounding: 'half-even',
  dayCountYear: 365,
};

/** The fields a user may change, with how to read them from text. */
const FIELD_TYPES: Readonly<Record<string, 'string' | 'integer' | 'boolean' | 'string[]'>> = {
  reportingCurrency: 'string',
  graceDays: 'integer',
  windowMonths: 'integer',
  includeUsage: 'boolean',
  oneTimeProductPatterns: 'string[]',
  overlapToleranceDays: 'integer',
  netting: 'string',
  fiscalYearStartMonth: 'integer',
  ownerRole: 'string',
  rounding: 'string',
  dayCountYear: 'integer',
};

export class DefinitionsError extends Error {
  override readonly name = 'DefinitionsError';
  readonly code = 'invalid-definitions';
}

/** The changes applied on top of a named version, as printed in reports. */
export type DefinitionChanges = Readonly<Record<string, unknown>>;

/** Lists the fields where `definitions` differs from the named base. */
export function changedFields(
  definitions: Definitions,
  base: Definitions = DEFAULT_DEFINITIONS,
): DefinitionChanges {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(FIELD_TYPES) as (keyof Definitions)[]) {
    if (JSON.stringify(definitions[key]) !== JSON.stringify(base[key]))
      changes[key] = definitions[key];
  }
  return changes;
}

/**
 * Applies changes (from a definitions file or flags) to a base and validates the result.
 * Unknown fields and values of the wrong type are errors, never ignored.
 */
export function applyDefinitionChanges(
  base: Definitions,
  changes: Readonly<Record<string, unknown>>,
): Definitions {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'name' || key === 'version') {
      if (typeof value !== 'string' || value === '')
        throw new DefinitionsError(`definitions field "${key}" must be a non-empty string`);
      result[key] = value;
      continue;
    }
    const type = Object.hasOwn(FIELD_TYPES, key) ? FIELD_TYPES[key] : undefined;
    if (type === undefined) {
      throw new DefinitionsError(
        `unknown definitions field "${key}"; known fields: ${Object.keys(FIELD_TYPES).join(', ')}`,
      );
    }
    result[key] = checkType(key, type, value);
  }
  const definitions = result as unknown as Definitions;
  validateDefinitions(definitions);
  return definitions;
}

function checkType(key: string, type: string, value: unknown): unknown {
  const ok =
    (type === 'string' && typeof value === 'string') ||
    (type === 'integer' && Number.isSafeInteger(value)) ||
    (type === 'boolean' && typeof value === 'boolean') ||
    (type === 'string[]' &&
      Array.isArray(value) &&
      value.every((item) => typeof item === 'string'));
  if (!ok)
    throw new DefinitionsError(
      `definitions field "${key}" must be ${type === 'string[]' ? 'a list of strings' : `a ${type}`}, got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`,
    );
  return value;
}

/** Longest product pattern accepted. */
const MAX_PATTERN_LENGTH = 200;

/**
 * A group that contains a quantifier and is itself repeated, such as `(a+)+` or `(\w*)*`: the
 * shape behind catastrophic backtracking.
 * NOTE: a heuristic; it rejects the usual shapes, not every slow pattern.
 */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

export function validateDefinitions(definitions: Definitions): void {
  const problems: string[] = [];
  if (!/^[A-Z]{3}$/.test(definitions.reportingCurrency))
    problems.push(
      `reportingCurrency "${definitions.reportingCurrency}" is not a 3-letter ISO 4217 code`,
    );
  if (definitions.graceDays < 0 || definitions.graceDays > 3650)
    problems.push(`graceDays ${definitions.graceDays} must be between 0 and 3650`);
  if (definitions.windowMonths < 1 || definitions.windowMonths > 120)
    problems.push(`windowMonths ${definitions.windowMonths} must be between 1 and 120`);
  if (definitions.overlapToleranceDays < 0 || definitions.overlapToleranceDays > 31)
    problems.push(
      `overlapToleranceDays ${definitions.overlapToleranceDays} must be between 0 and 31`,
    );
  if (definitions.fiscalYearStartMonth < 1 || definitions.fiscalYearStartMonth > 12)
    problems.push(
      `fiscalYearStartMonth ${definitions.fiscalYearStartMonth} must be between 1 and 12`,
    );
  if (definitions.netting !== 'parent' && definitions.netting !== 'account')
    problems.push(`netting "${String(definitions.netting)}" must be "parent" or "account"`);
  if (definitions.rounding !== 'half-even' && definitions.rounding !== 'half-up')
    problems.push(`rounding "${String(definitions.rounding)}" must be "half-even" or "half-up"`);
  if (definitions.ownerRole.trim() === '')
    problems.push('ownerRole must name an assignment role, such as "CSM"');
  if (definitions.dayCountYear !== 365 && definitions.dayCountYear !== 360)
    problems.push(`dayCountYear ${definitions.dayCountYear} must be 365 or 360`);

  for (const pattern of definitions.oneTimeProductPatterns) {
    try {
      new RegExp(pattern, 'i');
    } catch {
      problems.push(
        `oneTimeProductPatterns entry ${JSON.stringify(pattern)} is not a valid regular expression`,
      );
      continue;
    }
    if (pattern.length > MAX_PATTERN_LENGTH || NESTED_QUANTIFIER.test(pattern)) {
      problems.push(
        `oneTimeProductPatterns entry ${JSON.stringify(pattern)} is longer than ${MAX_PATTERN_LENGTH} characters or repeats a repeated group, which can take exponential time; use plain words and alternatives such as "setup|onboarding"`,
      );
    }
  }

  if (problems.length > 0)
    throw new DefinitionsError(`invalid definitions: ${problems.join('; ')}`);
}
