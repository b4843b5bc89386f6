/**
 * Timing effects: how much ARR and NRR moved in a period because renewals started early or late
 * rather than on their renewal dates, and the accounts behind each amount.
 */
import type {
  MovedRenewal,
  TimingClass,
  TimingEffect,
  TimingReport,
} from '../../../src/core/timing.js';
import { apiPath, useApi } from '../api.js';
import { DataTable } from '../components/DataTable.js';
import { accountColumn, moneyColumn, textColumn } from '../components/columns.js';
import { Empty, Loaded } from '../components/States.js';
import { formatAmount, formatCount, formatPercent } from '../format.js';
import { navigate, useRoute, withParams } from '../router.js';
import { scopeQuery, useScope } from '../scope.js';
import type { Scope } from '../scope.js';

/** One account behind an effect, with the timing whose effect it is part of. */
interface EffectAccount {
  timing: 'early' | 'late';
  account: string;
  renewalDates: string[];
  atStart: number;
  atEnd: number;
}

/** A renewal whose change landed in another period, and which way it moved. */
interface MovedRow extends MovedRenewal {
  direction: 'pulled in' | 'pushed out';
}

/** Returns the twelve months up to the as-of date (or today), as the default period. */
function defaultPeriod(asOf: string | undefined): { from: string; to: string } {
  const end = asOf === undefined ? new Date() : new Date(`${asOf}T00:00:00Z`);
  const start = new Date(Date.UTC(end.getUTCFullYear() - 1, end.getUTCMonth(), end.getUTCDate()));
  start.setUTCDate(start.getUTCDate() + 1);
  return { from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10) };
}

export function Timing() {
  const scope = useScope();
  const route = useRoute();
  const period = defaultPeriod(scope.asOf);
  const from = route.params.get('from') ?? period.from;
  const to = route.params.get('to') ?? period.to;
  const data = useApi<TimingReport>(
    apiPath('/api/renewals/timing', { ...scopeQuery(scope), from, to }),
  );
  return (
    <>
      <header className="page-header">
        <h1>Timing effects</h1>
        <p className="muted">
          How much ARR and NRR moved because renewals started early or late, against the same
          renewals starting on their renewal dates. Renewals on time move nothing.
        </p>
      </header>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        {(['from', 'to'] as const).map((name) => (
          <label key={name}>
            {name === 'from' ? 'Renewals due from' : 'To'}
            <input
              type="date"
              name={name}
              value={name === 'from' ? from : to}
              onChange={(event) => navigate(withParams(route, { [name]: event.target.value }))}
            />
          </label>
        ))}
      </form>
      <Loaded value={data} what="the timing effects">
        {(report) =>
          report.byTiming.every((entry) => entry.renewals === 0) && report.pulledIn.length === 0 ? (
            <Empty>
              <p>
                No renewal is due from {from} to {to}, and none due later started in it. Choose
                another period.
              </p>
            </Empty>
          ) : (
            <TimingView report={report} scope={scope} period={{ from, to }} />
          )
        }
      </Loaded>
    </>
  );
}

function EffectSummary({
  label,
  timing,
  effect,
  currency,
}: {
  readonly label: string;
  readonly timing: 'early' | 'late';
  readonly effect: TimingEffect;
  readonly currency: string;
}) {
  const { actual, onRenewalDate } = effect;
  const moved =
    actual.nrr === null || onRenewalDate.nrr === null ? null : actual.nrr - onRenewalDate.nrr;
  return (
    <section
      className="panel"
      data-testid={`effect-${timing}`}
      data-renewals={effect.shiftedRenewals}
    >
      <h2>{label}</h2>
      <dl className="effect-figures">
        <dt>Renewals that moved</dt>
        <dd>{formatCount(effect.shiftedRenewals)}</dd>
        <dt>ARR at the end of the window</dt>
        <dd data-testid={`effect-${timing}-arr`} data-value={effect.arrAtEnd}>
          {effect.arrAtEnd > 0 ? '+' : ''}
          {formatAmount(effect.arrAtEnd, currency)} {currency}
        </dd>
        <dt>Expansion, contraction, churn, reactivation</dt>
        <dd>
          {[
            effect.bridge.expansion,
            effect.bridge.contraction,
            effect.bridge.churn,
            effect.bridge.reactivation,
          ]
            .map((value) => formatAmount(value, currency))
            .join(', ')}
        </dd>
        <dt>Cohort NRR, actual against on the renewal dates</dt>
        <dd data-testid={`effect-${timing}-nrr`} data-value={actual.nrr ?? ''}>
          {formatPercent(actual.nrr)} against {formatPercent(onRenewalDate.nrr)}
          {moved === null ? '' : ` (${moved >= 0 ? '+' : ''}${(moved * 100).toFixed(2)} points)`}
        </dd>
        <dt>Cohort GRR, actual against on the renewal dates</dt>
        <dd>
          {formatPercent(actual.grr)} against {formatPercent(onRenewalDate.grr)}
        </dd>
      </dl>
    </section>
  );
}

