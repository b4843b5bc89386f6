/**
 * Engine benchmark: from parsed contract lines (the generated company, already in memory) to the
 * full monthly bridge and trailing NRR/GRR for the company and per CSM, segment and region.
 *
 * Each size runs in its own child process so peak memory is measured per size. Run with
 * `npm run bench` (or `node dist/bench/engine.js [lines...]`); results print as a Markdown table.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { analyse } from '../src/core/analysis.js';
import { dayFromCivil } from '../src/core/dates.js';
import { DEFAULT_DEFINITIONS } from '../src/core/definitions.js';
import { buildReport } from '../src/core/report.js';
import { generateCompany } from '../src/generate/index.js';

/** Lines per account in the generated company (measured: about 4.9), used to size the runs. */
const LINES_PER_ACCOUNT = 4.9;
const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];

interface Measurement {
  lines: number;
  accounts: number;
  generateSeconds: number;
  engineSeconds: number;
  analyseSeconds: number;
  monthlySeconds: number;
  booksSeconds: number;
  rssBeforeMb: number;
  peakRssMb: number;
  arr: number;
  nrr: number | null;
}

function measure(targetLines: number): Measurement {
  const generated = performance.now();
  const dataset = generateCompany({
    accounts: Math.max(1, Math.round(targetLines / LINES_PER_ACCOUNT)),
  });
  const generateSeconds = (performance.now() - generated) / 1000;
  (globalThis as { gc?: () => void }).gc?.();
  const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;

  const started = performance.now();
  const analysis = analyse(dataset, DEFAULT_DEFINITIONS, dayFromCivil(2025, 12, 31));
  const analysed = performance.now();
  const monthly = buildReport(analysis, dataset, 'month');
  const bridged = performance.now();
  for (const by of ['csm', 'segment', 'region'] as const) buildReport(analysis, dataset, by);
  const finished = performance.now();

  return {
    lines: dataset.lines.length,
    accounts: dataset.accounts.length,
    generateSeconds,
    engineSeconds: (finished - started) / 1000,
    analyseSeconds: (analysed - started) / 1000,
    monthlySeconds: (bridged - analysed) / 1000,
    booksSeconds: (finished - bridged) / 1000,
    rssBeforeMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    arr: monthly.arr,
    nrr: monthly.nrr,
  };
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    process.stdout.write(JSON.stringify(measure(Number(args[1]))));
    return;
  }
  const sizes = args.length > 0 ? args.map(Number) : DEFAULT_SIZES;
  const self = fileURLToPath(import.meta.url);
  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  console.log('');
  console.log(
    '| Lines | Accounts | Engine total (s) | Analysis (s) | Monthly bridge (s) | CSM, segment and region books (s) | RSS before engine (MiB) | Peak RSS (MiB) | NRR |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of sizes) {
    const output = execFileSync(process.execPath, ['--expose-gc', self, '--child', String(size)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const result = JSON.parse(output) as Measurement;
    console.log(
      `| ${result.lines.toLocaleString('en-US')} | ${result.accounts.toLocaleString('en-US')} | ${result.engineSeconds.toFixed(2)} | ${result.analyseSeconds.toFixed(2)} | ${result.monthlySeconds.toFixed(2)} | ${result.booksSeconds.toFixed(2)} | ${result.rssBeforeMb.toFixed(0)} | ${result.peakRssMb.toFixed(0)} | ${result.nrr === null ? 'n/a' : (result.nrr * 100).toFixed(1) + '%'} |`,
    );
  }
}

main();
