/**
 * The `zuora` preset: rate plan charge exports (one row per charge segment), joined with the
 * subscription and rate plan exports when they are part of the import. Headers may be the Data
 * Source labels (`Effective Start Date`) or the warehouse names (`effective_start_date`).
 * docs/presets.md gives the conventions.
 */
import type { Day } from '../core/dates.js';
import type { ContractLine, LineKind } from '../core/model.js';
import { LineCollector, readInlineAttributes, type InlineAttributes } from './lines.js';
import { DEFAULT_END_DATE, FALLBACK_CURRENCY, type ReadOptions } from './options.js';
import { buildSummary, type FilePart } from './part.js';
import type { ProblemList } from './problems.js';
import { RowReader } from './row-reader.js';
import {
  fieldSpec,
  hasHeader,
  resolveColumns,
  type FieldSpec,
  type ResolvedColumns,
  type Table,
  type TableRow,
} from './table.js';
import { parseAmount, parseCurrency, parseQuantity, type Parsed } from './values.js';
import { parseFlag, parseVendorDate, wholeNumberParser } from './vendor-values.js';
import { eachRow, linePart, SkipCounter } from './vendor.js';

const spec = fieldSpec;

const DELETED_HEADERS = ['Deleted', 'is_deleted', '_fivetran_deleted'];

type ChargeField =
  | 'line'
  | 'customer'
  | 'subscription'
  | 'ratePlan'
  | 'chargeNumber'
  | 'chargeSegment'
  | 'version'
  | 'chargeType'
  | 'value'
  | 'billingPeriod'
  | 'from'
  | 'to'
  | 'currency'
  | 'quantity'
  | 'product'
  | 'deleted'
  | 'owner'
  | 'segment'
  | 'region';

const CHARGE_SPECS: readonly FieldSpec<ChargeField>[] = [
  spec('line', 'line', ['Rate Plan Charge ID', 'id']),
  spec('customer', 'customer', ['Account ID', 'account_id']),
  spec('subscription', undefined, ['Subscription ID', 'subscription_id']),
  spec('ratePlan', undefined, ['Rate Plan ID', 'rate_plan_id']),
  spec('chargeNumber', undefined, ['Charge Number', 'charge_number']),
  spec('chargeSegment', undefined, ['Segment', 'segment']),
  spec('version', undefined, ['Version', 'version']),
  spec('chargeType', undefined, ['Charge Type', 'charge_type'], true),
  spec('value', 'value', ['MRR', 'mrr'], true),
  spec('billingPeriod', undefined, ['Billing Period', 'billing_period']),
  spec('from', 'from', ['Effective Start Date', 'effective_start_date'], true),
  spec('to', 'to', ['Effective End Date', 'effective_end_date'], true),
  spec('currency', 'currency', ['Currency', 'transaction_currency', 'currency']),
  spec('quantity', undefined, ['Quantity', 'quantity']),
  spec('product', 'product', ['Name', 'name', 'Charge Name']),
  spec('deleted', undefined, DELETED_HEADERS),
  spec('owner', 'owner', []),
  spec('segment', 'segment', []),
  spec('region', 'region', []),
];

type SubscriptionField =
  'id' | 'original' | 'name' | 'version' | 'latest' | 'account' | 'status' | 'deleted';

const SUBSCRIPTION_SPECS: readonly FieldSpec<SubscriptionField>[] = [
  spec('id', undefined, ['Subscription ID', 'ID', 'id'], true),
  spec('original', undefined, ['Original ID', 'original_id']),
  spec('name', undefined, ['Subscription Number', 'Name', 'name']),
  spec('version', undefined, ['Version', 'version']),
  spec('latest', undefined, ['Is Latest Version', 'is_latest_version']),
  spec('account', undefined, ['Account ID', 'account_id']),
  spec('status', undefined, ['Status', 'status']),
  spec('deleted', undefined, DELETED_HEADERS),
];

type RatePlanField = 'id' | 'name' | 'subscription' | 'deleted';

const RATE_PLAN_SPECS: readonly FieldSpec<RatePlanField>[] = [
  spec('id', undefined, ['Rate Plan ID', 'ID', 'id'], true),
  spec('name', undefined, ['Rate Plan Name', 'Name', 'name']),
  spec('subscription', undefined, ['Subscription ID', 'subscription_id']),
  spec('deleted', undefined, DELETED_HEADERS),
];

