/**
 * The accounts behind a figure: the active accounts behind ARR, or the cohort behind NRR, GRR and
 * logo retention, for the company or one book, with their sums next to the figure they make.
 */
import { useState } from 'react';
import { apiPath, useApi } from '../api.js';
import type { AccountRow, Accounts as AccountsData } from '../api.js';
import { DataTable } from '../components/DataTable.js';
import type { Column } from '../components/DataTable.js';
import { accountColumn, moneyColumn, nameColumn, textColumn } from '../components/columns.js';
import { Empty, Loaded } from '../components/States.js';
import type { Dimension } from '../../../src/core/groups.js';
import { formatAmount, formatCount, formatMoney, formatPercent, ratio } from '../format.js';
import { navigate, useRoute, withParams } from '../router.js';
import type { Route } from '../router.js';
import { scopeQuery, useScope } from '../scope.js';

const FILTERS = ['segment', 'region', 'subRegion', 'csm'] as const;

/** Describes the selection in words, e.g. "CSM Amara Walsh, segment Growth". */
function describe(route: Route): string {
  const parts: string[] = [];
  const by = route.params.get('by');
  const key = route.params.get('key');
  if (by !== null && key !== null) parts.push(`${by === 'csm' ? 'CSM' : by} ${key}`);
  for (const filter of FILTERS) {
    const value = route.params.get(filter);
    if (value !== null) parts.push(`${filter === 'subRegion' ? 'sub-region' : filter} ${value}`);
  }
  return parts.length === 0 ? 'the company' : parts.join(', ');
}

export function Accounts() {
  const scope = useScope();
  const route = useRoute();
  const set = route.params.get('set') === 'cohort' ? 'cohort' : 'active';
  const query: Record<string, string | undefined> = { ...scopeQuery(scope), set };
  for (const name of ['by', 'key', 'q', ...FILTERS]) {
    query[name] = route.params.get(name) ?? undefined;
  }
  const accounts = useApi<AccountsData>(apiPath('/api/accounts', query));
  const [search, setSearch] = useState(route.params.get('q') ?? '');
  return (
    <>
      <header className="page-header">
        <h1>{set === 'cohort' ? 'Cohort accounts' : 'Active accounts'}</h1>
        <p className="muted" data-testid="selection">
          {set === 'cohort'
            ? `The accounts of ${describe(route)} with ARR on the window's first day: the cohort behind NRR, GRR and logo retention.`
            : `The accounts of ${describe(route)} with ARR on the as-of date: they add up to its ARR.`}
        </p>
      </header>
      <form
        className="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(withParams(route, { q: search.trim() }));
        }}
      >
        <label>
          Find an account
          <input
            type="search"
            name="q"
            value={search}
            placeholder="id or name"
            maxLength={200}
            onChange={(event) => setSearch(event.target.value)}
          />
        </label>
        <button type="submit">Search</button>
        <span className="switch">
          Show:{' '}
          <a href={withParams(route, { set: 'active' })} aria-current={set === 'active'}>
            active on the as-of date
          </a>{' '}
          ·{' '}
          <a href={withParams(route, { set: 'cohort' })} aria-current={set === 'cohort'}>
            cohort on the window start
          </a>
        </span>
      </form>
      <Loaded value={accounts} what="the accounts">
        {(data) => <AccountsView data={data} scope={scope} />}
      </Loaded>
    </>
  );
}

function AccountsView({
  data,
  scope,
}: {
  readonly data: AccountsData;
  readonly scope: ReturnType<typeof useScope>;
}) {
  if (data.count === 0) {
    return (
      <Empty>
        <p>No account matches this selection.</p>
      </Empty>
    );
  }
  const book = (key: Dimension, label: string) =>
    textColumn<AccountRow>(key, label, (row) => row.books[key]);
  const columns: Column<AccountRow>[] = [
    accountColumn(scope),
    nameColumn(),
    book('csm', 'CSM'),
    book('segment', 'Segment'),
    book('region', 'Region'),
    moneyColumn('start', `ARR on ${data.window.start}`, (row) => row.arrAtStart, data.currency),
    moneyColumn('end', `ARR on ${data.window.end}`, (row) => row.arrAtEnd, data.currency),
  ];
  if (data.set === 'cohort') {
    columns.push(moneyColumn('capped', 'Capped at start', (row) => row.capped, data.currency));
  }
  return (
    <>
      <section className="sums" aria-label="Sums" data-testid="sums">
        <p>
          <strong data-testid="sum-count" data-value={data.count}>
            {formatCount(data.count)}
          </strong>{' '}
          accounts.{' '}
          {data.set === 'active' ? (
            <>
              ARR{' '}
              <strong data-testid="sum-arr" data-value={data.arrAtEnd}>
                {formatMoney(data.arrAtEnd, data.currency)}
              </strong>
              .
            </>
          ) : (
            <>
              NRR = {formatAmount(data.arrAtEnd, data.currency)} ÷{' '}
              {formatAmount(data.arrAtStart, data.currency)} ={' '}
              <strong data-testid="sum-nrr">
                {formatPercent(ratio(data.arrAtEnd, data.arrAtStart))}
              </strong>
              ; GRR = {formatAmount(data.capped, data.currency)} ÷{' '}
              {formatAmount(data.arrAtStart, data.currency)} ={' '}
              <strong data-testid="sum-grr">
                {formatPercent(ratio(data.capped, data.arrAtStart))}
              </strong>
              ; logo retention = {formatCount(data.retained)} ÷ {formatCount(data.count)} ={' '}
              <strong data-testid="sum-logo">
                {formatPercent(ratio(data.retained, data.count))}
              </strong>
              .
            </>
          )}
        </p>
        {data.accounts.length < data.count ? (
          <p className="muted">
            The table lists the {formatCount(data.accounts.length)} largest; the sums cover all{' '}
            {formatCount(data.count)}. Search narrows the list.
          </p>
        ) : null}
      </section>
      <DataTable
        testId="accounts-table"
        caption="Accounts"
        exportName={`accounts-${data.set}-${data.window.end}`}
        columns={columns}
        rows={data.accounts}
        rowKey={(row) => row.account}
        initialSort={{ key: data.set === 'cohort' ? 'start' : 'end', direction: 'desc' }}
      />
    </>
  );
}
