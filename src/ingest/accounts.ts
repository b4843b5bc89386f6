/**
 * Account records gathered from rows of one or more files, merged per account id.
 */
import type { Account, SourceRef } from '../core/model.js';
import { quoteValue, type ProblemList } from './problems.js';

/** One stated attribute of an account and the cell it came from. */
export interface SourcedValue {
  readonly value: string;
  readonly source: SourceRef;
  readonly column: string;
}

/** The attributes that rows state for one account. A blank cell states nothing. */
export interface AccountDraft {
  readonly id: string;
  readonly name?: SourcedValue;
  readonly parentId?: SourcedValue;
  readonly currency?: SourcedValue;
}

type AccountField = 'name' | 'parentId' | 'currency';

/** Builds the account record that a draft states: its id and the values it gives. */
export function accountFromDraft(draft: AccountDraft): Account {
  const account: { -readonly [K in keyof Account]: Account[K] } = { id: draft.id };
  if (draft.name) account.name = draft.name.value;
  if (draft.parentId) account.parentId = draft.parentId.value;
  if (draft.currency) account.currency = draft.currency.value;
  return account;
}

const FIELD_LABELS: Readonly<Record<AccountField, string>> = {
  name: 'name',
  parentId: 'parent',
  currency: 'currency',
};

interface MutableDraft {
  id: string;
  name?: SourcedValue;
  parentId?: SourcedValue;
  currency?: SourcedValue;
}

/**
 * Merges account drafts by id. Two rows may state different attributes of one account, but two
 * different values for the same attribute are a problem, reported at the later row.
 */
export class AccountRegistry {
  private readonly drafts = new Map<string, MutableDraft>();

  constructor(private readonly problems: ProblemList) {}

  get size(): number {
    return this.drafts.size;
  }

  /**
   * Whether adding these values for account `id` would change nothing, because the account is
   * known and each value is undefined or equal to the one already merged. A file that repeats an
   * account's name on every line row checks this before building a draft.
   */
  repeats(id: string, name: string | undefined, parentId: string | undefined): boolean {
    const merged = this.drafts.get(id);
    if (merged === undefined) return false;
    if (name !== undefined && merged.name?.value !== name) return false;
    return parentId === undefined || merged.parentId?.value === parentId;
  }

  add(draft: AccountDraft): void {
    const merged = this.drafts.get(draft.id);
    if (!merged) {
      this.drafts.set(draft.id, { ...draft });
      return;
    }
    for (const field of ['name', 'parentId', 'currency'] as const) {
      const incoming = draft[field];
      if (incoming === undefined) continue;
      const existing = merged[field];
      if (existing === undefined) merged[field] = incoming;
      else if (existing.value !== incoming.value)
        this.reportConflict(draft.id, field, existing, incoming);
    }
  }

  private reportConflict(
    id: string,
    field: AccountField,
    existing: SourcedValue,
    incoming: SourcedValue,
  ): void {
    const where =
      existing.source.file === incoming.source.file
        ? `row ${existing.source.row}`
        : `${existing.source.file} row ${existing.source.row}`;
    const label = FIELD_LABELS[field];
    this.problems.add({
      file: incoming.source.file,
      row: incoming.source.row,
      column: incoming.column,
      value: incoming.value,
      message: `differs from the ${label} ${quoteValue(existing.value)} given for account ${quoteValue(id)} on ${where}; give each account one ${label}`,
    });
  }

  /** Returns the merged drafts, in the order their ids first appeared. */
  list(): AccountDraft[] {
    return [...this.drafts.values()];
  }

  /** Builds the account records, after reporting any parent cycle. */
  accounts(): Account[] {
    this.reportParentCycles();
    return this.list().map(accountFromDraft);
  }

  /** Reports each cycle of parent ids once, at the parent cell that closes it. */
  private reportParentCycles(): void {
    const finished = new Set<string>();
    for (const [start, draft] of this.drafts) {
      // Most accounts have no parent and so start no chain; they skip the walk's allocations.
      if (draft.parentId === undefined) continue;
      const path: string[] = [];
      const onPath = new Set<string>();
      let current: string | undefined = start;
      while (current !== undefined && !finished.has(current)) {
        if (onPath.has(current)) {
          this.reportCycle(path.slice(path.indexOf(current)));
          break;
        }
        path.push(current);
        onPath.add(current);
        current = this.drafts.get(current)?.parentId?.value;
      }
      for (const id of path) finished.add(id);
    }
  }

  private reportCycle(cycle: readonly string[]): void {
    const last = cycle[cycle.length - 1];
    const parent = last === undefined ? undefined : this.drafts.get(last)?.parentId;
    if (parent === undefined) return;
    const chain = [...cycle, cycle[0]].map((id) => quoteValue(id ?? '')).join(' → ');
    const message =
      cycle.length === 1
        ? `is the account's own id; an account cannot be its own parent, so leave parent_id blank`
        : `closes a parent cycle ${chain}; an account cannot roll up to itself, so fix one of these parent ids`;
    this.problems.add({
      file: parent.source.file,
      row: parent.source.row,
      column: parent.column,
      value: parent.value,
      message,
    });
  }
}
