/**
 * The targets of one fiscal year: list them, add or change one, and remove one. The API checks
 * each target and its messages show next to the form.
 */
import { useState } from 'react';
import { ApiError, request, useApi } from '../api.js';
import { Loaded } from '../components/States.js';
import { navigate, useRoute, withParams } from '../router.js';
import { scopedHref, useScope } from '../scope.js';

const SCOPES = ['company', 'csm', 'segment', 'region', 'sub-region', 'team'] as const;

interface Target {
  scope: string;
  book: string;
  fiscalYear: number;
  nrrTarget: string | null;
  grrTarget: string | null;
}

interface Draft {
  scope: string;
  book: string;
  nrrTarget: string;
  grrTarget: string;
}

const EMPTY: Draft = { scope: 'csm', book: '', nrrTarget: '', grrTarget: '' };

function message(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

export function Targets() {
  const scope = useScope();
  const route = useRoute();
  const fiscalYear =
    route.params.get('fiscalYear') ?? (scope.asOf ?? new Date().toISOString()).slice(0, 4);
  const [version, setVersion] = useState(0);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const valid = /^\d{4}$/.test(fiscalYear);
  const targets = useApi<{ targets: Target[] }>(
    valid ? `/api/targets?fiscalYear=${fiscalYear}&seen=${version}` : null,
  );

  const save = async () => {
    setFailure(null);
    setDone(null);
    const blankToNull = (text: string) => (text.trim() === '' ? null : text.trim());
    try {
      await request('/api/targets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          targets: [
            {
              scope: draft.scope,
              book: draft.scope === 'company' ? '' : draft.book.trim(),
              fiscalYear: Number(fiscalYear),
              nrrTarget: blankToNull(draft.nrrTarget),
              grrTarget: blankToNull(draft.grrTarget),
            },
          ],
        }),
      });
      setDone(`Saved the ${draft.scope} target${draft.book === '' ? '' : ` of ${draft.book}`}.`);
      setDraft(EMPTY);
      setVersion((value) => value + 1);
    } catch (error) {
      setFailure(message(error));
    }
  };

  const remove = async (target: Target) => {
    setFailure(null);
    setDone(null);
    const query = new URLSearchParams({
      scope: target.scope,
      book: target.book,
      fiscalYear: String(target.fiscalYear),
    });
    try {
      await request(`/api/targets?${query.toString()}`, { method: 'DELETE' });
      setDone(
        `Removed the ${target.scope} target${target.book === '' ? '' : ` of ${target.book}`}.`,
      );
      setVersion((value) => value + 1);
    } catch (error) {
      setFailure(message(error));
    }
  };

  return (
    <>
      <header className="page-header">
        <h1>Targets</h1>
        <p className="muted">
          NRR and GRR targets per book for one fiscal year, named by the calendar year in which it
          ends. A target replaces the stored one of the same scope, book and year. The{' '}
          <a href={scopedHref(scope, '/checks')}>monthly check</a> compares each book with them.
        </p>
      </header>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Fiscal year
          <input
            name="fiscalYear"
            inputMode="numeric"
            value={fiscalYear}
            onChange={(event) => navigate(withParams(route, { fiscalYear: event.target.value }))}
          />
        </label>
      </form>
      {valid ? null : (
        <p role="alert" className="failed">
          Write the fiscal year as four digits, such as 2026.
        </p>
      )}
      <section className="panel" aria-labelledby="targets-title">
        <h2 id="targets-title">Targets of fiscal year {fiscalYear}</h2>
        <Loaded value={targets} what="the targets">
          {(data) =>
            data.targets.length === 0 ? (
              <p className="muted" data-testid="no-targets">
                No target is stored for fiscal year {fiscalYear}.
              </p>
            ) : (
              <div className="table-scroll">
                <table data-testid="targets">
                  <thead>
                    <tr>
                      <th scope="col">Scope</th>
                      <th scope="col">Book</th>
                      <th scope="col">NRR target</th>
                      <th scope="col">GRR target</th>
                      <th scope="col">Change</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.targets.map((target) => (
                      <tr
                        key={`${target.scope}:${target.book}`}
                        data-scope={target.scope}
                        data-book={target.book}
                      >
                        <td>{target.scope}</td>
                        <td>{target.book}</td>
                        <td>{target.nrrTarget === null ? '' : `${target.nrrTarget}%`}</td>
                        <td>{target.grrTarget === null ? '' : `${target.grrTarget}%`}</td>
                        <td>
                          <button
                            type="button"
                            onClick={() =>
                              setDraft({
                                scope: target.scope,
                                book: target.book,
                                nrrTarget: target.nrrTarget ?? '',
                                grrTarget: target.grrTarget ?? '',
                              })
                            }
                          >
                            Edit
                          </button>{' '}
                          <button type="button" onClick={() => void remove(target)}>
                            Remove
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Loaded>
      </section>
      <section className="panel" aria-labelledby="target-form-title">
        <h2 id="target-form-title">Add or change a target</h2>
        <form
          className="filters"
          data-testid="target-form"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <label>
            Scope
            <select
              name="scope"
              value={draft.scope}
              onChange={(event) => setDraft({ ...draft, scope: event.target.value })}
            >
              {SCOPES.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          </label>
          <label>
            Book
            <input
              name="book"
              value={draft.scope === 'company' ? '' : draft.book}
              disabled={draft.scope === 'company'}
              onChange={(event) => setDraft({ ...draft, book: event.target.value })}
            />
          </label>
          <label>
            NRR target %
            <input
              name="nrrTarget"
              inputMode="decimal"
              value={draft.nrrTarget}
              onChange={(event) => setDraft({ ...draft, nrrTarget: event.target.value })}
            />
          </label>
          <label>
            GRR target %
            <input
              name="grrTarget"
              inputMode="decimal"
              value={draft.grrTarget}
              onChange={(event) => setDraft({ ...draft, grrTarget: event.target.value })}
            />
          </label>
          <button type="submit" disabled={!valid}>
            Save target
          </button>
        </form>
        {failure === null ? null : (
          <p role="alert" className="failed" data-testid="target-error">
            {failure}
          </p>
        )}
        {done === null ? null : (
          <p role="status" data-testid="target-saved">
            {done}
          </p>
        )}
      </section>
    </>
  );
}
