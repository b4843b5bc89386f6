/** Cohorts: net revenue retention of each acquisition cohort, month by month, as a heatmap. */
import { useMemo } from 'react';
import { apiPath, useApi } from '../api.js';
import type { CohortRow, Cohorts as CohortsData } from '../api.js';
import { Chart } from '../components/Chart.js';
import { DataTable } from '../components/DataTable.js';
import { Empty, Loaded } from '../components/States.js';
import { exactDecimal, formatAmount, formatPercent } from '../format.js';
import { navigate } from '../router.js';
import { scopedHref, scopeQuery, useScope } from '../scope.js';
import type { Scope } from '../scope.js';

/** Heatmap colours are clamped to this range, so one outlier does not wash out the rest. */
const COLOUR_RANGE = [0.5, 1.5];

function heatmapOption(data: CohortsData) {
  const rows = data.cohorts;
  const width = Math.max(...rows.map((row) => row.nrr.length));
  const cells: [number, number, number | null][] = [];
  rows.forEach((row, y) => {
    row.nrr.forEach((value, x) => {
      cells.push([x, y, value === null ? null : Math.round(value * 1000) / 1000]);
    });
  });
  return {
    animation: false,
    grid: {
      left: 8,
      right: 8,
      top: 8,
      bottom: 56,
      outerBoundsMode: 'same',
      outerBoundsContain: 'axisLabel',
    },
    tooltip: {
      formatter: ({ value }: { value: [number, number, number | null] }) => {
        const row = rows[value[1]];
        return row === undefined
          ? ''
          : `Cohort ${row.month}, month ${value[0]}: NRR ${formatPercent(value[2])}`;
      },
    },
    xAxis: {
      type: 'category',
      name: 'Months since the cohort started',
      nameLocation: 'middle',
      nameGap: 28,
      data: Array.from({ length: width }, (_, month) => String(month)),
    },
    yAxis: { type: 'category', inverse: true, data: rows.map((row) => row.month) },
    visualMap: {
      min: COLOUR_RANGE[0],
      max: COLOUR_RANGE[1],
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      inRange: { color: ['#c92a2a', '#fff3bf', '#2b8a3e'] },
      formatter: (value: number) => formatPercent(value),
    },
    series: [{ type: 'heatmap', data: cells, emphasis: { itemStyle: { borderColor: '#000' } } }],
  };
}

export function Cohorts() {
  const scope = useScope();
  const cohorts = useApi<CohortsData>(apiPath('/api/cohorts', scopeQuery(scope)));
  return (
    <>
      <header className="page-header">
        <h1>Cohorts</h1>
        <p className="muted">
          Accounts grouped by the month they first had ARR. Each cell is the cohort&apos;s ARR that
          many months later divided by its ARR in its first month: expansion lifts it above 100%,
          contraction and churn pull it below, and later new logos never enter it.
        </p>
      </header>
      <Loaded value={cohorts} what="the cohorts">
        {(data) =>
          data.cohorts.length === 0 ? (
            <Empty>
              <p>No account has ARR at a month end yet.</p>
            </Empty>
          ) : (
            <CohortsView data={data} scope={scope} />
          )
        }
      </Loaded>
    </>
  );
}

function CohortsView({ data, scope }: { readonly data: CohortsData; readonly scope: Scope }) {
  const option = useMemo(() => heatmapOption(data), [data]);
  const height = Math.max(240, data.cohorts.length * 14 + 96);
  const link = (row: CohortRow) => scopedHref(scope, `/cohort/${row.month}`);
  const last = (list: readonly number[]) => list[list.length - 1] ?? 0;
  return (
    <>
      <section className="panel">
        <Chart
          option={option}
          height={height}
          label="Heatmap of cohort net revenue retention by start month and months since"
          testId="cohort-heatmap"
          onClick={(event) => {
            const value = event.value as [number, number] | undefined;
            const row = value === undefined ? undefined : data.cohorts[value[1]];
            if (row !== undefined) navigate(link(row));
          }}
        />
      </section>
      <DataTable
        testId="cohort-table"
        caption="Cohorts"
        exportName={`cohorts-${data.asOf}`}
        rows={data.cohorts}
        rowKey={(row) => row.month}
        columns={[
          {
            key: 'month',
            label: 'Cohort',
            sort: (row) => row.month,
            csv: (row) => row.month,
            render: (row) => (
              <a href={link(row)}>
                {row.month}
                {row.installedBase ? ' (first month of the data)' : ''}
              </a>
            ),
          },
          {
            key: 'accounts',
            label: 'Accounts',
            numeric: true,
            sort: (row) => row.accounts,
            csv: (row) => row.accounts,
            render: (row) => (
              <a href={link(row)} data-value={row.accounts}>
                {row.accounts.toLocaleString('en-US')}
              </a>
            ),
          },
          {
            key: 'first',
            label: 'ARR in first month',
            numeric: true,
            sort: (row) => row.arr[0] ?? 0,
            csv: (row) => exactDecimal(row.arr[0] ?? 0, data.currency),
            render: (row) => (
              <a href={link(row)} data-value={row.arr[0] ?? 0}>
                {formatAmount(row.arr[0] ?? 0, data.currency)}
              </a>
            ),
          },
          {
            key: 'now',
            label: `ARR on ${data.asOf}`,
            numeric: true,
            sort: (row) => last(row.arr),
            csv: (row) => exactDecimal(last(row.arr), data.currency),
            render: (row) => (
              <a href={link(row)} data-value={last(row.arr)}>
                {formatAmount(last(row.arr), data.currency)}
              </a>
            ),
          },
          {
            key: 'nrr',
            label: 'NRR now',
            numeric: true,
            sort: (row) => row.nrr[row.nrr.length - 1] ?? null,
            csv: (row) => row.nrr[row.nrr.length - 1] ?? null,
            render: (row) => (
              <a href={link(row)}>{formatPercent(row.nrr[row.nrr.length - 1] ?? null)}</a>
            ),
          },
        ]}
      />
    </>
  );
}
