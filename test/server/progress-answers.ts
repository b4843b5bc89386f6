/** Stored answers for the progress tests: one live session in which each person answers once. */
import type { Database } from '../../src/store/driver.js';
import { TrainingStore } from '../../src/store/training.js';

/** Stores one answer per person on the concept `new-logos-excluded`, right or wrong. */
export async function storeAnswers(
  db: Database,
  answers: readonly (readonly [string, boolean])[],
): Promise<void> {
  const store = new TrainingStore(db);
  const { session } = await store.createSession({ seed: 1, level: 2, count: 1, user: 'tester' });
  for (const [name, correct] of answers) {
    const { participant } = await store.join(session, name);
    await store.recordAnswer(session, participant, {
      exerciseIndex: 0,
      exerciseId: 'book-nrr-1000',
      response: correct ? '100' : '90',
      explanation: '',
      correct,
      understood: correct ? '100' : '90',
      misconception: null,
      concepts: ['new-logos-excluded'],
    });
  }
}
