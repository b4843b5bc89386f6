/** Calls to the nrr API, and the shapes of the answers the dashboard reads. */
import { useEffect, useState } from 'react';

import type { BookAccount } from '../../src/core/books.js';
import type { CohortRow } from '../../src/core/cohorts.js';
import type { Explanation as CoreExplanation } from '../../src/core/explain.js';
import type { Report as CoreReport } from '../../src/core/report.js';

export type { BridgeTotals } from '../../src/core/bridge.js';
export type { CohortRow } from '../../src/core/cohorts.js';
export type { GroupReport, PeriodReport } from '../../src/core/report.js';

/** Each figure names the stored definitions version it was computed with. */
interface WorkspaceDefinitions {
  definitions: CoreReport['definitions'] & { workspaceVersion: number };
}

export type Report = CoreReport & WorkspaceDefinitions;
export type Explanation = CoreExplanation & WorkspaceDefinitions;
export type AccountRow = BookAccount;

export interface Accounts {
  set: 'active' | 'cohort';
  window: { start: string; end: string };
  currency: string;
  count: number;
  arrAtStart: number;
  arrAtEnd: number;
  capped: number;
  retained: number;
  accounts: readonly AccountRow[];
}

export interface Movements {
  window: { start: string; end: string };
  currency: string;
  count: number;
  total: number;
  movements: { account: string; kind: string; amount: number }[];
}

export interface Cohorts {
  asOf: string;
  currency: string;
  cohorts: CohortRow[];
}

export interface ImportRecord {
  id: number;
  source: string;
  path: string;
  preset: string;
  rows: number;
  records: number;
  rejected: number;
  added: number;
  changed: number;
  removed: number;
  importedBy: string;
  finishedAt: string;
  current: boolean;
}

export interface Job {
  id: string;
  state: 'running' | 'succeeded' | 'failed';
  stage: string | null;
  done: number;
  total: number;
  result?: unknown;
  error?: {
    code: string;
    message: string;
    problems?: { file: string; row: number; column: string; value: string; message: string }[];
  };
}

/** A failed call: the API's error code and message, or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null,
  ) {
    super(message);
  }

  /** Whether the workspace contains no contract lines yet. */
  get empty(): boolean {
    return this.code === 'store-error' && /no contract lines yet/.test(this.message);
  }
}

/** Builds an API path with its query, leaving out empty parameters. */
export function apiPath(pathname: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, value);
  }
  const text = params.toString();
  return text === '' ? pathname : `${pathname}?${text}`;
}

export async function request<T>(pathname: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(pathname, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(
      0,
      'network',
      'the server did not respond; check that `nrr serve` is running',
      null,
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const failure = (body as { error?: { code?: string; message?: string; field?: string } })
      ?.error;
    throw new ApiError(
      response.status,
      failure?.code ?? 'http-error',
      failure?.message ?? `the server answered ${response.status}`,
      failure?.field ?? null,
    );
  }
  return body as T;
}

export type Loadable<T> =
  { state: 'loading' } | { state: 'failed'; error: ApiError } | { state: 'ready'; data: T };

/**
 * Loads a path, again whenever it or the access key changes; a change cancels the previous
 * request. A personal access key goes out as `Authorization: Bearer KEY`.
 */
export function useApi<T>(pathname: string | null, accessKey?: string): Loadable<T> {
  const [result, setResult] = useState<{ path: string | null; value: Loadable<T> }>({
    path: null,
    value: { state: 'loading' },
  });
  const requested = pathname === null ? null : `${pathname}\u0000${accessKey ?? ''}`;
  useEffect(() => {
    if (pathname === null) return undefined;
    const controller = new AbortController();
    const headers: Record<string, string> =
      accessKey === undefined ? {} : { authorization: `Bearer ${accessKey}` };
    request<T>(pathname, { signal: controller.signal, headers }).then(
      (data) => setResult({ path: requested, value: { state: 'ready', data } }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setResult({
          path: requested,
          value: {
            state: 'failed',
            error:
              error instanceof ApiError
                ? error
                : new ApiError(0, 'client-error', String(error), null),
          },
        });
      },
    );
    return () => controller.abort();
  }, [pathname, accessKey, requested]);
  return result.path === requested ? result.value : { state: 'loading' };
}
