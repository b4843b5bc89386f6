/**
 * The as-of date and definitions version that every view shares. They travel in each link, so a
 * figure followed to its accounts is read on the same date under the same definitions.
 */
import { createContext, useContext } from 'react';
import { href } from './router.js';

export interface Scope {
  readonly asOf: string | undefined;
  readonly definitions: string | undefined;
}

export const ScopeContext = createContext<Scope>({ asOf: undefined, definitions: undefined });

export function useScope(): Scope {
  return useContext(ScopeContext);
}

/** Builds a link to a view with the shared scope added. */
export function scopedHref(
  scope: Scope,
  path: string,
  params: Record<string, string | undefined | null> = {},
): string {
  return href(path, { ...params, asOf: scope.asOf, definitions: scope.definitions });
}

/** Returns the scope as API query parameters. */
export function scopeQuery(scope: Scope): Record<string, string | undefined> {
  return { asOf: scope.asOf, definitions: scope.definitions };
}
