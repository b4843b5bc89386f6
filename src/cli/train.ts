/** `nrr train`: practice exercises in the terminal, graded with the worked solution. */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { Option } from 'commander';
import { defaultAsOf } from '../core/as-of.js';
import type { Day } from '../core/dates.js';
import { CONCEPTS, exerciseView, syntheticExercises } from '../training/exercises.js';
import type { Concept, Exercise, Level } from '../training/exercises.js';
import { exercisesFromData } from '../training/from-data.js';
import { grade } from '../training/grading.js';
import { worksheetPdf } from '../training/worksheet.js';
import { addDataOptions } from './data.js';
import { loadInput, type InputFlags } from './input.js';
import { addDefinitionOptions, dayOption, integerOption, today } from './options.js';
import { addWorkspaceOption } from './workspace.js';

interface TrainFlags extends InputFlags {
  source: 'synthetic' | 'data';
  level?: number;
  count: number;
  seed: number;
  anonymise?: boolean;
  csm?: string;
  asOf?: Day;
  format: 'text' | 'json';
  worksheet?: string;
}

async function exercisesFor(files: string[], flags: TrainFlags): Promise<Exercise[]> {
  const levels: Level[] = flags.level === undefined ? [1, 2, 3] : [flags.level as Level];
  if (flags.source === 'synthetic') return syntheticExercises(flags.seed, flags.count, levels);
  const { dataset, definitions } = await loadInput(files, flags);
  return exercisesFromData(dataset, {
    asOf: flags.asOf ?? defaultAsOf(dataset, today()),
    definitions,
    seed: flags.seed,
    count: flags.count,
    levels,
    anonymise: flags.anonymise === true,
    ...(flags.csm === undefined ? {} : { csm: flags.csm }),
  });
}

function render(exercise: Exercise, index: number, count: number): string {
  return [
    '',
    `Exercise ${index + 1} of ${count} (level ${exercise.level}): ${exercise.title}`,
    exercise.question,
    ...exercise.data.map((line) => `  - ${line}`),
    '',
  ].join('\n');
}

function prompt(exercise: Exercise): string {
  return exercise.answerKind === 'choice'
    ? `Your answer (${(exercise.choices ?? []).join(', ')}; q to stop): `
    : 'Your answer in percent (q to stop): ';
}

/**
 * Reads answers line by line. Lines that arrive before a question is asked wait in a queue, so
 * answers piped in ahead of time are not lost; null means the input ended.
 */
class Answers {
  private readonly queue: string[] = [];
  private waiting: ((line: string | null) => void) | undefined;
  private ended = false;
  private readonly lines;

  constructor() {
    this.lines = createInterface({ input: process.stdin, terminal: false });
    this.lines.on('line', (line) => {
      if (this.waiting === undefined) this.queue.push(line);
      else this.take(line);
    });
    this.lines.on('close', () => {
      this.ended = true;
      this.take(null);
    });
  }

  private take(line: string | null): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(line);
  }

  ask(question: string): Promise<string | null> {
    process.stdout.write(question);
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  close(): void {
    this.lines.close();
  }
}

/** Runs the question loop on the terminal and prints the score per concept at the end. */
async function practise(exercises: readonly Exercise[]): Promise<void> {
  const answers = new Answers();
  const tally = new Map<Concept, { right: number; wrong: number }>();
  let right = 0;
  let answered = 0;
  try {
    questions: for (const [index, exercise] of exercises.entries()) {
      process.stdout.write(render(exercise, index, exercises.length));
      let result: ReturnType<typeof grade> | undefined;
      // An answer that cannot be read is asked again rather than marked wrong.
      while (result === undefined) {
        const response = await answers.ask(prompt(exercise));
        if (response === null || response.trim().toLowerCase() === 'q') break questions;
        const graded = grade(exercise, response);
        if (graded.understood === null) process.stdout.write(`${graded.feedback}\n`);
        else result = graded;
      }
      answered++;
      if (result.correct) right++;
      for (const concept of exercise.concepts) {
        const entry = tally.get(concept) ?? { right: 0, wrong: 0 };
        if (result.correct) entry.right++;
        else entry.wrong++;
        tally.set(concept, entry);
      }
      process.stdout.write(
        [
          result.feedback,
          'Worked solution:',
          ...exercise.solution.map((step, number) => `  ${number + 1}. ${step}`),
          `Concepts: ${exercise.concepts.map((concept) => CONCEPTS[concept]).join('; ')}.`,
          '',
        ].join('\n'),
      );
    }
  } finally {
    answers.close();
  }
  const review = [...tally.entries()].filter(([, entry]) => entry.wrong > 0);
  process.stdout.write(
    [
      '',
      `Score: ${right} of ${answered} answered right.`,
      review.length === 0
        ? 'No concept to review.'
        : `To review: ${review.map(([concept, entry]) => `${CONCEPTS[concept]} (${entry.wrong} wrong)`).join('; ')}.`,
      '',
    ].join('\n'),
  );
}

export function registerTrainCommand(program: Command): void {
  const command = program
    .command('train')
    .description(
      'practise NRR in the terminal: exercises graded on the spot, with the misconception behind a wrong answer and the worked solution',
    )
    .argument(
      '[files...]',
      'files to draw real accounts from with --source data (default: the workspace)',
    )
    .addOption(
      new Option('--source <source>', 'synthetic exercises, or exercises from real accounts')
        .choices(['synthetic', 'data'])
        .default('synthetic'),
    )
    .option(
      '--level <level>',
      'only this level: 1 classify a movement, 2 compute NRR or GRR, 3 judge a renewal',
      integerOption('--level', 1, 3),
    )
    .option('--count <count>', 'number of exercises', integerOption('--count', 1, 100), 5)
    .option(
      '--seed <seed>',
      'random seed, so a team can share the same set',
      integerOption('--seed', 0, 2 ** 31 - 1),
      1,
    )
    .option(
      '--anonymise',
      'with --source data: replace account ids and names, and leave people out',
    )
    .option('--csm <name>', "with --source data: draw from this CSM's book")
    .option('--as-of <date>', 'with --source data: last day of the window, YYYY-MM-DD', dayOption)
    .addOption(
      new Option(
        '--format <format>',
        'text runs the exercises; json prints them with their answers',
      )
        .choices(['text', 'json'])
        .default('text'),
    );
  command.option(
    '--worksheet <file>',
    'write the exercises as a printable PDF worksheet with an answer key, instead of running them',
  );
  addDataOptions(command);
  addWorkspaceOption(command);
  addDefinitionOptions(command);
  command.action(async (files: string[], flags: TrainFlags) => {
    const exercises = await exercisesFor(files, flags);
    if (flags.worksheet !== undefined) {
      const pdf = await worksheetPdf(exercises, { title: 'NRR worksheet' });
      writeFileSync(flags.worksheet, pdf);
      process.stdout.write(
        `Wrote ${exercises.length} exercises and their answer key to ${flags.worksheet}\n`,
      );
      return;
    }
    if (flags.format === 'json') {
      process.stdout.write(JSON.stringify(exercises.map(exerciseView), null, 2) + '\n');
      return;
    }
    await practise(exercises);
  });
}
