/**
 * The `salesforce-opportunities` preset: Opportunity exports, as report exports (field labels,
 * a footer after the data) or as Data Export / API files (API names). Each won opportunity
 * becomes one contract line whose amount covers its term. docs/presets.md gives the conventions.
 */
import { addMonths, type Day } from '../core/dates.js';
import type { ContractLine } from '../core/model.js';
import { LineCollector, readInlineAttributes } from './lines.js';
import {
  DEFAULT_END_DATE,
  DEFAULT_WON_STAGES,
  FALLBACK_CURRENCY,
  type ReadOptions,
} from './options.js';
import type { FilePart } from './part.js';
import type { ProblemList } from './problems.js';
import type { RowReader } from './row-reader.js';
import {
  fieldSpec,
  resolveColumns,
  type FieldSpec,
  type ResolvedColumns,
  type Table,
  type TableLayout,
} from './table.js';
import { parseAmount, parseCurrency } from './values.js';
import { parseFlag, parseVendorDate, wholeNumberParser } from './vendor-values.js';
import { eachRow, linePart, SkipCounter } from './vendor.js';

/** Term of an opportunity without start, end or term columns. */
export const DEFAULT_TERM_MONTHS = 12;

/** Maximum term, in months (50 years). */
const MAX_TERM_MONTHS = 600;

type Field =
  | 'line'
  | 'customer'
  | 'value'
  | 'close'
  | 'stage'
  | 'type'
  | 'owner'
  | 'currency'
  | 'product'
  | 'from'
  | 'to'
  | 'term'
  | 'deleted'
  | 'segment'
  | 'region';

const spec = fieldSpec;

/** Report labels first, then API names; both are matched ignoring case. */
const SPECS: readonly FieldSpec<Field>[] = [
  spec('line', 'line', ['Opportunity ID', 'Id']),
  spec('customer', 'customer', ['Account ID', 'AccountId', 'Account Name'], true),
  spec('value', 'value', ['Amount'], true),
  spec('close', undefined, ['Close Date', 'CloseDate'], true),
  spec('stage', 'stage', ['Stage', 'StageName'], true),
  spec('type', undefined, ['Type', 'Opportunity Type']),
  spec('owner', 'owner', ['Opportunity Owner', 'OwnerId', 'Owner ID']),
  spec('currency', 'currency', ['Opportunity Currency', 'CurrencyIsoCode']),
  spec('product', 'product', ['Product', 'Product Name']),
  spec('from', 'from', ['Start Date', 'StartDate', 'Contract Start Date']),
  spec('to', 'to', ['End Date', 'EndDate', 'Contract End Date']),
  spec('term', 'term', ['Term (months)', 'Contract Term', 'ContractTerm', 'Term']),
  spec('deleted', undefined, ['Deleted', 'IsDeleted']),
  spec('segment', 'segment', []),
  spec('region', 'region', []),
];

const FOOTER_LINES = [
  /^Grand Totals? \(\d[\d,]* records?\)$/i,
  /^Confidential Information\b/i,
  /^Copyright \(c\) .*salesforce\.com/i,
];

/** Report exports end with a grand total and a confidentiality and copyright notice. */
export const SALESFORCE_LAYOUT: TableLayout = {
  isFooterLine: (text) => FOOTER_LINES.some((pattern) => pattern.test(text)),
};

