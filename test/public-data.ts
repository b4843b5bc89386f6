/**
 * Location of the public sample files written by other projects. They are not part of the
 * repository; tests that read them skip, with a printed reason, when the folder is absent.
 * NRR_PUBLIC_DATA overrides the default folder below.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const PUBLIC_DATA = path.resolve(
  process.env['NRR_PUBLIC_DATA'] ?? path.resolve(REPO_ROOT, '../shared/data/public'),
);

/** Checks that the public data folder exists, and prints why the suite skips when it does not. */
export function publicDataAvailable(suite: string): boolean {
  const available = existsSync(PUBLIC_DATA);
  if (!available) {
    // eslint-disable-next-line no-console -- the reason for skipping must show in the test output
    console.warn(
      `Skipping ${suite}: ${PUBLIC_DATA} does not exist. Set NRR_PUBLIC_DATA to the folder of public sample files.`,
    );
  }
  return available;
}

export function publicFile(relative: string): string {
  return path.join(PUBLIC_DATA, relative);
}
