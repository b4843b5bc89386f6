/** The renewal calendar: what is up for renewal each month, its outcome and timing once known. */
import { RENEWAL_OUTCOMES, RENEWAL_STATUSES, RENEWAL_TIMINGS } from '../../../src/core/renewals.js';
import { apiPath, useApi } from '../api.js';
import { DataTable } from '../components/DataTable.js';
import { accountColumn, moneyColumn, textColumn } from '../components/columns.js';
import { Empty, Loaded } from '../components/States.js';
import { formatAmount, formatCount, formatPercent } from '../format.js';
import { navigate, useRoute, withParams } from '../router.js';
import { scopedHref, useScope } from '../scope.js';

interface Renewal {
  account: string;
  accountName: string | null;
  renewalDate: string;
  arrUpForRenewal: number;
  csm: string;
  segment: string;
  region: string;
  status: string;
  outcome: string | null;
  timing: string | null;
  renewedArr: number | null;
  addOnEarlyRenewal: boolean;
}

interface RenewalsData {
  asOf: string;
  currency: string;
  period: { from: string; to: string };
  renewals: Renewal[];
  renewalRates: {
    due: { renewals: number; atr: number };
    grossRenewalRate: number | null;
    netRenewalRate: number | null;
  };
}

const FILTERS = {
  status: RENEWAL_STATUSES,
  outcome: RENEWAL_OUTCOMES,
  timing: RENEWAL_TIMINGS,
} as const;

/** Returns the three months after the as-of month, as the default period. */
function defaultPeriod(asOf: string | undefined): { from: string; to: string } {
  const start = asOf === undefined ? new Date() : new Date(`${asOf}T00:00:00Z`);
  const from = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const to = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 4, 0));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

export function Renewals() {
  const scope = useScope();
  const route = useRoute();
  const period = defaultPeriod(scope.asOf);
  const query: Record<string, string | undefined> = {
    asOf: scope.asOf,
    definitions: scope.definitions,
    from: route.params.get('from') ?? period.from,
    to: route.params.get('to') ?? period.to,
  };
  for (const name of ['status', 'outcome', 'timing', 'csm', 'segment', 'region']) {
    query[name] = route.params.get(name) ?? undefined;
  }
  const data = useApi<RenewalsData>(apiPath('/api/renewals', query));
  return (
    <>
      <header className="page-header">
        <h1>Renewals</h1>
        <p className="muted">
          Every contract&apos;s renewal date and the ARR up for renewal; once decided, its outcome
          and whether it came early, on time or late.
        </p>
      </header>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        {(['from', 'to'] as const).map((name) => (
          <label key={name}>
            {name === 'from' ? 'From' : 'To'}
            <input
              type="date"
              name={name}
              value={query[name]}
              onChange={(event) => navigate(withParams(route, { [name]: event.target.value }))}
            />
          </label>
        ))}
        {(Object.keys(FILTERS) as (keyof typeof FILTERS)[]).map((name) => (
          <label key={name}>
            {name[0]?.toUpperCase()}
            {name.slice(1)}
            <select
              name={name}
              value={query[name] ?? ''}
              onChange={(event) => navigate(withParams(route, { [name]: event.target.value }))}
            >
              <option value="">Any</option>
              {FILTERS[name].map((value) => (
                <option key={value}>{value}</option>
              ))}
            </select>
          </label>
        ))}
      </form>
      <Loaded value={data} what="the renewals">
        {(renewals) =>
          renewals.renewals.length === 0 ? (
            <Empty>
              <p>No renewal falls in this period with these filters.</p>
            </Empty>
          ) : (
            <RenewalsView data={renewals} scope={scope} />
          )
        }
      </Loaded>
    </>
  );
}

function RenewalsView({
  data,
  scope,
}: {
  readonly data: RenewalsData;
  readonly scope: ReturnType<typeof useScope>;
}) {
  const months = new Map<string, Renewal[]>();
  for (const renewal of data.renewals) {
    const month = renewal.renewalDate.slice(0, 7);
    months.set(month, [...(months.get(month) ?? []), renewal]);
  }
  const { renewalRates } = data;
  return (
    <>
      <p data-testid="renewal-summary" data-count={data.renewals.length}>
        {formatCount(data.renewals.length)} renewals from {data.period.from} to {data.period.to},{' '}
        {formatAmount(renewalRates.due.atr, data.currency)} {data.currency} up for renewal. Renewal
        rates on the ARR available to renew (a different measure from NRR): gross{' '}
        {formatPercent(renewalRates.grossRenewalRate)}, net{' '}
        {formatPercent(renewalRates.netRenewalRate)}.
      </p>
      <p>
        <a
          href={scopedHref(scope, '/timing', { from: data.period.from, to: data.period.to })}
          data-testid="timing-link"
        >
          What early and late renewals in this period did to ARR and NRR
        </a>
      </p>
      <div className="calendar" data-testid="calendar">
        {[...months.entries()].map(([month, list]) => (
          <section className="panel" key={month} data-month={month}>
            <h2>
              {month}: {list.length},{' '}
              {formatAmount(
                list.reduce((sum, entry) => sum + entry.arrUpForRenewal, 0),
                data.currency,
              )}
            </h2>
            <ul>
              {list.map((entry) => (
                <li key={`${entry.account}:${entry.renewalDate}`}>
                  {entry.renewalDate.slice(8)}:{' '}
                  <a href={scopedHref(scope, `/account/${encodeURIComponent(entry.account)}`)}>
                    {entry.accountName ?? entry.account}
                  </a>{' '}
                  {formatAmount(entry.arrUpForRenewal, data.currency)}{' '}
                  <span className="muted">
                    {entry.outcome ?? entry.status}
                    {entry.timing === null ? '' : `, ${entry.timing}`}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
      <DataTable
        testId="renewals-table"
        caption="Renewals"
        exportName={`renewals-${data.period.from}-${data.period.to}`}
        rows={data.renewals}
        rowKey={(row) => `${row.account}:${row.renewalDate}`}
        initialSort={{ key: 'date', direction: 'asc' }}
        columns={[
          textColumn<Renewal>('date', 'Renewal date', (row) => row.renewalDate),
          accountColumn(scope),
          textColumn<Renewal>('csm', 'CSM', (row) => row.csm),
          moneyColumn<Renewal>(
            'atr',
            'Up for renewal',
            (row) => row.arrUpForRenewal,
            data.currency,
          ),
          textColumn<Renewal>('status', 'Status', (row) => row.status),
          textColumn<Renewal>('outcome', 'Outcome', (row) => row.outcome ?? ''),
          textColumn<Renewal>('timing', 'Timing', (row) => row.timing ?? ''),
        ]}
      />
    </>
  );
}
