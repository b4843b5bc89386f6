/** Table and CSV views of the renewals of a period. */
import { formatMinor } from '../core/money.js';
import type { RenewalsReport } from '../core/renewal-rates.js';
import type { RenewalView } from '../core/renewals.js';
import type { MovedRenewal, TimingEffect, TimingReport } from '../core/timing.js';
import { count, csv, money, percent, printableLines, table, warningLines } from './format.js';
import type { RenewalsOutput } from './renewals.js';
import { definitionsText } from './report-view.js';

function orDash(value: string | number | null): string {
  return value === null ? '-' : String(value);
}

function listLines(report: RenewalsReport): string[] {
  const c = report.currency;
  const signedMoney = (value: number | null): string =>
    value === null ? '-' : (value > 0 ? '+' : '') + money(value, c);
  return [
    table(
      [
        'Renewal date',
        'Account',
        'CSM',
        'Segment',
        'Region',
        'Up for renewal',
        'Status',
        'Outcome',
        'Timing',
        'Days',
        'Effective',
        'Renewed',
        'Change',
        'Add-on early',
      ],
      report.renewals.map((renewal) => [
        renewal.renewalDate,
        renewal.account,
        renewal.csm,
        renewal.segment,
        renewal.region,
        money(renewal.arrUpForRenewal, c),
        renewal.status,
        orDash(renewal.outcome),
        orDash(renewal.timing),
        orDash(renewal.daysFromRenewalDate),
        orDash(renewal.effectiveDate),
        renewal.renewedArr === null ? '-' : money(renewal.renewedArr, c),
        signedMoney(renewal.change),
        renewal.addOnEarlyRenewal ? 'yes' : '',
      ]),
    ),
    count(report.renewals.length, 'renewal'),
  ];
}

function rateLines(report: RenewalsReport): string[] {
  const c = report.currency;
  const rates = report.renewalRates;
  const rows = [
    [
      'Gross renewal rate',
      percent(rates.grossRenewalRate),
      `Σ min(renewed, up for renewal) ${money(rates.renewedCapped, c)} ÷ ${money(rates.decided.atr, c)} decided`,
    ],
    [
      'Net renewal rate',
      percent(rates.netRenewalRate),
      `Σ renewed ${money(rates.renewedArr, c)}, uplift and added products included, ÷ ${money(rates.decided.atr, c)}`,
    ],
    [
      'Due',
      money(rates.due.atr, c),
      `${count(rates.due.renewals, 'renewal')}; ${count(rates.churned.renewals, 'churned renewal')} (${money(rates.churned.atr, c)}); ${count(rates.open.renewals, 'renewal')} still upcoming or lapsed (${money(rates.open.atr, c)}), left out of the rates`,
    ],
  ];
  const cohort = report.cohort;
  if (cohort !== null) {
    const detail = `${count(cohort.figures.cohortAccounts, 'account')} active on ${cohort.window.start}: ${money(cohort.figures.startArr, c)} then, ${money(cohort.figures.endArr, c)} on ${cohort.window.end}`;
    rows.push(
      ['NRR (cohort)', percent(cohort.nrr), detail],
      ['GRR (cohort)', percent(cohort.grr), 'each account capped at its starting ARR'],
    );
  }
  return [
    'Renewal rates on the ARR available to renew: a renewal-desk measure, not NRR. Cohort NRR of the same period is shown below them.',
    table(['Figure', 'Value', 'Detail'], rows),
    ...(cohort === null ? ['Cohort NRR: the period starts after the as-of date.'] : []),
  ];
}

function effectRow(name: string, effect: TimingEffect, currency: string): string[] {
  return [
    name,
    String(effect.shiftedRenewals),
    money(effect.arrAtStart, currency),
    money(effect.arrAtEnd, currency),
    percent(effect.actual.nrr),
    percent(effect.onRenewalDate.nrr),
    money(effect.bridge.expansion, currency),
    money(effect.bridge.contraction, currency),
    money(effect.bridge.churn, currency),
    money(effect.bridge.reactivation, currency),
  ];
}

