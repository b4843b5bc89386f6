/** Team: one row per CSM with the book's start and end ARR, NRR, GRR and logo retention. */
import { useMemo } from 'react';
import { apiPath, useApi } from '../api.js';
import type { GroupReport, Report } from '../api.js';
import type { Column } from '../components/DataTable.js';
import { DataTable } from '../components/DataTable.js';
import { Empty, Loaded } from '../components/States.js';
import { exactDecimal, formatAmount, formatPercent, ratio } from '../format.js';
import { navigate, useRoute, withParams } from '../router.js';
import { scopedHref, scopeQuery, useScope } from '../scope.js';
import type { Scope } from '../scope.js';

interface Filters {
  readonly segment: string | undefined;
  readonly region: string | undefined;
}

/** Builds a link to the accounts behind one CSM's figure, with the page's filters. */
function accountsLink(scope: Scope, filters: Filters, csm: string, set: 'active' | 'cohort') {
  return scopedHref(scope, '/accounts', {
    set,
    by: 'csm',
    key: csm,
    segment: filters.segment,
    region: filters.region,
  });
}

function columns(scope: Scope, filters: Filters, currency: string): Column<GroupReport>[] {
  const money = (
    key: string,
    label: string,
    read: (row: GroupReport) => number,
    set: 'active' | 'cohort',
  ): Column<GroupReport> => ({
    key,
    label,
    numeric: true,
    sort: read,
    csv: (row) => exactDecimal(read(row), currency),
    render: (row) => (
      <a href={accountsLink(scope, filters, row.key, set)} data-value={read(row)}>
        {formatAmount(read(row), currency)}
      </a>
    ),
  });
  const percent = (
    key: string,
    label: string,
    read: (row: GroupReport) => number | null,
  ): Column<GroupReport> => ({
    key,
    label,
    numeric: true,
    sort: read,
    csv: (row) => read(row),
    render: (row) => (
      <a href={accountsLink(scope, filters, row.key, 'cohort')} data-value={read(row) ?? ''}>
        {formatPercent(read(row))}
      </a>
    ),
  });
  return [
    {
      key: 'csm',
      label: 'CSM',
      sort: (row) => row.key,
      csv: (row) => row.key,
      render: (row) => row.key,
    },
    money('start', 'Start ARR', (row) => row.bridge.start, 'cohort'),
    money('end', 'End ARR', (row) => row.bridge.end, 'active'),
    percent('nrr', 'NRR', (row) => row.nrr),
    percent('grr', 'GRR', (row) => row.grr),
    percent('logo', 'Logo retention', (row) => row.logoRetention),
    {
      key: 'accounts',
      label: 'Cohort accounts',
      numeric: true,
      sort: (row) => row.cohort.cohortAccounts,
      csv: (row) => row.cohort.cohortAccounts,
      render: (row) => (
        <a
          href={accountsLink(scope, filters, row.key, 'cohort')}
          data-value={row.cohort.cohortAccounts}
        >
          {row.cohort.cohortAccounts.toLocaleString('en-US')}
        </a>
      ),
    },
  ];
}

/** Lists the books of a report, keeping the selected one even when the data has no such book. */
function keysOf(report: { state: string; data?: Report }, selected: string | undefined): string[] {
  const keys =
    report.state === 'ready' ? (report.data?.groups ?? []).map((group) => group.key) : [];
  return selected === undefined || keys.includes(selected) ? keys : [...keys, selected];
}

export function Team() {
  const scope = useScope();
  const route = useRoute();
  const filters: Filters = {
    segment: route.params.get('segment') ?? undefined,
    region: route.params.get('region') ?? undefined,
  };
  const segments = useApi<Report>(apiPath('/api/report', { ...scopeQuery(scope), by: 'segment' }));
  const regions = useApi<Report>(apiPath('/api/report', { ...scopeQuery(scope), by: 'region' }));
  const report = useApi<Report>(
    apiPath('/api/report', { ...scopeQuery(scope), by: 'csm', ...filters }),
  );
  return (
    <>
      <header className="page-header">
        <h1>Team</h1>
        <p className="muted">
          Each CSM&apos;s book: the cohort on the window&apos;s first day gives start ARR, NRR, GRR
          and logo retention; end ARR counts the accounts the CSM holds on the as-of date.
        </p>
      </header>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Segment
          <select
            name="segment"
            value={filters.segment ?? ''}
            onChange={(event) => navigate(withParams(route, { segment: event.target.value }))}
          >
            <option value="">All segments</option>
            {keysOf(segments, filters.segment).map((key) => (
              <option key={key} value={key}>
                {key}
              </option>
            ))}
          </select>
        </label>
        <label>
          Region
          <select
            name="region"
            value={filters.region ?? ''}
            onChange={(event) => navigate(withParams(route, { region: event.target.value }))}
          >
            <option value="">All regions</option>
            {keysOf(regions, filters.region).map((key) => (
              <option key={key} value={key}>
                {key}
              </option>
            ))}
          </select>
        </label>
      </form>
      <Loaded value={report} what="the CSM books">
        {(data) => <TeamTable report={data} filters={filters} scope={scope} />}
      </Loaded>
    </>
  );
}

function TeamTable({
  report,
  filters,
  scope,
}: {
  readonly report: Report;
  readonly filters: Filters;
  readonly scope: Scope;
}) {
  const rows = report.groups ?? [];
  const table = useMemo(
    () => columns(scope, filters, report.currency),
    [scope, filters.segment, filters.region, report.currency],
  );
  if (rows.length === 0) {
    return (
      <Empty>
        <p>No CSM has accounts in this selection. Clear a filter to see more books.</p>
      </Empty>
    );
  }
  const sum = (read: (row: GroupReport) => number) =>
    rows.reduce((total, row) => total + read(row), 0);
  const startArr = sum((row) => row.cohort.startArr);
  const totals = {
    start: sum((row) => row.bridge.start),
    end: sum((row) => row.bridge.end),
    nrr: ratio(
      sum((row) => row.cohort.endArr),
      startArr,
    ),
    grr: ratio(
      sum((row) => row.cohort.cappedArr),
      startArr,
    ),
    logo: ratio(
      sum((row) => row.cohort.retainedAccounts),
      sum((row) => row.cohort.cohortAccounts),
    ),
    accounts: sum((row) => row.cohort.cohortAccounts),
  };
  return (
    <DataTable
      testId="team-table"
      caption="CSM books"
      exportName={`team-${report.asOf}`}
      columns={table}
      rows={rows}
      rowKey={(row) => row.key}
      initialSort={{ key: 'csm', direction: 'asc' }}
      footer={
        <tr data-testid="team-totals">
          <th scope="row">All listed books</th>
          <td className="numeric" data-value={totals.start}>
            {formatAmount(totals.start, report.currency)}
          </td>
          <td className="numeric" data-value={totals.end}>
            {formatAmount(totals.end, report.currency)}
          </td>
          <td className="numeric">{formatPercent(totals.nrr)}</td>
          <td className="numeric">{formatPercent(totals.grr)}</td>
          <td className="numeric">{formatPercent(totals.logo)}</td>
          <td className="numeric">{totals.accounts.toLocaleString('en-US')}</td>
        </tr>
      }
    />
  );
}
