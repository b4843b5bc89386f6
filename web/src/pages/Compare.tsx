/** Last year both ways: each book's ARR growth next to its cohort NRR, with ranks and the reasons. */
import { Fragment, useState } from 'react';
import { apiPath, useApi } from '../api.js';
import { DataTable } from '../components/DataTable.js';
import type { Column } from '../components/DataTable.js';
import { Loaded } from '../components/States.js';
import { exactDecimal, formatAmount, formatPercent } from '../format.js';
import { navigate, useRoute, withParams } from '../router.js';
import { scopedHref, useScope } from '../scope.js';

interface Explained {
  amount: number;
  accounts: { account: string; amount: number }[];
}

interface CompareRow {
  key: string;
  startArr: number;
  endArr: number;
  netNewArr: number;
  arrGrowth: number | null;
  nrr: number | null;
  grr: number | null;
  logoRetention: number | null;
  renewalRates: { grossRenewalRate: number | null; netRenewalRate: number | null };
  ranks: Record<'arrGrowth' | 'netNewArr' | 'nrr' | 'grr' | 'logoRetention', number | null>;
  explanation: {
    difference: number;
    newLogos: Explained;
    reactivations: Explained;
    transfersIn: Explained;
    transfersOut: Explained;
    fx: Explained;
    rampSteps: Explained;
  };
}

interface CompareData {
  year: number;
  window: { start: string; end: string };
  currency: string;
  company: CompareRow;
  rows: CompareRow[];
  reconciliation: {
    columns: { column: string; books: number; company: number }[];
    transfers: { in: number; out: number };
  };
}

const REASONS = [
  ['newLogos', 'New logos'],
  ['reactivations', 'Reactivations'],
  ['transfersIn', 'Transfers in'],
  ['transfersOut', 'Transfers out'],
  ['fx', 'FX'],
  ['rampSteps', 'Ramp steps'],
] as const;

function ranked(value: string, rank: number | null): string {
  return rank === null ? value : `${value} (#${rank})`;
}

export function Compare() {
  const scope = useScope();
  const route = useRoute();
  const year = route.params.get('year') ?? String(Number((scope.asOf ?? '2025').slice(0, 4)));
  const by = route.params.get('by') ?? 'csm';
  const data = useApi<CompareData>(
    apiPath('/api/compare', { year, by, definitions: scope.definitions }),
  );
  return (
    <>
      <header className="page-header">
        <h1>Last year both ways</h1>
        <p className="muted">
          ARR growth and net new ARR, the old measure, next to cohort NRR, GRR and logo retention
          for the same year, with each book&apos;s rank under each. The accounts behind the gap are
          listed per book.
        </p>
      </header>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Year
          <input
            type="number"
            name="year"
            value={year}
            min={1900}
            max={2999}
            onChange={(event) => navigate(withParams(route, { year: event.target.value }))}
          />
        </label>
        <label>
          Books
          <select
            name="by"
            value={by}
            onChange={(event) => navigate(withParams(route, { by: event.target.value }))}
          >
            <option value="csm">CSM</option>
            <option value="segment">Segment</option>
            <option value="region">Region</option>
            <option value="sub-region">Sub-region</option>
          </select>
        </label>
      </form>
      <Loaded value={data} what="the comparison">
        {(compare) => <CompareView data={compare} scope={scope} />}
      </Loaded>
    </>
  );
}

