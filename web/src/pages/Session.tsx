/**
 * Live sessions: the facilitator's screen (start, watch answers arrive, reveal, move on) and the
 * participant's screen (join with the code, answer with a number and an explanation).
 */
import { useEffect, useState } from 'react';
import { request } from '../api.js';
import { ApiError } from '../api.js';
import { LevelOptions } from '../components/LevelOptions.js';
import { SourceOptions } from '../components/SourceOptions.js';
import type { ExerciseSource } from '../components/SourceOptions.js';
import { navigate, useRoute, withParams } from '../router.js';

/** How often both screens ask for the session's state. */
const POLL_MS = 1000;

interface ShownExercise {
  id: string;
  title: string;
  question: string;
  data: string[];
  answerKind: 'percent' | 'choice';
  choices?: string[];
}

interface SessionState {
  code: string;
  count: number;
  currentIndex: number;
  finished: boolean;
  revealed: boolean;
  participants: string[];
  exercise: ShownExercise | null;
  answer: number | string | null;
  solution: string[] | null;
  mine: {
    response: string;
    explanation: string;
    correct: boolean | null;
    feedback: string | null;
  } | null;
}

interface Results {
  answer: number | string | null;
  answers: {
    participant: string;
    response: string;
    explanation: string;
    correct: boolean;
    misconception: string | null;
  }[];
  distribution: { label: string; count: number }[];
  misconceptions: { code: string; description: string; count: number }[];
  correct: number;
}

/** Reads a text field of a submitted form. */
function field(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}

/** Marks a revealed answer right or wrong. */
function verdict(correct: boolean): string {
  return correct ? ' (right)' : ' (wrong)';
}

