/**
 * `nrr close` freezes a month's figures in the workspace. `nrr closes` lists the closed months
 * next to the same figures computed today, and marks those that back-dated changes restated.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { analyse } from '../core/analysis.js';
import { dayFromCivil, formatDay, MAX_YEAR, MIN_YEAR, monthEnd } from '../core/dates.js';
import type { Definitions } from '../core/definitions.js';
import type { Dataset } from '../core/model.js';
import { buildReport, type GroupReport, type Report } from '../core/report.js';
import {
  restatedAccounts,
  unitArrList,
  type RestatedAccount,
  type UnitArr,
} from '../core/snapshot.js';
import { StoreError } from '../store/driver.js';
import { currentUser, type MonthClose, type Workspace } from '../store/workspace.js';
import { count, money, percent, printableLines, table } from './format.js';
import { workspaceDefinitions } from './input.js';
import { addDefinitionOptions, today, type DefinitionFlags } from './options.js';
import { addWorkspaceOption, withWorkspace, type WorkspaceFlags } from './workspace.js';

/** The figures a close freezes: the company report and the books per CSM, segment and region. */
export interface ClosedFigures {
  readonly company: Report;
  readonly csm: readonly GroupReport[];
  readonly segment: readonly GroupReport[];
  readonly region: readonly GroupReport[];
}

export function monthOption(text: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(text.trim());
  const month = Number(match?.[2]);
  const year = Number(match?.[1]);
  if (match === null || month < 1 || month > 12 || year < MIN_YEAR || year > MAX_YEAR) {
    throw new InvalidArgumentError(
      `"${text}" is not a month from ${MIN_YEAR} to ${MAX_YEAR}; use YYYY-MM, e.g. 2025-11`,
    );
  }
  return text.trim();
}

function monthEndOf(month: string): number {
  const [year, monthNumber] = month.split('-').map(Number);
  return monthEnd(dayFromCivil(year ?? 0, monthNumber ?? 1, 1));
}

export function computeFigures(
  dataset: Dataset,
  definitions: Definitions,
  asOf: number,
  workspaceVersion: number,
): { figures: ClosedFigures; accountArr: UnitArr[] } {
  const analysis = analyse(dataset, definitions, asOf);
  const company = buildReport(analysis, dataset);
  return {
    figures: {
      company: { ...company, definitions: { ...company.definitions, workspaceVersion } },
      csm: buildReport(analysis, dataset, 'csm').groups ?? [],
      segment: buildReport(analysis, dataset, 'segment').groups ?? [],
      region: buildReport(analysis, dataset, 'region').groups ?? [],
    },
    accountArr: unitArrList(analysis),
  };
}

export interface CloseStatus {
  readonly close: MonthClose;
  readonly frozen: Report;
  readonly now: Report;
  readonly restated: readonly RestatedAccount[];
  /** Books whose NRR, GRR or ARR differ from the frozen ones. */
  readonly restatedBooks: readonly { dimension: string; key: string }[];
}

/** Equal as JSON values, whatever the order of object keys (stored JSON may reorder them). */
function sameJson(a: unknown, b: unknown): boolean {
  const normal = (value: unknown): unknown =>
    value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
  return isDeepStrictEqual(normal(a), normal(b));
}

const COMPARED: readonly (keyof Report)[] = ['arr', 'nrr', 'grr', 'logoRetention', 'bridge'];

function sameGroups(a: readonly GroupReport[], b: readonly GroupReport[]): { key: string }[] {
  const byKey = new Map(b.map((group) => [group.key, group]));
  const keys = new Set([...a.map((group) => group.key), ...byKey.keys()]);
  const differing: { key: string }[] = [];
  const before = new Map(a.map((group) => [group.key, group]));
  for (const key of keys) {
    if (!sameJson(before.get(key), byKey.get(key))) differing.push({ key });
  }
  return differing;
}

/** Recomputes each closed month with its own definitions version and compares. */
export async function closeStatuses(
  workspace: Workspace,
  dataset: Dataset,
): Promise<CloseStatus[]> {
  const statuses: CloseStatus[] = [];
  for (const close of await workspace.monthCloses()) {
    const { definitions } = await workspace.definitionsVersion(close.definitionsVersion);
    const frozenFigures = close.figures as ClosedFigures;
    const { figures, accountArr } = computeFigures(
      dataset,
      definitions,
      monthEndOf(close.month),
      close.definitionsVersion,
    );
    const restatedBooks = (['csm', 'segment', 'region'] as const).flatMap((dimension) =>
      sameGroups(frozenFigures[dimension], figures[dimension]).map(({ key }) => ({
        dimension,
        key,
      })),
    );
    const restated = restatedAccounts(close.accountArr, accountArr);
    const companyChanged = COMPARED.some(
      (field) => !sameJson(frozenFigures.company[field], figures.company[field]),
    );
    statuses.push({
      close,
      frozen: frozenFigures.company,
      now: figures.company,
      restated: companyChanged || restated.length > 0 || restatedBooks.length > 0 ? restated : [],
      restatedBooks,
    });
  }
  return statuses;
}

function isRestated(status: CloseStatus): boolean {
  return (
    status.restated.length > 0 ||
    status.restatedBooks.length > 0 ||
    COMPARED.some((field) => !sameJson(status.frozen[field], status.now[field]))
  );
}

