/** The dashboard's frame: navigation, the shared as-of date, and the view of the current route. */
import { useEffect, useMemo, useState } from 'react';
import { Account } from './pages/Account.js';
import { Accounts } from './pages/Accounts.js';
import { CohortAccounts } from './pages/CohortAccounts.js';
import { Cohorts } from './pages/Cohorts.js';
import { Imports } from './pages/Imports.js';
import { Movements } from './pages/Movements.js';
import { Overview } from './pages/Overview.js';
import { Checks } from './pages/Checks.js';
import { Compare } from './pages/Compare.js';
import { Progress } from './pages/Progress.js';
import { Renewals } from './pages/Renewals.js';
import { Scenarios } from './pages/Scenarios.js';
import { Facilitate, Join } from './pages/Session.js';
import { Targets } from './pages/Targets.js';
import { Team } from './pages/Team.js';
import { Timing } from './pages/Timing.js';
import { Train } from './pages/Train.js';
import { navigate, useRoute, withParams } from './router.js';
import type { Route } from './router.js';
import { ScopeContext, scopedHref } from './scope.js';
import type { Scope } from './scope.js';

const PAGES = [
  { path: '/', label: 'Overview' },
  { path: '/team', label: 'Team' },
  { path: '/cohorts', label: 'Cohorts' },
  { path: '/compare', label: 'Both ways' },
  { path: '/renewals', label: 'Renewals' },
  { path: '/timing', label: 'Timing' },
  { path: '/scenarios', label: 'Scenarios' },
  { path: '/checks', label: 'Checks' },
  { path: '/targets', label: 'Targets' },
  { path: '/accounts', label: 'Accounts' },
  { path: '/train', label: 'Practice' },
  { path: '/session', label: 'Live session' },
  { path: '/progress', label: 'Progress' },
  { path: '/imports', label: 'Imports' },
] as const;

function View({ route }: { readonly route: Route }) {
  const { path } = route;
  if (path === '/') return <Overview />;
  if (path === '/team') return <Team />;
  if (path === '/cohorts') return <Cohorts />;
  if (path === '/accounts') return <Accounts />;
  if (path === '/movements') return <Movements />;
  if (path === '/imports') return <Imports />;
  if (path === '/train') return <Train />;
  if (path === '/compare') return <Compare />;
  if (path === '/renewals') return <Renewals />;
  if (path === '/timing') return <Timing />;
  if (path === '/scenarios') return <Scenarios />;
  if (path === '/checks') return <Checks />;
  if (path === '/targets') return <Targets />;
  if (path === '/session') return <Facilitate />;
  if (path === '/progress') return <Progress />;
  if (path === '/join') return <Join />;
  const account = /^\/account\/(.+)$/.exec(path);
  if (account !== null) {
    let id: string | undefined;
    try {
      id = decodeURIComponent(account[1] as string);
    } catch {
      id = undefined;
    }
    if (id !== undefined) return <Account id={id} />;
  }
  const cohort = /^\/cohort\/(\d{4}-\d{2})$/.exec(path);
  if (cohort !== null) return <CohortAccounts month={cohort[1] as string} />;
  return (
    <div className="state empty">
      <h1>No such page</h1>
      <p>
        <a href="#/">Go to the overview</a>.
      </p>
    </div>
  );
}

export function App() {
  const route = useRoute();
  const asOf = route.params.get('asOf') ?? undefined;
  const definitions = route.params.get('definitions') ?? undefined;
  const scope = useMemo<Scope>(() => ({ asOf, definitions }), [asOf, definitions]);
  const [date, setDate] = useState(asOf ?? '');
  // The field follows the address when a link or the back button changes the date.
  useEffect(() => setDate(asOf ?? ''), [asOf]);
  const [menuOpen, setMenuOpen] = useState(false);
  const current = PAGES.find((page) =>
    page.path === '/' ? route.path === '/' : route.path.startsWith(page.path),
  );
  return (
    <ScopeContext.Provider value={scope}>
      <header className="top">
        <a className="brand" href={scopedHref(scope, '/')}>
          nrr
        </a>
        <button
          type="button"
          className="menu"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="main-nav" className={menuOpen ? 'open' : undefined} aria-label="Pages">
          {PAGES.map((page) => (
            <a
              key={page.path}
              href={scopedHref(scope, page.path)}
              aria-current={current === page ? 'page' : undefined}
              onClick={() => setMenuOpen(false)}
            >
              {page.label}
            </a>
          ))}
        </nav>
        <form
          className="as-of"
          onSubmit={(event) => {
            event.preventDefault();
            navigate(withParams(route, { asOf: date }));
          }}
        >
          <label>
            As of
            <input
              type="date"
              name="asOf"
              value={date}
              onChange={(event) => setDate(event.target.value)}
            />
          </label>
          <button type="submit">Show</button>
        </form>
      </header>
      <main>
        <View route={route} />
      </main>
    </ScopeContext.Provider>
  );
}
