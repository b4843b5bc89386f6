/**
 * Delivery of stored alerts to a webhook (a Slack-compatible JSON payload) and to a file (JSON
 * lines), each retried with exponential backoff for a bounded number of attempts. Every attempt
 * is stored in the workspace and logged.
 */
import { createHash } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Database } from '../store/driver.js';
import { recordDeliveryAttempt, undelivered, type StoredAlert } from '../store/alerts.js';

/** Raised when a delivery failed on every attempt; the alerts stay stored. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Wait before the second attempt, in milliseconds; it doubles before each later attempt. */
  readonly retryDelayMs: number;
  /** Time allowed for one webhook request, in milliseconds. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

export interface DeliveryOutcome {
  readonly channel: 'webhook' | 'file';
  readonly destination: string;
  readonly alertIds: readonly number[];
  readonly delivered: boolean;
  readonly attempts: number;
  /** The last failure, when every attempt failed. */
  readonly error: string | null;
}

/** The result of one attempt: success, or a failure that may or may not be worth retrying. */
interface AttemptResult {
  readonly ok: boolean;
  readonly retry: boolean;
  readonly httpStatus: number | null;
  readonly error: string | null;
}

/**
 * Slack's Block Kit limits (docs.slack.dev/reference/block-kit/blocks): at most 50 blocks in a
 * message and 3,000 characters in a section's text. One block is the heading and one counts the rest.
 */
const MAX_ALERT_BLOCKS = 48;

const MAX_BLOCK_TEXT = 3000;

/** Builds the webhook payload: `text` for notifications and clients without blocks, and blocks. */
export function slackPayload(
  heading: string,
  alerts: readonly StoredAlert[],
): { text: string; blocks: unknown[] } {
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: heading } }];
  for (const alert of alerts.slice(0, MAX_ALERT_BLOCKS)) {
    const text = `*${alert.kind}* (alert ${alert.id}, ${alert.scope === 'company' ? 'company' : `${alert.scope} ${alert.book}`}): ${alert.message}`;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: text.slice(0, MAX_BLOCK_TEXT) },
    });
  }
  if (alerts.length > MAX_ALERT_BLOCKS) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `… and ${alerts.length - MAX_ALERT_BLOCKS} more alerts; nrr alerts lists them all.`,
        },
      ],
    });
  }
  return { text: heading, blocks };
}

/**
 * Names a webhook for logs and storage without its secret. Webhook URLs often carry a token in
 * the path or query, so only the origin is kept. A short SHA-256 digest of the whole URL tells two
 * webhooks of one host apart.
 */
export function webhookName(url: string): string {
  const digest = createHash('sha256').update(url).digest('hex').slice(0, 12);
  try {
    return `${new URL(url).origin} #${digest}`;
  } catch {
    return `(invalid URL) #${digest}`;
  }
}

function wait(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Runs `attempt` until it succeeds, fails for good, or `maxAttempts` have run. */
async function withRetries(
  db: Database,
  channel: 'webhook' | 'file',
  destination: string,
  alertIds: readonly number[],
  options: RetryOptions,
  attempt: () => Promise<AttemptResult>,
): Promise<DeliveryOutcome> {
  const log = options.logger.child({ channel, destination, alerts: alertIds.length });
  let last: AttemptResult = { ok: false, retry: false, httpStatus: null, error: 'not attempted' };
  let number = 0;
  while (number < options.maxAttempts) {
    number++;
    last = await attempt();
    await recordDeliveryAttempt(db, {
      channel,
      destination,
      attempt: number,
      alertIds,
      succeeded: last.ok,
      httpStatus: last.httpStatus,
      error: last.error,
    });
    if (last.ok) {
      log.info({ attempt: number, status: last.httpStatus }, 'alert delivery succeeded');
      break;
    }
    const retrying = last.retry && number < options.maxAttempts;
    const delay = options.retryDelayMs * 2 ** (number - 1);
    log.warn(
      {
        attempt: number,
        status: last.httpStatus,
        err: last.error,
        retryInMs: retrying ? delay : null,
      },
      retrying ? 'alert delivery failed; retrying' : 'alert delivery failed; giving up',
    );
    if (!retrying) break;
    await wait(delay);
  }
  return {
    channel,
    destination,
    alertIds,
    delivered: last.ok,
    attempts: number,
    error: last.ok ? null : last.error,
  };
}

/**
 * Posts the alerts that were not yet delivered to `url`. A network error, a timeout, HTTP 429
 * and HTTP 5xx are retried. Another HTTP error is not, because the same request would fail the
 * same way again.
 */
export async function deliverToWebhook(
  db: Database,
  url: string,
  heading: string,
  alerts: readonly StoredAlert[],
  options: RetryOptions,
): Promise<DeliveryOutcome> {
  const destination = webhookName(url);
  const pending = await pendingAlerts(db, 'webhook', destination, alerts);
  const ids = pending.map((alert) => alert.id);
  if (pending.length === 0) return nothingToDeliver('webhook', destination);
  const body = JSON.stringify(slackPayload(heading, pending));
  return withRetries(db, 'webhook', destination, ids, options, async () => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.arrayBuffer();
      if (response.ok) return { ok: true, retry: false, httpStatus: response.status, error: null };
      return {
        ok: false,
        retry: response.status === 429 || response.status >= 500,
        httpStatus: response.status,
        error: `HTTP ${response.status} ${response.statusText}`.trim(),
      };
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const message = timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : describeFetchError(error);
      return { ok: false, retry: true, httpStatus: null, error: message };
    }
  });
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

/** Appends the alerts not yet written to `file`, one JSON object per line. */
export async function deliverToFile(
  db: Database,
  file: string,
  alerts: readonly StoredAlert[],
  options: RetryOptions,
): Promise<DeliveryOutcome> {
  const pending = await pendingAlerts(db, 'file', file, alerts);
  if (pending.length === 0) return nothingToDeliver('file', file);
  const text = pending.map((alert) => JSON.stringify(alert) + '\n').join('');
  const ids = pending.map((alert) => alert.id);
  return withRetries(db, 'file', file, ids, options, async () => {
    try {
      await appendFile(file, text, 'utf8');
      return { ok: true, retry: false, httpStatus: null, error: null };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A missing folder or a permission problem stays until someone fixes it.
      const retry = code !== 'ENOENT' && code !== 'EACCES' && code !== 'EISDIR';
      return { ok: false, retry, httpStatus: null, error: describeFetchError(error) };
    }
  });
}

async function pendingAlerts(
  db: Database,
  channel: 'webhook' | 'file',
  destination: string,
  alerts: readonly StoredAlert[],
): Promise<StoredAlert[]> {
  const open = alerts.filter((alert) => alert.state === 'open');
  const ids = new Set(
    await undelivered(
      db,
      channel,
      destination,
      open.map((alert) => alert.id),
    ),
  );
  return open.filter((alert) => ids.has(alert.id));
}

function nothingToDeliver(channel: 'webhook' | 'file', destination: string): DeliveryOutcome {
  return { channel, destination, alertIds: [], delivered: true, attempts: 0, error: null };
}
