/** Views for loading, failure and empty data. */
import type { ReactNode } from 'react';
import type { ApiError, Loadable } from '../api.js';

export function Loading({ what }: { readonly what: string }) {
  return (
    <div className="state loading" role="status" aria-busy="true" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

export function Empty({ children }: { readonly children: ReactNode }) {
  return (
    <div className="state empty" data-testid="empty">
      {children}
    </div>
  );
}

export function Failure({ error }: { readonly error: ApiError }) {
  if (error.empty) {
    return (
      <Empty>
        <h2>No data yet</h2>
        <p>
          This workspace holds no contract lines. Import files on the{' '}
          <a href="#/imports">Imports</a> page, or with <code>nrr import FILE…</code>, then come
          back.
        </p>
      </Empty>
    );
  }
  return (
    <div className="state failed" role="alert" data-testid="error">
      <h2>Could not load this view</h2>
      <p>{error.message}</p>
      {error.field === null ? null : (
        <p className="muted">
          The problem is in <code>{error.field}</code>.
        </p>
      )}
    </div>
  );
}

/** Renders a loadable value: loading, failure, or the view built from the data. */
export function Loaded<T>({
  value,
  what,
  children,
}: {
  readonly value: Loadable<T>;
  readonly what: string;
  readonly children: (data: T) => ReactNode;
}) {
  if (value.state === 'loading') return <Loading what={what} />;
  if (value.state === 'failed') return <Failure error={value.error} />;
  return <>{children(value.data)}</>;
}
