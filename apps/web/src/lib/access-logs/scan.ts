// Searching on when a page of the grid stopped early. logs.list spends a bounded time on
// each page (docs/quality-bars.md), so a filter that matches little of a large log answers pages
// with fewer rows than asked, even none, each with `scannedTo` (the time it searched back
// to) and a cursor to search on from. The viewer searches on by itself for a while, then
// leaves it to the reader. Pure functions, no React.
import type { LogPage } from "./format";

/** How long the viewer searches on by itself, in one stretch, before it leaves a button. */
export const AUTO_SEARCH_MS = 2_000;
/** A search step that starts longer than this after the last one ended starts a new stretch. */
export const SEARCH_GAP_MS = 1_000;

/**
 * What the viewer says about the loaded pages:
 * - loading: nothing yet;
 * - empty: everything searched, nothing matches;
 * - done: every match is loaded;
 * - more: older entries follow, page by page as usual;
 * - searching: the last page stopped early and the viewer searches on by itself;
 * - partial: the last page stopped early and searching on is up to the reader.
 */
export type SearchProgress =
  | { kind: "loading" }
  | { kind: "empty" }
  | { kind: "done"; found: number }
  | { kind: "more"; found: number }
  | { kind: "searching"; found: number; scannedTo: Date | null }
  | { kind: "partial"; found: number; scannedTo: Date | null };

/** tRPC answers without a transformer: a date is an ISO string at run time. */
export function toDate(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Whether a page stopped searching before it was full: there is more to search from its cursor. */
export function stoppedEarly(page: LogPage<{ id: number }> | undefined): boolean {
  if (!page || page.nextCursor === null) return false;
  // A page with a cursor and no rows has stopped early, whatever it says.
  return toDate(page.scannedTo) !== null || page.rows.length === 0;
}

/** See SearchProgress. `paused`: the viewer has stopped searching on by itself. */
export function searchProgress(data: { pages: readonly LogPage<{ id: number }>[] } | undefined, paused: boolean): SearchProgress {
  if (!data) return { kind: "loading" };
  const found = data.pages.reduce((n, p) => n + p.rows.length, 0);
  const last = data.pages[data.pages.length - 1];
  if (!last || last.nextCursor === null) return found === 0 ? { kind: "empty" } : { kind: "done", found };
  if (!stoppedEarly(last)) return found === 0 ? { kind: "searching", found, scannedTo: null } : { kind: "more", found };
  return { kind: paused ? "partial" : "searching", found, scannedTo: toDate(last.scannedTo) };
}

/** A stretch of search steps, each starting soon after the last one ended (times in ms). */
export type SearchStretch = { start: number; lastEnd: number };

/**
 * Whether a search step the viewer takes by itself (the last page stopped early) may start
 * at `now`: the stretch it belongs to, or null when that stretch has gone on for
 * AUTO_SEARCH_MS already. A step long after the last one starts a new stretch.
 */
export function continueSearch(stretch: SearchStretch | null, now: number, limitMs = AUTO_SEARCH_MS, gapMs = SEARCH_GAP_MS): SearchStretch | null {
  if (!stretch || now - stretch.lastEnd > gapMs) return { start: now, lastEnd: now };
  if (now - stretch.start >= limitMs) return null;
  return stretch;
}
