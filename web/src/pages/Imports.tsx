/** Imports: what the workspace holds, and an upload that shows its progress and every bad row. */
import { useEffect, useState } from 'react';
import { request, useApi } from '../api.js';
import type { ImportRecord, Job } from '../api.js';
import { ApiError } from '../api.js';
import { PRESET_NAMES } from '../../../src/ingest/options.js';
import { DataTable } from '../components/DataTable.js';
import { Empty, Loaded } from '../components/States.js';

/** How often a running import is asked for its progress. */
const POLL_MS = 400;

export function Imports() {
  const [refresh, setRefresh] = useState(0);
  const imports = useApi<ImportRecord[]>(`/api/imports?seen=${refresh}`);
  return (
    <>
      <header className="page-header">
        <h1>Imports</h1>
        <p className="muted">
          Each import is stored in one transaction: a file with bad rows changes nothing unless you
          choose to skip them, and the same file twice adds nothing.
        </p>
      </header>
      <Upload onDone={() => setRefresh((count) => count + 1)} />
      <Loaded value={imports} what="the imports">
        {(records) =>
          records.length === 0 ? (
            <Empty>
              <p>Nothing imported yet.</p>
            </Empty>
          ) : (
            <DataTable
              testId="imports-table"
              caption="Imports"
              exportName="imports"
              rows={[...records].reverse()}
              rowKey={(row) => String(row.id)}
              columns={[
                {
                  key: 'id',
                  label: 'Import',
                  numeric: true,
                  sort: (row) => row.id,
                  csv: (row) => row.id,
                  render: (row) => row.id,
                },
                {
                  key: 'source',
                  label: 'Source',
                  sort: (row) => row.source,
                  csv: (row) => row.source,
                  render: (row) => row.source,
                },
                {
                  key: 'preset',
                  label: 'Preset',
                  sort: (row) => row.preset,
                  csv: (row) => row.preset,
                  render: (row) => row.preset,
                },
                {
                  key: 'rows',
                  label: 'Rows',
                  numeric: true,
                  sort: (row) => row.rows,
                  csv: (row) => row.rows,
                  render: (row) => row.rows.toLocaleString('en-US'),
                },
                {
                  key: 'added',
                  label: 'Lines added',
                  numeric: true,
                  sort: (row) => row.added,
                  csv: (row) => row.added,
                  render: (row) => row.added.toLocaleString('en-US'),
                },
                {
                  key: 'changed',
                  label: 'Changed',
                  numeric: true,
                  sort: (row) => row.changed,
                  csv: (row) => row.changed,
                  render: (row) => row.changed.toLocaleString('en-US'),
                },
                {
                  key: 'removed',
                  label: 'Removed',
                  numeric: true,
                  sort: (row) => row.removed,
                  csv: (row) => row.removed,
                  render: (row) => row.removed.toLocaleString('en-US'),
                },
                {
                  key: 'rejected',
                  label: 'Rejected',
                  numeric: true,
                  sort: (row) => row.rejected,
                  csv: (row) => row.rejected,
                  render: (row) => row.rejected.toLocaleString('en-US'),
                },
                {
                  key: 'by',
                  label: 'By',
                  sort: (row) => row.importedBy,
                  csv: (row) => row.importedBy,
                  render: (row) => row.importedBy,
                },
                {
                  key: 'when',
                  label: 'Finished (UTC)',
                  sort: (row) => row.finishedAt,
                  csv: (row) => row.finishedAt,
                  render: (row) => row.finishedAt.replace('T', ' ').slice(0, 19),
                },
                {
                  key: 'current',
                  label: 'Current',
                  csv: (row) => (row.current ? 'yes' : 'replaced'),
                  render: (row) => (row.current ? 'yes' : 'replaced'),
                },
              ]}
            />
          )
        }
      </Loaded>
    </>
  );
}

