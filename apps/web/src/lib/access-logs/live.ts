// The access log's live tail in the viewer (docs/access-logs.md, "Live tail"): the stream's
// URL with the grid's filters, and new rows put on top of what is loaded, at most
// LIVE_ROWS_PER_SECOND a second so a busy log stays readable; the rest wait as "N more".
import type { LogPages } from "./format";
import { filterQuery, type AccessLogSearch, type ViewerMode } from "./search";

export const LIVE_ROWS_PER_SECOND = 20;

/** GET /api/access-logs/stream with the grid's filters (the account viewer sees its own keys' entries). */
export function liveStreamUrl(search: AccessLogSearch, mode: ViewerMode): string {
  return `/api/access-logs/stream${filterQuery(search, mode)}`;
}

/** Rows (oldest first, as the stream sends them) on top of the first page, newest first, without repeats. */
export function prependLiveRows<Row extends { id: number }>(current: LogPages<Row> | undefined, rows: Row[]): LogPages<Row> | undefined {
  const first = current?.pages[0];
  if (!current || !first || rows.length === 0) return current;
  const newest = current.pages.find((p) => p.rows.length > 0)?.rows[0]?.id ?? 0;
  const newer = rows.filter((r) => r.id > newest).reverse();
  if (newer.length === 0) return current;
  return { pages: [{ ...first, rows: [...newer, ...first.rows] }, ...current.pages.slice(1)], pageParams: current.pageParams };
}
