/** Table and CSV views of a report. */
import type { BridgeTotals } from '../core/bridge.js';
import type { GroupReport, PeriodReport, Report } from '../core/report.js';
import { count, csv, money, percent, printableLines, ratio, table } from './format.js';
import { formatMinor } from '../core/money.js';

/** Names definitions as reports print them: name, version, stored version and changes. */
export function definitionsText(definitions: Report['definitions']): string {
  const changes = Object.entries(definitions.changes);
  const changed =
    changes.length === 0
      ? ''
      : ` (changed: ${changes.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ')})`;
  const stored =
    definitions.workspaceVersion === undefined
      ? ''
      : ` (workspace version ${definitions.workspaceVersion})`;
  return `definitions ${definitions.name} ${definitions.version}${stored}${changed}`;
}

function subtypeText(parts: Partial<Record<string, number>> | undefined, currency: string): string {
  if (parts === undefined) return '';
  const entries = Object.entries(parts).filter(([, value]) => value !== undefined && value !== 0);
  if (entries.length === 0) return '';
  return entries.map(([key, value]) => `${key} ${money(value as number, currency)}`).join(', ');
}

function summaryLines(report: Report): string[] {
  const c = report.currency;
  const cohort = report.cohort;
  return [
    `ARR report as of ${report.asOf}, ${c}, ${definitionsText(report.definitions)}`,
    `Retention window ${report.window.start} to ${report.window.end} (${report.window.months} months)`,
    '',
    table(
      ['Figure', 'Value', 'Detail'],
      [
        [
          'ARR',
          money(report.arr, c),
          `${count(report.activeAccounts, 'active customer')} (accounts netted at ${report.definitions.changes['netting'] === 'account' ? 'account level' : 'their ultimate parent'}); ${count(report.lapsed.accounts, 'account')} lapsed inside the grace window (${money(report.lapsed.arr, c)})`,
        ],
        [
          'NRR (cohort)',
          percent(report.nrr),
          `${count(cohort.cohortAccounts, 'account')} active at the window start: ${money(cohort.startArr, c)} then, ${money(cohort.endArr, c)} now`,
        ],
        [
          'GRR (cohort)',
          percent(report.grr),
          `each account capped at its starting ARR: ${money(cohort.cappedArr, c)}`,
        ],
        [
          'Logo retention',
          percent(report.logoRetention),
          `${cohort.retainedAccounts} of ${cohort.cohortAccounts} cohort accounts still active`,
        ],
        [
          'Bridge net retention',
          percent(report.bridgeNetRetention),
          'all accounts\u2019 movements over the window; not cohort NRR',
        ],
      ],
    ),
  ];
}

function bridgeLines(report: Report): string[] {
  const c = report.currency;
  const b = report.bridge;
  return [
    `ARR bridge ${report.window.start} to ${report.window.end}`,
    table(
      ['Movement', 'Amount', 'Sub-types'],
      [
        ['Start', money(b.start, c), ''],
        ['+ New', money(b.new, c), ''],
        ['+ Expansion', money(b.expansion, c), subtypeText(b.expansionBySubtype, c)],
        ['+ Reactivation', money(b.reactivation, c), ''],
        ['- Contraction', money(b.contraction, c), subtypeText(b.contractionBySubtype, c)],
        ['- Churn', money(b.churn, c), ''],
        ['= End', money(b.end, c), ''],
      ],
    ),
  ];
}

function groupLines(report: Report, groups: readonly GroupReport[]): string[] {
  const c = report.currency;
  return [
    `By ${report.groupedBy ?? 'group'} (NRR, GRR and logo retention on the book at the window start; bridge credited at the time of each movement)`,
    table(
      [
        'Book',
        'Start ARR',
        'End ARR',
        'NRR',
        'GRR',
        'Logos',
        'New',
        'Expansion',
        'Reactivation',
        'Contraction',
        'Churn',
        'Transfer in',
        'Transfer out',
      ],
      groups.map((group) => [
        group.key,
        money(group.bridge.start, c),
        money(group.arr, c),
        percent(group.nrr),
        percent(group.grr),
        percent(group.logoRetention),
        money(group.bridge.new, c),
        money(group.bridge.expansion, c),
        money(group.bridge.reactivation, c),
        money(group.bridge.contraction, c),
        money(group.bridge.churn, c),
        money(group.bridge.transferIn, c),
        money(group.bridge.transferOut, c),
      ]),
    ),
  ];
}

