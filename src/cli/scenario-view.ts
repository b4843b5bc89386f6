/** Table view of a scenario run. */
import type { ComparedFigures, ScenarioResult, ScenarioWindow } from '../core/scenarios.js';
import { formatPoints } from '../core/money.js';
import { money, percent, printableLines, table } from './format.js';
import { definitionsText } from './report-view.js';

function choiceLines(result: ScenarioResult): string[] {
  const c = result.currency;
  return [
    `Choices (${result.openRenewals} renewals are open; the baseline renews each flat)`,
    table(
      [
        'Account',
        'Renewal date',
        'CSM',
        'Up for renewal',
        'Outcome',
        'Basis points',
        'Effective',
        'Timing',
        'Term',
        'Add-on',
        'Ramp steps',
        'Scenario ARR',
      ],
      result.choices.map((choice) => [
        choice.synthetic === null ? choice.account : `${choice.account} (not in the data)`,
        choice.renewalDate,
        choice.csm,
        money(choice.arrUpForRenewal, c),
        choice.outcome,
        String(choice.basisPoints),
        choice.effectiveDate ?? '-',
        choice.timing ?? '-',
        choice.outcome === 'churn' ? '-' : `${choice.termMonths} months`,
        choice.addOn === 0 ? '-' : money(choice.addOn, c),
        choice.steps.length === 0
          ? '-'
          : choice.steps.map((step) => `${step.start}: ${money(step.arr, c)}`).join(', '),
        money(choice.scenarioArr, c),
      ]),
    ),
  ];
}

function companyTable(figures: ComparedFigures, currency: string): string {
  const { baseline, scenario } = figures;
  const amountRow = (name: string, before: number, after: number): string[] => [
    name,
    money(before, currency),
    money(after, currency),
    money(after - before, currency),
  ];
  const ratioRow = (name: string, before: number | null, after: number | null): string[] => [
    name,
    percent(before),
    percent(after),
    before === null || after === null ? 'n/a' : formatPoints(after - before),
  ];
  return table(
    ['Company', 'Baseline', 'Scenario', 'Change'],
    [
      amountRow('ARR at the end', baseline.arr, scenario.arr),
      ratioRow('NRR (cohort)', baseline.nrr, scenario.nrr),
      ratioRow('GRR (cohort)', baseline.grr, scenario.grr),
      ratioRow('Logo retention', baseline.logoRetention, scenario.logoRetention),
      amountRow('New', baseline.bridge.new, scenario.bridge.new),
      amountRow('Expansion', baseline.bridge.expansion, scenario.bridge.expansion),
      amountRow('Reactivation', baseline.bridge.reactivation, scenario.bridge.reactivation),
      amountRow('Contraction', baseline.bridge.contraction, scenario.bridge.contraction),
      amountRow('Churn', baseline.bridge.churn, scenario.bridge.churn),
    ],
  );
}

function bookLines(window: ScenarioWindow, currency: string): string[] {
  const out: string[] = [];
  for (const [dimension, rows] of Object.entries(window.books)) {
    const changed = rows.filter(
      (row) => JSON.stringify(row.baseline) !== JSON.stringify(row.scenario),
    );
    if (changed.length === 0) continue;
    out.push(
      `Books by ${dimension} that change`,
      table(
        [
          'Book',
          'ARR baseline',
          'ARR scenario',
          'NRR baseline',
          'NRR scenario',
          'GRR baseline',
          'GRR scenario',
        ],
        changed.map((row) => [
          row.key,
          money(row.baseline.arr, currency),
          money(row.scenario.arr, currency),
          percent(row.baseline.nrr),
          percent(row.scenario.nrr),
          percent(row.baseline.grr),
          percent(row.scenario.grr),
        ]),
      ),
    );
  }
  return out;
}

/** Renders a scenario run for the terminal. */
export function renderScenarioTable(result: ScenarioResult): string {
  const c = result.currency;
  const out = [
    `Scenario "${result.name}" on the renewals open on ${result.asOf}, ${c}, ${definitionsText(result.definitions)}`,
    '',
    ...choiceLines(result),
  ];
  for (const window of result.windows) {
    out.push(
      '',
      `FY${window.year}: ${window.window.start} to ${window.window.end}`,
      companyTable(window.company, c),
      ...bookLines(window, c),
    );
  }
  out.push('', 'Step by step', ...result.explanation.map((step, index) => `${index + 1}. ${step}`));
  return printableLines(out.join('\n')) + '\n';
}
