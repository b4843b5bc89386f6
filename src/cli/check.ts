/**
 * `nrr check --month YYYY-MM` compares each book with its targets and glide path and raises
 * alerts. `nrr events` imports renewal plans and notices of termination. `nrr alerts` lists the
 * stored alerts and moves them to acknowledged or resolved.
 *
 * Exit codes of `nrr check`: 0 when no book is behind target, 2 when at least one is (see
 * BEHIND_EXIT_CODE), 1 when the check failed, a delivery failing on every attempt included.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { formatDay } from '../core/dates.js';
import { parseDecimal, type Decimal } from '../core/money.js';
import { readEventsText } from '../ingest/events.js';
import { DeliveryError } from '../service/delivery.js';
import { checkJson, monthEndOf, runMonthlyCheck, type MonthlyCheck } from '../service/checks.js';
import {
  ALERT_STATES,
  listAlerts,
  listEvents,
  setAlertState,
  storeEvents,
  type AlertState,
  type StoredAlert,
} from '../store/alerts.js';
import { StoreError } from '../store/driver.js';
import { currentUser } from '../store/workspace.js';
import { monthOption } from './close.js';
import { count, money, percent, printableLines, table } from './format.js';
import { workspaceDefinitions } from './input.js';
import { addDefinitionOptions, integerOption, today, type DefinitionFlags } from './options.js';
import { addWorkspaceOption, withWorkspace, type WorkspaceFlags } from './workspace.js';

/** Percentage of an account's ARR lost in a month that raises an alert unless a flag sets it. */
export const DEFAULT_CONTRACTION_THRESHOLD = parseDecimal('20') as Decimal;

/** Exit code of `nrr check` when a book is behind its target. */
export const BEHIND_EXIT_CODE = 2;

function thresholdOption(text: string): Decimal {
  const value = /^\d{1,3}(\.\d{1,4})?$/.test(text.trim()) ? parseDecimal(text.trim()) : undefined;
  if (
    value === undefined ||
    value.coefficient <= 0n ||
    value.coefficient > 100n * 10n ** BigInt(value.scale)
  ) {
    throw new InvalidArgumentError(
      `"${text}" is not a percentage above 0 and at most 100, such as 20 or 12.5`,
    );
  }
  return value;
}

function webhookOption(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`"${text}" is not a URL; give an http:// or https:// address`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(
      `"${text}" uses ${url.protocol}; give an http:// or https:// address`,
    );
  }
  return text;
}

/** The flags that set what a check alerts on and where it delivers the alerts. */
export interface DeliveryFlags {
  webhook?: string;
  alertsFile?: string;
  contractionThreshold?: Decimal;
  maxAttempts: number;
  retryDelay: number;
  timeout: number;
}

interface CheckFlags extends WorkspaceFlags, DefinitionFlags, DeliveryFlags {
  month: string;
  format: 'table' | 'json';
}

/** Adds the alert and delivery flags that `nrr check` and `nrr serve --check-day` share. */
export function addDeliveryOptions(command: Command): Command {
  return command
    .option(
      '--webhook <url>',
      'POST the alerts to this URL as a Slack-compatible JSON payload',
      webhookOption,
    )
    .option('--alerts-file <file>', 'append the alerts to this file, one JSON object per line')
    .option(
      '--contraction-threshold <percent>',
      'alert when an account loses at least this percentage of its ARR in the month (default 20)',
      thresholdOption,
    )
    .option(
      '--max-attempts <n>',
      'attempts per delivery, the first included',
      integerOption('--max-attempts', 1, 20),
      4,
    )
    .option(
      '--retry-delay <ms>',
      'wait before the first retry in milliseconds, doubled before each later one',
      integerOption('--retry-delay', 0, 600_000),
      1000,
    )
    .option(
      '--timeout <ms>',
      'time allowed for one webhook request in milliseconds',
      integerOption('--timeout', 1, 600_000),
      10_000,
    );
}

