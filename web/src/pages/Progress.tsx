/** Training progress: per concept, how often answers were right each month; per person, overall. */
import { apiPath, useApi } from '../api.js';
import { DataTable } from '../components/DataTable.js';
import { Empty, Loaded } from '../components/States.js';
import { formatPercent, ratio } from '../format.js';
import { navigate, useRoute, withParams } from '../router.js';

interface ProgressData {
  concepts: {
    concept: string;
    description: string;
    months: { month: string; right: number; answered: number }[];
  }[];
  people: { person: string; right: number; answered: number }[];
}

export function Progress() {
  const route = useRoute();
  const person = route.params.get('person') ?? undefined;
  const data = useApi<ProgressData>(apiPath('/api/training/progress', { person }));
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
      </header>
      <Loaded value={data} what="the progress">
        {(progress) =>
          progress.people.length === 0 ? (
            <Empty>
              <p>No answers yet. Run a live session to start.</p>
            </Empty>
          ) : (
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
                  {
                    key: 'right',
                    label: 'Right',
                    numeric: true,
                    sort: (row) => ratio(row.right, row.answered),
                    csv: (row) => row.right,
                    render: (row) =>
                      `${row.right} of ${row.answered} (${formatPercent(ratio(row.right, row.answered))})`,
                  },
                ]}
              />
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
                  {
                    key: 'right',
                    label: 'Right',
                    numeric: true,
                    sort: (row) => ratio(row.right, row.answered),
                    csv: (row) => row.right,
                    render: (row) =>
                      `${row.right} of ${row.answered} (${formatPercent(ratio(row.right, row.answered))})`,
                  },
                ]}
              />
            </>
          )
        }
      </Loaded>
    </>
  );
}
