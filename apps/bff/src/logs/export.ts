// The access log's filtered set as CSV or NDJSON text, produced in batches of EXPORT_BATCH
// rows read as the grid's pages are (export-batches.ts), so a million rows never sit in
// memory. Scoped like the grid: users get only their own keys' entries.
import type { AccessLogFilter } from "@keyhouse/shared";
import type { Db } from "../db/client.ts";
import { ACCESS_LOG_METADATA_COLUMNS } from "./columns.ts";
import { accessLogBatches } from "./export-batches.ts";
import { accessLogQuery } from "./filter-plan.ts";
import type { CallerOnLogs } from "../auth/caller.ts";
import type { AccessLogRow, Provider } from "./rows.ts";

export const EXPORT_BATCH = 1000;

export const CSV_COLUMNS = ["id", ...ACCESS_LOG_METADATA_COLUMNS] as const satisfies readonly (keyof AccessLogRow)[];

/**
 * One CSV cell (RFC 4180). Text a spreadsheet would run as a formula (starting with
 * = + - @, or a tab or carriage return) gets a leading apostrophe first.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(row: AccessLogRow): string {
  return `${CSV_COLUMNS.map((c) => csvCell(row[c])).join(",")}\r\n`;
}

export function ndjsonLine(row: AccessLogRow): string {
  return `${JSON.stringify(row)}\n`;
}

export const EXPORT_FORMATS = {
  csv: { type: "text/csv; charset=utf-8", header: `${CSV_COLUMNS.join(",")}\r\n`, line: csvLine },
  ndjson: { type: "application/x-ndjson; charset=utf-8", header: "", line: ndjsonLine },
} as const;

export type ExportFormat = keyof typeof EXPORT_FORMATS;

/**
 * The export's text in chunks, for the caller to write as the client reads: the header,
 * then a chunk per batch. The filter is compiled before the first chunk, so a bad one
 * fails while an error can still be answered.
 */
export async function exportAccessLog(
  db: Db,
  caller: CallerOnLogs,
  filters: Omit<AccessLogFilter, "cursor" | "limit">,
  provider: Provider,
  name: ExportFormat,
): Promise<AsyncGenerator<string>> {
  const format = EXPORT_FORMATS[name];
  const query = await accessLogQuery(db, caller, filters, provider);
  return (async function* () {
    if (format.header) yield format.header;
    // null: nothing can match (an unknown user name), so just the header.
    if (!query) return;
    for await (const rows of accessLogBatches(db, query, EXPORT_BATCH)) {
      let chunk = "";
      for (const row of rows) chunk += format.line(row);
      yield chunk;
    }
  })();
}
