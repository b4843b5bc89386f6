/**
 * Import benchmark: the generated company written as canonical CSV files, imported into a fresh
 * workspace on each driver in one transaction, then read back into the engine's dataset. The
 * import first parses every file and reads the supporting files ("prepare"), then reads, checks
 * and stores the contract lines a batch at a time and stores the rest ("store").
 *
 * Each run is its own child process so peak memory is measured per run. The server driver runs
 * when DATABASE_URL is set, on a database the benchmark creates and drops. Run with
 * `node dist/bench/import.js [lines]` (default one million lines).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { generateCompany, writeCanonicalCsv } from '../src/generate/index.js';
import { importFiles, readInputs } from '../src/service/import.js';
import { Workspace, type WorkspaceLocation } from '../src/store/workspace.js';

const LINES_PER_ACCOUNT = 4.9;

interface Measurement {
  driver: string;
  lines: number;
  prepareSeconds: number;
  storeSeconds: number;
  importSeconds: number;
  loadSeconds: number;
  peakRssMb: number;
}

async function measure(driver: string, folder: string, location: WorkspaceLocation) {
  const files = readdirSync(folder).map((file) => path.join(folder, file));
  const started = performance.now();
  const workspace = await Workspace.open(location);
  const opened = performance.now();
  let storing = opened;
  const run = await importFiles(
    workspace,
    readInputs(files, undefined),
    { preset: 'canonical' },
    (stage) => {
      if (stage === 'storing' && storing === opened) storing = performance.now();
    },
  );
  const imported = performance.now();
  const dataset = await workspace.loadDataset();
  const loaded = performance.now();
  await workspace.close();
  if (run.outcomes.length === 0) throw new Error('nothing was imported');
  if (dataset.lines.length === 0) throw new Error('nothing was read back');
  const result: Measurement = {
    driver,
    lines: dataset.lines.length,
    prepareSeconds: (storing - opened) / 1000,
    storeSeconds: (imported - storing) / 1000,
    importSeconds: (imported - started) / 1000,
    loadSeconds: (loaded - imported) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  return result;
}

async function serverLocation(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const base = process.env['DATABASE_URL'];
  if (base === undefined || base.trim() === '') return undefined;
  const name = `nrr_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

function row(m: Measurement): string {
  const cells = [
    m.driver,
    m.lines.toLocaleString('en-US'),
    m.prepareSeconds.toFixed(1),
    m.storeSeconds.toFixed(1),
    m.importSeconds.toFixed(1),
    m.loadSeconds.toFixed(1),
    m.peakRssMb.toFixed(0),
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--child') {
    const [driver, folder, target] = rest as [string, string, string];
    const location: WorkspaceLocation =
      driver === 'server' ? { kind: 'server', url: target } : { kind: 'embedded', folder: target };
    process.stdout.write(JSON.stringify(await measure(driver, folder, location)));
    return;
  }
  const lines = Number(mode ?? 1_000_000);
  const scratch = mkdtempSync(path.join(tmpdir(), 'nrr-bench-import-'));
  try {
    const folder = path.join(scratch, 'files');
    const company = generateCompany({
      accounts: Math.max(1, Math.round(lines / LINES_PER_ACCOUNT)),
    });
    writeCanonicalCsv(company, folder);
    process.stderr.write(
      `Generated ${company.lines.length.toLocaleString('en-US')} lines in ${folder}\n`,
    );
    const script = fileURLToPath(import.meta.url);
    const results: Measurement[] = [];
    const runChild = (driver: string, target: string) => {
      const output = execFileSync(process.execPath, [script, '--child', driver, folder, target], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 20,
      });
      results.push(JSON.parse(output) as Measurement);
    };
    runChild('embedded', path.join(scratch, 'workspace'));
    const server = await serverLocation();
    if (server === undefined) {
      process.stderr.write('DATABASE_URL is not set: the server driver is not measured.\n');
    } else {
      try {
        runChild('server', server.url);
      } finally {
        await server.drop();
      }
    }
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    process.stdout.write(
      [
        `Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()[0]?.toFixed(2) ?? '?'} at the end`,
        '',
        '| Driver | Lines | Prepare (s) | Store (s) | Import total (s) | Read back (s) | Peak RSS (MiB) |',
        '|---|---:|---:|---:|---:|---:|---:|',
        ...results.map(row),
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