function message(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

/**
 * Polls a path while the component is shown; `version` forces a refresh after an action. A
 * failed request keeps the last value and reports the error.
 */
function usePolled<T>(
  path: string | null,
  version: number,
  headers: Record<string, string> = {},
  onError: (error: unknown) => void = () => undefined,
): T | null {
  const [value, setValue] = useState<T | null>(null);
  const headerText = JSON.stringify(headers);
  useEffect(() => {
    if (path === null) return undefined;
    let stopped = false;
    const load = () => {
      request<T>(path, { headers: JSON.parse(headerText) as Record<string, string> }).then(
        (data) => {
          if (!stopped) setValue(data);
        },
        (error: unknown) => {
          if (!stopped) onError(error);
        },
      );
    };
    load();
    const timer = setInterval(load, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
    // onError is left out on purpose: a new function each render must not restart the polling.
  }, [path, version, headerText]);
  return value;
}

function ExerciseText({ exercise }: { readonly exercise: ShownExercise }) {
  return (
    <>
      <h2>{exercise.title}</h2>
      <p>{exercise.question}</p>
      <ul>
        {exercise.data.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </>
  );
}

function Solution({ state }: { readonly state: SessionState }) {
  if (!state.revealed || state.solution === null) return null;
  return (
    <div data-testid="solution">
      <h3>Worked solution</h3>
      <ol>
        {state.solution.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
    </div>
  );
}

/** Renders the facilitator's screen; the key stays in this browser tab's session storage. */
export function Facilitate() {
  const route = useRoute();
  const code = route.params.get('code');
  const [version, setVersion] = useState(0);
  const [failure, setFailure] = useState<string | null>(null);
  const [source, setSource] = useState<ExerciseSource>('synthetic');
  const key = code === null ? null : sessionStorage.getItem(`nrr-facilitator-${code}`);
  const state = usePolled<SessionState>(
    code === null ? null : `/api/training/sessions/${code}`,
    version,
  );
  const results = usePolled<Results>(
    code === null || key === null ? null : `/api/training/sessions/${code}/results`,
    version,
    key === null ? {} : { 'x-facilitator-key': key },
    (error) => setFailure(message(error)),
  );

  const start = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const level = field(data, 'level');
    try {
      const created = await request<{ code: string; facilitatorKey: string }>(
        '/api/training/sessions',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            count: Number(field(data, 'count') || '5'),
            ...(level === '' ? {} : { level: Number(level) }),
            ...(source === 'data' ? { source, anonymise: data.get('anonymise') === 'on' } : {}),
          }),
        },
      );
      sessionStorage.setItem(`nrr-facilitator-${created.code}`, created.facilitatorKey);
      navigate(withParams(route, { code: created.code }));
    } catch (error) {
      setFailure(message(error));
    }
  };

  const act = async (action: 'reveal' | 'next') => {
    if (code === null || key === null) return;
    try {
      await request(`/api/training/sessions/${code}/${action}`, {
        method: 'POST',
        headers: { 'x-facilitator-key': key, 'content-type': 'application/json' },
        body: '{}',
      });
      setVersion((value) => value + 1);
    } catch (error) {
      setFailure(message(error));
    }
  };

  if (code === null || key === null) {
    return (
      <>
        <header className="page-header">
          <h1>Run a live session</h1>
          <p className="muted">
            Start a session, show its code, and let people join at <code>#/join</code> on their own
            screens. You see each answer arrive and reveal the worked solution when ready. Exercises
            from our accounts are anonymised unless you turn it off, so the screens people share
            show no account or CSM name.
          </p>
        </header>
        <form
          className="filters"
          onSubmit={(event) => {
            event.preventDefault();
            void start(event.currentTarget);
          }}
        >
          <label>
            Exercises from
            <select
              name="source"
              value={source}
              onChange={(event) => setSource(event.target.value as ExerciseSource)}
            >
              <SourceOptions />
            </select>
          </label>
          {source === 'data' ? (
            <label>
              <input type="checkbox" name="anonymise" defaultChecked />
              Anonymised
            </label>
          ) : null}
          <label>
            Level
            <select name="level" defaultValue="2">
              <LevelOptions />
            </select>
          </label>
          <label>
            Exercises
            <input type="number" name="count" min={1} max={20} defaultValue={5} />
          </label>
          <button type="submit">Start</button>
        </form>
        {failure === null ? null : (
          <p role="alert" className="failed">
            {failure}
          </p>
        )}
      </>
    );
  }

  return (
    <>
      <header className="page-header">
        <h1>
          Session <span data-testid="session-code">{code}</span>
        </h1>
        <p className="muted">
          Join at <code>#/join</code> with this code.{' '}
          <span data-testid="participants">{state?.participants.length ?? 0}</span> joined
          {state === null || state.participants.length === 0
            ? ''
            : `: ${state.participants.join(', ')}`}
          .
        </p>
      </header>
      {failure === null ? null : (
        <p role="alert" className="failed">
          {failure}
        </p>
      )}
      {state === null ? null : state.finished || state.exercise === null ? (
        <section className="panel">
          <h2>The session is over</h2>
          <p>
            <a href="#/progress">See the team&apos;s progress</a>.
          </p>
        </section>
      ) : (
        <section className="panel">
          <p className="muted">
            Exercise {state.currentIndex + 1} of {state.count}
          </p>
          <ExerciseText exercise={state.exercise} />
          <p>
            <span data-testid="answer-count">{results?.answers.length ?? 0}</span> answers,{' '}
            <span data-testid="correct-count">{results?.correct ?? 0}</span> right.
          </p>
          <h3>Distribution</h3>
          <table className="bridge-table" data-testid="distribution">
            <tbody>
              {(results?.distribution ?? []).map((entry) => (
                <tr key={entry.label}>
                  <th scope="row">{entry.label}</th>
                  <td className="numeric">{entry.count}</td>
                  <td>
                    <span className="bar" style={{ width: `${entry.count * 24}px` }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Misconceptions</h3>
          <ul data-testid="misconceptions">
            {(results?.misconceptions ?? []).map((entry) => (
              <li key={entry.code}>
                {entry.count} × {entry.description}
              </li>
            ))}
          </ul>
          <h3>Answers</h3>
          <ul data-testid="answers">
            {(results?.answers ?? []).map((entry) => (
              <li key={entry.participant}>
                <strong>{entry.participant}</strong>: {entry.response}
                {state.revealed ? verdict(entry.correct) : ''}
                {entry.explanation === '' ? null : <div className="muted">{entry.explanation}</div>}
              </li>
            ))}
          </ul>
          <Solution state={state} />
          <div className="filters">
            <button type="button" onClick={() => void act('reveal')} disabled={state.revealed}>
              Reveal the solution
            </button>
            <button type="button" onClick={() => void act('next')}>
              Next exercise
            </button>
          </div>
        </section>
      )}
    </>
  );
}

/** Renders the participant's screen; the token stays in this browser tab's session storage. */
export function Join() {
  const route = useRoute();
  const code = route.params.get('code');
  const token = code === null ? null : sessionStorage.getItem(`nrr-participant-${code}`);
  const [version, setVersion] = useState(0);
  const [failure, setFailure] = useState<string | null>(null);
  const [response, setResponse] = useState('');
  const [explanation, setExplanation] = useState('');
  const state = usePolled<SessionState>(
    code === null || token === null ? null : `/api/training/sessions/${code}?token=${token}`,
    version,
  );

  const join = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const joinCode = field(data, 'code').trim().toUpperCase();
    try {
      const joined = await request<{ token: string }>(
        `/api/training/sessions/${encodeURIComponent(joinCode)}/participants`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: field(data, 'name') }),
        },
      );
      sessionStorage.setItem(`nrr-participant-${joinCode}`, joined.token);
      navigate(withParams(route, { code: joinCode }));
    } catch (error) {
      setFailure(message(error));
    }
  };

  const answer = async () => {
    if (code === null || token === null) return;
    setFailure(null);
    try {
      await request(`/api/training/sessions/${code}/answers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, response, explanation }),
      });
      setVersion((value) => value + 1);
    } catch (error) {
      setFailure(message(error));
    }
  };

  if (code === null || token === null) {
    return (
      <>
        <header className="page-header">
          <h1>Join a session</h1>
        </header>
        <form
          className="filters"
          onSubmit={(event) => {
            event.preventDefault();
            void join(event.currentTarget);
          }}
        >
          <label>
            Code
            <input
              name="code"
              required
              maxLength={6}
              defaultValue={code ?? ''}
              autoComplete="off"
            />
          </label>
          <label>
            Your name
            <input name="name" required maxLength={80} />
          </label>
          <button type="submit">Join</button>
        </form>
        {failure === null ? null : (
          <p role="alert" className="failed">
            {failure}
          </p>
        )}
      </>
    );
  }

  if (state === null) return null;
  if (state.finished || state.exercise === null) {
    return (
      <section className="panel">
        <h2>The session is over. Thank you.</h2>
      </section>
    );
  }
  const exercise = state.exercise;
  return (
    <section className="panel" data-testid="participant" data-exercise={exercise.id}>
      <p className="muted">
        Session {state.code}, exercise {state.currentIndex + 1} of {state.count}
      </p>
      <ExerciseText exercise={exercise} />
      {state.mine === null ? (
        <form
          className="filters"
          onSubmit={(event) => {
            event.preventDefault();
            void answer();
          }}
        >
          <label>
            {exercise.answerKind === 'choice' ? 'Movement' : 'Your answer in percent'}
            <input
              name="response"
              value={response}
              onChange={(event) => setResponse(event.target.value)}
            />
          </label>
          <label>
            How you got it
            <textarea
              name="explanation"
              rows={3}
              maxLength={4000}
              value={explanation}
              onChange={(event) => setExplanation(event.target.value)}
            />
          </label>
          <button type="submit" disabled={state.revealed}>
            Send
          </button>
        </form>
      ) : (
        <p data-testid="sent">
          Your answer: {state.mine.response}.{' '}
          {state.mine.feedback ?? 'Sent; the grade shows when the solution is revealed.'}
        </p>
      )}
      {failure === null ? null : (
        <p role="alert" className="failed">
          {failure}
        </p>
      )}
      <Solution state={state} />
    </section>
  );
}
