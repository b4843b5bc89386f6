/**
 * The report: ARR on the as-of date, the bridge and the cohort figures over the trailing window,
 * for the company and optionally per book or per period. Money is in reporting minor units and
 * ratios are fractions (1.0523 is 105.23%).
 */
import { analyse, unitArr } from './analysis.js';
import type { Analysis } from './analysis.js';
import { companyBridge, periodRanges } from './bridge.js';
import type { BridgeTotals } from './bridge.js';
import { formatDay } from './dates.js';
import type { Day } from './dates.js';
import { changedFields } from './definitions.js';
import type { DefinitionChanges, Definitions } from './definitions.js';
import { filteredBooks, filteredGroupReports } from './books.js';
import type { Dimension } from './groups.js';
import type { ContractLine, Dataset } from './model.js';
import { companyRetention, companyRetentions, grrOf, logoRetentionOf, nrrOf } from './retention.js';
import type { RetentionFigures } from './retention.js';
import { subtypeTotals } from './subtypes.js';
import type { Subtype } from './subtypes.js';

export type ReportBy = Dimension | 'month' | 'year';

export interface BridgeReport extends BridgeTotals {
  expansionBySubtype?: Partial<Record<Subtype, number>>;
  contractionBySubtype?: Partial<Record<Subtype, number>>;
}

export interface GroupReport {
  key: string;
  arr: number;
  nrr: number | null;
  grr: number | null;
  logoRetention: number | null;
  cohort: RetentionFigures;
  bridge: BridgeTotals;
}

export interface PeriodReport {
  period: string;
  start: number;
  new: number;
  expansion: number;
  contraction: number;
  churn: number;
  reactivation: number;
  end: number;
  /** Cohort NRR and GRR over the trailing window that ends on the period's last sample. */
  trailingNrr: number | null;
  trailingGrr: number | null;
}

export interface Report {
  asOf: string;
  currency: string;
  definitions: {
    name: string;
    version: string;
    changes: DefinitionChanges;
    /** Number of the definitions version stored in the workspace the figures were read from. */
    workspaceVersion?: number;
  };
  window: { start: string; end: string; months: number };
  arr: number;
  activeAccounts: number;
  nrr: number | null;
  grr: number | null;
  logoRetention: number | null;
  cohort: RetentionFigures;
  bridge: BridgeReport;
  /**
   * The bridge ratio (start + expansion − contraction − churn) ÷ start over the same window. It
   * sums the movements of every account, including those that joined during the window, so it
   * is not cohort NRR.
   */
  bridgeNetRetention: number | null;
  lapsed: { accounts: number; arr: number };
  /** Lines that do not count towards ARR, by reason. */
  excludedLines: { oneTime: number; oneTimeByProduct: number; trial: number; usage: number };
  /** Inputs that were accepted but deserve a look. */
  warnings: string[];
  groupedBy?: ReportBy;
  groups?: GroupReport[];
  periods?: PeriodReport[];
}

function bridgeRatio(bridge: BridgeTotals): number | null {
  return bridge.start === 0
    ? null
    : (bridge.start + bridge.expansion - bridge.contraction - bridge.churn) / bridge.start;
}

function groupReports(analysis: Analysis, dataset: Dataset, dimension: Dimension): GroupReport[] {
  return filteredGroupReports(analysis, filteredBooks(analysis, dataset, dimension));
}

function periodReports(analysis: Analysis, by: 'month' | 'year'): PeriodReport[] {
  const ranges = periodRanges(analysis, by);
  const window = analysis.definitions.windowMonths;
  const trailing = trailingRetention(
    analysis,
    // The as-of month ends on the as-of date, whose window starts at the analysis window start.
    ranges.map(({ to }) =>
      to === analysis.asOfSample
        ? analysis.windowStartSample
        : findSample(analysis, analysis.samples[to] as Day, window),
    ),
    ranges.map(({ to }) => to),
  );
  return ranges.map(({ period, from, to }, index) => {
    const bridge = companyBridge(analysis, from, to);
    const figures = trailing[index];
    return {
      period,
      start: bridge.start,
      new: bridge.new,
      expansion: bridge.expansion,
      contraction: bridge.contraction,
      churn: bridge.churn,
      reactivation: bridge.reactivation,
      end: bridge.end,
      trailingNrr: figures ? nrrOf(figures) : null,
      trailingGrr: figures ? grrOf(figures) : null,
    };
  });
}

/** Computes company retention for the windows that have a start; undefined for the others. */
function trailingRetention(
  analysis: Analysis,
  starts: readonly (number | undefined)[],
  ends: readonly number[],
): (RetentionFigures | undefined)[] {
  const windows: { from: number; to: number }[] = [];
  starts.forEach((from, index) => {
    if (from !== undefined) windows.push({ from, to: ends[index] as number });
  });
  const figures = companyRetentions(analysis, windows);
  let next = 0;
  return starts.map((from) => (from === undefined ? undefined : figures[next++]));
}

