/** Options shared by the commands that read data and compute figures. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import {
  applyDefinitionChanges,
  DEFAULT_DEFINITIONS,
  DefinitionsError,
} from '../core/definitions.js';
import type { Definitions } from '../core/definitions.js';
import { dayFromCivil, parseDay } from '../core/dates.js';
import type { Day } from '../core/dates.js';

export interface DefinitionFlags {
  definitions?: string;
  graceDays?: number;
  windowMonths?: number;
  reportingCurrency?: string;
  includeUsage?: boolean;
  netting?: 'parent' | 'account';
  fiscalYearStart?: number;
}

export function integerOption(name: string, min: number, max: number) {
  return (text: string): number => {
    if (!/^\d+$/.test(text.trim()))
      throw new InvalidArgumentError(
        `${name} must be a whole number from ${min} to ${max}, got "${text}"`,
      );
    const value = Number(text);
    if (value < min || value > max)
      throw new InvalidArgumentError(`${name} must be between ${min} and ${max}, got ${value}`);
    return value;
  };
}

export function dayOption(text: string): Day {
  const day = parseDay(text.trim());
  if (day === undefined)
    throw new InvalidArgumentError(
      `"${text}" is not a valid date; use YYYY-MM-DD, e.g. 2025-12-31`,
    );
  return day;
}

/** Adds the flags that change the definitions in force. */
export function addDefinitionOptions(command: Command): Command {
  return command
    .option(
      '--definitions <file-or-version>',
      'JSON file of definitions fields to change (see docs/definitions.md), or the number of a definitions version stored in the workspace',
    )
    .option(
      '--grace-days <days>',
      'days after the end of service an account stays lapsed before it churns (default 60)',
      integerOption('--grace-days', 0, 3650),
    )
    .option(
      '--window-months <months>',
      'length of the NRR/GRR window in months (default 12)',
      integerOption('--window-months', 1, 120),
    )
    .option(
      '--reporting-currency <code>',
      'ISO 4217 currency that ARR is reported in (default USD)',
    )
    .option('--include-usage', 'count usage lines towards ARR (default: committed ARR only)')
    .addOption(
      new Option(
        '--netting <level>',
        'net movements at the ultimate parent or at each account (default parent)',
      ).choices(['parent', 'account']),
    )
    .option(
      '--fiscal-year-start <month>',
      'first month (1-12) of the fiscal year, which --by year follows (default 1)',
      integerOption('--fiscal-year-start', 1, 12),
    );
}

/** A `--definitions` value that names a stored version rather than a file. */
export function storedVersionOf(flags: DefinitionFlags): number | undefined {
  const value = flags.definitions?.trim();
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Builds the definitions from `base` (the defaults, or a stored version), then the definitions
 * file, then the flags.
 */
export function resolveDefinitions(
  flags: DefinitionFlags,
  base: Definitions = DEFAULT_DEFINITIONS,
): Definitions {
  let definitions = base;
  if (flags.definitions !== undefined && storedVersionOf(flags) === undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(flags.definitions, 'utf8').replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new DefinitionsError(
        `cannot read definitions file ${flags.definitions}: ${describeReadFailure(error)}`,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new DefinitionsError(
        `definitions file ${flags.definitions} must contain a JSON object of fields to change`,
      );
    }
    definitions = applyDefinitionChanges(definitions, parsed as Record<string, unknown>);
  }
  const changes: Record<string, unknown> = {};
  if (flags.graceDays !== undefined) changes.graceDays = flags.graceDays;
  if (flags.windowMonths !== undefined) changes.windowMonths = flags.windowMonths;
  if (flags.reportingCurrency !== undefined)
    changes.reportingCurrency = flags.reportingCurrency.trim().toUpperCase();
  if (flags.includeUsage !== undefined) changes.includeUsage = flags.includeUsage;
  if (flags.netting !== undefined) changes.netting = flags.netting;
  if (flags.fiscalYearStart !== undefined) changes.fiscalYearStartMonth = flags.fiscalYearStart;
  return applyDefinitionChanges(definitions, changes);
}

function describeReadFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return 'it is a folder; pass a JSON file';
  if (code === 'ENOENT') return 'it does not exist; check the path';
  return (error as Error).message;
}

/** Today's calendar date on this machine's clock, in its local time zone. */
export function today(): Day {
  const now = new Date();
  return dayFromCivil(now.getFullYear(), now.getMonth() + 1, now.getDate());
}
