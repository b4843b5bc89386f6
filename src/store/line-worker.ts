/**
 * The thread that reads a large canonical contract-line file for an import (see `LineThread`).
 * It parses the file as soon as it starts and reports whether it can read it. On `encode` it reads
 * the rows, checks them, and sends the lines as COPY rows a chunk at a time, so the thread that
 * talks to the database only passes bytes on.
 */
import { parentPort, workerData } from 'node:worker_threads';

import type { Assignment, SegmentSpan } from '../core/model.js';
import { isCanonicalLineFile, LineFileReader, stageCanonicalFile } from '../ingest/canonical.js';
import { ProblemList, type RowProblem } from '../ingest/problems.js';
import { parseSource } from '../ingest/sources.js';
import { BATCH_ROWS } from '../ingest/staged.js';
import { assignmentRow, lineContentKey, ownerOf, segmentRow, writeLine } from './codec.js';
import { CopyRows } from './copy-rows.js';
import { chunkRows, COPY_CHUNK_ROWS } from './driver.js';
import type { LineThreadInput, LineThreadReply, LineThreadRequest } from './line-thread.js';
import { checkRecords } from './record-checks.js';

const port = parentPort;
if (port === null) throw new Error('line-worker.js runs as a worker thread');
const input = workerData as LineThreadInput;

function send(reply: LineThreadReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(reply, transfer);
}

const readProblems = new ProblemList(Infinity);
/** Rows read so far, for progress. */
let rowsRead = 0;
const options = {
  ...input.options,
  onProgress: (rows: number) => {
    rowsRead = rows;
  },
};
const bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
const parsed = parseSource(
  { fileName: input.fileName, text: bytes.toString('utf8') },
  options,
  readProblems,
);
const staged =
  parsed !== undefined && isCanonicalLineFile(parsed.table, options)
    ? stageCanonicalFile(parsed.table, options, readProblems)
    : undefined;
const reader = staged instanceof LineFileReader ? staged : undefined;

if (reader === undefined || readProblems.problems.some((problem) => problem.row <= 1)) {
  // The caller reads the file itself, which reports what is wrong with it. The thread waits to
  // be stopped, so that it never ends before the caller has read this reply.
  send({ type: 'unsuitable' });
  port.on('message', () => undefined);
} else {
  const columns: Record<string, string> = {};
  for (const [field, column] of Object.entries(reader.columns)) columns[field] = column.header;
  send({
    type: 'staged',
    rows: reader.table.rows.length,
    columns,
    ...(reader.columns.line_id && { lineIdHeader: reader.columns.line_id.header }),
  });
  let ahead = 0;
  let wake: (() => void) | undefined;
  port.on('message', (request: LineThreadRequest) => {
    if (request.type === 'taken') {
      ahead -= 1;
      wake?.();
      return;
    }
    encode(reader, columns, request).catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      send({ type: 'failed', message: failure.message, stack: failure.stack ?? '' });
    });
  });

  /** Reads, checks and sends the rows; waits while `chunksAhead` chunks are not taken. */
  const encode = async (
    lines: LineFileReader,
    fileColumns: Record<string, string>,
    request: Extract<LineThreadRequest, { type: 'encode' }>,
  ): Promise<void> => {
    const known = new Set(request.known);
    const owner = ownerOf(request.source, request.importId);
    const file = { fileName: input.fileName, columns: fileColumns };
    const checkProblems: RowProblem[] = [];
    const assignments: Assignment[] = [];
    const segments: SegmentSpan[] = [];
    const out = new CopyRows();
    let ids: string[] = [];
    let keys: string[] = [];
    let idsSent = 0;
    const failing = () =>
      !request.skipInvalid &&
      (request.failing || readProblems.count > 0 || checkProblems.length > 0);
    const flush = async () => {
      const chunk = out.take();
      // A buffer of its own, so that it can move to the other thread without a copy.
      const moved = new Uint8Array(chunk.length);
      moved.set(chunk);
      ahead += 1;
      const withIds = request.keys || idsSent < request.ids;
      if (withIds) idsSent += ids.length;
      send(
        {
          type: 'chunk',
          bytes: moved,
          ...(withIds && { ids: ids.join('\u0000') }),
          ...(request.keys && { keys: keys.join('\u0000') }),
          lines: ids.length,
          rowsRead,
          failing: failing(),
        },
        [moved.buffer],
      );
      ids = [];
      keys = [];
      while (ahead >= input.chunksAhead) await new Promise<void>((resolve) => (wake = resolve));
    };
    for (const read of lines.batches(BATCH_ROWS)) {
      const batch = { ...read, fxRates: [] };
      const { problems, kept } = checkRecords(file, batch, known, request.reporting);
      checkProblems.push(...problems);
      // Once the import is bound to fail, rows are only read for their problems.
      if (failing()) continue;
      assignments.push(...kept.assignments);
      segments.push(...kept.segments);
      for (const line of kept.lines) {
        ids.push(line.id);
        if (request.keys) keys.push(lineContentKey(line));
        writeLine(out, line, owner);
      }
      if (out.rows >= COPY_CHUNK_ROWS) await flush();
    }
    if (out.rows > 0 && !failing()) await flush();
    const part = lines.part();
    send({
      type: 'done',
      readProblems: readProblems.problems,
      checkProblems,
      summary: part.summary,
      accountDrafts: part.accountDrafts,
      assignments: {
        count: assignments.length,
        chunks: [...chunkRows(assignments, (item) => assignmentRow(item, owner))],
      },
      segments: {
        count: segments.length,
        chunks: [...chunkRows(segments, (item) => segmentRow(item, owner))],
      },
    });
  };
}