/** Finds the sample `months` before the sample on `day`, when that day is one of the month samples. */
function findSample(analysis: Analysis, day: Day, months: number): number | undefined {
  const position = analysis.months.findIndex((month) => analysis.samples[month.sample] === day);
  if (position < 0) return undefined;
  const index = position - months;
  if (index < -1) return undefined;
  return index === -1 ? 0 : (analysis.months[index] as { sample: number }).sample;
}

/** The company figures of a report, which are the same whatever the report is grouped by. */
interface CompanyFigures {
  readonly cohort: RetentionFigures;
  readonly totals: BridgeTotals;
  readonly active: number;
  readonly lapsed: { accounts: number; arr: number };
}

const companyCache = new WeakMap<Analysis, CompanyFigures>();

/** Computes the company figures once per analysis, because each pass reads every unit's samples. */
function companyFigures(analysis: Analysis): CompanyFigures {
  const cached = companyCache.get(analysis);
  if (cached !== undefined) return cached;
  const { windowStartSample: from, asOfSample: to } = analysis;
  let active = 0;
  for (let unit = 0; unit < analysis.units; unit++) {
    if (unitArr(analysis, unit, to) > 0) active++;
  }
  const figures: CompanyFigures = {
    cohort: companyRetention(analysis, from, to),
    totals: companyBridge(analysis, from, to),
    active,
    lapsed: lapsedFigures(analysis),
  };
  companyCache.set(analysis, figures);
  return figures;
}

/** Builds a report from an analysis. */
export function buildReport(analysis: Analysis, dataset: Dataset, by?: ReportBy): Report {
  const { definitions, windowStartSample: from, asOfSample: to } = analysis;
  const company = companyFigures(analysis);
  // Copies of the cached figures, so that changing them in one report leaves the others alone.
  const cohort = { ...company.cohort };
  const totals = { ...company.totals };
  const subtypes = subtypeTotals(analysis, from, to);
  const active = company.active;
  const report: Report = {
    asOf: formatDay(analysis.asOf),
    currency: definitions.reportingCurrency,
    definitions: describeDefinitions(definitions),
    window: {
      start: formatDay(analysis.windowStart),
      end: formatDay(analysis.asOf),
      months: definitions.windowMonths,
    },
    arr: totals.end,
    activeAccounts: active,
    nrr: nrrOf(cohort),
    grr: grrOf(cohort),
    logoRetention: logoRetentionOf(cohort),
    cohort,
    bridge: {
      ...totals,
      expansionBySubtype: subtypes.expansion,
      contractionBySubtype: subtypes.contraction,
    },
    bridgeNetRetention: bridgeRatio(totals),
    lapsed: { ...company.lapsed },
    excludedLines: { ...analysis.prepared.warnings.excluded },
    warnings: reportWarnings(analysis),
  };
  if (by === 'month' || by === 'year') {
    report.groupedBy = by;
    report.periods = periodReports(analysis, by);
  } else if (by !== undefined) {
    report.groupedBy = by;
    report.groups = groupReports(analysis, dataset, by);
  }
  return report;
}

/** Lists the inputs of an analysis that were accepted but deserve a look. */
export function reportWarnings(analysis: Analysis): string[] {
  const { warnings } = analysis.prepared;
  const messages: string[] = [];
  if (warnings.excluded.oneTimeByProduct > 0) {
    messages.push(
      `${warnings.excluded.oneTimeByProduct} lines without a kind were excluded as one-time fees because their product matches a one-time pattern; give them the kind recurring to count them`,
    );
  }
  if (warnings.unknownRenewals > 0) {
    messages.push(
      `${warnings.unknownRenewals} lines renew a line id that is not in the data; they count as ordinary lines`,
    );
  }
  if (warnings.renewalsAcrossAccounts > 0) {
    messages.push(`${warnings.renewalsAcrossAccounts} lines renew a line of another account`);
  }
  if (analysis.flooredCells > 0) {
    messages.push(
      'credits exceeded the recurring lines of some accounts; their ARR was floored at zero on those days',
    );
  }
  return [...messages, ...analysis.fx.warnings()];
}

/** Counts the accounts that are lapsed on the as-of date and the ARR their lapsed lines keep. */
function lapsedFigures(analysis: Analysis): { accounts: number; arr: number } {
  const { prepared, fx, asOf } = analysis;
  const accounts = new Set<string>();
  let arr = 0;
  for (const index of prepared.lapsedLines) {
    const line = prepared.lines[index] as ContractLine;
    accounts.add(line.accountId);
    arr += fx.convertOn(prepared.lineArr[index] as number, line.currency, asOf, line.id);
  }
  return { accounts: accounts.size, arr };
}

export function describeDefinitions(definitions: Definitions): Report['definitions'] {
  return {
    name: definitions.name,
    version: definitions.version,
    changes: changedFields(definitions),
  };
}

/** Analyses a dataset and builds its report in one step. */
export function report(
  dataset: Dataset,
  definitions: Definitions,
  asOf: Day,
  by?: ReportBy,
): Report {
  return buildReport(analyse(dataset, definitions, asOf), dataset, by);
}
