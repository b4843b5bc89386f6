/** Practice: NRR exercises one at a time, graded with the worked solution after each answer. */
import { useState } from 'react';
import { apiPath, request, useApi } from '../api.js';
import { ApiError } from '../api.js';
import { LevelOptions } from '../components/LevelOptions.js';
import { SourceOptions } from '../components/SourceOptions.js';
import type { ExerciseSource } from '../components/SourceOptions.js';
import { Loaded } from '../components/States.js';
import { navigate, useRoute, withParams } from '../router.js';

interface Exercise {
  id: string;
  level: number;
  title: string;
  question: string;
  data: string[];
  answerKind: 'percent' | 'choice';
  choices?: string[];
  tolerance: number;
  concepts: string[];
}

interface Graded {
  correct: boolean;
  understood: number | string | null;
  misconception: { code: string; description: string } | null;
  feedback: string;
  answer: number | string;
  solution: string[];
}

export function Train() {
  const route = useRoute();
  const level = route.params.get('level') ?? undefined;
  const seed = route.params.get('seed') ?? '1';
  const source: ExerciseSource = route.params.get('source') === 'data' ? 'data' : 'synthetic';
  // Exercises from our accounts are anonymised unless the learner turns it off.
  const anonymise = source === 'data' && route.params.get('anonymise') !== 'false';
  const exercises = useApi<{ exercises: Exercise[] }>(
    apiPath('/api/training/exercises', {
      level,
      seed,
      count: '5',
      ...(source === 'data' ? { source, anonymise: String(anonymise) } : {}),
    }),
  );
  return (
    <>
      <header className="page-header">
        <h1>Practice</h1>
        <p className="muted">
          Five exercises at a time, from synthetic companies or from our own accounts. Each answer
          is graded at once, with the misconception behind a wrong answer and the worked solution.
          Everyone using the same set number gets the same exercises.
        </p>
      </header>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Exercises from
          <select
            name="source"
            value={source}
            onChange={(event) =>
              navigate(withParams(route, { source: event.target.value, anonymise: undefined }))
            }
          >
            <SourceOptions />
          </select>
        </label>
        {source === 'data' ? (
          <label>
            <input
              type="checkbox"
              name="anonymise"
              checked={anonymise}
              onChange={(event) =>
                navigate(
                  withParams(route, { anonymise: event.target.checked ? undefined : 'false' }),
                )
              }
            />
            Anonymised
          </label>
        ) : null}
        <label>
          Level
          <select
            name="level"
            value={level ?? ''}
            onChange={(event) => navigate(withParams(route, { level: event.target.value }))}
          >
            <LevelOptions />
          </select>
        </label>
        <label>
          Set
          <input
            type="number"
            name="seed"
            min={0}
            value={seed}
            onChange={(event) => navigate(withParams(route, { seed: event.target.value }))}
          />
        </label>
      </form>
      <Loaded value={exercises} what="the exercises">
        {(data) => (
          <Session
            key={`${source}:${String(anonymise)}:${level ?? ''}:${seed}`}
            exercises={data.exercises}
          />
        )}
      </Loaded>
    </>
  );
}

function Session({ exercises }: { readonly exercises: readonly Exercise[] }) {
  const [index, setIndex] = useState(0);
  const [response, setResponse] = useState('');
  const [graded, setGraded] = useState<Graded | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [score, setScore] = useState({ right: 0, answered: 0 });
  const exercise = exercises[index];

  if (exercise === undefined) {
    return (
      <section className="panel" data-testid="train-done">
        <h2>
          Score: {score.right} of {score.answered}
        </h2>
        <p>Choose another set number for five more exercises.</p>
      </section>
    );
  }

  const submit = async () => {
    setFailure(null);
    try {
      const result = await request<Graded>('/api/training/answers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ exercise: exercise.id, response }),
      });
      if (result.understood === null) {
        setFailure(result.feedback);
        return;
      }
      setGraded(result);
      setScore((old) => ({
        right: old.right + (result.correct ? 1 : 0),
        answered: old.answered + 1,
      }));
    } catch (error) {
      setFailure(error instanceof ApiError ? error.message : String(error));
    }
  };

  return (
    <section className="panel" data-testid="exercise" data-exercise={exercise.id}>
      <p className="muted">
        Exercise {index + 1} of {exercises.length}, level {exercise.level}
      </p>
      <h2>{exercise.title}</h2>
      <p>{exercise.question}</p>
      <ul>
        {exercise.data.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          if (graded === null) void submit();
        }}
      >
        {exercise.answerKind === 'choice' ? (
          <label>
            Movement
            <select
              name="response"
              value={response}
              disabled={graded !== null}
              onChange={(event) => setResponse(event.target.value)}
            >
              <option value="">Choose…</option>
              {(exercise.choices ?? []).map((choice) => (
                <option key={choice}>{choice}</option>
              ))}
            </select>
          </label>
        ) : (
          <label>
            Your answer in percent
            <input
              name="response"
              inputMode="decimal"
              value={response}
              disabled={graded !== null}
              onChange={(event) => setResponse(event.target.value)}
            />
          </label>
        )}
        {graded === null ? (
          <button type="submit">Check</button>
        ) : (
          <button
            type="button"
            onClick={() => {
              setIndex(index + 1);
              setResponse('');
              setGraded(null);
            }}
          >
            Next
          </button>
        )}
      </form>
      {failure === null ? null : (
        <p role="alert" className="failed">
          {failure}
        </p>
      )}
      {graded === null ? null : (
        <div data-testid="grade" data-correct={String(graded.correct)}>
          <p className={graded.correct ? undefined : 'failed'}>{graded.feedback}</p>
          <h3>Worked solution</h3>
          <ol>
            {graded.solution.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
