/**
 * Monthly checks: run the check for a month, see each book against its target and glide path,
 * the ranked ways to close the gap, and the alerts to acknowledge or resolve.
 */
import { useEffect, useMemo, useState } from 'react';
import { request, useApi } from '../api.js';
import { ApiError } from '../api.js';
import { Chart } from '../components/Chart.js';
import { Loaded } from '../components/States.js';
import { formatAmount, formatCompact, formatPercent } from '../format.js';
import { navigate, useRoute, withParams } from '../router.js';
import { scopedHref, useScope } from '../scope.js';

interface Position {
  target: string;
  targetArr: number;
  actual: number;
  expectedNow: number;
  behind: boolean;
  projected: number;
  needed: number;
  path: { month: string; expected: number }[];
}

interface Action {
  kind: string;
  account: string;
  arr: number;
  date: string | null;
  status: string;
  cumulative: number;
}

interface Book {
  scope: string;
  book: string;
  behind: boolean;
  fiscalYearToDate: { nrr: number | null; grr: number | null };
  trailing: { nrr: number | null; grr: number | null };
  nrrTarget: string | null;
  grrTarget: string | null;
  plan: { base: number; nrr: Position | null; grr: Position | null; actions: Action[] };
}

interface CheckResult {
  month: string;
  fiscalYear: number;
  currency: string;
  behind: boolean;
  books: Book[];
  /** Targets whose book has no account in the data, as "scope book". */
  unknownTargetBooks: string[];
}

interface Team {
  team: string;
  manager: string;
  members: string[];
}

/** Returns a book's standing: behind, on track, no target, or not in the data. */
function bookStatus(book: Book, unknown: readonly string[]): string {
  if (unknown.includes(`${book.scope} ${book.book}`)) return 'not in the data';
  if (book.behind) return 'behind';
  return book.nrrTarget === null && book.grrTarget === null ? 'no target' : 'on track';
}

/** Identifies a book across scopes: a CSM and a team may share a name. */
function bookKey(book: { scope: string; book: string }): string {
  return `${book.scope}:${book.book}`;
}

function bookLabel(book: { scope: string; book: string }, managers: Map<string, string>): string {
  if (book.scope === 'company') return 'Company';
  const manager = book.scope === 'team' ? managers.get(book.book) : undefined;
  return `${book.scope} ${book.book}${manager === undefined ? '' : ` (manager ${manager})`}`;
}

interface ScheduledRun {
  month: string;
  state: 'running' | 'succeeded' | 'failed';
  attempts: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  behindBooks: number | null;
  alerts: number | null;
}

interface Schedule {
  enabled: boolean;
  checkDay: number | null;
  running: string | null;
  lastRun: ScheduledRun | null;
  nextRun: { month: string; due: string } | null;
}

/** How often the page reads the schedule's state again, in milliseconds. */
const SCHEDULE_REFRESH_MS = 30_000;

function ScheduleState({ schedule }: { readonly schedule: Schedule }) {
  if (!schedule.enabled) {
    return (
      <p className="muted">
        The server does not run the check on its own; start it with{' '}
        <code>nrr serve --check-day N</code> to check each month on day N of the next.
      </p>
    );
  }
  const last = schedule.lastRun;
  return (
    <ul>
      <li>
        Runs on day {schedule.checkDay} of each month for the month before.
        {schedule.running === null ? '' : ` Checking ${schedule.running} now.`}
      </li>
      <li data-state={last?.state ?? 'none'} data-testid="schedule-last">
        {last === null
          ? 'No month has been checked yet.'
          : `Last run: ${last.month}, ${last.state} (attempt ${last.attempts}, started ${last.startedAt})${last.state === 'succeeded' ? `, ${last.behindBooks ?? 0} books behind, ${last.alerts ?? 0} alerts` : ''}.`}
        {last?.error == null ? null : <span className="failed"> Error: {last.error}</span>}
      </li>
      <li data-testid="schedule-next">
        {schedule.nextRun === null
          ? 'No run is due.'
          : `Next run: ${schedule.nextRun.month}, due ${schedule.nextRun.due}.`}
      </li>
    </ul>
  );
}

