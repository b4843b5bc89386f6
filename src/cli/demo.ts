/** `nrr demo`: generate the sample company and report on it, with no data of the user's. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { analyse } from '../core/analysis.js';
import { dayFromCivil, formatDay } from '../core/dates.js';
import type { Definitions } from '../core/definitions.js';
import type { Dataset } from '../core/model.js';
import { buildReport, type Report } from '../core/report.js';
import {
  generateCompany,
  sampleTeams,
  writeCanonicalCsv,
  writeTeamsCsv,
} from '../generate/index.js';
import { readTeamsFile } from '../ingest/teams.js';
import { readInputs } from '../service/import.js';
import { StoreError } from '../store/driver.js';
import { processAlive } from '../store/embedded.js';
import { replaceTeamMembers } from '../store/teams.js';
import { currentUser, Workspace } from '../store/workspace.js';
import { importInputs } from './import.js';
import { workspaceDefinitions } from './input.js';
import { addDefinitionOptions, integerOption } from './options.js';
import type { DefinitionFlags } from './options.js';
import { renderReportTable } from './report-view.js';
import { serveWorkspace } from './serve.js';

interface DemoFlags extends DefinitionFlags {
  workspace: string;
  serve?: boolean;
  port: number;
  accounts?: number;
  seed?: number;
  format: 'table' | 'json';
}

const START_YEAR = 2023;
const YEARS = 3;

export function registerDemoCommand(program: Command): void {
  const command = program
    .command('demo')
    .description(
      'generate a sample company (3,000 accounts, new logos from 2023 to 2025), import it into a fresh embedded workspace and report on it as of the end of 2025',
    )
    .option(
      '--workspace <folder>',
      'folder of the fresh embedded workspace; an earlier demo workspace there is replaced, any other folder is left alone',
      DEMO_FOLDER,
    )
    .option(
      '--accounts <count>',
      'number of accounts, up to 500,000 (default 3000)',
      integerOption('--accounts', 1, 500_000),
    )
    .option('--seed <seed>', 'random seed (default 42)', integerOption('--seed', 0, 2 ** 31 - 1))
    .option(
      '--serve',
      'after the report, serve the dashboard on the sample workspace until Ctrl+C (on 127.0.0.1)',
    )
    .option(
      '--port <port>',
      'port of the dashboard with --serve; a free one is chosen when it is taken',
      integerOption('--port', 0, 65_535),
      8080,
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    );
  addDefinitionOptions(command);
  command.action(async (flags: DemoFlags) => {
    const started = performance.now();
    const generated = generateCompany({
      startYear: START_YEAR,
      years: YEARS,
      ...(flags.accounts === undefined ? {} : { accounts: flags.accounts }),
      ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    });
    const files = mkdtempSync(path.join(tmpdir(), 'nrr-demo-'));
    const workspace = await openFreshWorkspace(flags.workspace);
    let dataset: Dataset;
    let definitions: Definitions;
    let version: number;
    try {
      const written = writeCanonicalCsv(generated, files).files;
      await importInputs(workspace, readInputs(written, undefined), { preset: 'canonical' });
      const teamsFile = path.join(files, 'teams.csv');
      writeTeamsCsv(sampleTeams(generated, flags.seed), teamsFile);
      const members = await readTeamsFile(readFileSync(teamsFile), 'teams.csv');
      await replaceTeamMembers(workspace.db, members, 'teams.csv', currentUser());
      ({ definitions, version } = await workspaceDefinitions(workspace, flags));
      dataset = await workspace.loadDataset();
    } finally {
      await workspace.close();
      rmSync(files, { recursive: true, force: true });
    }
    const asOf = dayFromCivil(START_YEAR + YEARS - 1, 12, 31);
    const analysis = analyse(dataset, definitions, asOf);
    const stamp = (report: Report): Report => ({
      ...report,
      definitions: { ...report.definitions, workspaceVersion: version },
    });
    const company = stamp(buildReport(analysis, dataset));
    const bySegment = stamp(buildReport(analysis, dataset, 'segment'));
    const byRegion = stamp(buildReport(analysis, dataset, 'region'));
    const byCsm = stamp(buildReport(analysis, dataset, 'csm'));
    const elapsed = ((performance.now() - started) / 1000).toFixed(1);
    if (flags.format === 'json') {
      process.stdout.write(
        JSON.stringify(
          { company, bySegment: bySegment.groups, byRegion: byRegion.groups, byCsm: byCsm.groups },
          null,
          2,
        ) + '\n',
      );
      return;
    }
    const out = [
      `Sample company: ${dataset.accounts.length} accounts, ${dataset.lines.length} contract lines, generated, imported into the workspace ${flags.workspace} and reported in ${elapsed} s.`,
      '',
      renderReportTable(company),
      section(renderReportTable(bySegment)),
      section(renderReportTable(byRegion)),
      section(renderReportTable(byCsm)),
      `Next, ask the workspace: \`npx nrr report --workspace ${flags.workspace} --as-of 2025-12-31 --by csm\`,`,
      `\`npx nrr explain --workspace ${flags.workspace} --as-of 2025-12-31 --account A000042\` and`,
      `\`npx nrr imports --workspace ${flags.workspace}\`; or write the sample as CSV with \`npx nrr generate --out sample/\`.`,
      '',
    ];
    process.stdout.write(out.join('\n'));
    if (flags.serve === true) {
      const served = await Workspace.open({ kind: 'embedded', folder: flags.workspace });
      await serveWorkspace(served, {
        port: flags.port,
        host: '127.0.0.1',
        anyPortIfTaken: true,
        page: `#/?asOf=${formatDay(asOf)}`,
      });
    }
  });
}

/** Folder of the demo workspace, beside the default workspace so that the two never mix. */
const DEMO_FOLDER = '.nrr-demo';

/**
 * Opens an empty embedded workspace in `folder`, first removing an earlier demo workspace there.
 * Any other folder, and a demo workspace that a running process holds, is left alone.
 */
async function openFreshWorkspace(folder: string): Promise<Workspace> {
  if (existsSync(folder)) {
    if (!existsSync(path.join(folder, DEMO_MARKER))) {
      throw new StoreError(
        `${folder} exists and is not a demo workspace; pass --workspace with a new folder for the demo`,
      );
    }
    const lock = path.join(folder, 'nrr.lock');
    const holder = existsSync(lock) ? Number.parseInt(readFileSync(lock, 'utf8'), 10) : NaN;
    if (Number.isInteger(holder) && holder > 1 && processAlive(holder)) {
      throw new StoreError(
        `the demo workspace ${folder} is in use by process ${holder}; stop it first, or pass --workspace with another folder`,
      );
    }
    rmSync(folder, { recursive: true, force: true });
  }
  const workspace = await Workspace.open({ kind: 'embedded', folder });
  writeFileSync(
    path.join(folder, DEMO_MARKER),
    'This folder holds the sample company of `nrr demo`, which replaces it on every run.\n',
  );
  return workspace;
}

/** File that marks a folder as a demo workspace, which the next demo may replace. */
const DEMO_MARKER = 'DEMO';

/** Keeps only the breakdown table of a grouped report (the company figures are printed once). */
function section(text: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('By '));
  return lines.slice(start).join('\n');
}
