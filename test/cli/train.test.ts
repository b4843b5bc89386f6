/**
 * `nrr train` driven through a real pseudo-terminal: util-linux `script` gives the command a
 * terminal, and the test types answers at its prompts as a person would.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { syntheticExercises } from '../../src/training/exercises.js';
import { embeddedEnv } from '../store/databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist/src/cli/main.js');
const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) {
  // eslint-disable-next-line no-console -- the reason for skipping must show in the test output
  console.warn('Skipping the terminal test: `script` (util-linux) is not installed.');
}

/** A running command on a pseudo-terminal, whose output can be awaited piece by piece. */
function terminal(args: string[]) {
  const command = [process.execPath, CLI, ...args].map((part) => `'${part}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { ...embeddedEnv(), TERM: 'dumb' },
  });
  let output = '';
  let seen = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    /** Waits until `text` appears after what earlier waits consumed. */
    async waitFor(text: string): Promise<void> {
      for (let attempt = 0; attempt < 600; attempt++) {
        const found = output.indexOf(text, seen);
        if (found >= 0) {
          seen = found + text.length;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`timed out waiting for "${text}"; output so far:\n${output}`);
    },
    type(line: string): void {
      child.stdin.write(`${line}\r`);
    },
    output: () => output,
    exited,
  };
}

describe.skipIf(!hasScript)('nrr train on a terminal', () => {
  test('grades a right and a wrong answer', async () => {
    // The same seed and level give the same exercises as the command will show.
    const [first, second] = syntheticExercises(4, 2, [2]);
    const session = terminal(['train', '--seed', '4', '--level', '2', '--count', '2']);

    await session.waitFor('Exercise 1 of 2');
    await session.waitFor('Your answer in percent');
    session.type((first?.answer as number).toFixed(2));
    await session.waitFor('Right.');
    await session.waitFor('Worked solution:');

    await session.waitFor('Exercise 2 of 2');
    await session.waitFor('Your answer in percent');
    session.type('not a number');
    await session.waitFor('is not a percentage');
    const wrong = second?.misconceptions[0];
    session.type(`${(wrong?.answer as number).toFixed(2)}%`);
    await session.waitFor('Not quite');
    await session.waitFor(`It looks as if you ${wrong?.description ?? ''}`);

    await session.waitFor('Score: 1 of 2 answered right.');
    expect(await session.exited).toBe(0);
  });

  test('stops at q with the score so far', async () => {
    const session = terminal(['train', '--seed', '4', '--count', '3']);
    await session.waitFor('Exercise 1 of 3');
    await session.waitFor('q to stop');
    session.type('q');
    await session.waitFor('Score: 0 of 0 answered right.');
    expect(await session.exited).toBe(0);
  });
});