/** Lower case letters only, so that `Closed/Won` and `closed-won` read as `closed won`. */
function stageWords(stage: string): string {
  return stage
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Reads an Opportunity file; see docs/presets.md for which rows become lines. */
export function readSalesforceFile(
  table: Table,
  options: ReadOptions,
  problems: ProblemList,
): FilePart {
  const found = resolveColumns(table, SPECS, options.columns ?? {}, problems);
  const endDate = options.endDate ?? DEFAULT_END_DATE['salesforce-opportunities'];
  const wonStages = options.wonStages ?? DEFAULT_WON_STAGES;
  const wonKeys = new Set(wonStages.map((stage) => stage.trim().toLowerCase()));
  const collector = new LineCollector(table);
  const skipped = new SkipCounter();
  const renewals = new Set<string>();

  eachRow(table, options, problems, (reader) => {
    if (reader.optional(found.deleted, parseFlag) === true) {
      skipped.skip('deleted');
      return;
    }
    const stage = reader.required(found.stage, 'every opportunity needs its stage');
    if (stage === undefined || found.stage === undefined) return;
    if (!wonKeys.has(stage.toLowerCase())) {
      const words = stageWords(stage);
      if (words === 'closed won' || words === 'won') {
        reader.report(
          found.stage,
          stage,
          `is not one of the won stages (${wonStages.join(', ')}) but reads like a won stage; correct the stage, or pass --won-stage ${JSON.stringify(stage)} to count it as won`,
        );
      } else {
        skipped.skip('not won');
      }
      return;
    }
    const line = readWonOpportunity(reader, found, options, endDate);
    if (line === undefined) return;
    collector.addLine(reader, line, found.line, readInlineAttributes(reader, found));
    if (/renewal/i.test(reader.text(found.type) ?? '')) renewals.add(line.id);
  });

  linkRenewals(collector.lines, renewals);
  return linePart({
    table,
    preset: 'salesforce-opportunities',
    endDate,
    columns: found,
    collector,
    skipped,
    ...(found.line && { lineIdHeader: found.line.header }),
  });
}

function readWonOpportunity(
  reader: RowReader,
  found: ResolvedColumns<Field>,
  options: ReadOptions,
  endDate: 'inclusive' | 'exclusive',
): ContractLine | undefined {
  const id =
    found.line === undefined
      ? `${reader.file}#${reader.row.row}`
      : reader.required(found.line, 'every opportunity needs its id');
  const accountId = reader.required(found.customer, 'a won opportunity needs its account');
  const amount = reader.parseRequired(
    found.value,
    parseAmount,
    'a won opportunity needs its amount; write 0 for a free deal',
  );
  const currency =
    reader.text(found.currency) === undefined
      ? (options.currency ?? FALLBACK_CURRENCY)
      : reader.optional(found.currency, parseCurrency);
  const close = reader.parseRequired(
    found.close,
    parseVendorDate,
    'a won opportunity needs its close date',
  );
  const start: Day | undefined =
    reader.text(found.from) === undefined ? close : reader.optional(found.from, parseVendorDate);
  const term =
    reader.optional(found.term, wholeNumberParser(1, MAX_TERM_MONTHS, 'term in months')) ??
    DEFAULT_TERM_MONTHS;
  let end: Day | null | undefined;
  if (reader.text(found.to) !== undefined) {
    end = reader.endDate(found.to, start, endDate, parseVendorDate);
  } else {
    end = start === undefined ? undefined : addMonths(start, term);
  }
  if (
    id === undefined ||
    accountId === undefined ||
    amount === undefined ||
    currency === undefined ||
    close === undefined ||
    start === undefined ||
    end === undefined ||
    end === null ||
    reader.failed
  ) {
    return undefined;
  }
  const product = reader.text(found.product);
  return {
    id,
    accountId,
    kind: 'recurring',
    kindSource: 'default',
    amount: amount.amount,
    period: { unit: 'term', count: 1 },
    currency,
    start,
    end,
    signed: close,
    ...(product !== undefined && { product }),
    source: { file: reader.file, row: reader.row.row },
  };
}

/**
 * Points each renewal at the account's line with the latest earlier start, so that the renewed
 * term stops where the renewal starts instead of overlapping it.
 */
function linkRenewals(lines: ContractLine[], renewals: ReadonlySet<string>): void {
  lines.forEach((line, index) => {
    if (!renewals.has(line.id)) return;
    let previous: ContractLine | undefined;
    for (const candidate of lines) {
      if (candidate.accountId !== line.accountId || candidate.start >= line.start) continue;
      if (previous === undefined || candidate.start > previous.start) previous = candidate;
    }
    if (previous !== undefined) lines[index] = { ...line, renews: previous.id };
  });
}
