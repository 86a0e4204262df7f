/**
 * A data table with typed columns. Lists longer than PAGE_SIZE rows are paginated so a
 * vault with thousands of points or jobs stays fast.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Button } from './button.tsx';

export const PAGE_SIZE = 200;

export interface Column<Row> {
  key: string;
  header: ReactNode;
  render: (row: Row) => ReactNode;
  align?: 'left' | 'right';
  width?: string;
}

export interface TableProps<Row> {
  columns: Array<Column<Row>>;
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  onRowClick?: (row: Row) => void;
  empty?: ReactNode;
  label: string;
  pageSize?: number;
}

export function Table<Row>({ columns, rows, rowKey, onRowClick, empty, label, pageSize = PAGE_SIZE }: TableProps<Row>) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  useEffect(() => {
    if (page >= pages) setPage(pages - 1);
  }, [page, pages]);
  if (rows.length === 0 && empty) return <>{empty}</>;
  const visible = rows.length > pageSize ? rows.slice(page * pageSize, (page + 1) * pageSize) : rows;
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} className={column.align === 'right' ? 'num' : undefined} style={column.width ? { width: column.width } : undefined}>{column.header}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {visible.map((row) => (
            <tr
              key={rowKey(row)}
              className={onRowClick ? 'clickable' : undefined}
              onClick={onRowClick ? () => onRowClick(row) : undefined}
              tabIndex={onRowClick ? 0 : undefined}
              onKeyDown={onRowClick ? (event) => { if (event.key === 'Enter') onRowClick(row); } : undefined}
            >
              {columns.map((column) => (
                <td key={column.key} className={column.align === 'right' ? 'num' : undefined}>{column.render(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > pageSize ? (
        <div className="pagination">
          <span>Rows {page * pageSize + 1}–{Math.min(rows.length, (page + 1) * pageSize)} of {rows.length}</span>
          <Button small disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</Button>
          <Button small disabled={page >= pages - 1} onClick={() => setPage(page + 1)}>Next</Button>
        </div>
      ) : null}
    </div>
  );
}
