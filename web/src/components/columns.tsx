/** Columns that several tables share: an account linked to its page, a name, an amount. */
import type { Column } from './DataTable.js';
import { exactDecimal, formatAmount } from '../format.js';
import { scopedHref } from '../scope.js';
import type { Scope } from '../scope.js';

/** Builds the account id column, linked to the account's page on the same date. */
export function accountColumn<Row extends { readonly account: string }>(scope: Scope): Column<Row> {
  return {
    key: 'account',
    label: 'Account',
    sort: (row) => row.account,
    csv: (row) => row.account,
    render: (row) => (
      <a href={scopedHref(scope, `/account/${encodeURIComponent(row.account)}`)}>{row.account}</a>
    ),
  };
}

export function nameColumn<Row extends { readonly name: string | null }>(): Column<Row> {
  return {
    key: 'name',
    label: 'Name',
    sort: (row) => row.name ?? '',
    csv: (row) => row.name,
    render: (row) => row.name ?? '',
  };
}

/** Builds an amount column: minor units shown in whole units, exported as an exact decimal. */
export function moneyColumn<Row>(
  key: string,
  label: string,
  read: (row: Row) => number,
  currency: string,
): Column<Row> {
  return {
    key,
    label,
    numeric: true,
    sort: read,
    csv: (row) => exactDecimal(read(row), currency),
    render: (row) => <span data-value={read(row)}>{formatAmount(read(row), currency)}</span>,
  };
}

/** Builds a text column, sorted and exported as shown. */
export function textColumn<Row>(
  key: string,
  label: string,
  read: (row: Row) => string,
): Column<Row> {
  return { key, label, sort: read, csv: read, render: read };
}
