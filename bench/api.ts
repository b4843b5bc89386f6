/**
 * API benchmark: the overview request (`GET /api/report` for the company, as of a date) on an
 * embedded workspace holding the generated company, called in process. Reports the first
 * request, which reads the workspace and analyses it, and the median and 95th percentile of the
 * requests after it, which the server serves from its cached analysis.
 *
 * Run with `node dist/bench/api.js [accounts]` (default 10,000 accounts).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { dayFromCivil } from '../src/core/dates.js';
import { generateCompany, writeCanonicalCsv } from '../src/generate/index.js';
import { createApp } from '../src/server/app.js';
import { importFiles, readInputs } from '../src/service/import.js';
import { Workspace } from '../src/store/workspace.js';

const REQUESTS = 50;

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;
}

async function main(): Promise<void> {
  const accounts = Number(process.argv[2] ?? 10_000);
  const scratch = mkdtempSync(path.join(tmpdir(), 'nrr-bench-api-'));
  try {
    const folder = path.join(scratch, 'files');
    const company = generateCompany({ accounts });
    writeCanonicalCsv(company, folder);
    const workspace = await Workspace.open({ kind: 'embedded', folder: path.join(scratch, 'ws') });
    try {
      const files = readdirSync(folder).map((file) => path.join(folder, file));
      await importFiles(workspace, readInputs(files, undefined), { preset: 'canonical' });
      const app = createApp({
        workspace,
        logger: pino({ level: 'silent' }),
        today: () => dayFromCivil(2026, 12, 4),
        user: 'bench',
      });
      const timed = async () => {
        const started = performance.now();
        const response = await app.request('/api/report?asOf=2025-12-31');
        if (response.status !== 200)
          throw new Error(`the overview request failed with status ${response.status}`);
        await response.json();
        return performance.now() - started;
      };
      const first = await timed();
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) times.push(await timed());
      times.sort((a, b) => a - b);
      const cpu = cpus()[0]?.model ?? 'unknown CPU';
      process.stdout.write(
        [
          `Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
          '',
          '| Accounts | Lines | First request (ms) | Median of next 50 (ms) | 95th percentile (ms) |',
          '|---:|---:|---:|---:|---:|',
          `| ${accounts.toLocaleString('en-US')} | ${company.lines.length.toLocaleString('en-US')} | ${first.toFixed(0)} | ${percentile(times, 0.5).toFixed(1)} | ${percentile(times, 0.95).toFixed(1)} |`,
          '',
        ].join('\n'),
      );
    } finally {
      await workspace.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
