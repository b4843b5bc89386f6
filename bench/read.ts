/**
 * Reading benchmark: from the generated company's canonical CSV files (contract lines, accounts,
 * assignments, segments and FX rates) to a checked `Dataset`, with `readFiles`.
 *
 * The parent process writes the company at each size into a temporary folder. A child process
 * per size then reads the files, so its peak memory is that of reading alone. Run with
 * `npm run bench` (or `node dist/bench/read.js [lines...]`); results print as a Markdown table.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCompany, writeCanonicalCsv } from '../src/generate/index.js';
import { readFiles } from '../src/ingest/index.js';

/** Lines per account in the generated company (measured: about 4.9), used to size the runs. */
const LINES_PER_ACCOUNT = 4.9;
const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];

interface Measurement {
  lines: number;
  rows: number;
  seconds: number;
  peakRssMb: number;
}

async function measure(files: readonly string[]): Promise<Measurement> {
  const started = performance.now();
  const { dataset, summaries } = await readFiles(files, { preset: 'canonical' });
  const seconds = (performance.now() - started) / 1000;
  return {
    lines: dataset.lines.length,
    rows: summaries.reduce((total, summary) => total + summary.rows, 0),
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    process.stdout.write(JSON.stringify(await measure(args.slice(1))));
    return;
  }
  const sizes = args.length > 0 ? args.map(Number) : DEFAULT_SIZES;
  const self = fileURLToPath(import.meta.url);
  const folder = mkdtempSync(join(tmpdir(), 'nrr-read-bench-'));
  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  console.log('');
  console.log(
    '| Lines | Rows in all files | CSV size (MB) | Read and check (s) | Lines per second | Peak RSS (MiB) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  try {
    for (const size of sizes) {
      const sizeFolder = join(folder, String(size));
      const dataset = generateCompany({
        accounts: Math.max(1, Math.round(size / LINES_PER_ACCOUNT)),
      });
      const { files } = writeCanonicalCsv(dataset, sizeFolder);
      const bytes = files.reduce((total, file) => total + statSync(file).size, 0);
      const output = execFileSync(process.execPath, [self, '--child', ...files], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      rmSync(sizeFolder, { recursive: true, force: true });
      const result = JSON.parse(output) as Measurement;
      console.log(
        `| ${result.lines.toLocaleString('en-US')} | ${result.rows.toLocaleString('en-US')} | ${(bytes / 1e6).toFixed(0)} | ${result.seconds.toFixed(2)} | ${Math.round(result.lines / result.seconds).toLocaleString('en-US')} | ${result.peakRssMb.toFixed(0)} |`,
      );
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

await main();
