/**
 * API benchmark: the dashboard's requests on an embedded workspace holding the generated company,
 * called in process. The overview asks for the company report and the monthly report; the team,
 * cohort and accounts pages ask for the rest. For each request the benchmark reports the first
 * call and the median and 95th percentile of the calls after it. The first call of all reads the
 * workspace and analyses it; later calls reuse the server's cached analysis.
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

/** The requests of the dashboard's pages, in the order a visitor would make them. */
const ROUTES: readonly (readonly [string, string])[] = [
  ['Overview', '/api/report?asOf=2025-12-31'],
  ['Overview', '/api/report?asOf=2025-12-31&by=month'],
  ['Team', '/api/report?asOf=2025-12-31&by=csm'],
  ['Team', '/api/report?asOf=2025-12-31&by=csm&segment=Growth'],
  ['Cohorts', '/api/cohorts?asOf=2025-12-31'],
  ['Accounts', '/api/accounts?asOf=2025-12-31&set=cohort'],
];

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
      const timed = async (route: string) => {
        const started = performance.now();
        const response = await app.request(route);
        if (response.status !== 200)
          throw new Error(`${route} failed with status ${response.status}`);
        await response.json();
        return performance.now() - started;
      };
      const rows: string[] = [];
      for (const [name, route] of ROUTES) {
        const first = await timed(route);
        const times: number[] = [];
        for (let i = 0; i < REQUESTS; i++) times.push(await timed(route));
        times.sort((a, b) => a - b);
        rows.push(
          `| ${name} | \`${route}\` | ${first.toFixed(0)} | ${percentile(times, 0.5).toFixed(1)} | ${percentile(times, 0.95).toFixed(1)} |`,
        );
      }
      const cpu = cpus()[0]?.model ?? 'unknown CPU';
      process.stdout.write(
        [
          `Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
          `Workspace: ${accounts.toLocaleString('en-US')} accounts, ${company.lines.length.toLocaleString('en-US')} contract lines`,
          '',
          `| Page | Request | First call (ms) | Median of next ${REQUESTS} (ms) | 95th percentile (ms) |`,
          '|---|---|---:|---:|---:|',
          ...rows,
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
