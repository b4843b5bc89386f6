/** Debian's chromium for the browser tests, with the flags it needs on a closed network. */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env['NRR_CHROMIUM'] ?? '/usr/bin/chromium';

/** Headless, as root, with no background connections to hosts the machine cannot reach. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Checks for chromium, and prints how to install it when the browser tests must skip. */
export function chromiumAvailable(): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) {
    // eslint-disable-next-line no-console -- the reason for skipping must show in the test output
    console.warn(
      `Skipping the browser tests: no chromium at ${CHROMIUM}. Install Debian's chromium (apt-get install chromium) or set NRR_CHROMIUM to its path.`,
    );
  }
  return available;
}

/** Starts chromium; playwright-core gives it a fresh, empty profile folder. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}