function movedText(label: string, moved: readonly MovedRenewal[], currency: string): string {
  const change = moved.reduce((sum, renewal) => sum + renewal.change, 0);
  return `${label}: ${count(moved.length, 'renewal')}, ARR change ${money(change, currency)}`;
}

function timingLines(timing: TimingReport, currency: string): string[] {
  const quarters = timing.crossings.filter(
    (renewal) => renewal.renewalQuarter !== renewal.effectiveQuarter,
  );
  return [
    'Renewals due in the period by timing',
    table(
      ['Timing', 'Renewals', 'Up for renewal', 'Renewed', 'Change'],
      timing.byTiming.map((row) => [
        row.timing,
        String(row.renewals),
        money(row.atr, currency),
        money(row.renewedArr, currency),
        money(row.change, currency),
      ]),
    ),
    '',
    `Timing effects from ${timing.window.start} to ${timing.window.end}: actual figures minus those with the renewals starting on their renewal dates`,
    table(
      [
        'Renewals',
        'Shifted',
        'ARR at start',
        'ARR at end',
        'NRR actual',
        'NRR on renewal dates',
        'Expansion',
        'Contraction',
        'Churn',
        'Reactivation',
      ],
      [
        effectRow('started early', timing.effects.early, currency),
        effectRow('started late', timing.effects.late, currency),
      ],
    ),
    movedText('Pulled into the period (early starts due after it)', timing.pulledIn, currency),
    movedText('Pushed out of the period (late starts after it)', timing.pushedOut, currency),
    `${movedText('Late starts in another month than the renewal date', timing.crossings, currency)}; ${count(quarters.length, 'renewal')} across a fiscal quarter`,
  ];
}

/** Renders the renewals of a period, their rates and timing effects for the terminal. */
export function renderRenewalsTable(output: RenewalsOutput): string {
  const filter = Object.entries(output.filter)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  const out = [
    `Renewals due ${output.period.from} to ${output.period.to}${filter === '' ? '' : ` (${filter})`}, statuses as of ${output.asOf}, ${output.currency}, ${definitionsText(output.definitions)}`,
    '',
    ...listLines(output),
    '',
    ...rateLines(output),
    '',
    ...timingLines(output.timing, output.currency),
  ];
  out.push(...warningLines(output.warnings));
  return printableLines(out.join('\n')) + '\n';
}

function csvRow(renewal: RenewalView, currency: string): string[] {
  const amount = (value: number | null): string =>
    value === null ? '' : formatMinor(value, currency);
  return [
    renewal.renewalDate,
    renewal.account,
    renewal.accountName ?? '',
    renewal.nettingUnit,
    renewal.contracts.join(' '),
    renewal.products.join(' | '),
    amount(renewal.arrUpForRenewal),
    renewal.csm,
    renewal.segment,
    renewal.region,
    renewal.subRegion,
    renewal.status,
    renewal.outcome ?? '',
    renewal.timing ?? '',
    renewal.link ?? '',
    renewal.effectiveDate ?? '',
    renewal.signedDate ?? '',
    renewal.daysFromRenewalDate === null ? '' : String(renewal.daysFromRenewalDate),
    amount(renewal.renewedArr),
    amount(renewal.change),
    renewal.addedProducts.join(' | '),
    renewal.removedProducts.join(' | '),
    String(renewal.coTermed),
    String(renewal.addOnEarlyRenewal),
    currency,
  ];
}

/** Renders the renewals of a period as CSV, one row per renewal, amounts in currency units. */
export function renderRenewalsCsv(report: RenewalsReport): string {
  return csv(
    [
      'renewal_date',
      'account',
      'account_name',
      'netting_unit',
      'contracts',
      'products',
      'arr_up_for_renewal',
      'csm',
      'segment',
      'region',
      'sub_region',
      'status',
      'outcome',
      'timing',
      'link',
      'effective_date',
      'signed_date',
      'days_from_renewal_date',
      'renewed_arr',
      'change',
      'added_products',
      'removed_products',
      'co_termed',
      'add_on_early_renewal',
      'currency',
    ],
    report.renewals.map((renewal) => csvRow(renewal, report.currency)),
  );
}
