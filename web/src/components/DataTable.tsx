/** A sortable table whose rows can be exported as a CSV file. */
import { useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { toCsv } from '../csv.js';
import { downloadCsv } from '../download.js';
import type { CsvCell } from '../csv.js';

export interface Column<Row> {
  readonly key: string;
  readonly label: string;
  /** The value sorted on; null sorts last in either direction. */
  readonly sort?: (row: Row) => number | string | null;
  readonly render: (row: Row) => ReactNode;
  /** The value written to the CSV file. */
  readonly csv: (row: Row) => CsvCell;
  readonly numeric?: boolean;
}

export interface DataTableProps<Row> {
  readonly columns: readonly Column<Row>[];
  readonly rows: readonly Row[];
  readonly rowKey: (row: Row) => string;
  /** File name of the export, without extension. */
  readonly exportName: string;
  readonly caption: string;
  readonly initialSort?: { key: string; direction: 'asc' | 'desc' };
  /** A last row of totals, outside the sorting. */
  readonly footer?: ReactNode;
  readonly testId?: string;
}

function compare(a: number | string | null, b: number | string | null): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export function DataTable<Row>({
  columns,
  rows,
  rowKey,
  exportName,
  caption,
  initialSort,
  footer,
  testId,
}: DataTableProps<Row>) {
  const [sort, setSort] = useState(initialSort);
  const sorted = useMemo(() => {
    const column = columns.find((candidate) => candidate.key === sort?.key);
    if (column?.sort === undefined || sort === undefined) return rows;
    const read = column.sort;
    const sign = sort.direction === 'asc' ? 1 : -1;
    return [...rows].sort((a, b) => {
      const left = read(a);
      const right = read(b);
      // Missing values stay last whichever way the column is sorted.
      if (left === null || right === null) return compare(left, right);
      return sign * compare(left, right);
    });
  }, [columns, rows, sort]);

  const exportRows = () => {
    downloadCsv(
      `${exportName}.csv`,
      toCsv(
        columns.map((column) => column.label),
        sorted.map((row) => columns.map((column) => column.csv(row))),
      ),
    );
  };

  return (
    <div className="table-block" data-testid={testId}>
      <div className="table-tools">
        <span className="muted">
          {rows.length.toLocaleString('en-US')} {rows.length === 1 ? 'row' : 'rows'}
        </span>
        <button type="button" onClick={exportRows} data-testid="export-csv">
          Export CSV
        </button>
      </div>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((column) => {
                const active = sort?.key === column.key;
                const ariaSort = active
                  ? sort.direction === 'asc'
                    ? 'ascending'
                    : 'descending'
                  : undefined;
                return (
                  <th
                    key={column.key}
                    scope="col"
                    className={column.numeric === true ? 'numeric' : undefined}
                    aria-sort={ariaSort}
                  >
                    {column.sort === undefined ? (
                      column.label
                    ) : (
                      <button
                        type="button"
                        className="sort"
                        data-column={column.key}
                        onClick={() =>
                          setSort({
                            key: column.key,
                            direction:
                              active && sort.direction === 'desc'
                                ? 'asc'
                                : active
                                  ? 'desc'
                                  : column.numeric === true
                                    ? 'desc'
                                    : 'asc',
                          })
                        }
                      >
                        {column.label}
                        <span aria-hidden="true">
                          {active ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}
                        </span>
                      </button>
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {sorted.map((row) => (
              <tr key={rowKey(row)} data-row={rowKey(row)}>
                {columns.map((column) => (
                  <td
                    key={column.key}
                    className={column.numeric === true ? 'numeric' : undefined}
                    data-column={column.key}
                  >
                    {column.render(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          {footer === undefined ? null : <tfoot>{footer}</tfoot>}
        </table>
      </div>
    </div>
  );
}