export function registerCheckCommands(program: Command): void {
  const check = program
    .command('check')
    .description(
      `compare each book's fiscal-year-to-date and trailing NRR and GRR with its target and glide path at a month end, store and deliver alerts; exits with ${BEHIND_EXIT_CODE} when a book is behind target`,
    )
    .requiredOption('--month <YYYY-MM>', 'the month whose last day is checked', monthOption);
  addDeliveryOptions(check).addOption(
    new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
  );
  addWorkspaceOption(check);
  addDefinitionOptions(check);
  check.action(async (flags: CheckFlags) => {
    const asOf = monthEndOf(flags.month);
    if (asOf > today()) {
      throw new StoreError(
        `${flags.month} has not ended yet (it ends on ${formatDay(asOf)}); check a month after its last day`,
      );
    }
    const logger = pino(
      { level: process.env['NRR_LOG_LEVEL'] ?? 'info', base: { command: 'check' } },
      pino.destination(2),
    );
    const outcome = await withWorkspace(flags, async (workspace) => {
      const { definitions } = await workspaceDefinitions(workspace, flags);
      return runMonthlyCheck(workspace, {
        month: flags.month,
        definitions,
        contractionThreshold: flags.contractionThreshold ?? DEFAULT_CONTRACTION_THRESHOLD,
        user: currentUser(),
        ...(flags.webhook === undefined ? {} : { webhook: flags.webhook }),
        ...(flags.alertsFile === undefined ? {} : { alertsFile: flags.alertsFile }),
        retry: {
          maxAttempts: flags.maxAttempts,
          retryDelayMs: flags.retryDelay,
          timeoutMs: flags.timeout,
          logger,
        },
      });
    });
    process.stdout.write(
      flags.format === 'json'
        ? JSON.stringify(checkJson(outcome), null, 2) + '\n'
        : printableLines(renderCheck(outcome)) + '\n',
    );
    const failed = outcome.deliveries.filter((delivery) => !delivery.delivered);
    if (failed.length > 0) {
      throw new DeliveryError(
        failed
          .map(
            (delivery) =>
              `delivery of ${count(delivery.alertIds.length, 'alert')} to ${delivery.channel} ${delivery.destination} failed after ${count(delivery.attempts, 'attempt')}: ${delivery.error ?? 'unknown error'}; the alerts are stored and the next check of ${flags.month} sends them again`,
          )
          .join('\n'),
      );
    }
    if (outcome.result.books.some((book) => book.behind)) process.exitCode = BEHIND_EXIT_CODE;
  });

  registerEventCommands(program);
  registerAlertCommands(program);
}

function bookLabel(book: { scope: string; book: string }): string {
  return book.scope === 'company' ? 'company' : `${book.scope} ${book.book}`;
}

function renderCheck(outcome: MonthlyCheck): string {
  const { result } = outcome;
  const c = result.currency;
  const rows = result.books.map((book) => {
    const nrr = book.plan.nrr;
    return [
      bookLabel(book),
      percent(book.fiscalYearToDate.nrr),
      book.nrrTarget === null ? '' : `${book.nrrTarget}%`,
      nrr === null ? '' : money(nrr.expectedNow, c),
      money(book.fiscalYearToDate.endArr, c),
      percent(book.fiscalYearToDate.grr),
      book.grrTarget === null ? '' : `${book.grrTarget}%`,
      percent(book.trailing.nrr),
      percent(book.trailing.grr),
      nrr === null ? '' : money(Math.max(0, nrr.needed), c),
      book.behind
        ? 'BEHIND'
        : book.nrrTarget === null && book.grrTarget === null
          ? 'no target'
          : 'on track',
    ];
  });
  const out = [
    `Check of ${result.month} as of ${result.asOf}, fiscal year ${result.fiscalYear} (${c}):`,
    table(
      [
        'book',
        'FY NRR',
        'NRR target',
        'path now',
        'cohort ARR',
        'FY GRR',
        'GRR target',
        'TTM NRR',
        'TTM GRR',
        'ARR needed',
        'status',
      ],
      rows,
    ),
  ];
  if (outcome.alerts.length === 0) out.push('', 'No alerts.');
  else {
    out.push(
      '',
      table(
        ['alert', 'kind', 'book', 'state', 'message'],
        outcome.alerts.map(({ alert, created }) => [
          `${alert.id}${created ? ' (new)' : ''}`,
          alert.kind,
          bookLabel(alert),
          alert.state,
          alert.message,
        ]),
      ),
    );
  }
  for (const delivery of outcome.deliveries) {
    out.push(
      delivery.attempts === 0
        ? `${delivery.channel} ${delivery.destination}: nothing new to deliver.`
        : `${delivery.channel} ${delivery.destination}: ${delivery.delivered ? 'delivered' : 'failed'} ${count(delivery.alertIds.length, 'alert')} in ${count(delivery.attempts, 'attempt')}.`,
    );
  }
  if (result.unknownTargetBooks.length > 0) {
    out.push(
      `Targets name books that are not in the data: ${result.unknownTargetBooks.join(', ')}; check their spelling in the targets file.`,
    );
  }
  if (result.unknownEventAccounts.length > 0) {
    out.push(
      `Events name accounts that are not in the data: ${result.unknownEventAccounts.join(', ')}.`,
    );
  }
  return out.join('\n');
}

