// The exports' reads: every match of a filter, newest first, in batches, through the same
// windows as the grid's pages.
import type { Db } from "../db/client.ts";
import type { AccessLogQuery } from "./filter-plan.ts";
import type { AccessLogRow } from "./rows.ts";
import { nextSpan, nextWindow, scanRange, windowRows, type PageOptions } from "./window-scan.ts";

/** How long one window of an export may take: the server answers other requests between them. */
const EXPORT_WINDOW_MS = 20;

/**
 * Every match, newest first, in batches of `size` rows: the exports. The same windows as
 * the grid's pages, without a budget; each sized to take about EXPORT_WINDOW_MS.
 */
export async function* accessLogBatches(db: Db, q: AccessLogQuery, size: number, options: PageOptions = {}): AsyncGenerator<AccessLogRow[]> {
  const range = await scanRange(db, q, undefined, options);
  if (!range) return;
  let span = Math.max(1, options.firstWindow ?? size * 2);
  let batch: AccessLogRow[] = [];
  for (;;) {
    const window = await nextWindow(range, span);
    if (!window) break;
    const [from, hi] = window;
    const t0 = performance.now();
    const rows = await windowRows(db, q, from, hi, size - batch.length);
    const took = performance.now() - t0;
    batch.push(...rows);
    if (batch.length < size) {
      range.hi = from - 1;
      span = nextSpan(span, took, EXPORT_WINDOW_MS);
      continue;
    }
    // The window may hold more matches below the last one read.
    range.hi = batch[batch.length - 1]!.id - 1;
    yield batch;
    batch = [];
  }
  if (batch.length) yield batch;
}
