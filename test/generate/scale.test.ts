import { expect, test } from 'vitest';

import { generateCompany } from '../../src/generate/index.js';

test('200k accounts give about 1M lines', async ({ annotate }) => {
  const started = performance.now();
  const dataset = generateCompany({ accounts: 200_000 });
  const seconds = (performance.now() - started) / 1000;
  const lines = dataset.lines.length;
  await annotate(
    `${lines} lines (${(lines / 200_000).toFixed(2)} per account) in ${seconds.toFixed(1)} s`,
  );
  expect(dataset.accounts).toHaveLength(200_000);
  expect(lines).toBeGreaterThan(800_000);
  expect(lines).toBeLessThan(1_200_000);
});
