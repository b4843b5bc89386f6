/**
 * Import options: the preset, column overrides by role, the end-date convention and the default
 * currency.
 */
import { isCurrencyCode } from '../core/money.js';

export const PRESET_NAMES = [
  'canonical',
  'subscription-periods',
  'invoice-lines',
  'stripe-subscriptions',
  'salesforce-opportunities',
  'zuora',
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** The meaning of a source column, used to point a preset at a header with another name. */
export const ROLES = [
  'customer',
  'from',
  'to',
  'value',
  'owner',
  'segment',
  'region',
  'currency',
  'product',
  'line',
  'stage',
  'term',
] as const;
export type Role = (typeof ROLES)[number];

/**
 * Convention of a file's end dates: `inclusive` is the last day of service, `exclusive` the first
 * day after it.
 */
export type EndDateConvention = 'inclusive' | 'exclusive';

export interface ReadOptions {
  readonly preset: PresetName;
  /** Header name to read for each role, overriding the preset's default header names. */
  readonly columns?: Partial<Record<Role, string>>;
  /** End-date convention of the file; each preset has its own default. */
  readonly endDate?: EndDateConvention;
  /**
   * ISO 4217 currency of amounts when the file has no currency column, and of rows whose
   * currency cell is blank. Without it the canonical preset requires a currency column and the
   * other presets assume USD.
   */
  readonly currency?: string;
  /**
   * Leave out rows with problems instead of failing, and return them as `rejected`. Problems with
   * a whole file (its header, its encoding) and conflicts across files still fail the import.
   */
  readonly skipInvalid?: boolean;
  /**
   * Opportunity stages that count as won for the `salesforce-opportunities` preset, matched
   * ignoring case and outer spaces; `DEFAULT_WON_STAGES` when absent.
   */
  readonly wonStages?: readonly string[];
  /** Called every PROGRESS_EVERY rows, and once at the end, while contract-line rows are checked. */
  readonly onProgress?: (rowsChecked: number, rowsTotal: number) => void;
}

/** Rows between two progress calls. */
export const PROGRESS_EVERY = 10_000;

/** Raised for invalid options, before any file is read. */
export class ImportOptionsError extends Error {
  override readonly name = 'ImportOptionsError';
  readonly code = 'invalid-options';
}

export const DEFAULT_END_DATE: Readonly<Record<PresetName, EndDateConvention>> = {
  canonical: 'inclusive',
  'subscription-periods': 'exclusive',
  'invoice-lines': 'exclusive',
  'stripe-subscriptions': 'exclusive',
  // Salesforce contracts and opportunity products give the last day of service.
  'salesforce-opportunities': 'inclusive',
  zuora: 'exclusive',
};

/** The standard Salesforce stage of a won opportunity. */
export const DEFAULT_WON_STAGES: readonly string[] = ['Closed Won'];

/** Currency assumed by the presets other than `canonical` when neither a column nor an option gives one. */
export const FALLBACK_CURRENCY = 'USD';

export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}

export function isPresetName(text: string): text is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(text);
}

/** Throws `ImportOptionsError` unless the options name a known preset, roles and currency. */
export function validateReadOptions(options: ReadOptions): void {
  if (!isPresetName(options.preset)) {
    throw new ImportOptionsError(
      `unknown preset ${JSON.stringify(options.preset)}; use one of ${PRESET_NAMES.join(', ')}`,
    );
  }
  const roleOfHeader = new Map<string, string>();
  for (const [role, header] of Object.entries(options.columns ?? {})) {
    if (typeof header === 'string') {
      const key = header.trim().toLowerCase();
      const other = roleOfHeader.get(key);
      if (other !== undefined) {
        throw new ImportOptionsError(
          `roles "${other}" and "${role}" both read column "${header.trim()}"; give each role its own column`,
        );
      }
      roleOfHeader.set(key, role);
    }
    if (!isRole(role)) {
      throw new ImportOptionsError(
        `unknown column role ${JSON.stringify(role)}; use one of ${ROLES.join(', ')}`,
      );
    }
    if (typeof header !== 'string' || header.trim() === '') {
      throw new ImportOptionsError(`column role "${role}" needs a header name, as in ${role}=NAME`);
    }
  }
  if (
    options.endDate !== undefined &&
    options.endDate !== 'inclusive' &&
    options.endDate !== 'exclusive'
  ) {
    throw new ImportOptionsError(
      `end-date convention ${JSON.stringify(options.endDate)} must be "inclusive" or "exclusive"`,
    );
  }
  if (options.wonStages?.some((stage) => typeof stage !== 'string' || stage.trim() === '')) {
    throw new ImportOptionsError(
      'a won stage must be a non-blank stage name, such as "Closed Won"',
    );
  }
  if (options.currency !== undefined && !isCurrencyCode(options.currency)) {
    throw new ImportOptionsError(
      `currency ${JSON.stringify(options.currency)} is not a 3-letter ISO 4217 code in capitals, such as USD`,
    );
  }
}

/**
 * Parses `--column` values of the form `ROLE=NAME` into column overrides. The header name may
 * contain `=`; only the first one separates the role. Naming a role twice is an error.
 */
export function parseColumnOverrides(values: readonly string[]): Partial<Record<Role, string>> {
  const columns: Partial<Record<Role, string>> = {};
  for (const value of values) {
    const separator = value.indexOf('=');
    const role = (separator < 0 ? value : value.slice(0, separator)).trim();
    const header = separator < 0 ? '' : value.slice(separator + 1).trim();
    if (!isRole(role)) {
      throw new ImportOptionsError(
        `--column ${JSON.stringify(value)}: unknown role ${JSON.stringify(role)}; use ROLE=NAME with ROLE one of ${ROLES.join(', ')}`,
      );
    }
    if (header === '') {
      throw new ImportOptionsError(
        `--column ${JSON.stringify(value)}: missing header name; use ${role}=NAME`,
      );
    }
    if (columns[role] !== undefined) {
      throw new ImportOptionsError(
        `--column ${role} is given twice (${JSON.stringify(columns[role])} and ${JSON.stringify(header)}); pass each role once`,
      );
    }
    columns[role] = header;
  }
  return columns;
}