function Upload({ onDone }: { readonly onDone: () => void }) {
  const [job, setJob] = useState<Job | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    if (job === null || job.state !== 'running') return undefined;
    const timer = setTimeout(() => {
      request<Job>(`/api/jobs/${encodeURIComponent(job.id)}`).then(
        (next) => {
          setJob(next);
          if (next.state !== 'running') onDone();
        },
        (error: unknown) => setFailure(error instanceof Error ? error.message : String(error)),
      );
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [job, onDone]);

  const submit = async (form: HTMLFormElement) => {
    setFailure(null);
    setJob(null);
    try {
      setJob(await request<Job>('/api/imports', { method: 'POST', body: new FormData(form) }));
    } catch (error) {
      setFailure(error instanceof ApiError ? error.message : String(error));
    }
  };

  const running = job?.state === 'running';
  return (
    <section className="panel" aria-labelledby="upload-title">
      <h2 id="upload-title">Upload files</h2>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void submit(event.currentTarget);
        }}
      >
        <label>
          Files
          <input type="file" name="files" multiple required accept=".csv,.json,.xlsx,.txt" />
        </label>
        <label>
          Preset
          <select name="preset" defaultValue="canonical">
            {PRESET_NAMES.map((preset) => (
              <option key={preset}>{preset}</option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" name="skipInvalid" value="true" /> store the valid rows and list
          the rejected ones
        </label>
        <button type="submit" disabled={running}>
          Import
        </button>
      </form>
      {failure === null ? null : (
        <p role="alert" className="failed">
          {failure}
        </p>
      )}
      {job === null ? null : <JobState job={job} />}
    </section>
  );
}

function JobState({ job }: { readonly job: Job }) {
  if (job.state === 'running') {
    return (
      <div className="job" role="status" data-testid="job-running">
        <span>
          {job.stage ?? 'starting'}: {job.done.toLocaleString('en-US')} of{' '}
          {job.total.toLocaleString('en-US')} rows
        </span>
        <progress max={Math.max(job.total, 1)} value={job.done} />
      </div>
    );
  }
  if (job.state === 'failed') {
    const problems = job.error?.problems ?? [];
    const total = Number(/^(\d+) problems/.exec(job.error?.message ?? '')?.[1] ?? problems.length);
    return (
      <div className="job failed" role="alert" data-testid="job-failed">
        <p>{job.error?.message ?? 'the import failed'}. Nothing was stored.</p>
        {problems.length === 0 ? null : (
          <>
            {total > problems.length ? (
              <p>
                The first {problems.length.toLocaleString('en-US')} of{' '}
                {total.toLocaleString('en-US')} problems are listed.
              </p>
            ) : null}
            <ProblemTable problems={problems} />
          </>
        )}
      </div>
    );
  }
  const rejected =
    (
      job.result as
        | {
            rejected?: {
              file: string;
              row: number;
              column: string;
              value: string;
              message: string;
            }[];
          }
        | undefined
    )?.rejected ?? [];
  return (
    <div className="job" role="status" data-testid="job-succeeded">
      <p>Imported. The figures on every page now include it.</p>
      {rejected.length === 0 ? null : (
        <>
          <p>
            {rejected.length.toLocaleString('en-US')} rows were rejected and not stored; export the
            list to fix them.
          </p>
          <ProblemTable problems={rejected} />
        </>
      )}
    </div>
  );
}

interface Problem {
  file: string;
  row: number;
  column: string;
  value: string;
  message: string;
}

function ProblemTable({ problems }: { readonly problems: readonly Problem[] }) {
  return (
    <DataTable
      caption="Rejected rows"
      exportName="rejected-rows"
      rows={problems}
      rowKey={(row) => `${row.file}:${row.row}:${row.column}:${row.message}`}
      columns={[
        { key: 'file', label: 'File', csv: (row) => row.file, render: (row) => row.file },
        {
          key: 'row',
          label: 'Row',
          numeric: true,
          csv: (row) => row.row,
          render: (row) => row.row,
        },
        { key: 'column', label: 'Column', csv: (row) => row.column, render: (row) => row.column },
        {
          key: 'value',
          label: 'Value',
          csv: (row) => row.value,
          render: (row) => <code>{row.value}</code>,
        },
        {
          key: 'message',
          label: 'Problem',
          csv: (row) => row.message,
          render: (row) => row.message,
        },
      ]}
    />
  );
}
