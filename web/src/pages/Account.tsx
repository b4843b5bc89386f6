/** One account: its ARR timeline, its movements with the rule behind each, and its lines. */
import { useMemo } from 'react';
import { apiPath, useApi } from '../api.js';
import type { Explanation } from '../api.js';
import { Chart } from '../components/Chart.js';
import { DataTable } from '../components/DataTable.js';
import { Loaded } from '../components/States.js';
import {
  exactDecimal,
  formatAmount,
  formatCompact,
  formatMoney,
  formatPercent,
  ratio,
} from '../format.js';
import { scopeQuery, useScope } from '../scope.js';

function timelineOption(explanation: Explanation) {
  const { currency } = explanation;
  return {
    animation: false,
    grid: {
      left: 8,
      right: 16,
      top: 16,
      bottom: 8,
      outerBoundsMode: 'same',
      outerBoundsContain: 'axisLabel',
    },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (value: number) => formatMoney(value, currency),
    },
    xAxis: { type: 'category', data: explanation.timeline.map((point) => point.date) },
    yAxis: {
      type: 'value',
      axisLabel: { formatter: (value: number) => formatCompact(value, currency) },
    },
    series: [
      {
        name: 'ARR',
        type: 'line',
        step: 'end',
        data: explanation.timeline.map((point) => point.arr),
      },
    ],
  };
}

export function Account({ id }: { readonly id: string }) {
  const scope = useScope();
  const explanation = useApi<Explanation>(
    apiPath(`/api/accounts/${encodeURIComponent(id)}/explanation`, scopeQuery(scope)),
  );
  return (
    <Loaded value={explanation} what={`account ${id}`}>
      {(data) => <AccountView explanation={data} />}
    </Loaded>
  );
}

function AccountView({ explanation }: { readonly explanation: Explanation }) {
  const option = useMemo(() => timelineOption(explanation), [explanation]);
  const { currency, cohort } = explanation;
  return (
    <>
      <header className="page-header">
        <h1>
          {explanation.accountName ?? explanation.accountId}{' '}
          <span className="muted">{explanation.accountId}</span>
        </h1>
        <p className="muted">
          From {explanation.window.start} to {explanation.window.end}: ARR{' '}
          <strong data-testid="account-arr-start" data-value={explanation.arrAtStart}>
            {formatMoney(explanation.arrAtStart, currency)}
          </strong>{' '}
          →{' '}
          <strong data-testid="account-arr-end" data-value={explanation.arrAtEnd}>
            {formatMoney(explanation.arrAtEnd, currency)}
          </strong>
          .{' '}
          {cohort.member
            ? `In the cohort: it adds ${formatAmount(cohort.nrrNumerator, currency)} ÷ ${formatAmount(cohort.nrrDenominator, currency)} (${formatPercent(ratio(cohort.nrrNumerator, cohort.nrrDenominator))}) to NRR and ${formatAmount(cohort.grrNumerator, currency)} to GRR's numerator.`
            : 'Not in the cohort: it had no ARR on the window start, so it is outside NRR and GRR.'}
        </p>
        <dl className="books">
          {Object.entries(explanation.books).map(([dimension, book]) => (
            <div key={dimension}>
              <dt>{dimension === 'csm' ? 'CSM' : dimension}</dt>
              <dd>
                {book.atStart === book.atEnd ? book.atStart : `${book.atStart} → ${book.atEnd}`}
              </dd>
            </div>
          ))}
        </dl>
      </header>
      <section className="panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title">ARR over time</h2>
        <Chart
          option={option}
          height={260}
          label="The account's ARR at each month end"
          testId="timeline"
        />
      </section>
      <section className="panel" aria-labelledby="movements-title">
        <h2 id="movements-title">Movements in the window</h2>
        {explanation.movements.length === 0 ? (
          <p className="muted">Its ARR did not move in the window.</p>
        ) : (
          <DataTable
            testId="account-movements"
            caption="Movements"
            exportName={`${explanation.accountId}-movements`}
            rows={explanation.movements}
            rowKey={(row) => `${row.from}:${row.to}:${row.kind}`}
            columns={[
              { key: 'from', label: 'From', csv: (row) => row.from, render: (row) => row.from },
              { key: 'to', label: 'To', csv: (row) => row.to, render: (row) => row.to },
              { key: 'kind', label: 'Movement', csv: (row) => row.kind, render: (row) => row.kind },
              {
                key: 'amount',
                label: 'Amount',
                numeric: true,
                csv: (row) => exactDecimal(row.amount, currency),
                render: (row) => formatAmount(row.amount, currency),
              },
              {
                key: 'rule',
                label: 'Rule',
                csv: (row) => `${row.rule}: ${row.reason}`,
                render: (row) => (
                  <>
                    <code>{row.rule}</code> {row.reason}
                    {row.components.length > 1 ? (
                      <ul className="components">
                        {row.components.map((component, index) => (
                          <li key={index}>
                            {component.subtype} ({component.product}):{' '}
                            {formatAmount(component.amount, currency)}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </>
                ),
              },
            ]}
          />
        )}
      </section>
      <section className="panel" aria-labelledby="lines-title">
        <h2 id="lines-title">Contract lines</h2>
        <DataTable
          testId="account-lines"
          caption="Contract lines and the rule applied to each"
          exportName={`${explanation.accountId}-lines`}
          rows={explanation.lines}
          rowKey={(row) => row.id}
          columns={[
            {
              key: 'id',
              label: 'Line',
              sort: (row) => row.id,
              csv: (row) => row.id,
              render: (row) => row.id,
            },
            {
              key: 'product',
              label: 'Product',
              sort: (row) => row.product ?? '',
              csv: (row) => row.product,
              render: (row) => row.product ?? '',
            },
            {
              key: 'period',
              label: 'Service',
              sort: (row) => row.start,
              csv: (row) => `${row.start} to ${row.effectiveLastDay ?? 'open'}`,
              render: (row) => `${row.start} to ${row.effectiveLastDay ?? 'open'}`,
            },
            {
              key: 'amount',
              label: 'Amount',
              numeric: true,
              csv: (row) => `${row.amount} ${row.currency} ${row.period}`,
              render: (row) => `${row.amount} ${row.currency} ${row.period}`,
            },
            {
              key: 'rule',
              label: 'Rule',
              csv: (row) =>
                row.counted ? `${row.rule}: ${row.arithmetic}` : (row.exclusion ?? row.rule),
              render: (row) =>
                row.counted ? (
                  <>
                    <code>{row.rule}</code> {row.arithmetic}
                    {row.adjustments.map((adjustment) => (
                      <div key={adjustment} className="muted">
                        {adjustment}
                      </div>
                    ))}
                  </>
                ) : (
                  <span className="muted">{row.exclusion ?? row.rule}</span>
                ),
            },
            {
              key: 'start-arr',
              label: 'ARR at start',
              numeric: true,
              sort: (row) => row.arrAtStart,
              csv: (row) => exactDecimal(row.arrAtStart, currency),
              render: (row) => formatAmount(row.arrAtStart, currency),
            },
            {
              key: 'end-arr',
              label: 'ARR at end',
              numeric: true,
              sort: (row) => row.arrAtEnd,
              csv: (row) => exactDecimal(row.arrAtEnd, currency),
              render: (row) => formatAmount(row.arrAtEnd, currency),
            },
          ]}
        />
      </section>
    </>
  );
}
