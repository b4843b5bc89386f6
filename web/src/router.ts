/**
 * Routes live in the address's hash ("#/team?segment=Growth"), so every view, its filters and its
 * as-of date can be bookmarked and shared, and the server needs one page for all of them.
 */
import { useSyncExternalStore } from 'react';

export interface Route {
  /** The path after "#", such as "/team" or "/account/A000042". */
  readonly path: string;
  readonly params: URLSearchParams;
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

function currentHash(): string {
  return window.location.hash;
}

export function parseRoute(hash: string): Route {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const [path = '', query = ''] = text.split('?', 2);
  return { path: path === '' ? '/' : path, params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash, () => '');
  return parseRoute(hash);
}

/** Builds a hash link; empty and undefined parameters are left out. */
export function href(path: string, params: Record<string, string | undefined | null> = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, value);
  }
  const text = query.toString();
  return `#${path}${text === '' ? '' : `?${text}`}`;
}

/** Replaces some parameters of the current route, keeping the others. */
export function withParams(
  route: Route,
  changes: Record<string, string | undefined | null>,
): string {
  const params: Record<string, string> = {};
  route.params.forEach((value, name) => {
    params[name] = value;
  });
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined || value === null || value === '') delete params[name];
    else params[name] = value;
  }
  return href(route.path, params);
}

export function navigate(target: string): void {
  window.location.hash = target.startsWith('#') ? target.slice(1) : target;
}
