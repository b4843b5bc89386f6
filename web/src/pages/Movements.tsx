/** The accounts behind a bridge movement: each account's amount, largest first. */
import { apiPath, useApi } from '../api.js';
import type { Movements as MovementsData } from '../api.js';
import { DataTable } from '../components/DataTable.js';
import { accountColumn, moneyColumn, textColumn } from '../components/columns.js';
import { Empty, Loaded } from '../components/States.js';
import { formatCount, formatMoney } from '../format.js';
import { useRoute } from '../router.js';
import { scopedHref, scopeQuery, useScope } from '../scope.js';

type Movement = MovementsData['movements'][number];

const KINDS = ['new', 'expansion', 'reactivation', 'contraction', 'churn'] as const;

export function Movements() {
  const scope = useScope();
  const route = useRoute();
  const kind = route.params.get('kind') ?? undefined;
  const query: Record<string, string | undefined> = { ...scopeQuery(scope), kind };
  for (const name of ['by', 'key', 'csm', 'segment', 'region', 'subRegion']) {
    query[name] = route.params.get(name) ?? undefined;
  }
  const movements = useApi<MovementsData>(apiPath('/api/movements', query));
  return (
    <>
      <header className="page-header">
        <h1>{kind === undefined ? 'Movements' : `${kind[0]?.toUpperCase()}${kind.slice(1)}`}</h1>
        <nav className="switch" aria-label="Movement kinds">
          {KINDS.map((candidate) => (
            <a
              key={candidate}
              href={scopedHref(scope, '/movements', {
                ...Object.fromEntries(route.params),
                kind: candidate,
              })}
              aria-current={candidate === kind}
            >
              {candidate}
            </a>
          ))}
        </nav>
      </header>
      <Loaded value={movements} what="the movements">
        {(data) =>
          data.count === 0 ? (
            <Empty>
              <p>No account had this movement in the window.</p>
            </Empty>
          ) : (
            <>
              <section className="sums" data-testid="sums">
                <p>
                  {formatCount(data.count)} entries from {data.window.start} to {data.window.end},
                  adding up to{' '}
                  <strong data-testid="sum-total" data-value={data.total}>
                    {formatMoney(data.total, data.currency)}
                  </strong>
                  , the bridge&apos;s figure.
                </p>
                {data.movements.length < data.count ? (
                  <p className="muted">
                    The table lists the {formatCount(data.movements.length)} largest; the total
                    covers all {formatCount(data.count)}.
                  </p>
                ) : null}
              </section>
              <DataTable
                testId="movements-table"
                caption="Movements by account"
                exportName={`movements-${kind ?? 'all'}-${data.window.end}`}
                rows={data.movements}
                rowKey={(row) => `${row.account}:${row.kind}`}
                initialSort={{ key: 'amount', direction: 'desc' }}
                columns={[
                  accountColumn(scope),
                  textColumn<Movement>('kind', 'Movement', (row) => row.kind),
                  moneyColumn<Movement>('amount', 'Amount', (row) => row.amount, data.currency),
                ]}
              />
            </>
          )
        }
      </Loaded>
    </>
  );
}
