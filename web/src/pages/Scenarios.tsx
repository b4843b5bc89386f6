/**
 * The scenario lab: choose outcomes for open renewals, save them under a name, and see ARR, NRR
 * and GRR against the baseline for this fiscal year and the next, with the arithmetic in words.
 */
import { useEffect, useState } from 'react';
import { parseMinorAmount, parseRampSteps } from '../../../src/core/scenario-choices.js';
import type { RampStep, ScenarioChoiceText } from '../../../src/core/scenario-choices.js';
import type { AppliedChoice } from '../../../src/core/scenarios.js';
import { apiPath, request, useApi } from '../api.js';
import { ApiError } from '../api.js';
import { Loaded } from '../components/States.js';
import { exactDecimal, formatAmount, formatPercent } from '../format.js';
import { useScope } from '../scope.js';

/** Open renewals listed for choices, the earliest first; more would make a page too long. */
const SHOWN_RENEWALS = 50;

interface OpenRenewal {
  account: string;
  accountName: string | null;
  renewalDate: string;
  arrUpForRenewal: number;
  csm: string;
  status: string;
  /** Set on a renewal described on this page, which is not in the data. */
  described?: boolean;
}

type Choice = ScenarioChoiceText;

/** The add-on and ramp steps as typed, read into the choice when it is saved. */
interface Typed {
  addOn?: string;
  steps?: string;
}

interface Figures {
  arr: number;
  nrr: number | null;
  grr: number | null;
  logoRetention: number | null;
}

interface ScenarioResult {
  currency: string;
  choices: AppliedChoice[];
  windows: {
    year: number;
    window: { start: string; end: string };
    company: { baseline: Figures; scenario: Figures };
    books: Record<string, { key: string; baseline: Figures; scenario: Figures }[]>;
  }[];
  explanation: string[];
}

function keyOf(renewal: { account: string; renewalDate: string }): string {
  return `${renewal.account}:${renewal.renewalDate}`;
}

/** Writes ramp steps back in the form the field takes: 12:10%,24:1500. */
function stepsText(steps: readonly RampStep[], currency: string): string {
  return steps
    .map((step) =>
      step.basisPoints === undefined
        ? `${step.month}:${exactDecimal(step.amount ?? 0, currency)}`
        : `${step.month}:${step.basisPoints / 100}%`,
    )
    .join(',');
}

