/**
 * Exercises built from the workspace's accounts for the training routes: the id that lets a
 * practice exercise be built again to grade it, and the errors the API returns when the data
 * gives no exercise.
 */
import { formatDay, parseDay } from '../core/dates.js';
import type { Day } from '../core/dates.js';
import type { Definitions } from '../core/definitions.js';
import { EngineError } from '../core/errors.js';
import type { Dataset } from '../core/model.js';
import type { Exercise, Level } from '../training/exercises.js';
import { exerciseFromData } from '../training/from-data.js';
import { ApiError } from './errors.js';

/** The workspace's dataset and current definitions, with the definitions' stored version. */
export interface TrainingInput {
  readonly dataset: Dataset;
  readonly definitions: Definitions;
  /** Null while the workspace uses the default definitions and has stored none. */
  readonly version: number | null;
}

/** The choices that fix a set of exercises from the workspace's accounts. */
export interface DataSetChoice {
  readonly anonymise: boolean;
  readonly level: Level | null;
  readonly asOf: Day;
  readonly seed: number;
}

/**
 * Writes the id of the exercise at `index` of a set: `data.anon.2.2025-12-31.7.0` is the first
 * anonymised level 2 exercise of set 7 as of 2025-12-31, and `all` stands for every level.
 */
export function dataExerciseId(choice: DataSetChoice, index: number): string {
  return [
    'data',
    choice.anonymise ? 'anon' : 'named',
    choice.level ?? 'all',
    formatDay(choice.asOf),
    choice.seed,
    index,
  ].join('.');
}

/** Reads an id written by `dataExerciseId`, or returns undefined for any other id. */
export function parseDataExerciseId(
  id: string,
): { choice: DataSetChoice; index: number } | undefined {
  const match = /^data\.(anon|named)\.([123]|all)\.(\d{4}-\d{2}-\d{2})\.(\d{1,9})\.(\d{1,3})$/.exec(
    id,
  );
  if (match === null) return undefined;
  const asOf = parseDay(match[3] as string);
  if (asOf === undefined) return undefined;
  return {
    choice: {
      anonymise: match[1] === 'anon',
      level: match[2] === 'all' ? null : (Number(match[2]) as Level),
      asOf,
      seed: Number(match[4]),
    },
    index: Number(match[5]),
  };
}

/** Rejects a workspace that has no contract lines to build exercises from. */
export function requireData(dataset: Dataset): void {
  if (dataset.lines.length === 0) {
    throw new ApiError(
      422,
      'no-data',
      'the workspace has no contract lines to build exercises from; import files first, or choose source synthetic',
      'source',
    );
  }
}

/**
 * Builds the exercises at `indexes` of a set from the workspace's accounts. The engine's reason
 * for finding no exercise names command-line flags, so only its first clause is kept.
 */
export function buildDataExercises(
  input: TrainingInput,
  choice: DataSetChoice,
  indexes: readonly number[],
): Exercise[] {
  requireData(input.dataset);
  const levels: Level[] = choice.level === null ? [1, 2, 3] : [choice.level];
  const options = {
    asOf: choice.asOf,
    definitions: input.definitions,
    seed: choice.seed,
    levels,
    anonymise: choice.anonymise,
  };
  return indexes.map((index) => {
    try {
      return exerciseFromData(input.dataset, options, index);
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      const level = levels[index % levels.length] as Level;
      const reason = error.message.split(';')[0] ?? error.message;
      throw new ApiError(
        422,
        'no-exercise-data',
        `the workspace's accounts give no level ${level} exercise as of ${formatDay(choice.asOf)}: ${reason}; choose another level, or source synthetic`,
        'level',
      );
    }
  });
}
