/** `nrr generate`: write the sample company as canonical CSV files. */
import type { Command } from 'commander';
import {
  generateCompany,
  sampleTeams,
  writeCanonicalCsv,
  writeTeamsCsv,
} from '../generate/index.js';
import { integerOption } from './options.js';

interface GenerateFlags {
  out: string;
  teams?: string;
  accounts?: number;
  seed?: number;
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description(
      'write a generated sample company (accounts, lines, owners, segments, FX rates) as canonical CSV files',
    )
    .requiredOption('--out <folder>', 'folder to write the CSV files into (created when missing)')
    .option(
      '--teams <file>',
      'also write the teams (each CSM with a team per region and its manager) to this CSV file, for nrr teams import',
    )
    .option(
      '--accounts <count>',
      'number of accounts, up to 500,000 (default 3000)',
      integerOption('--accounts', 1, 500_000),
    )
    .option(
      '--seed <seed>',
      'random seed; the same seed gives the same company (default 42)',
      integerOption('--seed', 0, 2 ** 31 - 1),
    )
    .action((flags: GenerateFlags) => {
      const dataset = generateCompany({
        ...(flags.accounts === undefined ? {} : { accounts: flags.accounts }),
        ...(flags.seed === undefined ? {} : { seed: flags.seed }),
      });
      const { files } = writeCanonicalCsv(dataset, flags.out);
      if (flags.teams !== undefined) {
        writeTeamsCsv(sampleTeams(dataset, flags.seed), flags.teams);
        files.push(flags.teams);
      }
      process.stdout.write(
        `Wrote ${dataset.lines.length} lines for ${dataset.accounts.length} accounts:\n${files.map((file) => `  ${file}`).join('\n')}\n`,
      );
    });
}
