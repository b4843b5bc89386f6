/**
 * Long-running work started by a request (an import), with a progress state that clients poll
 * at `/api/jobs/{id}`. Jobs live in memory for an hour after they finish.
 */
import { randomUUID } from 'node:crypto';
import type { ImportStage } from '../service/import.js';

type Progress = (stage: ImportStage, done: number, total: number) => void;

const KEEP_FINISHED_MS = 60 * 60 * 1000;

export interface JobView {
  readonly id: string;
  readonly state: 'running' | 'succeeded' | 'failed';
  readonly stage: string | null;
  readonly done: number;
  readonly total: number;
  readonly result?: unknown;
  readonly error?: unknown;
}

export class Job {
  readonly id = randomUUID();
  state: JobView['state'] = 'running';
  stage: string | null = null;
  done = 0;
  total = 0;
  result: unknown;
  failure: unknown;
  finishedAt: number | undefined;

  view(
    describe?: (error: unknown) => { code: string; message: string; problems?: unknown },
  ): JobView {
    const base = {
      id: this.id,
      state: this.state,
      stage: this.stage,
      done: this.done,
      total: this.total,
    };
    if (this.state === 'succeeded') return { ...base, result: this.result };
    if (this.state === 'failed') {
      const described = describe?.(this.failure);
      return {
        ...base,
        error:
          described === undefined
            ? { code: 'failed', message: String(this.failure) }
            : {
                code: described.code,
                message: described.message,
                ...(described.problems === undefined ? {} : { problems: described.problems }),
              },
      };
    }
    return base;
  }
}

export class Jobs {
  private readonly jobs = new Map<string, Job>();

  /** `onFailure` is told of every failed job, so that the server can log it. */
  constructor(private readonly onFailure: (id: string, error: unknown) => void = () => undefined) {}

  start(work: (progress: Progress) => Promise<unknown>): Job {
    this.prune();
    const job = new Job();
    this.jobs.set(job.id, job);
    const progress: Progress = (stage, done, total) => {
      job.stage = stage;
      job.done = done;
      job.total = total;
    };
    work(progress).then(
      (result) => {
        job.state = 'succeeded';
        job.result = result;
        job.finishedAt = Date.now();
      },
      (error: unknown) => {
        job.state = 'failed';
        job.failure = error;
        job.finishedAt = Date.now();
        this.onFailure(job.id, error);
      },
    );
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) {
      if (job.finishedAt !== undefined && now - job.finishedAt > KEEP_FINISHED_MS)
        this.jobs.delete(id);
    }
  }
}