export type ZuoraFileKind = 'charges' | 'subscriptions' | 'rate-plans';

/** Recognises a Zuora export from its header; undefined for any other file. */
export function zuoraFileKind(table: Table): ZuoraFileKind | undefined {
  const has = (names: readonly string[]): boolean => names.some((name) => hasHeader(table, name));
  if (has(['Charge Number', 'charge_number', 'MRR', 'Effective Start Date'])) return 'charges';
  if (has(['Subscription Start Date', 'subscription_start_date', 'Term Type', 'term_type'])) {
    return 'subscriptions';
  }
  if (has(['Product Rate Plan ID', 'product_rate_plan_id'])) return 'rate-plans';
  return undefined;
}

interface SubscriptionInfo {
  readonly accountId?: string;
  readonly name?: string;
  /** Reason that the charges of this subscription give no line; undefined when they do. */
  readonly skipReason?: string;
}

interface RatePlanInfo {
  readonly name?: string;
  readonly subscriptionId?: string;
}

/** Subscription and rate plan details that an import's charge files are joined with. */
export class ZuoraContext {
  readonly subscriptions = new Map<string, SubscriptionInfo>();
  readonly ratePlans = new Map<string, RatePlanInfo>();
}

/**
 * Reads a subscription export into the context. A version is superseded when its latest-version
 * flag is false or a row with the same original id (or subscription number) has a higher version.
 */
export function readZuoraSubscriptions(
  table: Table,
  context: ZuoraContext,
  options: ReadOptions,
  problems: ProblemList,
): FilePart {
  const found = resolveColumns(table, SUBSCRIPTION_SPECS, {}, problems);
  const skipped = new SkipCounter();
  const rows: {
    id: string;
    family: string;
    version: number;
    info: SubscriptionInfo;
  }[] = [];
  eachRow(table, options, problems, (reader) => {
    const id = reader.required(found.id, 'every subscription needs its id');
    const version = reader.optional(found.version, wholeNumberParser(1, 1_000_000, 'version')) ?? 1;
    const latest = reader.optional(found.latest, parseFlag);
    const deleted = reader.optional(found.deleted, parseFlag) === true;
    if (id === undefined || reader.failed) return;
    const status = reader.text(found.status)?.toLowerCase();
    const accountId = reader.text(found.account);
    const name = reader.text(found.name);
    let skipReason: string | undefined;
    if (deleted) skipReason = 'subscription deleted';
    else if (latest === false) skipReason = 'older subscription version';
    else if (status === 'draft') skipReason = 'draft subscription';
    if (skipReason !== undefined) skipped.skip(skipReason);
    rows.push({
      id,
      family: reader.text(found.original) ?? name ?? id,
      version,
      info: {
        ...(accountId !== undefined && { accountId }),
        ...(name !== undefined && { name }),
        ...(skipReason !== undefined && { skipReason }),
      },
    });
  });
  const latestVersion = new Map<string, number>();
  for (const row of rows) {
    if (row.info.skipReason === 'subscription deleted') continue;
    latestVersion.set(row.family, Math.max(latestVersion.get(row.family) ?? 0, row.version));
  }
  for (const row of rows) {
    const newer = (latestVersion.get(row.family) ?? 0) > row.version;
    if (newer && row.info.skipReason === undefined) skipped.skip('older subscription version');
    const info =
      newer && row.info.skipReason === undefined
        ? { ...row.info, skipReason: 'older subscription version' }
        : row.info;
    context.subscriptions.set(row.id, info);
  }
  return supportPart(table, 'subscriptions', found, skipped);
}

/** Reads a rate plan export into the context, for product names and subscription ids. */
export function readZuoraRatePlans(
  table: Table,
  context: ZuoraContext,
  options: ReadOptions,
  problems: ProblemList,
): FilePart {
  const found = resolveColumns(table, RATE_PLAN_SPECS, {}, problems);
  const skipped = new SkipCounter();
  eachRow(table, options, problems, (reader) => {
    const id = reader.required(found.id, 'every rate plan needs its id');
    if (id === undefined) return;
    if (reader.optional(found.deleted, parseFlag) === true) {
      skipped.skip('deleted');
      return;
    }
    const name = reader.text(found.name);
    const subscriptionId = reader.text(found.subscription);
    context.ratePlans.set(id, {
      ...(name !== undefined && { name }),
      ...(subscriptionId !== undefined && { subscriptionId }),
    });
  });
  return supportPart(table, 'rate-plans', found, skipped);
}

