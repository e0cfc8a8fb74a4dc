// Reading the access log: one page of the grid, and one entry with its bodies. Users see
// only their own keys' entries; administrators see all. How a page is found is in
// window-scan.ts; the filter's SQL in filter-plan.ts.
import type { AccessLogFilter } from "@keyhouse/shared";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { withBodyTexts } from "./bodies.ts";
import { accessLogQuery } from "./filter-plan.ts";
import type { CallerOnLogs } from "../auth/caller.ts";
import type { AccessLogEntryView, AccessLogPage, Provider } from "./rows.ts";
import { findAccessLogPage, SCAN_BUDGET_MS, type PageOptions } from "./window-scan.ts";

/** One page of the grid: newest first, without bodies; see AccessLogPage. */
export async function listAccessLogs(db: Db, caller: CallerOnLogs, f: AccessLogFilter, provider: Provider, options: PageOptions = {}): Promise<AccessLogPage> {
  const started = performance.now();
  const q = await accessLogQuery(db, caller, f, provider);
  if (!q) return { rows: [], nextCursor: null, scannedTo: null };
  const budgetMs = (options.budgetMs ?? SCAN_BUDGET_MS) - (performance.now() - started);
  return findAccessLogPage(db, q, f.cursor, f.limit, { ...options, budgetMs });
}

/** One entry with its bodies. Someone else's entry is "not found", as a missing one is. */
export async function getAccessLogEntry(db: Db, caller: CallerOnLogs, id: number): Promise<AccessLogEntryView> {
  const row = await db.accessLogEntry.findFirst({ where: caller.isAdmin ? { id } : { id, ownerId: caller.id } });
  if (!row) throw new AppError("NOT_FOUND", `There is no access-log entry ${id}${caller.isAdmin ? "" : " for your keys"}. It may have been purged.`);
  // Bodies are stored once per content; older entries hold their own (bodies.ts).
  return withBodyTexts(db, row);
}