export function registerCloseCommands(program: Command): void {
  const close = program
    .command('close')
    .description(
      "freeze a month's figures (company, and books per CSM, segment and region) in the workspace",
    )
    .requiredOption('--month <YYYY-MM>', 'the month to close', monthOption);
  addWorkspaceOption(close);
  addDefinitionOptions(close);
  close.action(async (flags: WorkspaceFlags & DefinitionFlags & { month: string }) => {
    const asOf = monthEndOf(flags.month);
    if (asOf > today()) {
      throw new StoreError(
        `${flags.month} has not ended yet (it ends on ${formatDay(asOf)}); close a month after its last day`,
      );
    }
    await withWorkspace(flags, async (workspace) => {
      const { definitions, version } = await workspaceDefinitions(workspace, flags);
      const dataset = await workspace.loadDataset();
      if (dataset.lines.length === 0) {
        throw new StoreError(
          `the workspace ${workspace.location} has no contract lines to close a month on; store files with nrr import`,
        );
      }
      const { figures, accountArr } = computeFigures(dataset, definitions, asOf, version);
      const stored = await workspace.closeMonth({
        month: flags.month,
        asOf: formatDay(asOf),
        definitionsVersion: version,
        figures,
        accountArr,
        lastImportId: await workspace.lastImportId(),
        closedBy: currentUser(),
      });
      const c = figures.company.currency;
      process.stdout.write(
        `Closed ${stored.month} as of ${stored.asOf} with definitions version ${version}: ARR ${money(figures.company.arr, c)}, NRR ${percent(figures.company.nrr)}, GRR ${percent(figures.company.grr)}, logo retention ${percent(figures.company.logoRetention)}; ${count(figures.csm.length, 'CSM book')} frozen.\n`,
      );
    });
  });

  const closes = program
    .command('closes')
    .description(
      'list closed months with their frozen figures next to the same figures today; "restated" marks months that back-dated changes moved',
    )
    .option(
      '--month <YYYY-MM>',
      'show one closed month with the accounts and books that changed',
      monthOption,
    );
  addWorkspaceOption(closes);
  closes
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(async (flags: WorkspaceFlags & { month?: string; format: 'table' | 'json' }) => {
      await withWorkspace(flags, async (workspace) => {
        const dataset = await workspace.loadDataset();
        let statuses = await closeStatuses(workspace, dataset);
        if (flags.month !== undefined) {
          statuses = statuses.filter((status) => status.close.month === flags.month);
          if (statuses.length === 0) {
            throw new StoreError(
              `${flags.month} is not closed in this workspace; nrr closes lists the closed months`,
            );
          }
        }
        if (flags.format === 'json') {
          process.stdout.write(
            JSON.stringify(
              statuses.map((status) => ({
                month: status.close.month,
                asOf: status.close.asOf,
                definitionsVersion: status.close.definitionsVersion,
                closedAt: status.close.closedAt,
                closedBy: status.close.closedBy,
                restated: isRestated(status),
                frozen: pick(status.frozen),
                now: pick(status.now),
                restatedAccounts: status.restated,
                restatedBooks: status.restatedBooks,
              })),
              null,
              2,
            ) + '\n',
          );
          return;
        }
        if (statuses.length === 0) {
          process.stdout.write(
            'No month is closed yet; freeze one with nrr close --month YYYY-MM.\n',
          );
          return;
        }
        const rows = statuses.map((status) => {
          const c = status.frozen.currency;
          return [
            status.close.month,
            String(status.close.definitionsVersion),
            money(status.frozen.arr, c),
            percent(status.frozen.nrr),
            percent(status.frozen.grr),
            isRestated(status) ? money(status.now.arr, c) : '',
            isRestated(status) ? percent(status.now.nrr) : '',
            isRestated(status) ? percent(status.now.grr) : '',
            isRestated(status)
              ? `restated (${count(status.restated.length, 'account')})`
              : 'as closed',
            `${status.close.closedAt.slice(0, 10)} by ${status.close.closedBy}`,
          ];
        });
        const out = [
          table(
            [
              'month',
              'definitions',
              'frozen ARR',
              'frozen NRR',
              'frozen GRR',
              'ARR now',
              'NRR now',
              'GRR now',
              'status',
              'closed',
            ],
            rows,
          ),
        ];
        if (flags.month !== undefined) {
          for (const status of statuses) out.push(describeRestatement(status));
        }
        process.stdout.write(printableLines(out.join('\n')) + '\n');
      });
    });
}

function pick(report: Report) {
  return {
    arr: report.arr,
    nrr: report.nrr,
    grr: report.grr,
    logoRetention: report.logoRetention,
    bridge: report.bridge,
  };
}

function describeRestatement(status: CloseStatus): string {
  if (!isRestated(status)) return `\n${status.close.month} is as closed: no account's ARR moved.`;
  const c = status.frozen.currency;
  const lines = [
    '',
    `Accounts whose ARR at the window start or at ${status.close.asOf} changed since the close:`,
    table(
      ['account', 'start (frozen)', 'start (now)', 'end (frozen)', 'end (now)'],
      status.restated.map((entry) => [
        entry.account,
        money(entry.frozen.start, c),
        money(entry.now.start, c),
        money(entry.frozen.end, c),
        money(entry.now.end, c),
      ]),
    ),
  ];
  if (status.restatedBooks.length > 0) {
    lines.push(
      '',
      `Books restated: ${status.restatedBooks.map((book) => `${book.dimension} ${book.key}`).join(', ')}`,
    );
  }
  return lines.join('\n');
}
