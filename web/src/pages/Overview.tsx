/** Overview: the company's headline figures, its ARR bridge as a waterfall, NRR and GRR by month. */
import { useMemo } from 'react';
import { apiPath, useApi } from '../api.js';
import type { Report } from '../api.js';
import { Chart } from '../components/Chart.js';
import { Figure } from '../components/Figure.js';
import { Loaded } from '../components/States.js';
import { formatAmount, formatCompact, formatCount, formatMoney, formatPercent } from '../format.js';
import { navigate } from '../router.js';
import { scopedHref, scopeQuery, useScope } from '../scope.js';
import type { Scope } from '../scope.js';

/** The last day of a month written as YYYY-MM. */
function monthEnd(month: string): string {
  const [year, number] = month.split('-').map(Number) as [number, number];
  // Day 0 of the next month is the last day of this one; UTC keeps the calendar date.
  const last = new Date(Date.UTC(year, number, 0)).getUTCDate();
  return `${month}-${String(last).padStart(2, '0')}`;
}

/** Steps of the waterfall: where each bar links and whether it adds or takes away. */
const STEPS = [
  { key: 'start', label: 'Start ARR', sign: 0 },
  { key: 'new', label: 'New', sign: 1 },
  { key: 'expansion', label: 'Expansion', sign: 1 },
  { key: 'reactivation', label: 'Reactivation', sign: 1 },
  { key: 'contraction', label: 'Contraction', sign: -1 },
  { key: 'churn', label: 'Churn', sign: -1 },
  { key: 'end', label: 'End ARR', sign: 0 },
] as const;

type StepKey = (typeof STEPS)[number]['key'];

function stepLink(scope: Scope, key: StepKey): string {
  if (key === 'start') return scopedHref(scope, '/accounts', { set: 'cohort' });
  if (key === 'end') return scopedHref(scope, '/accounts', { set: 'active' });
  return scopedHref(scope, '/movements', { kind: key });
}

function waterfallOption(report: Report, narrow: boolean) {
  const { bridge, currency } = report;
  let level = 0;
  const base: number[] = [];
  const bars: { value: number; itemStyle: { color: string } }[] = [];
  for (const step of STEPS) {
    const amount = bridge[step.key];
    if (step.sign === 0) {
      base.push(0);
      bars.push({ value: amount, itemStyle: { color: '#4c6ef5' } });
      level = amount;
    } else if (step.sign > 0) {
      base.push(level);
      bars.push({ value: amount, itemStyle: { color: '#2f9e44' } });
      level += amount;
    } else {
      level -= amount;
      base.push(level);
      bars.push({ value: amount, itemStyle: { color: '#e03131' } });
    }
  }
  return {
    animation: false,
    grid: {
      left: 8,
      right: 8,
      top: 24,
      bottom: 8,
      outerBoundsMode: 'same',
      outerBoundsContain: 'axisLabel',
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items: { dataIndex: number }[]) => {
        const index = items[0]?.dataIndex ?? 0;
        const step = STEPS[index];
        return step === undefined
          ? ''
          : `${step.label}: ${formatMoney(bridge[step.key], currency)}`;
      },
    },
    xAxis: {
      type: 'category',
      data: STEPS.map((step) => step.label),
      // On a phone the seven labels fit only when slanted.
      axisLabel: { interval: 0, rotate: narrow ? 40 : 0 },
    },
    yAxis: {
      type: 'value',
      axisLabel: { formatter: (value: number) => formatCompact(value, currency) },
    },
    series: [
      {
        type: 'bar',
        stack: 'bridge',
        silent: true,
        itemStyle: { color: 'transparent' },
        data: base,
      },
      {
        type: 'bar',
        stack: 'bridge',
        data: bars,
        label: {
          show: true,
          position: 'top',
          formatter: ({ value }: { value: number }) => formatCompact(value, currency),
        },
      },
    ],
  };
}

function trendOption(report: Report) {
  const periods = (report.periods ?? []).filter(
    (period) => period.trailingNrr !== null || period.trailingGrr !== null,
  );
  return {
    animation: false,
    grid: {
      left: 8,
      right: 16,
      top: 32,
      bottom: 8,
      outerBoundsMode: 'same',
      outerBoundsContain: 'axisLabel',
    },
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (value: number | null) => formatPercent(value),
    },
    xAxis: { type: 'category', data: periods.map((period) => period.period) },
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: { formatter: (value: number) => formatPercent(value) },
    },
    series: [
      {
        name: 'NRR',
        type: 'line',
        showSymbol: false,
        data: periods.map((period) => period.trailingNrr),
      },
      {
        name: 'GRR',
        type: 'line',
        showSymbol: false,
        data: periods.map((period) => period.trailingGrr),
      },
    ],
  };
}

