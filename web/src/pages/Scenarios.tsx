/**
 * The scenario lab: choose outcomes for open renewals, save them under a name, and see ARR, NRR
 * and GRR against the baseline for this fiscal year and the next, with the arithmetic in words.
 */
import { useEffect, useState } from 'react';
import { apiPath, request, useApi } from '../api.js';
import { ApiError } from '../api.js';
import { Loaded } from '../components/States.js';
import { formatAmount, formatPercent } from '../format.js';
import { useScope } from '../scope.js';

interface OpenRenewal {
  account: string;
  accountName: string | null;
  renewalDate: string;
  arrUpForRenewal: number;
  csm: string;
  status: string;
}

interface Choice {
  account: string;
  renewalDate: string;
  outcome: 'flat' | 'uplift' | 'downgrade' | 'churn';
  basisPoints?: number;
  effective?: string;
}

interface Figures {
  arr: number;
  nrr: number | null;
  grr: number | null;
  logoRetention: number | null;
}

interface ScenarioResult {
  currency: string;
  windows: {
    year: number;
    window: { start: string; end: string };
    company: { baseline: Figures; scenario: Figures };
    books: Record<string, { key: string; baseline: Figures; scenario: Figures }[]>;
  }[];
  explanation: string[];
}

function message(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

export function Scenarios() {
  const scope = useScope();
  const asOf = scope.asOf;
  const from = asOf === undefined ? undefined : nextDay(asOf);
  const to = asOf === undefined ? undefined : `${Number(asOf.slice(0, 4)) + 1}${asOf.slice(4)}`;
  const open = useApi<{ renewals: OpenRenewal[]; currency: string }>(
    apiPath('/api/renewals', {
      asOf,
      from,
      to,
      status: 'upcoming',
      definitions: scope.definitions,
    }),
  );
  const [version, setVersion] = useState(0);
  const saved = useApi<{ scenarios: { name: string }[] }>(`/api/scenarios?seen=${version}`);
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [name, setName] = useState('');
  const [result, setResult] = useState<ScenarioResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [opened, setOpened] = useState<string | null>(null);

  const run = async (scenario: string) => {
    setFailure(null);
    try {
      setResult(
        await request<ScenarioResult>(
          apiPath(`/api/scenarios/${encodeURIComponent(scenario)}/result`, {
            asOf,
            definitions: scope.definitions,
            by: 'csm,segment,region',
          }),
        ),
      );
    } catch (error) {
      setFailure(message(error));
    }
  };

  const save = async () => {
    setFailure(null);
    try {
      await request(`/api/scenarios/${encodeURIComponent(name.trim())}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ choices: Object.values(choices) }),
      });
      setVersion((value) => value + 1);
      await run(name.trim());
    } catch (error) {
      setFailure(message(error));
    }
  };

  useEffect(() => {
    if (opened === null) return;
    request<{ name: string; choices: Choice[] }>(
      `/api/scenarios/${encodeURIComponent(opened)}`,
    ).then(
      (scenario) => {
        setName(scenario.name);
        setChoices(
          Object.fromEntries(
            scenario.choices.map((choice) => [`${choice.account}:${choice.renewalDate}`, choice]),
          ),
        );
        void run(scenario.name);
      },
      (error: unknown) => setFailure(message(error)),
    );
    // run reads the scope, which the page's address fixes for its lifetime.
  }, [opened]);

  const setChoice = (renewal: OpenRenewal, change: Partial<Choice> | null) => {
    const key = `${renewal.account}:${renewal.renewalDate}`;
    setChoices((old) => {
      const next = { ...old };
      if (change === null) delete next[key];
      else
        next[key] = {
          account: renewal.account,
          renewalDate: renewal.renewalDate,
          outcome: 'flat',
          ...old[key],
          ...change,
        };
      return next;
    });
  };

  return (
    <>
      <header className="page-header">
        <h1>Scenario lab</h1>
        <p className="muted">
          Choose how open renewals go, save the choices under a name, and compare ARR, NRR and GRR
          with the baseline, in which every open renewal renews flat on time.
          {asOf === undefined
            ? ' Set an as-of date in the header to choose the renewals after it.'
            : ''}
        </p>
      </header>
      <section className="panel" aria-labelledby="saved-title">
        <h2 id="saved-title">Saved scenarios</h2>
        <Loaded value={saved} what="the saved scenarios">
          {({ scenarios: list }) =>
            list.length === 0 ? (
              <p className="muted">None yet.</p>
            ) : (
              <ul data-testid="saved-scenarios">
                {list.map((scenario) => (
                  <li key={scenario.name}>
                    <button type="button" onClick={() => setOpened(scenario.name)}>
                      Open {scenario.name}
                    </button>
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
      </section>
      <section className="panel" aria-labelledby="choices-title">
        <h2 id="choices-title">Open renewals in the next twelve months</h2>
        <Loaded value={open} what="the open renewals">
          {(data) => (
            <div className="table-block">
              <div className="table-scroll">
                <table data-testid="open-renewals">
                  <thead>
                    <tr>
                      <th scope="col">Renewal date</th>
                      <th scope="col">Account</th>
                      <th scope="col">CSM</th>
                      <th scope="col" className="numeric">
                        Up for renewal
                      </th>
                      <th scope="col">Outcome</th>
                      <th scope="col">Change (%)</th>
                      <th scope="col">Effective</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.renewals.slice(0, 50).map((renewal) => {
                      const key = `${renewal.account}:${renewal.renewalDate}`;
                      const choice = choices[key];
                      return (
                        <tr key={key} data-row={key}>
                          <td>{renewal.renewalDate}</td>
                          <td>{renewal.accountName ?? renewal.account}</td>
                          <td>{renewal.csm}</td>
                          <td className="numeric">
                            {formatAmount(renewal.arrUpForRenewal, data.currency)}
                          </td>
                          <td>
                            <select
                              name="outcome"
                              value={choice?.outcome ?? ''}
                              onChange={(event) =>
                                setChoice(
                                  renewal,
                                  event.target.value === ''
                                    ? null
                                    : { outcome: event.target.value as Choice['outcome'] },
                                )
                              }
                            >
                              <option value="">baseline (flat, on time)</option>
                              <option value="flat">flat</option>
                              <option value="uplift">uplift</option>
                              <option value="downgrade">downgrade</option>
                              <option value="churn">churn</option>
                            </select>
                          </td>
                          <td>
                            <input
                              name="percent"
                              type="number"
                              min={0}
                              max={100}
                              step={0.5}
                              disabled={
                                choice === undefined ||
                                (choice.outcome !== 'uplift' && choice.outcome !== 'downgrade')
                              }
                              value={
                                choice?.basisPoints === undefined ? '' : choice.basisPoints / 100
                              }
                              onChange={(event) =>
                                setChoice(renewal, {
                                  basisPoints: Math.round(Number(event.target.value) * 100),
                                })
                              }
                            />
                          </td>
                          <td>
                            <input
                              name="effective"
                              type="date"
                              disabled={choice === undefined || choice.outcome === 'churn'}
                              value={choice?.effective ?? ''}
                              onChange={(event) =>
                                setChoice(
                                  renewal,
                                  event.target.value === ''
                                    ? { effective: undefined }
                                    : { effective: event.target.value },
                                )
                              }
                            />
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </div>
          )}
        </Loaded>
        <form
          className="filters"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <label>
            Scenario name
            <input
              name="name"
              required
              maxLength={100}
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          </label>
          <button type="submit" disabled={Object.keys(choices).length === 0}>
            Save and compare
          </button>
        </form>
        {failure === null ? null : (
          <p role="alert" className="failed">
            {failure}
          </p>
        )}
      </section>
      {result === null ? null : <ResultView result={result} />}
    </>
  );
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

function ResultView({ result }: { readonly result: ScenarioResult }) {
  return (
    <section className="panel" data-testid="scenario-result" aria-labelledby="result-title">
      <h2 id="result-title">Baseline and scenario</h2>
      {result.windows.map((window) => (
        <div key={window.year}>
          <h3>
            FY{window.year} ({window.window.start} to {window.window.end})
          </h3>
          <table className="bridge-table" data-testid={`scenario-${window.year}`}>
            <thead>
              <tr>
                <th scope="col">Book</th>
                <th scope="col">NRR baseline</th>
                <th scope="col">NRR scenario</th>
                <th scope="col">GRR baseline</th>
                <th scope="col">GRR scenario</th>
                <th scope="col">ARR change</th>
              </tr>
            </thead>
            <tbody>
              {[
                { key: 'Company', ...window.company },
                ...Object.values(window.books)
                  .flat()
                  .filter(
                    (book) =>
                      book.baseline.arr !== book.scenario.arr ||
                      book.baseline.nrr !== book.scenario.nrr,
                  ),
              ].map((book) => (
                <tr key={book.key} data-book={book.key}>
                  <th scope="row">{book.key}</th>
                  <td className="numeric" data-value={book.baseline.nrr ?? ''}>
                    {formatPercent(book.baseline.nrr)}
                  </td>
                  <td className="numeric" data-value={book.scenario.nrr ?? ''}>
                    {formatPercent(book.scenario.nrr)}
                  </td>
                  <td className="numeric">{formatPercent(book.baseline.grr)}</td>
                  <td className="numeric">{formatPercent(book.scenario.grr)}</td>
                  <td className="numeric">
                    {formatAmount(book.scenario.arr - book.baseline.arr, result.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      <h3>Step by step</h3>
      <ol data-testid="scenario-steps">
        {result.explanation.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
    </section>
  );
}
