/** Table and CSV views of a comparison of ARR growth with NRR. */
import type { AccountAmounts, CompareRow, Comparison, RankedMeasure } from '../core/compare.js';
import { formatMinor } from '../core/money.js';
import {
  count,
  csv,
  money,
  percent,
  printableLines,
  ratio,
  table,
  warningLines,
} from './format.js';
import { bridgeCells, definitionsText } from './report-view.js';

/** Accounts listed per explanation item in the table; the JSON output lists them all. */
const LISTED_ACCOUNTS = 5;

const RANK_HEADERS: Record<RankedMeasure, string> = {
  arrGrowth: 'ARR growth',
  netNewArr: 'Net new ARR',
  nrr: 'NRR',
  grr: 'GRR',
  logoRetention: 'Logo retention',
};

function rank(value: number | null): string {
  return value === null ? '-' : String(value);
}

function figureLines(comparison: Comparison): string[] {
  const c = comparison.currency;
  const rows = [...comparison.rows, comparison.company];
  return [
    `By ${comparison.groupedBy}: ARR growth counts the book's accounts at each end of the year; NRR, GRR and logo retention follow the accounts in the book at the start (the cohort)`,
    table(
      [
        'Book',
        'Start ARR',
        'End ARR',
        'Net new ARR',
        'ARR growth',
        'NRR (cohort)',
        'GRR',
        'Logo retention',
        'Gross renewal rate',
        'Net renewal rate',
      ],
      rows.map((row) => [
        row.key,
        money(row.startArr, c),
        money(row.endArr, c),
        money(row.netNewArr, c),
        percent(row.arrGrowth),
        percent(row.nrr),
        percent(row.grr),
        percent(row.logoRetention),
        percent(row.renewalRates.grossRenewalRate),
        percent(row.renewalRates.netRenewalRate),
      ]),
    ),
    'Renewal rates are on the ARR available to renew in the year (a renewal-desk measure, not NRR), credited to the book on the renewal date.',
  ];
}

function rankLines(comparison: Comparison): string[] {
  const measures = Object.keys(RANK_HEADERS) as RankedMeasure[];
  return [
    'Ranks (1 is the highest; equal values share a rank; the unassigned book is not ranked)',
    table(
      ['Book', ...measures.map((measure) => RANK_HEADERS[measure]), 'Places gained under NRR'],
      comparison.rows.map((row) => {
        const { arrGrowth, nrr } = row.ranks;
        const gained = arrGrowth === null || nrr === null ? '-' : String(arrGrowth - nrr);
        return [row.key, ...measures.map((measure) => rank(row.ranks[measure])), gained];
      }),
    ),
  ];
}

function reconciliationLines(comparison: Comparison): string[] {
  const c = comparison.currency;
  const { columns, transfers } = comparison.reconciliation;
  return [
    'Reconciliation: each column summed over the books against the company',
    table(
      ['Column', 'Sum of books', 'Company', 'Difference'],
      columns.map((check) => [
        check.column,
        money(check.books, c),
        money(check.company, c),
        money(check.books - check.company, c),
      ]),
    ),
    `Transfers between books: ${money(transfers.in, c)} in, ${money(transfers.out, c)} out, ${money(transfers.in - transfers.out, c)} net`,
  ];
}

function itemText(name: string, item: AccountAmounts, currency: string): string {
  const listed = item.accounts
    .slice(0, LISTED_ACCOUNTS)
    .map((entry) => `${entry.account} ${money(entry.amount, currency)}`);
  const more = item.accounts.length - LISTED_ACCOUNTS;
  if (more > 0) listed.push(`and ${more} more`);
  const accounts = listed.length === 0 ? '' : `: ${listed.join(', ')}`;
  return `${name} ${money(item.amount, currency)} (${count(item.accounts.length, 'account')})${accounts}`;
}

function explanationLines(row: CompareRow, currency: string): string[] {
  const { explanation } = row;
  const cohortChange = row.cohort.endArr - row.cohort.startArr;
  return [
    `${row.key}: ARR growth ${percent(row.arrGrowth)}, NRR ${percent(row.nrr)}. Net new ARR ${money(row.netNewArr, currency)} − cohort change ${money(cohortChange, currency)} = ${money(explanation.difference, currency)}:`,
    `  + ${itemText('new logos', explanation.newLogos, currency)}`,
    `  + ${itemText('reactivations', explanation.reactivations, currency)}`,
    `  + ${itemText('transfers in', explanation.transfersIn, currency)}`,
    `  - ${itemText('transfers out', explanation.transfersOut, currency)}`,
    `  In both measures: ${itemText('FX', explanation.fx, currency)}; ${itemText('ramp steps', explanation.rampSteps, currency)}`,
  ];
}

/** Renders a comparison for the terminal. */
export function renderComparisonTable(comparison: Comparison): string {
  const c = comparison.currency;
  const out = [
    `ARR growth against NRR, fiscal year ${comparison.year} (${comparison.window.start} to ${comparison.window.end}), ${c}, ${definitionsText(comparison.definitions)}`,
    '',
    ...figureLines(comparison),
    '',
    ...rankLines(comparison),
    '',
    ...reconciliationLines(comparison),
    '',
    'What separates ARR growth from NRR (amounts at ARR on the last day of the year)',
  ];
  for (const row of [...comparison.rows, comparison.company]) {
    out.push(...explanationLines(row, c));
  }
  out.push(...warningLines(comparison.warnings));
  return printableLines(out.join('\n')) + '\n';
}

/** Renders a comparison as CSV: one row per book, then the company. Amounts in currency units. */
export function renderComparisonCsv(comparison: Comparison): string {
  const c = comparison.currency;
  const amount = (value: number): string => formatMinor(value, c);
  const headers = [
    'key',
    'start_arr',
    'end_arr',
    'net_new_arr',
    'arr_growth',
    'nrr',
    'grr',
    'logo_retention',
    'gross_renewal_rate',
    'net_renewal_rate',
    'arr_up_for_renewal',
    'rank_arr_growth',
    'rank_net_new_arr',
    'rank_nrr',
    'rank_grr',
    'rank_logo_retention',
    'new',
    'expansion',
    'reactivation',
    'contraction',
    'churn',
    'transfer_in',
    'transfer_out',
    'new_logos',
    'reactivated_accounts',
    'transferred_in_end_arr',
    'transferred_out_end_arr',
    'fx',
    'ramp_steps',
    'currency',
    'year',
    'definitions',
  ];
  const definitions = `${comparison.definitions.name} ${comparison.definitions.version}`;
  const rows = [...comparison.rows, comparison.company].map((row) => {
    const { bridge, explanation, ranks } = row;
    return [
      row.key,
      amount(row.startArr),
      amount(row.endArr),
      amount(row.netNewArr),
      ratio(row.arrGrowth),
      ratio(row.nrr),
      ratio(row.grr),
      ratio(row.logoRetention),
      ratio(row.renewalRates.grossRenewalRate),
      ratio(row.renewalRates.netRenewalRate),
      amount(row.renewalRates.due.atr),
      ...(Object.keys(RANK_HEADERS) as RankedMeasure[]).map((measure) =>
        ranks[measure] === null ? '' : String(ranks[measure]),
      ),
      ...bridgeCells(bridge, amount),
      amount(explanation.newLogos.amount),
      amount(explanation.reactivations.amount),
      amount(explanation.transfersIn.amount),
      amount(explanation.transfersOut.amount),
      amount(explanation.fx.amount),
      amount(explanation.rampSteps.amount),
      c,
      String(comparison.year),
      definitions,
    ];
  });
  return csv(headers, rows);
}
