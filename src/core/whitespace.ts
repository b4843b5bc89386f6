/**
 * White space: for each active account (netting unit) and each product of a catalogue, whether
 * the account owns it, has it in the pipeline, could buy it (white space) or is not eligible,
 * with the ARR each open cell could add, and the seat headroom of the products it owns.
 *
 * - A seat-priced product could add list price × the account's seats, where the seats are the
 *   largest whole quantity on the account's active lines. Without a quantity the potential is
 *   unknown and counts as zero.
 * - A product priced as a percentage of ARR could add that percentage of the account's ARR.
 * - Unpursued white space per cell is its potential less the ARR already in the pipeline for it,
 *   never below zero.
 * - Seat headroom is (potential seats − licensed seats) × the list price per seat of each owned
 *   seat-priced product, where a seat count file gives the potential seats.
 *
 * Potential ARR of an account = unpursued white space + seat headroom. Prices are annual and in
 * the reporting currency, and each potential is rounded once with the definitions' rounding rule.
 */
import { unitArr } from './analysis.js';
import type { Analysis } from './analysis.js';
import { codeAt, groupIndex, UNASSIGNED, type Dimension } from './groups.js';
import type { ContractLine, Dataset } from './model.js';
import { scaleToMinor, type Decimal, type Minor } from './money.js';
import { unitLineIndices } from './prepare.js';
import { percentOf } from './targets.js';

export type Pricing =
  | { readonly kind: 'seat'; readonly price: Decimal }
  | { readonly kind: 'percent'; readonly percent: Decimal };

export interface CatalogueProduct {
  readonly product: string;
  readonly pricing: Pricing;
  /** Segments whose accounts may buy the product; empty for every segment. */
  readonly segments: readonly string[];
}

/** An open opportunity: ARR in the pipeline for a product at an account. */
export interface PipelineEntry {
  readonly account: string;
  readonly product: string;
  readonly arr: Minor;
}

/** The number of seats an account could use, such as its employees in the licensed role. */
export interface SeatCount {
  readonly account: string;
  readonly potentialSeats: number;
}

export type CellStatus = 'owned' | 'in-pipeline' | 'white-space' | 'not-eligible';

export interface WhiteSpaceCell {
  readonly product: string;
  readonly status: CellStatus;
  /** ARR the product could add; null when its seats are unknown or the cell is not open. */
  readonly potential: Minor | null;
  readonly pipeline: Minor;
  /** max(0, potential − pipeline) for open cells; 0 for the others. */
  readonly unpursued: Minor;
}

