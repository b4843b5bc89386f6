/** Locating the compiled modules that run as worker threads. */

/**
 * Resolves a path inside the build's `dist` folder. Code run from the TypeScript sources (the
 * tests) has no compiled files beside it, so it uses the build's, which the tests make first.
 */
export function inBuild(path: string): URL {
  const moduleUrl = import.meta.url;
  const relative = moduleUrl.endsWith('.ts') ? `../../dist/${path}` : `../../${path}`;
  return new URL(relative, moduleUrl);
}