function supportPart(
  table: Table,
  fileKind: 'subscriptions' | 'rate-plans',
  columns: ResolvedColumns<string>,
  skipped: SkipCounter,
): FilePart {
  return {
    file: table.file,
    lines: [],
    assignments: [],
    segments: [],
    fxRates: [],
    accountDrafts: [],
    summary: buildSummary({
      table,
      preset: 'zuora',
      fileKind,
      endDate: DEFAULT_END_DATE.zuora,
      columns,
      duplicateRows: 0,
      accounts: 0,
      assignments: 0,
      segments: 0,
      fxRates: 0,
      skippedRows: skipped.toRecord(),
    }),
  };
}

const CHARGE_KINDS: Readonly<Record<string, LineKind>> = {
  recurring: 'recurring',
  usage: 'usage',
  onetime: 'one-time',
};

function parseChargeType(text: string): Parsed<LineKind> {
  const kind = CHARGE_KINDS[text.toLowerCase().replace(/[^a-z]/g, '')];
  if (kind !== undefined) return { ok: true, value: kind };
  return {
    ok: false,
    message: 'is not a known Zuora charge type; use Recurring, Usage or OneTime',
  };
}

/** Zuora billing periods, compared in lower case with `_` and `-` read as spaces. */
const BILLING_PERIODS = new Set([
  'month',
  'quarter',
  'semi annual',
  'annual',
  'eighteen months',
  'two years',
  'three years',
  'five years',
  'specific months',
  'subscription term',
  'week',
  'specific weeks',
  'specific days',
]);

function parseZuoraBillingPeriod(text: string): Parsed<string> {
  const key = text.toLowerCase().replace(/[-_\s]+/g, ' ');
  if (BILLING_PERIODS.has(key)) return { ok: true, value: key };
  return {
    ok: false,
    message:
      'is not a known Zuora billing period; use Month, Quarter, Semi-Annual, Annual, Eighteen Months, Two Years, Three Years, Five Years, Specific Months, Subscription Term, Week, Specific Weeks or Specific Days',
  };
}

/** A charge segment that passed every check, waiting for the choice of the latest version. */
interface Candidate {
  readonly row: TableRow;
  readonly line: ContractLine;
  readonly inline: InlineAttributes;
  /** Charge number and segment, shared by the versions of one charge segment. */
  readonly key?: string;
  readonly version: number;
}

/** Reads a rate plan charge export, joined with the subscriptions and rate plans in `context`. */
export function readZuoraCharges(
  table: Table,
  context: ZuoraContext,
  options: ReadOptions,
  problems: ProblemList,
): FilePart {
  const found = resolveColumns(table, CHARGE_SPECS, options.columns ?? {}, problems);
  const endDate = options.endDate ?? DEFAULT_END_DATE.zuora;
  const skipped = new SkipCounter();
  const candidates: Candidate[] = [];

  eachRow(table, options, problems, (reader, row) => {
    if (reader.optional(found.deleted, parseFlag) === true) {
      skipped.skip('deleted');
      return;
    }
    const ratePlanId = reader.text(found.ratePlan);
    const ratePlan = ratePlanId === undefined ? undefined : context.ratePlans.get(ratePlanId);
    const subscriptionId = reader.text(found.subscription) ?? ratePlan?.subscriptionId;
    const subscription =
      subscriptionId === undefined ? undefined : context.subscriptions.get(subscriptionId);
    if (subscription?.skipReason !== undefined) {
      skipped.skip(subscription.skipReason);
      return;
    }
    const read = readCharge(reader, found, options, endDate, subscription, ratePlan);
    if (read === 'empty') {
      skipped.skip('empty segment (starts and ends on the same day)');
      return;
    }
    if (read === undefined || reader.failed) return;
    const chargeNumber = reader.text(found.chargeNumber);
    const segment = reader.text(found.chargeSegment) ?? '1';
    candidates.push({
      row,
      line: {
        ...read,
        ...(subscriptionId !== undefined && {
          contractId: subscription?.name ?? subscriptionId,
        }),
      },
      inline: readInlineAttributes(reader, found),
      ...(chargeNumber !== undefined && { key: `${chargeNumber} segment ${segment}` }),
      version: reader.optional(found.version, wholeNumberParser(1, 1_000_000, 'version')) ?? 1,
    });
  });

  const collector = new LineCollector(table);
  const latest = latestVersions(candidates);
  for (const candidate of candidates) {
    const winner = candidate.key === undefined ? candidate : latest.get(candidate.key);
    const reader = new RowReader(table.file, candidate.row, problems);
    if (winner !== candidate) {
      if (winner !== undefined && winner.version === candidate.version && found.version) {
        reader.report(
          found.version,
          String(candidate.version),
          `repeats version ${candidate.version} of charge ${candidate.key ?? ''} from row ${winner.row.row}; include the subscription export so that only the latest subscription version is read, or delete one of the rows`,
        );
      } else {
        skipped.skip('older charge version');
      }
      continue;
    }
    collector.addLine(reader, candidate.line, found.line, candidate.inline);
  }

  return linePart({
    table,
    preset: 'zuora',
    endDate,
    columns: found,
    collector,
    skipped,
    ...(found.line && { lineIdHeader: found.line.header }),
  });
}