function registerEventCommands(program: Command): void {
  const events = program
    .command('events')
    .description('list or import account events: renewal plans and notices of termination');
  const list = events.command('list', { isDefault: true }).description('list the stored events');
  addWorkspaceOption(list);
  list.action(async (flags: WorkspaceFlags) => {
    await withWorkspace(flags, async (workspace) => {
      const stored = await listEvents(workspace.db);
      if (stored.length === 0) {
        process.stdout.write('No events are stored; import a file with nrr events import.\n');
        return;
      }
      const rows = stored.map((event) => [
        formatDay(event.date),
        event.account,
        event.kind,
        event.note,
      ]);
      process.stdout.write(printableLines(table(['date', 'account', 'kind', 'note'], rows)) + '\n');
    });
  });
  const importCommand = events
    .command('import')
    .description('store the events of a CSV file (account_id, kind, date, note)')
    .argument('<file>', 'events CSV file');
  addWorkspaceOption(importCommand);
  importCommand.action(async (file: string, flags: WorkspaceFlags) => {
    const name = path.basename(file);
    const parsed = readEventsText(await readFile(file, 'utf8'), name);
    await withWorkspace(flags, async (workspace) => {
      const outcome = await storeEvents(workspace.db, parsed, name);
      process.stdout.write(
        `Stored ${count(parsed.length, 'event')} from ${name}: ${outcome.added} new, ${outcome.replaced} replaced.\n`,
      );
    });
  });
}

function alertIdArgument(text: string): number {
  if (!/^\d{1,15}$/.test(text)) {
    throw new InvalidArgumentError(`"${text}" is not an alert id; nrr alerts lists the ids`);
  }
  return Number(text);
}

function registerAlertCommands(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('list stored alerts, or acknowledge or resolve one');
  const list = alerts
    .command('list', { isDefault: true })
    .description('list the stored alerts, newest first (the default)')
    .addOption(new Option('--state <state>', 'only alerts in this state').choices(ALERT_STATES))
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    );
  addWorkspaceOption(list);
  list.action(async (flags: WorkspaceFlags & { state?: AlertState; format: 'table' | 'json' }) => {
    await withWorkspace(flags, async (workspace) => {
      const stored = await listAlerts(workspace.db, flags.state);
      if (flags.format === 'json') {
        process.stdout.write(JSON.stringify(stored, null, 2) + '\n');
        return;
      }
      if (stored.length === 0) {
        process.stdout.write(
          `No ${flags.state ?? ''}${flags.state === undefined ? '' : ' '}alerts; nrr check --month YYYY-MM raises them.\n`,
        );
        return;
      }
      process.stdout.write(printableLines(alertTable(stored)) + '\n');
    });
  });
  for (const [name, state, description] of [
    ['ack', 'acknowledged', 'acknowledge an open alert'],
    ['resolve', 'resolved', 'resolve an open or acknowledged alert'],
  ] as const) {
    const command = alerts
      .command(name)
      .description(description)
      .argument('<id>', 'alert id, as nrr alerts lists it', alertIdArgument);
    addWorkspaceOption(command);
    command.action(async (id: number, flags: WorkspaceFlags) => {
      await withWorkspace(flags, async (workspace) => {
        const alert = await setAlertState(workspace.db, id, state, currentUser());
        process.stdout.write(`Alert ${alert.id} is ${alert.state}: ${alert.message}\n`);
      });
    });
  }
}

function alertTable(alerts: readonly StoredAlert[]): string {
  return table(
    ['id', 'month', 'kind', 'book', 'account', 'state', 'message'],
    alerts.map((alert) => [
      String(alert.id),
      alert.month,
      alert.kind,
      bookLabel(alert),
      alert.account ?? '',
      alert.state,
      alert.message,
    ]),
  );
}
