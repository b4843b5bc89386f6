/** `nrr generate`: write the sample company as canonical CSV files. */
import type { Command } from 'commander';
import { generateCompany, writeCanonicalCsv } from '../generate/index.js';
import { integerOption } from './options.js';

interface GenerateFlags {
  out: string;
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
      process.stdout.write(
        `Wrote ${dataset.lines.length} lines for ${dataset.accounts.length} accounts:\n${files.map((file) => `  ${file}`).join('\n')}\n`,
      );
    });
}
