/** The accounts of one acquisition cohort, with their ARR in its first month and now. */
import { apiPath, useApi } from '../api.js';
import { DataTable } from '../components/DataTable.js';
import { accountColumn, moneyColumn, nameColumn } from '../components/columns.js';
import { Loaded } from '../components/States.js';
import { formatCount, formatMoney, formatPercent, ratio } from '../format.js';
import { scopedHref, scopeQuery, useScope } from '../scope.js';

type CohortAccount = CohortAccountsData['accounts'][number];

interface CohortAccountsData {
  month: string;
  currency: string;
  count: number;
  arrFirstMonth: number;
  arrNow: number;
  accounts: { account: string; name: string | null; arrFirstMonth: number; arrNow: number }[];
}

export function CohortAccounts({ month }: { readonly month: string }) {
  const scope = useScope();
  const data = useApi<CohortAccountsData>(
    apiPath(`/api/cohorts/${encodeURIComponent(month)}/accounts`, scopeQuery(scope)),
  );
  return (
    <>
      <header className="page-header">
        <h1>Cohort {month}</h1>
        <p className="muted">
          The accounts whose ARR first appeared at the end of {month}.{' '}
          <a href={scopedHref(scope, '/cohorts')}>All cohorts</a>
        </p>
      </header>
      <Loaded value={data} what="the cohort">
        {(cohort) => (
          <>
            <section className="sums" data-testid="sums">
              <p>
                <strong data-testid="sum-count" data-value={cohort.count}>
                  {formatCount(cohort.count)}
                </strong>{' '}
                accounts. ARR in the first month{' '}
                <strong data-value={cohort.arrFirstMonth}>
                  {formatMoney(cohort.arrFirstMonth, cohort.currency)}
                </strong>
                , now{' '}
                <strong data-value={cohort.arrNow}>
                  {formatMoney(cohort.arrNow, cohort.currency)}
                </strong>
                : NRR {formatPercent(ratio(cohort.arrNow, cohort.arrFirstMonth))}.
              </p>
            </section>
            <DataTable
              testId="cohort-accounts-table"
              caption={`Accounts of cohort ${month}`}
              exportName={`cohort-${month}`}
              rows={cohort.accounts}
              rowKey={(row) => row.account}
              initialSort={{ key: 'first', direction: 'desc' }}
              columns={[
                accountColumn(scope),
                nameColumn(),
                moneyColumn<CohortAccount>(
                  'first',
                  'ARR in first month',
                  (row) => row.arrFirstMonth,
                  cohort.currency,
                ),
                moneyColumn<CohortAccount>('now', 'ARR now', (row) => row.arrNow, cohort.currency),
              ]}
            />
          </>
        )}
      </Loaded>
    </>
  );
}
