/**
 * Live session records: the exercise source and anonymise choice survive a round trip through
 * the level column, and rows stored without a source read as synthetic.
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

  test('reads a session without a source as synthetic', async () => {
    const { session } = await store.createSession({
      seed: 5,
      level: 2,
      count: 1,
      user: 'tester',
    });
    const rows = await workspace.db.query<{ level: number | null }>(
      'SELECT level FROM training_sessions WHERE id = $1',
      [session.id],
    );
    expect(rows[0]?.level).toBe(2);
    const read = await store.session(session.code);
    expect(read?.source).toBe('synthetic');
    expect(read?.anonymise).toBe(false);
  });
});