function TimingView({
  report,
  scope,
  period,
}: {
  readonly report: TimingReport;
  readonly scope: Scope;
  readonly period: { from: string; to: string };
}) {
  const code = report.currency;
  const accounts: EffectAccount[] = (['early', 'late'] as const).flatMap((timing) =>
    report.effects[timing].accounts.map((entry) => ({ timing, ...entry })),
  );
  const moved: MovedRow[] = [
    ...report.pulledIn.map((entry) => ({ ...entry, direction: 'pulled in' as const })),
    ...report.pushedOut.map((entry) => ({ ...entry, direction: 'pushed out' as const })),
  ];
  return (
    <>
      <p data-testid="timing-window">
        Renewals due from {period.from} to {period.to}; effects measured from {report.window.start}{' '}
        to {report.window.end}.
      </p>
      <div className="calendar">
        <EffectSummary
          label="Early starts"
          timing="early"
          effect={report.effects.early}
          currency={code}
        />
        <EffectSummary
          label="Late starts"
          timing="late"
          effect={report.effects.late}
          currency={code}
        />
      </div>
      <h2>Renewals due in the period, by timing</h2>
      <DataTable
        testId="timing-classes"
        caption="Renewals due in the period, by timing"
        exportName={`renewal-timing-${period.from}-${period.to}`}
        rows={report.byTiming}
        rowKey={(row) => row.timing}
        columns={[
          textColumn<TimingClass>('timing', 'Timing', (row) => row.timing),
          {
            key: 'renewals',
            label: 'Renewals',
            numeric: true,
            sort: (row) => row.renewals,
            csv: (row) => row.renewals,
            render: (row) => <span data-value={row.renewals}>{formatCount(row.renewals)}</span>,
          },
          moneyColumn<TimingClass>('atr', 'Up for renewal', (row) => row.atr, code),
          moneyColumn<TimingClass>('renewed', 'Renewed ARR', (row) => row.renewedArr, code),
          moneyColumn<TimingClass>('change', 'Change', (row) => row.change, code),
        ]}
      />
      <h2>Accounts behind the effects</h2>
      {accounts.length === 0 ? (
        <Empty>
          <p>No account&apos;s ARR on the window&apos;s first or last day depends on timing.</p>
        </Empty>
      ) : (
        <DataTable
          testId="timing-accounts"
          caption="Accounts behind the effects"
          exportName={`timing-accounts-${period.from}-${period.to}`}
          rows={accounts}
          rowKey={(row) => `${row.timing}:${row.account}`}
          initialSort={{ key: 'end', direction: 'desc' }}
          columns={[
            textColumn<EffectAccount>('timing', 'Timing', (row) => row.timing),
            accountColumn(scope),
            textColumn<EffectAccount>('dates', 'Renewal dates', (row) =>
              row.renewalDates.join(' '),
            ),
            moneyColumn<EffectAccount>('start', 'ARR moved at start', (row) => row.atStart, code),
            moneyColumn<EffectAccount>('end', 'ARR moved at end', (row) => row.atEnd, code),
          ]}
        />
      )}
      {moved.length === 0 ? null : <h2>Changes pulled into or pushed out of the period</h2>}
      {moved.length === 0 ? null : (
        <DataTable
          testId="timing-moved"
          caption="Changes that moved into or out of the period"
          exportName={`timing-moved-${period.from}-${period.to}`}
          rows={moved}
          rowKey={(row) => `${row.direction}:${row.account}:${row.renewalDate}`}
          columns={[
            textColumn<MovedRow>('direction', 'Moved', (row) => row.direction),
            accountColumn(scope),
            textColumn<MovedRow>('due', 'Renewal date', (row) => row.renewalDate),
            textColumn<MovedRow>('effective', 'Started', (row) => row.effectiveDate),
            moneyColumn<MovedRow>('change', 'Change', (row) => row.change, code),
          ]}
        />
      )}
    </>
  );
}
