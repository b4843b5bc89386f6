/** Checks that anonymised training material shows none of the workspace's real names. */
import type { Dataset } from '../../src/core/model.js';

/** Lists the names anonymised material must not show: account ids and names, and people. */
export function realNames(dataset: Dataset): string[] {
  const names = new Set<string>();
  for (const account of dataset.accounts) {
    names.add(account.id);
    if (account.name !== undefined && account.name !== '') names.add(account.name);
  }
  for (const assignment of dataset.assignments) names.add(assignment.person);
  return [...names];
}

/** Returns the names found in a text as whole words, so "A1" does not match inside "A12". */
export function leakedNames(text: string, names: readonly string[]): string[] {
  const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return names.filter((name) => new RegExp(`(^|[^\\w-])${escape(name)}($|[^\\w-])`).test(text));
}