function CompareView({
  data,
  scope,
}: {
  readonly data: CompareData;
  readonly scope: ReturnType<typeof useScope>;
}) {
  const [open, setOpen] = useState<string | null>(null);
  const money = (read: (row: CompareRow) => number) => (row: CompareRow) =>
    formatAmount(read(row), data.currency);
  const columns: Column<CompareRow>[] = [
    {
      key: 'book',
      label: 'Book',
      sort: (row) => row.key,
      csv: (row) => row.key,
      render: (row) => row.key,
    },
    {
      key: 'growth',
      label: 'ARR growth',
      numeric: true,
      sort: (row) => row.arrGrowth,
      csv: (row) => row.arrGrowth,
      render: (row) => ranked(formatPercent(row.arrGrowth), row.ranks.arrGrowth),
    },
    {
      key: 'netNew',
      label: 'Net new ARR',
      numeric: true,
      sort: (row) => row.netNewArr,
      csv: (row) => exactDecimal(row.netNewArr, data.currency),
      render: (row) => ranked(money((r) => r.netNewArr)(row), row.ranks.netNewArr),
    },
    {
      key: 'nrr',
      label: 'NRR',
      numeric: true,
      sort: (row) => row.nrr,
      csv: (row) => row.nrr,
      render: (row) => (
        <span data-value={row.nrr ?? ''}>{ranked(formatPercent(row.nrr), row.ranks.nrr)}</span>
      ),
    },
    {
      key: 'grr',
      label: 'GRR',
      numeric: true,
      sort: (row) => row.grr,
      csv: (row) => row.grr,
      render: (row) => ranked(formatPercent(row.grr), row.ranks.grr),
    },
    {
      key: 'logo',
      label: 'Logo retention',
      numeric: true,
      sort: (row) => row.logoRetention,
      csv: (row) => row.logoRetention,
      render: (row) => ranked(formatPercent(row.logoRetention), row.ranks.logoRetention),
    },
    {
      key: 'renewal',
      label: 'Net renewal rate',
      numeric: true,
      sort: (row) => row.renewalRates.netRenewalRate,
      csv: (row) => row.renewalRates.netRenewalRate,
      render: (row) => formatPercent(row.renewalRates.netRenewalRate),
    },
    {
      key: 'why',
      label: 'Gap explained',
      csv: (row) => exactDecimal(row.explanation.difference, data.currency),
      render: (row) => (
        <button type="button" onClick={() => setOpen(open === row.key ? null : row.key)}>
          {formatAmount(row.explanation.difference, data.currency)}
        </button>
      ),
    },
  ];
  const chosen = [data.company, ...data.rows].find((row) => row.key === open);
  return (
    <>
      <p className="muted">
        ARR growth is end ARR ÷ start ARR − 1. The net renewal rate is a different measure: renewed
        ARR ÷ ARR up for renewal in the year.
      </p>
      <p data-testid="company-line">
        Company, {data.window.start} to {data.window.end}: ARR growth{' '}
        <strong>{formatPercent(data.company.arrGrowth)}</strong>, NRR{' '}
        <strong data-testid="company-nrr" data-value={data.company.nrr ?? ''}>
          {formatPercent(data.company.nrr)}
        </strong>
        .
      </p>
      <DataTable
        testId="compare-table"
        caption="Books compared"
        exportName={`compare-${data.year}`}
        columns={columns}
        rows={data.rows}
        rowKey={(row) => row.key}
        initialSort={{ key: 'nrr', direction: 'desc' }}
      />
      {chosen === undefined ? null : (
        <section className="panel" data-testid="gap" aria-labelledby="gap-title">
          <h2 id="gap-title">Why {chosen.key}&apos;s two measures differ</h2>
          <table className="bridge-table">
            <tbody>
              {REASONS.map(([field, label]) => (
                <Fragment key={field}>
                  <tr>
                    <th scope="row">{label}</th>
                    <td className="numeric">
                      {formatAmount(chosen.explanation[field].amount, data.currency)}
                    </td>
                  </tr>
                  {chosen.explanation[field].accounts.slice(0, 10).map((entry) => (
                    <tr key={`${field}:${entry.account}`}>
                      <td>
                        <a
                          href={scopedHref(scope, `/account/${encodeURIComponent(entry.account)}`)}
                        >
                          {entry.account}
                        </a>
                      </td>
                      <td className="numeric">{formatAmount(entry.amount, data.currency)}</td>
                    </tr>
                  ))}
                </Fragment>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section className="panel" aria-labelledby="reconcile-title">
        <h2 id="reconcile-title">Books against the company</h2>
        <table className="bridge-table" data-testid="reconciliation">
          <tbody>
            {data.reconciliation.columns.map((entry) => (
              <tr key={entry.column}>
                <th scope="row">{entry.column}</th>
                <td className="numeric">{formatAmount(entry.books, data.currency)}</td>
                <td className="numeric">{formatAmount(entry.company, data.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">
          Transfers between books: {formatAmount(data.reconciliation.transfers.in, data.currency)}{' '}
          in, {formatAmount(data.reconciliation.transfers.out, data.currency)} out.
        </p>
      </section>
    </>
  );
}