interface Alert {
  id: number;
  month: string;
  kind: string;
  scope: string;
  book: string;
  account: string | null;
  state: string;
  message: string;
}

function message(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

function glideOption(position: Position, currency: string) {
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
    tooltip: { trigger: 'axis', valueFormatter: (value: number) => formatAmount(value, currency) },
    xAxis: { type: 'category', data: position.path.map((point) => point.month) },
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: { formatter: (value: number) => formatCompact(value, currency) },
    },
    series: [
      {
        name: 'Glide path',
        type: 'line',
        step: 'end',
        data: position.path.map((point) => point.expected),
        markLine: {
          symbol: 'none',
          label: { formatter: '{b}' },
          data: [
            { name: 'Cohort ARR now', yAxis: position.actual },
            { name: 'Target', yAxis: position.targetArr },
          ],
        },
      },
    ],
  };
}

export function Checks() {
  const scope = useScope();
  const route = useRoute();
  const month = route.params.get('month') ?? (scope.asOf ?? '').slice(0, 7);
  const [result, setResult] = useState<CheckResult | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const alerts = useApi<{ alerts: Alert[] }>(`/api/alerts?state=open&seen=${version}`);
  const teams = useApi<{ teams: Team[] }>('/api/teams');
  const [scheduleVersion, setScheduleVersion] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setScheduleVersion((value) => value + 1), SCHEDULE_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const schedule = useApi<Schedule>(`/api/checks/schedule?seen=${scheduleVersion}`);
  const managers = useMemo(
    () =>
      new Map(
        (teams.state === 'ready' ? teams.data.teams : []).map((team) => [team.team, team.manager]),
      ),
    [teams],
  );

  const run = async () => {
    setFailure(null);
    try {
      const checked = await request<CheckResult>('/api/checks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ month }),
      });
      setResult(checked);
      const first = checked.books.find((book) => book.behind) ?? checked.books[0];
      setSelected(first === undefined ? null : bookKey(first));
      setVersion((value) => value + 1);
    } catch (error) {
      setFailure(message(error));
    }
  };

  const act = async (alert: Alert, action: 'acknowledge' | 'resolve') => {
    try {
      await request(`/api/alerts/${alert.id}/${action}`, { method: 'POST' });
      setVersion((value) => value + 1);
    } catch (error) {
      setFailure(message(error));
    }
  };

  const book = result?.books.find((candidate) => bookKey(candidate) === selected);
  const position = book?.plan.nrr ?? book?.plan.grr ?? null;
  const option = useMemo(
    () => (position === null || result === null ? null : glideOption(position, result.currency)),
    [position, result],
  );

  return (
    <>
      <header className="page-header">
        <h1>Monthly check</h1>
        <p className="muted">
          Each book&apos;s fiscal-year-to-date NRR against its target and against a glide path built
          from the renewal calendar, the ARR it still needs and the ways to close the gap. Targets
          are set on the <a href={scopedHref(scope, '/targets')}>targets page</a>, with{' '}
          <code>nrr targets import</code> or with <code>POST /api/targets</code>.
        </p>
      </header>
      <section className="panel" aria-labelledby="schedule-title" data-testid="schedule">
        <h2 id="schedule-title">Check schedule</h2>
        <Loaded value={schedule} what="the check schedule">
          {(data) => <ScheduleState schedule={data} />}
        </Loaded>
      </section>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <label>
          Month
          <input
            type="month"
            name="month"
            value={month}
            onChange={(event) => navigate(withParams(route, { month: event.target.value }))}
          />
        </label>
        <button type="submit">Run the check</button>
      </form>
      {failure === null ? null : (
        <p role="alert" className="failed">
          {failure}
        </p>
      )}
      {result === null ? null : (
        <section className="panel" data-testid="check-books">
          <h2>
            Books, fiscal year {result.fiscalYear}:{' '}
            {result.behind ? 'some are behind' : 'none is behind'}
          </h2>
          {result.unknownTargetBooks.length === 0 ? null : (
            <p role="status" data-testid="unknown-target-books">
              Targets set for books with no account in the data:{' '}
              {result.unknownTargetBooks.join(', ')}. Check the spelling of these names.
            </p>
          )}
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Book</th>
                  <th scope="col">NRR to date</th>
                  <th scope="col">Target</th>
                  <th scope="col">Path now</th>
                  <th scope="col">ARR needed</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {result.books.map((entry) => (
                  <tr key={bookKey(entry)} data-row={entry.book} data-scope={entry.scope}>
                    <th scope="row">
                      <button type="button" onClick={() => setSelected(bookKey(entry))}>
                        {bookLabel(entry, managers)}
                      </button>
                    </th>
                    <td>{formatPercent(entry.fiscalYearToDate.nrr)}</td>
                    <td>{entry.nrrTarget === null ? '' : `${entry.nrrTarget}%`}</td>
                    <td>
                      {entry.plan.nrr === null
                        ? ''
                        : formatAmount(entry.plan.nrr.expectedNow, result.currency)}
                    </td>
                    <td>
                      {entry.plan.nrr === null
                        ? ''
                        : formatAmount(Math.max(0, entry.plan.nrr.needed), result.currency)}
                    </td>
                    <td className={entry.behind ? 'failed' : undefined}>
                      {bookStatus(entry, result.unknownTargetBooks)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {book === undefined || position === null || option === null || result === null ? null : (
        <section className="panel" data-testid="glide" aria-labelledby="glide-title">
          <h2 id="glide-title">
            {bookLabel(book, managers)}: glide path to {position.target}%
          </h2>
          <Chart
            option={option}
            height={280}
            label="Glide path of the book's cohort ARR to its target"
            testId="glide-chart"
          />
          <p>
            Cohort ARR now {formatAmount(position.actual, result.currency)}, path{' '}
            {formatAmount(position.expectedNow, result.currency)}; contracted by year end{' '}
            {formatAmount(position.projected, result.currency)} against a target of{' '}
            {formatAmount(position.targetArr, result.currency)}, so{' '}
            <strong data-testid="needed" data-value={position.needed}>
              {formatAmount(Math.max(0, position.needed), result.currency)}
            </strong>{' '}
            {result.currency} is still needed.
          </p>
          <h3>Ways to close the gap, ranked</h3>
          <ol data-testid="actions">
            {book.plan.actions.slice(0, 20).map((action) => (
              <li key={`${action.kind}:${action.account}:${action.date ?? ''}`}>
                {action.kind} ({action.status}):{' '}
                <a href={scopedHref(scope, `/account/${encodeURIComponent(action.account)}`)}>
                  {action.account}
                </a>{' '}
                {formatAmount(action.arr, result.currency)}
                {action.date === null ? '' : ` by ${action.date}`}; running total{' '}
                {formatAmount(action.cumulative, result.currency)}
              </li>
            ))}
          </ol>
        </section>
      )}
      <section className="panel" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Open alerts</h2>
        <Loaded value={alerts} what="the alerts">
          {(data) =>
            data.alerts.length === 0 ? (
              <p className="muted">No open alert.</p>
            ) : (
              <ul data-testid="alerts">
                {data.alerts.slice(0, 100).map((alert) => (
                  <li key={alert.id} data-alert={alert.id} data-kind={alert.kind}>
                    <strong>{alert.kind}</strong> ({alert.month}): {alert.message}{' '}
                    <button type="button" onClick={() => void act(alert, 'acknowledge')}>
                      Acknowledge
                    </button>{' '}
                    <button type="button" onClick={() => void act(alert, 'resolve')}>
                      Resolve
                    </button>
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
      </section>
    </>
  );
}
