import { describe, expect, test } from 'vitest';

import { readText } from '../../src/ingest/index.js';
import { singleProblem } from './support.js';

describe('files that are not comma-separated UTF-8', () => {
  test('semicolon-separated file is named as such', () => {
    const problem = singleProblem(() =>
      readText(
        'subscription_id;customer_id;start_date;end_date;monthly_amount\n1;c;2024-01-01;2024-02-01;5\n',
        'semi.csv',
        { preset: 'subscription-periods' },
      ),
    );
    expect(problem.row).toBe(1);
    expect(problem.message).toContain('semicolons');
  });

  test('UTF-16 text is named as such', () => {
    const utf16 = Buffer.from('line_id,account_id\nL1,A1\n', 'utf16le').toString('latin1');
    const problem = singleProblem(() => readText(utf16, 'wide.csv', { preset: 'canonical' }));
    expect(problem.message).toContain('UTF-16');
  });

  test('two roles on one column are rejected', () => {
    expect(() =>
      readText('a,b\n', 'x.csv', { preset: 'invoice-lines', columns: { from: 'a', to: 'a' } }),
    ).toThrow(/roles "from" and "to" both read column "a"/);
  });
});