function periodLines(report: Report, periods: readonly PeriodReport[]): string[] {
  const c = report.currency;
  return [
    `By ${report.groupedBy ?? 'period'} (trailing NRR and GRR over the ${report.window.months} months to each period end)`,
    table(
      [
        'Period',
        'Start',
        'New',
        'Expansion',
        'Reactivation',
        'Contraction',
        'Churn',
        'End',
        'Trailing NRR',
        'Trailing GRR',
      ],
      periods.map((period) => [
        period.period,
        money(period.start, c),
        money(period.new, c),
        money(period.expansion, c),
        money(period.reactivation, c),
        money(period.contraction, c),
        money(period.churn, c),
        money(period.end, c),
        percent(period.trailingNrr),
        percent(period.trailingGrr),
      ]),
    ),
  ];
}

/** Renders a report for the terminal. */
export function renderReportTable(report: Report): string {
  const out = [...summaryLines(report), '', ...bridgeLines(report)];
  if (report.groups) out.push('', ...groupLines(report, report.groups));
  if (report.warnings.length > 0)
    out.push('', 'Warnings', ...report.warnings.map((warning) => `- ${warning}`));
  if (report.periods) {
    out.push('', ...periodLines(report, report.periods));
    if (report.lapsed.accounts > 0) {
      out.push(
        `Note: ${report.lapsed.accounts} accounts (${money(report.lapsed.arr, report.currency)}) are lapsed on ${report.asOf}. ` +
          'If their grace window passes without a renewal, a later report shows them as churn in the month their service ended.',
      );
    }
  }
  return printableLines(out.join('\n')) + '\n';
}

/**
 * Writes a book bridge's movements for CSV, in the order of the columns new, expansion,
 * reactivation, contraction, churn, transfer_in and transfer_out.
 */
export function bridgeCells(bridge: BridgeTotals, amount: (value: number) => string): string[] {
  return [
    amount(bridge.new),
    amount(bridge.expansion),
    amount(bridge.reactivation),
    amount(bridge.contraction),
    amount(bridge.churn),
    amount(bridge.transferIn),
    amount(bridge.transferOut),
  ];
}

/** Renders a report as CSV: one row per book or period, or one row for the company. Amounts in currency units. */
export function renderReportCsv(report: Report): string {
  const c = report.currency;
  const amount = (value: number): string => formatMinor(value, c);
  if (report.periods) {
    return csv(
      [
        'period',
        'start',
        'new',
        'expansion',
        'reactivation',
        'contraction',
        'churn',
        'end',
        'trailing_nrr',
        'trailing_grr',
        'currency',
      ],
      report.periods.map((p) => [
        p.period,
        amount(p.start),
        amount(p.new),
        amount(p.expansion),
        amount(p.reactivation),
        amount(p.contraction),
        amount(p.churn),
        amount(p.end),
        ratio(p.trailingNrr),
        ratio(p.trailingGrr),
        c,
      ]),
    );
  }
  const headers = [
    'key',
    'start_arr',
    'arr',
    'nrr',
    'grr',
    'logo_retention',
    'cohort_accounts',
    'retained_accounts',
    'cohort_start_arr',
    'cohort_end_arr',
    'cohort_capped_arr',
    'new',
    'expansion',
    'reactivation',
    'contraction',
    'churn',
    'transfer_in',
    'transfer_out',
    'currency',
    'as_of',
    'definitions',
  ];
  const definitions = `${report.definitions.name} ${report.definitions.version}`;
  const rows = (
    report.groups ?? [
      {
        key: '(company)',
        arr: report.arr,
        nrr: report.nrr,
        grr: report.grr,
        logoRetention: report.logoRetention,
        cohort: report.cohort,
        bridge: report.bridge,
      },
    ]
  ).map((g) => [
    g.key,
    amount(g.bridge.start),
    amount(g.arr),
    ratio(g.nrr),
    ratio(g.grr),
    ratio(g.logoRetention),
    String(g.cohort.cohortAccounts),
    String(g.cohort.retainedAccounts),
    amount(g.cohort.startArr),
    amount(g.cohort.endArr),
    amount(g.cohort.cappedArr),
    ...bridgeCells(g.bridge, amount),
    c,
    report.asOf,
    definitions,
  ]);
  return csv(headers, rows);
}
