/**
 * Training progress: per concept, how often answers were right each month, for the whole team
 * and without names. With a personal access key, also per person: the key's holder, the people
 * who report to them, or everyone for a leader's key. The key is asked for once and kept in this
 * browser's local storage.
 */
import { useState } from 'react';
import { apiPath, useApi } from '../api.js';
import type { Loadable } from '../api.js';
import { DataTable } from '../components/DataTable.js';
import { Empty, Failure, Loading } from '../components/States.js';
import { formatPercent, ratio } from '../format.js';
import { navigate, useRoute, withParams } from '../router.js';

interface ProgressData {
  viewer: { person: string; leader: boolean } | null;
  concepts: {
    concept: string;
    description: string;
    months: { month: string; right: number; answered: number }[];
  }[];
  people: { person: string; right: number; answered: number }[];
}

/** Local storage entry that keeps the personal access key between visits. */
const KEY_STORAGE = 'nrr.personalAccessKey';

function storedKey(): string | undefined {
  try {
    const key = window.localStorage.getItem(KEY_STORAGE);
    return key === null || key === '' ? undefined : key;
  } catch {
    return undefined;
  }
}

/** Keeps the key in local storage, or removes it when `key` is undefined. */
function storeKey(key: string | undefined): void {
  try {
    if (key === undefined) window.localStorage.removeItem(KEY_STORAGE);
    else window.localStorage.setItem(KEY_STORAGE, key);
  } catch {
    // NOTE: without local storage (a private window may refuse it) the key lasts until reload.
  }
}

function KeyForm({ onKey }: { readonly onKey: (key: string) => void }) {
  const [text, setText] = useState('');
  return (
    <form
      className="filters"
      data-testid="key-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim() !== '') onKey(text.trim());
      }}
    >
      <label>
        Personal access key
        <input
          name="key"
          type="password"
          autoComplete="off"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </label>
      <button type="submit">Show my progress</button>
    </form>
  );
}

function Viewer({
  data,
  accessKey,
  onKey,
  onForget,
}: {
  readonly data: Loadable<ProgressData>;
  readonly accessKey: string | undefined;
  readonly onKey: (key: string) => void;
  readonly onForget: () => void;
}) {
  if (accessKey === undefined) {
    return (
      <>
        <p className="muted">
          Enter the personal access key a leader gave you (<code>nrr people key NAME</code>) to see
          your own progress and that of the people who report to you. It is kept in this browser.
        </p>
        <KeyForm onKey={onKey} />
      </>
    );
  }
  const viewer = data.state === 'ready' ? data.data.viewer : null;
  return (
    <p className="muted" data-testid="viewer">
      {viewer === null
        ? 'Checking the key…'
        : `Signed in with the key of ${viewer.person}${viewer.leader ? ' (leader: everyone)' : ''}.`}{' '}
      <button type="button" onClick={onForget}>
        Forget the key
      </button>
    </p>
  );
}

export function Progress() {
  const route = useRoute();
  const person = route.params.get('person') ?? undefined;
  const [accessKey, setAccessKey] = useState<string | undefined>(storedKey);
  const data = useApi<ProgressData>(apiPath('/api/training/progress', { person }), accessKey);
  const chooseKey = (key: string | undefined) => {
    storeKey(key);
    setAccessKey(key);
  };
  const rejected = data.state === 'failed' && data.error.status === 401;
  return (
    <>
      <header className="page-header">
        <h1>{person === undefined ? 'Team progress' : `Progress of ${person}`}</h1>
        <p className="muted">
          Answers given in live sessions: how often they were right, per concept and month, and per
          person.{' '}
          {person === undefined ? null : (
            <a href={withParams(route, { person: null })}>Whole team</a>
          )}
        </p>
        <Viewer
          data={data}
          accessKey={rejected ? undefined : accessKey}
          onKey={(key) => chooseKey(key)}
          onForget={() => chooseKey(undefined)}
        />
      </header>
      {rejected ? (
        <div className="state failed" role="alert" data-testid="key-rejected">
          <p>{data.error.message}</p>
        </div>
      ) : null}
      {data.state === 'loading' ? <Loading what="the progress" /> : null}
      {data.state === 'failed' && !rejected ? <Failure error={data.error} /> : null}
      {data.state === 'ready' ? <ProgressTables progress={data.data} /> : null}
    </>
  );
}

/** The column of right answers out of all answers, which both tables end with. */
function rightColumn<Row extends { right: number; answered: number }>() {
  return {
    key: 'right',
    label: 'Right',
    numeric: true,
    sort: (row: Row) => ratio(row.right, row.answered),
    csv: (row: Row) => row.right,
    render: (row: Row) =>
      `${row.right} of ${row.answered} (${formatPercent(ratio(row.right, row.answered))})`,
  };
}

function ProgressTables({ progress }: { readonly progress: ProgressData }) {
  const route = useRoute();
  if (progress.concepts.length === 0) {
    return (
      <Empty>
        <p>No answers yet. Run a live session to start.</p>
      </Empty>
    );
  }
  return (
    <>
      <DataTable
        testId="progress-concepts"
        caption="Right answers per concept and month"
        exportName="progress-concepts"
        rows={progress.concepts.flatMap((concept) =>
          concept.months.map((month) => ({ ...month, concept: concept.description })),
        )}
        rowKey={(row) => `${row.concept}:${row.month}`}
        initialSort={{ key: 'concept', direction: 'asc' }}
        columns={[
          {
            key: 'concept',
            label: 'Concept',
            sort: (row) => row.concept,
            csv: (row) => row.concept,
            render: (row) => row.concept,
          },
          {
            key: 'month',
            label: 'Month',
            sort: (row) => row.month,
            csv: (row) => row.month,
            render: (row) => row.month,
          },
          rightColumn(),
        ]}
      />
      {progress.viewer === null ? null : (
        <DataTable
          testId="progress-people"
          caption="Right answers per person"
          exportName="progress-people"
          rows={progress.people}
          rowKey={(row) => row.person}
          initialSort={{ key: 'person', direction: 'asc' }}
          columns={[
            {
              key: 'person',
              label: 'Person',
              sort: (row) => row.person,
              csv: (row) => row.person,
              render: (row) => (
                <button
                  type="button"
                  onClick={() => navigate(withParams(route, { person: row.person }))}
                >
                  {row.person}
                </button>
              ),
            },
            rightColumn(),
          ]}
        />
      )}
    </>
  );
}
