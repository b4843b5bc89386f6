/**
 * White space rolled up per book next to each book's gap to its NRR target, shared by
 * `nrr whitespace` and the HTTP API.
 */
import { analyse } from '../core/analysis.js';
import { filteredBooks } from '../core/books.js';
import type { Day } from '../core/dates.js';
import type { Definitions } from '../core/definitions.js';
import { bookPlan, fiscalYearDays, type BookSelector } from '../core/glide.js';
import type { Dimension } from '../core/groups.js';
import type { Dataset } from '../core/model.js';
import type { Minor } from '../core/money.js';
import { fiscalYearOfDay } from '../core/targets.js';
import {
  whiteSpace,
  whiteSpaceByBook,
  type AccountWhiteSpace,
  type BookWhiteSpace,
  type CatalogueProduct,
  type PipelineEntry,
  type SeatCount,
} from '../core/whitespace.js';
import { listTargets } from '../store/targets.js';
import type { Workspace } from '../store/workspace.js';

export interface WhiteSpaceRequest {
  readonly dataset: Dataset;
  readonly definitions: Definitions;
  readonly asOf: Day;
  readonly by?: Dimension;
  readonly catalogue: readonly CatalogueProduct[];
  readonly pipeline: readonly PipelineEntry[];
  readonly seats: readonly SeatCount[];
}

export interface WhiteSpaceReport {
  readonly fiscalYear: number;
  /** Each book's white space and the ARR it still needs for its NRR target (null: no target). */
  readonly books: readonly (BookWhiteSpace & { readonly needed: Minor | null })[];
  readonly accounts: readonly AccountWhiteSpace[];
}

/**
 * Computes the white space of the active accounts and, for each book with an NRR target for the
 * fiscal year of the as-of date, the ARR still needed (see `bookPlan`).
 */
export async function whiteSpaceReport(
  workspace: Workspace,
  request: WhiteSpaceRequest,
): Promise<WhiteSpaceReport> {
  const { dataset, definitions, asOf, by } = request;
  const analysis = analyse(dataset, definitions, asOf);
  const accounts = whiteSpace(
    analysis,
    dataset,
    request.catalogue,
    request.pipeline,
    request.seats,
  );
  const fiscalYear = fiscalYearOfDay(asOf, definitions.fiscalYearStartMonth);
  const year = fiscalYearDays(fiscalYear, definitions.fiscalYearStartMonth);
  const targets = await listTargets(workspace.db, fiscalYear);
  const potential = new Map(accounts.map((account) => [account.account, account.potential]));
  const books = by === undefined ? undefined : filteredBooks(analysis, dataset, by);
  const rows = whiteSpaceByBook(analysis, dataset, accounts, by).map((book) => {
    const target = targets.find(
      (candidate) => candidate.scope === (by ?? 'company') && candidate.book === book.book,
    );
    const selector: BookSelector =
      books === undefined
        ? undefined
        : { groups: books.groups, code: books.codes.get(book.book) ?? -1 };
    const plan =
      target?.nrr === undefined || target.nrr === null
        ? undefined
        : bookPlan(analysis, selector, year, { nrr: target.nrr, grr: null }, potential);
    return { ...book, needed: plan?.nrr?.needed ?? null };
  });
  return { fiscalYear, books: rows, accounts };
}
