/** Terminal view of an account explanation. */
import type { Explanation } from '../core/explain.js';
import { money, printableLines, table } from './format.js';

/** Accounts of a netting unit listed by name; the JSON output lists them all. */
const MAX_LISTED_ACCOUNTS = 20;

export function renderExplanation(explanation: Explanation): string {
  const c = explanation.currency;
  const out: string[] = [];
  const name = explanation.accountName === null ? '' : ` (${explanation.accountName})`;
  out.push(
    `Account ${explanation.accountId}${name}, window ${explanation.window.start} to ${explanation.window.end}, ${c}`,
  );
  const stored =
    explanation.definitions.workspaceVersion === undefined
      ? ''
      : ` (workspace version ${explanation.definitions.workspaceVersion})`;
  out.push(
    `Definitions ${explanation.definitions.name} ${explanation.definitions.version}${stored}`,
  );

  const unit = explanation.nettingUnit;
  if (unit.accountIds.length > 1 || unit.rootId !== explanation.accountId) {
    const listedAccounts = unit.accountIds.slice(0, MAX_LISTED_ACCOUNTS).join(', ');
    const more = unit.accountIds.length - MAX_LISTED_ACCOUNTS;
    out.push(
      `Netted at ultimate parent ${unit.rootId} with accounts ${listedAccounts}${more > 0 ? ` and ${more} more` : ''}`,
    );
  }
  out.push('');
  out.push(
    `ARR ${money(explanation.arrAtStart, c)} on ${explanation.window.start}, ${money(explanation.arrAtEnd, c)} on ${explanation.window.end}` +
      (explanation.lapsed ? ' (lapsed: inside the grace window)' : ''),
  );

  const cohort = explanation.cohort;
  if (cohort.member) {
    out.push(
      `In the cohort: adds ${money(cohort.nrrDenominator, c)} to the NRR and GRR denominator, ${money(cohort.nrrNumerator, c)} to the NRR numerator, ` +
        `${money(cohort.grrNumerator, c)} to the GRR numerator (capped at its start), and ${cohort.retained ? 'counts as a retained logo' : 'counts as a lost logo'}.`,
    );
  } else {
    out.push(
      'Not in the cohort: no ARR on the window start, so it is excluded from NRR, GRR and logo retention (a new logo or a reactivation).',
    );
  }
  out.push('');
  out.push(
    table(
      ['Book', 'At window start', 'At window end'],
      (Object.entries(explanation.books) as [string, { atStart: string; atEnd: string }][]).map(
        ([dimension, book]) => [dimension, book.atStart, book.atEnd],
      ),
    ),
  );
  out.push('');
  out.push('Lines');

  for (const line of explanation.lines) {
    const last = line.contractedLastDay ?? 'open-ended';
    out.push(
      `- ${line.id}: ${line.product ?? '(no product)'}, ${line.kind}, ${line.amount} ${line.currency} ${line.period}, ${line.start} to ${last}`,
    );
    if (!line.counted) {
      out.push(`    excluded: ${line.exclusion ?? ''}`);
      continue;
    }
    out.push(
      `    ${line.rule}: ${line.arithmetic} = ARR ${money(line.arrLocal, line.currency)} ${line.currency}`,
    );
    for (const adjustment of line.adjustments) out.push(`    ${adjustment}`);
    if (line.conversion !== null) out.push(`    ${line.conversion}`);
    out.push(
      `    counts ${money(line.arrAtStart, c)} at the window start and ${money(line.arrAtEnd, c)} at the window end`,
    );
  }
  out.push('');
  out.push('ARR at each month end');
  out.push(
    table(
      ['Date', 'ARR'],
      explanation.timeline.map((point) => [point.date, money(point.arr, c)]),
    ),
  );
  out.push('');
  out.push('Movements in the window');
  if (explanation.movements.length === 0) out.push('- none');

  for (const movement of explanation.movements) {
    out.push(
      `- ${movement.from} to ${movement.to}: ${movement.kind} ${money(movement.amount, c)} (${movement.rule}: ${movement.reason})`,
    );
    for (const component of movement.components) {
      out.push(`    ${component.subtype} ${money(component.amount, c)} on ${component.product}`);
    }
  }
  return printableLines(out.join('\n')) + '\n';
}