export function Overview() {
  const scope = useScope();
  const report = useApi<Report>(apiPath('/api/report', scopeQuery(scope)));
  const months = useApi<Report>(apiPath('/api/report', { ...scopeQuery(scope), by: 'month' }));
  return (
    <Loaded value={report} what="the report">
      {(data) => <OverviewView report={data} months={months} scope={scope} />}
    </Loaded>
  );
}

function OverviewView({
  report,
  months,
  scope,
}: {
  readonly report: Report;
  readonly months: ReturnType<typeof useApi<Report>>;
  readonly scope: Scope;
}) {
  const narrow = window.matchMedia('(max-width: 640px)').matches;
  const waterfall = useMemo(() => waterfallOption(report, narrow), [report, narrow]);
  const trend = useMemo(
    () => (months.state === 'ready' ? trendOption(months.data) : null),
    [months],
  );
  const { currency, cohort } = report;
  return (
    <>
      <header className="page-header">
        <h1>Overview</h1>
        <p className="muted" data-testid="scope-line">
          As of {report.asOf}, over the {report.window.months} months from {report.window.start}.
          Definitions {report.definitions.name} {report.definitions.version}, workspace version{' '}
          <span data-testid="definitions-version">{report.definitions.workspaceVersion}</span>.
        </p>
      </header>
      <section className="figures" aria-label="Headline figures">
        <Figure
          label="ARR"
          testId="figure-arr"
          value={report.arr}
          text={formatMoney(report.arr, currency)}
          detail={`${formatCount(report.activeAccounts)} active accounts`}
          link={scopedHref(scope, '/accounts', { set: 'active' })}
        />
        <Figure
          label="NRR"
          testId="figure-nrr"
          value={report.nrr}
          text={formatPercent(report.nrr)}
          detail={`${formatAmount(cohort.endArr, currency)} ÷ ${formatAmount(cohort.startArr, currency)}`}
          link={scopedHref(scope, '/accounts', { set: 'cohort' })}
        />
        <Figure
          label="GRR"
          testId="figure-grr"
          value={report.grr}
          text={formatPercent(report.grr)}
          detail={`${formatAmount(cohort.cappedArr, currency)} ÷ ${formatAmount(cohort.startArr, currency)}`}
          link={scopedHref(scope, '/accounts', { set: 'cohort' })}
        />
        <Figure
          label="Logo retention"
          testId="figure-logo"
          value={report.logoRetention}
          text={formatPercent(report.logoRetention)}
          detail={`${formatCount(cohort.retainedAccounts)} of ${formatCount(cohort.cohortAccounts)} accounts`}
          link={scopedHref(scope, '/accounts', { set: 'cohort' })}
        />
      </section>
      <section className="panel" aria-labelledby="bridge-title">
        <h2 id="bridge-title">ARR bridge</h2>
        <Chart
          option={waterfall}
          height={320}
          label="ARR bridge as a waterfall from start ARR to end ARR"
          testId="waterfall"
          onClick={(event) => {
            const step = STEPS[event.dataIndex];
            if (step !== undefined) navigate(stepLink(scope, step.key));
          }}
        />
        <table className="bridge-table" data-testid="bridge-table">
          <caption className="visually-hidden">ARR bridge amounts</caption>
          <tbody>
            {STEPS.map((step) => (
              <tr key={step.key}>
                <th scope="row">{step.label}</th>
                <td className="numeric">
                  <a
                    href={stepLink(scope, step.key)}
                    data-testid={`bridge-${step.key}`}
                    data-value={report.bridge[step.key]}
                  >
                    {step.sign < 0 ? '−' : ''}
                    {formatAmount(report.bridge[step.key], currency)}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted note">
          Bridge-based net retention, a different measure that counts the movements of every account
          including those that joined during the window:{' '}
          <span data-testid="bridge-net-retention">{formatPercent(report.bridgeNetRetention)}</span>
          .
        </p>
      </section>
      <section className="panel" aria-labelledby="trend-title">
        <h2 id="trend-title">Trailing NRR and GRR by month</h2>
        <Loaded value={months} what="the monthly figures">
          {() =>
            trend === null ? null : (
              <Chart
                option={trend}
                height={300}
                label="Trailing twelve-month NRR and GRR at each month end; a point opens the overview on that month end"
                testId="trend"
                onClick={(event) => {
                  const month = typeof event.name === 'string' ? event.name : '';
                  if (/^\d{4}-\d{2}$/.test(month)) {
                    navigate(scopedHref({ ...scope, asOf: monthEnd(month) }, '/', {}));
                  }
                }}
              />
            )
          }
        </Loaded>
      </section>
      {report.warnings.length === 0 ? null : (
        <section className="panel warnings" aria-labelledby="warnings-title">
          <h2 id="warnings-title">Warnings</h2>
          <ul>
            {report.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