/** Reads the typed add-on and ramp steps into the choices; a message names the first that is invalid. */
function readChoices(
  choices: Record<string, Choice>,
  typed: Record<string, Typed>,
  currency: string,
): Choice[] | string {
  const read: Choice[] = [];
  for (const [key, choice] of Object.entries(choices)) {
    const text = typed[key] ?? {};
    const next: Choice = { ...choice };
    delete next.addOn;
    delete next.steps;
    // Fields left from an earlier outcome would make the choice invalid.
    if (choice.outcome !== 'uplift' && choice.outcome !== 'downgrade') delete next.basisPoints;
    if (choice.outcome === 'churn') {
      delete next.effective;
      delete next.lateDays;
      delete next.termMonths;
    }
    const addOnText = text.addOn?.trim() ?? '';
    if (addOnText !== '' && choice.outcome !== 'churn') {
      const addOn = parseMinorAmount(addOnText, currency);
      if (typeof addOn === 'string') return `Add-on of ${choice.account}: ${addOn}`;
      next.addOn = addOn;
    }
    const stepText = text.steps?.trim() ?? '';
    if (stepText !== '' && choice.outcome !== 'churn') {
      const steps = parseRampSteps(stepText, currency);
      if (typeof steps === 'string') return `Ramp steps of ${choice.account}: ${steps}`;
      next.steps = steps;
    }
    read.push(next);
  }
  return read;
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
  const [typed, setTyped] = useState<Record<string, Typed>>({});
  const [described, setDescribed] = useState<OpenRenewal[]>([]);
  const [name, setName] = useState('');
  const [result, setResult] = useState<ScenarioResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [opened, setOpened] = useState<string | null>(null);
  const currency = open.state === 'ready' ? open.data.currency : null;

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
    const read = readChoices(choices, typed, currency ?? 'USD');
    if (typeof read === 'string') {
      setFailure(read);
      return;
    }
    try {
      await request(`/api/scenarios/${encodeURIComponent(name.trim())}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ choices: read }),
      });
      setVersion((value) => value + 1);
      await run(name.trim());
    } catch (error) {
      setFailure(message(error));
    }
  };

  useEffect(() => {
    if (opened === null || currency === null) return;
    request<{ name: string; choices: Choice[] }>(
      `/api/scenarios/${encodeURIComponent(opened)}`,
    ).then(
      (scenario) => {
        setName(scenario.name);
        setChoices(Object.fromEntries(scenario.choices.map((choice) => [keyOf(choice), choice])));
        setTyped(
          Object.fromEntries(
            scenario.choices.map((choice) => [
              keyOf(choice),
              {
                addOn: choice.addOn === undefined ? '' : exactDecimal(choice.addOn, currency),
                steps: stepsText(choice.steps ?? [], currency),
              },
            ]),
          ),
        );
        setDescribed(
          scenario.choices.flatMap((choice) =>
            choice.synthetic === undefined ? [] : [describedRow(choice)],
          ),
        );
        void run(scenario.name);
      },
      (error: unknown) => setFailure(message(error)),
    );
    // run reads the scope, which the page's address fixes for its lifetime.
  }, [opened, currency]);

  const setChoice = (renewal: OpenRenewal, change: Partial<Choice> | null) => {
    const key = keyOf(renewal);
    if (change === null && renewal.described === true) {
      setDescribed((old) => old.filter((row) => keyOf(row) !== key));
    }
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
  const setText = (renewal: OpenRenewal, change: Typed) =>
    setTyped((old) => ({ ...old, [keyOf(renewal)]: { ...old[keyOf(renewal)], ...change } }));

  const describe = (choice: Choice) => {
    setDescribed((old) => [
      ...old.filter((row) => keyOf(row) !== keyOf(choice)),
      describedRow(choice),
    ]);
    setChoices((old) => ({ ...old, [keyOf(choice)]: choice }));
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
        <p className="muted">
          Late counts days after the renewal date (past the grace window it is churn, then a
          reactivation). The add-on is ARR added with the renewal, co-termed with it. Ramp steps are
          months into the term with a percentage or an amount, such as 12:10%,24:1500.
        </p>
        <Loaded value={open} what="the open renewals">
          {(data) => (
            <div className="table-block">
              {data.renewals.length > SHOWN_RENEWALS ? (
                <p className="muted" data-testid="renewals-shown">
                  The first {SHOWN_RENEWALS} of {data.renewals.length} open renewals, by renewal
                  date. For a later one, use <code>nrr scenario run --choice</code> with its account
                  and renewal date.
                </p>
              ) : null}
              <div className="table-scroll">
                <table data-testid="open-renewals" className="choice-table">
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
                      <th scope="col">Late (days)</th>
                      <th scope="col">Term (months)</th>
                      <th scope="col">Add-on ({data.currency})</th>
                      <th scope="col">Ramp steps</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...described, ...data.renewals.slice(0, SHOWN_RENEWALS)].map((renewal) => (
                      <ChoiceRow
                        key={keyOf(renewal)}
                        renewal={renewal}
                        currency={data.currency}
                        choice={choices[keyOf(renewal)]}
                        typed={typed[keyOf(renewal)] ?? {}}
                        onChoice={(change) => setChoice(renewal, change)}
                        onText={(change) => setText(renewal, change)}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          )}
        </Loaded>
        {currency === null ? null : <DescribeForm currency={currency} onAdd={describe} />}
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

/** The row of a renewal described by hand, as the table shows it. */
function describedRow(choice: Choice): OpenRenewal {
  return {
    account: choice.account,
    accountName: choice.synthetic?.name ?? null,
    renewalDate: choice.renewalDate,
    arrUpForRenewal: choice.synthetic?.arr ?? 0,
    csm: choice.synthetic?.csm ?? '',
    status: 'upcoming',
    described: true,
  };
}

function ChoiceRow({
  renewal,
  currency,
  choice,
  typed,
  onChoice,
  onText,
}: {
  readonly renewal: OpenRenewal;
  readonly currency: string;
  readonly choice: Choice | undefined;
  readonly typed: Typed;
  readonly onChoice: (change: Partial<Choice> | null) => void;
  readonly onText: (change: Typed) => void;
}) {
  const renews = choice !== undefined && choice.outcome !== 'churn';
  const whole = (text: string): number | undefined =>
    text === '' ? undefined : Math.round(Number(text));
  return (
    <tr data-row={keyOf(renewal)} data-described={renewal.described === true ? 'yes' : undefined}>
      <td>{renewal.renewalDate}</td>
      <td>
        {renewal.accountName ?? renewal.account}
        {renewal.described === true ? <span className="muted"> (not in the data)</span> : null}
      </td>
      <td>{renewal.csm}</td>
      <td className="numeric">{formatAmount(renewal.arrUpForRenewal, currency)}</td>
      <td>
        <select
          name="outcome"
          value={choice?.outcome ?? ''}
          onChange={(event) =>
            onChoice(
              event.target.value === ''
                ? null
                : { outcome: event.target.value as Choice['outcome'] },
            )
          }
        >
          <option value="">
            {renewal.described === true ? 'remove this renewal' : 'baseline (flat, on time)'}
          </option>
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
            choice === undefined || (choice.outcome !== 'uplift' && choice.outcome !== 'downgrade')
          }
          value={choice?.basisPoints === undefined ? '' : choice.basisPoints / 100}
          onChange={(event) =>
            onChoice({ basisPoints: Math.round(Number(event.target.value) * 100) })
          }
        />
      </td>
      <td>
        <input
          name="effective"
          type="date"
          disabled={!renews || choice.lateDays !== undefined}
          value={choice?.effective ?? ''}
          onChange={(event) =>
            onChoice({ effective: event.target.value === '' ? undefined : event.target.value })
          }
        />
      </td>
      <td>
        <input
          name="late"
          type="number"
          min={1}
          step={1}
          disabled={!renews || choice.effective !== undefined}
          value={choice?.lateDays ?? ''}
          onChange={(event) => onChoice({ lateDays: whole(event.target.value) })}
        />
      </td>
      <td>
        <input
          name="term"
          type="number"
          min={1}
          max={120}
          step={1}
          placeholder="12"
          disabled={!renews}
          value={choice?.termMonths ?? ''}
          onChange={(event) => onChoice({ termMonths: whole(event.target.value) })}
        />
      </td>
      <td>
        <input
          name="addon"
          inputMode="decimal"
          disabled={!renews}
          value={typed.addOn ?? ''}
          onChange={(event) => onText({ addOn: event.target.value })}
        />
      </td>
      <td>
        <input
          name="steps"
          placeholder="12:10%,24:1500"
          disabled={!renews}
          value={typed.steps ?? ''}
          onChange={(event) => onText({ steps: event.target.value })}
        />
      </td>
    </tr>
  );
}

const DESCRIBE_FIELDS = [
  ['account', 'Account id'],
  ['name', 'Account name'],
  ['csm', 'CSM'],
  ['segment', 'Segment'],
  ['region', 'Region'],
] as const;

/** Describes a renewal that is not in the data; it joins the table with a flat outcome. */
function DescribeForm({
  currency,
  onAdd,
}: {
  readonly currency: string;
  readonly onAdd: (choice: Choice) => void;
}) {
  const [fields, setFields] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const value = (key: string): string => (fields[key] ?? '').trim();
  const add = () => {
    const arr = parseMinorAmount(value('arr'), currency);
    if (typeof arr === 'string') {
      setProblem(`Current ARR ${arr}`);
      return;
    }
    setProblem(null);
    onAdd({
      account: value('account'),
      renewalDate: value('renewalDate'),
      outcome: 'flat',
      synthetic: {
        name: value('name'),
        csm: value('csm'),
        segment: value('segment'),
        region: value('region'),
        arr,
      },
    });
    setFields({});
  };
  return (
    <form
      className="filters"
      data-testid="describe-renewal"
      onSubmit={(event) => {
        event.preventDefault();
        add();
      }}
    >
      <strong>A renewal not in the data:</strong>
      {DESCRIBE_FIELDS.map(([key, label]) => (
        <label key={key}>
          {label}
          <input
            name={`described-${key}`}
            required
            value={fields[key] ?? ''}
            onChange={(event) => setFields({ ...fields, [key]: event.target.value })}
          />
        </label>
      ))}
      <label>
        Current ARR ({currency})
        <input
          name="described-arr"
          required
          inputMode="decimal"
          value={fields['arr'] ?? ''}
          onChange={(event) => setFields({ ...fields, arr: event.target.value })}
        />
      </label>
      <label>
        Renewal date
        <input
          name="described-renewalDate"
          type="date"
          required
          value={fields['renewalDate'] ?? ''}
          onChange={(event) => setFields({ ...fields, renewalDate: event.target.value })}
        />
      </label>
      <button type="submit">Add renewal</button>
      {problem === null ? null : (
        <p role="alert" className="failed">
          {problem}
        </p>
      )}
    </form>
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
      <table className="bridge-table" data-testid="scenario-choices">
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">Renewal date</th>
            <th scope="col">Starts</th>
            <th scope="col">Timing</th>
            <th scope="col">Up for renewal</th>
            <th scope="col">Renewed ARR</th>
            <th scope="col">After ramp steps</th>
          </tr>
        </thead>
        <tbody>
          {result.choices.map((choice) => (
            <tr key={keyOf(choice)} data-row={keyOf(choice)}>
              <th scope="row">
                {choice.account}
                {choice.synthetic === null ? '' : ' (not in the data)'}
              </th>
              <td>{choice.renewalDate}</td>
              <td>{choice.effectiveDate ?? 'churn'}</td>
              <td>{choice.timing ?? ''}</td>
              <td className="numeric">{formatAmount(choice.arrUpForRenewal, result.currency)}</td>
              <td className="numeric" data-value={choice.scenarioArr}>
                {formatAmount(choice.scenarioArr, result.currency)}
              </td>
              <td className="numeric">
                {choice.steps.length === 0
                  ? ''
                  : formatAmount(choice.steps.at(-1)?.arr ?? 0, result.currency)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
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