export interface AccountWhiteSpace {
  readonly unit: number;
  readonly account: string;
  readonly segment: string;
  readonly arr: Minor;
  /** Largest whole quantity on the account's active lines; null when none is known. */
  readonly seats: number | null;
  readonly potentialSeats: number | null;
  readonly cells: readonly WhiteSpaceCell[];
  /** Σ potential of the open cells (in pipeline or white space). */
  readonly gross: Minor;
  readonly pipeline: Minor;
  readonly unpursued: Minor;
  readonly seatHeadroom: Minor;
  /** unpursued + seatHeadroom. */
  readonly potential: Minor;
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Builds the account × product matrix of every account with ARR on the as-of date. */
export function whiteSpace(
  analysis: Analysis,
  dataset: Dataset,
  catalogue: readonly CatalogueProduct[],
  pipeline: readonly PipelineEntry[] = [],
  seatCounts: readonly SeatCount[] = [],
): AccountWhiteSpace[] {
  const { prepared, asOf, asOfSample, definitions } = analysis;
  const currency = definitions.reportingCurrency;
  const mode = definitions.rounding;
  const segments = groupIndex(analysis, dataset, 'segment');
  const pipelineByUnit = new Map<number, PipelineEntry[]>();
  for (const entry of pipeline) {
    const unit = prepared.findUnit(entry.account);
    if (unit === undefined) continue;
    pipelineByUnit.set(unit, [...(pipelineByUnit.get(unit) ?? []), entry]);
  }
  const potentialSeatsByUnit = new Map<number, number>();
  for (const count of seatCounts) {
    const unit = prepared.findUnit(count.account);
    if (unit === undefined) continue;
    potentialSeatsByUnit.set(unit, (potentialSeatsByUnit.get(unit) ?? 0) + count.potentialSeats);
  }

  const accounts: AccountWhiteSpace[] = [];
  for (let unit = 0; unit < analysis.units; unit++) {
    const arr = unitArr(analysis, unit, asOfSample);
    if (arr <= 0) continue;
    const owned = new Set<string>();
    let seats: number | null = null;
    for (const index of unitLineIndices(prepared, unit)) {
      if (prepared.lineCounted[index] !== 1) continue;
      if ((prepared.lineStart[index] as number) > asOf) continue;
      if ((prepared.lineEnd[index] as number) <= asOf) continue;
      const line = prepared.lines[index] as ContractLine;
      if (line.product !== undefined) owned.add(line.product.trim().toLowerCase());
      if (line.quantity !== undefined && Number.isInteger(line.quantity) && line.quantity > 0) {
        seats = Math.max(seats ?? 0, line.quantity);
      }
    }
    const segment = segments.keys[codeAt(segments, unit, asOfSample)] as string;
    const potentialSeats = potentialSeatsByUnit.get(unit) ?? null;
    const unitPipeline = pipelineByUnit.get(unit) ?? [];

    const cells: WhiteSpaceCell[] = [];
    let gross = 0;
    let pipelineTotal = 0;
    let unpursued = 0;
    let seatHeadroom = 0;
    for (const product of catalogue) {
      const isOwned = owned.has(product.product.trim().toLowerCase());
      const eligible =
        product.segments.length === 0 ||
        product.segments.some((name) => segment !== UNASSIGNED && sameName(name, segment));
      const inPipeline = unitPipeline
        .filter((entry) => sameName(entry.product, product.product))
        .reduce((sum, entry) => sum + entry.arr, 0);
      const hasPipeline = unitPipeline.some((entry) => sameName(entry.product, product.product));
      if (isOwned) {
        if (product.pricing.kind === 'seat' && potentialSeats !== null && seats !== null) {
          const extra = potentialSeats - seats;
          if (extra > 0)
            seatHeadroom += scaleToMinor(product.pricing.price, extra, 1, currency, mode);
        }
        cells.push({
          product: product.product,
          status: 'owned',
          potential: null,
          pipeline: 0,
          unpursued: 0,
        });
        continue;
      }
      if (!eligible && !hasPipeline) {
        cells.push({
          product: product.product,
          status: 'not-eligible',
          potential: null,
          pipeline: 0,
          unpursued: 0,
        });
        continue;
      }
      const potential =
        product.pricing.kind === 'percent'
          ? percentOf(product.pricing.percent, arr, mode)
          : seats === null
            ? null
            : scaleToMinor(product.pricing.price, seats, 1, currency, mode);
      const open = Math.max(0, (potential ?? 0) - inPipeline);
      gross += potential ?? 0;
      pipelineTotal += inPipeline;
      unpursued += open;
      cells.push({
        product: product.product,
        status: hasPipeline ? 'in-pipeline' : 'white-space',
        potential,
        pipeline: inPipeline,
        unpursued: open,
      });
    }
    accounts.push({
      unit,
      account: prepared.unitRoot[unit] as string,
      segment,
      arr,
      seats,
      potentialSeats,
      cells,
      gross,
      pipeline: pipelineTotal,
      unpursued,
      seatHeadroom,
      potential: unpursued + seatHeadroom,
    });
  }
  return accounts;
}

export interface BookWhiteSpace {
  readonly book: string;
  readonly accounts: number;
  readonly gross: Minor;
  readonly pipeline: Minor;
  readonly unpursued: Minor;
  readonly seatHeadroom: Minor;
  readonly potential: Minor;
}

/** Sums the accounts' white space per book on the as-of date, or for the company. */
export function whiteSpaceByBook(
  analysis: Analysis,
  dataset: Dataset,
  accounts: readonly AccountWhiteSpace[],
  by?: Dimension,
): BookWhiteSpace[] {
  const groups = by === undefined ? undefined : groupIndex(analysis, dataset, by);
  const books = new Map<string, BookWhiteSpace>();
  for (const account of accounts) {
    const book =
      groups === undefined
        ? ''
        : (groups.keys[codeAt(groups, account.unit, analysis.asOfSample)] as string);
    const sum = books.get(book) ?? {
      book,
      accounts: 0,
      gross: 0,
      pipeline: 0,
      unpursued: 0,
      seatHeadroom: 0,
      potential: 0,
    };
    books.set(book, {
      book,
      accounts: sum.accounts + 1,
      gross: sum.gross + account.gross,
      pipeline: sum.pipeline + account.pipeline,
      unpursued: sum.unpursued + account.unpursued,
      seatHeadroom: sum.seatHeadroom + account.seatHeadroom,
      potential: sum.potential + account.potential,
    });
  }
  return [...books.values()].sort((a, b) => a.book.localeCompare(b.book));
}

/** Lists an account's white space for JSON output, without its internal unit number. */
export function accountJson(account: AccountWhiteSpace) {
  return {
    account: account.account,
    segment: account.segment,
    arr: account.arr,
    seats: account.seats,
    potentialSeats: account.potentialSeats,
    cells: account.cells.map((cell) => ({ ...cell })),
    gross: account.gross,
    pipeline: account.pipeline,
    unpursued: account.unpursued,
    seatHeadroom: account.seatHeadroom,
    potential: account.potential,
  };
}
