/**
 * Live session records: the level, exercise source and anonymise choice survive a round trip,
 * and sessions stored before the source had a column read as synthetic.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TrainingStore } from '../../src/store/training.js';
import { Workspace } from '../../src/store/workspace.js';
import { DRIVERS, openLocation, type TestLocation } from './databases.js';

describe.each(DRIVERS)('training sessions on %s', (driver) => {
  let location: TestLocation;
  let workspace: Workspace;
  let store: TrainingStore;

  beforeAll(async () => {
    location = await openLocation(driver);
    workspace = await Workspace.open(location.location);
    store = new TrainingStore(workspace.db);
  });

  afterAll(async () => {
    await workspace.close();
    await location.drop();
  });

  test.each([
    [null, 'synthetic', false],
    [2, 'synthetic', false],
    [null, 'data', false],
    [1, 'data', false],
    [null, 'data', true],
    [3, 'data', true],
  ] as const)('stores level %s from %s, anonymised %s', async (level, source, anonymise) => {
    const { session } = await store.createSession({
      seed: 5,
      level,
      source,
      anonymise,
      count: 3,
      user: 'tester',
    });
    const read = await store.session(session.code);
    expect(read?.level).toBe(level);
    expect(read?.source).toBe(source);
    expect(read?.anonymise).toBe(anonymise);
    expect(read?.count).toBe(3);
  });

  test('reads a session stored without a source as synthetic', async () => {
    const { session } = await store.createSession({
      seed: 5,
      level: 2,
      count: 1,
      user: 'tester',
    });
    // A session stored before the source had a column gets the column's default.
    await workspace.db.query(
      'UPDATE training_sessions SET source = DEFAULT, anonymise = DEFAULT WHERE id = $1',
      [session.id],
    );
    const read = await store.session(session.code);
    expect(read?.level).toBe(2);
    expect(read?.source).toBe('synthetic');
    expect(read?.anonymise).toBe(false);
  });

  test('rejects an unknown source in the table', async () => {
    await expect(
      workspace.db.query(
        `INSERT INTO training_sessions (code, facilitator_key, seed, level, source, anonymise,
           exercise_count, created_at, created_by)
         VALUES ('ZZZZZZ', 'k', 1, 1, 'other', false, 1, now(), 'tester')`,
      ),
    ).rejects.toThrow(/check constraint/);
  });
});
