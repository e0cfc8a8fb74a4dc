import { useId } from "react";
import { secondaryButton } from "../../lib/styles";

const PAGE_SIZES = [10, 25, 50, 100] as const;

/** Server-side paging: Previous / Next, "Page N of M", and how many rows a page holds. */
export function Pager({
  page,
  pageSize,
  total,
  onPage,
  onPageSize,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
}) {
  const id = useId();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const sizes = PAGE_SIZES.includes(pageSize as (typeof PAGE_SIZES)[number]) ? PAGE_SIZES : [...PAGE_SIZES, pageSize].sort((a, b) => a - b);

  return (
    <nav aria-label="Pages of API keys" className="mt-3 flex flex-col gap-3 text-sm text-gray-700 sm:flex-row sm:items-center sm:justify-between">
      <p>{total === 0 ? "No keys" : `Showing ${first}–${last} of ${total} ${total === 1 ? "key" : "keys"}`}</p>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <div className="flex items-center gap-2">
          <label htmlFor={`${id}-size`}>Rows per page</label>
          <select
            id={`${id}-size`}
            value={pageSize}
            onChange={(e) => onPageSize(Number(e.target.value))}
            className="rounded-md border border-gray-300 bg-white py-1 pr-7 pl-2 text-sm"
          >
            {sizes.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <div className="flex items-center gap-2">
          <button type="button" className={secondaryButton} disabled={page <= 1} onClick={() => onPage(page - 1)}>
            Previous
          </button>
          <span aria-live="polite" className="whitespace-nowrap">
            Page {Math.min(page, pages)} of {pages}
          </span>
          <button type="button" className={secondaryButton} disabled={page >= pages} onClick={() => onPage(page + 1)}>
            Next
          </button>
        </div>
      </div>
    </nav>
  );
}