/** The candidate with the highest version for each charge segment; the first one on a tie. */
function latestVersions(candidates: readonly Candidate[]): Map<string, Candidate> {
  const latest = new Map<string, Candidate>();
  for (const candidate of candidates) {
    if (candidate.key === undefined) continue;
    const best = latest.get(candidate.key);
    if (best === undefined || candidate.version > best.version)
      latest.set(candidate.key, candidate);
  }
  return latest;
}

function readCharge(
  reader: RowReader,
  found: ResolvedColumns<ChargeField>,
  options: ReadOptions,
  endDate: 'inclusive' | 'exclusive',
  subscription: SubscriptionInfo | undefined,
  ratePlan: RatePlanInfo | undefined,
): Omit<ContractLine, 'contractId'> | 'empty' | undefined {
  const id =
    found.line === undefined
      ? `${reader.file}#${reader.row.row}`
      : reader.required(found.line, 'every charge segment needs its id');
  const accountId =
    reader.text(found.customer) ??
    subscription?.accountId ??
    reader.required(
      found.customer,
      "every charge needs its account id; add the Account ID column, or the subscription export that names each subscription's account",
    );
  const kind = reader.parseRequired(
    found.chargeType,
    parseChargeType,
    'give the charge type: Recurring, Usage or OneTime',
  );
  reader.optional(found.billingPeriod, parseZuoraBillingPeriod);
  const mrrText = reader.text(found.value);
  const amount =
    mrrText === undefined && kind !== 'recurring'
      ? { coefficient: 0n, scale: 0 }
      : reader.parseRequired(
          found.value,
          parseAmount,
          'a recurring charge needs its MRR; write 0 for a free charge',
        )?.amount;
  const currency =
    reader.text(found.currency) === undefined
      ? (options.currency ?? FALLBACK_CURRENCY)
      : reader.optional(found.currency, parseCurrency);
  const quantity = reader.optional(found.quantity, parseQuantity);
  const start = reader.parseRequired(
    found.from,
    parseVendorDate,
    'every charge segment needs its effective start date',
  );
  const endText = reader.text(found.to);
  const endParsed = endText === undefined ? undefined : parseVendorDate(endText);
  if (endParsed?.ok && endParsed.value === start && endDate === 'exclusive') return 'empty';
  const end: Day | null | undefined = reader.endDate(found.to, start, endDate, parseVendorDate);
  if (
    id === undefined ||
    accountId === undefined ||
    kind === undefined ||
    amount === undefined ||
    currency === undefined ||
    start === undefined ||
    end === undefined ||
    reader.failed
  ) {
    return undefined;
  }
  const chargeName = reader.text(found.product);
  const product =
    ratePlan?.name === undefined ? chargeName : `${ratePlan.name}: ${chargeName ?? ''}`.trim();
  return {
    id,
    accountId,
    kind,
    kindSource: 'file',
    amount,
    period: { unit: 'month', count: 1 },
    currency,
    start,
    end,
    ...(quantity !== undefined && { quantity }),
    ...(product !== undefined && { product }),
    source: { file: reader.file, row: reader.row.row },
  };
}
