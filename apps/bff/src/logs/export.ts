// The access log's filtered set as a download, CSV or NDJSON: streamed in batches of
// EXPORT_BATCH rows read as the grid's pages are (query.ts), written as it is read
// and paced by the client (a full socket buffer waits for 'drain'), so a million rows
// never sit in memory. Signed-in users only, with the grid's scoping.
import { once } from "node:events";
import type { Writable } from "node:stream";
import { accessLogFilterSchema } from "@keyhouse/shared";
import { parse as parseCookies } from "cookie";
import { Router, type RequestHandler } from "express";
import { readSession, SESSION_COOKIE } from "../auth/sessions.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { accessLogBatches } from "./export-batches.ts";
import { accessLogQuery } from "./filter-plan.ts";
import type { AccessLogRow, LogViewer } from "./rows.ts";

export const EXPORT_BATCH = 1000;

export const CSV_COLUMNS = [
  "id",
  "at",
  "keyId",
  "keyName",
  "keyHint",
  "keyStatus",
  "ownerId",
  "userId",
  "username",
  "surface",
  "feed",
  "method",
  "path",
  "status",
  "durationMs",
  "ip",
  "userAgent",
  "bytesIn",
  "bytesOut",
] as const satisfies readonly (keyof AccessLogRow)[];

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
  return CSV_COLUMNS.map((c) => csvCell(row[c])).join(",") + "\r\n";
}

export function ndjsonLine(row: AccessLogRow): string {
  return JSON.stringify(row) + "\n";
}

const FORMATS = {
  csv: { type: "text/csv; charset=utf-8", header: CSV_COLUMNS.join(",") + "\r\n", line: csvLine },
  ndjson: { type: "application/x-ndjson; charset=utf-8", header: "", line: ndjsonLine },
} as const;

/** Writes a chunk; when the socket's buffer is full, waits until it drains (or the client goes). Answers false once the client has gone. */
export async function writeChunk(res: Writable, chunk: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(chunk)) return true;
  const gone = new AbortController();
  try {
    await Promise.race([once(res, "drain", { signal: gone.signal }), once(res, "close", { signal: gone.signal })]);
  } catch {
    // an aborted wait: the other event came first
  } finally {
    gone.abort();
  }
  return !res.destroyed;
}

/** Mounted at /exports: GET /exports/access-logs.csv and /exports/access-logs.ndjson. */
export function accessLogExportRoutes(db: Db, config: Config, log: (line: string) => void): Router {
  const router = Router();
  const handler = (name: keyof typeof FORMATS): RequestHandler => async (req, res, next) => {
    const format = FORMATS[name];
    let viewer: LogViewer;
    try {
      const session = await readSession(db, parseCookies(req.headers.cookie ?? "")[SESSION_COOKIE], config.secret);
      if (!session) {
        res.status(401).json({ error: "Sign in to export the access log." });
        return;
      }
      viewer = { id: session.user.id, isAdmin: session.user.role === "admin" };
    } catch (e) {
      return next(e);
    }

    const filters = accessLogFilterSchema.parse(req.query);
    const query = await accessLogQuery(db, viewer, filters, config.provider).catch((e: unknown) => {
      next(e);
      return undefined;
    });
    if (query === undefined) return;

    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    res.status(200);
    res.setHeader("Content-Type", format.type);
    res.setHeader("Content-Disposition", `attachment; filename="keyhouse-access-log-${stamp}.${name}"`);
    res.setHeader("Cache-Control", "no-store");

    try {
      if (format.header && !(await writeChunk(res, format.header))) return;
      // null: nothing can match (an unknown user name), so just the header.
      if (query) {
        for await (const rows of accessLogBatches(db, query, EXPORT_BATCH)) {
          let chunk = "";
          for (const row of rows) chunk += format.line(row);
          if (!(await writeChunk(res, chunk))) return;
        }
      }
      res.end();
    } catch (e) {
      if (!res.headersSent) {
        res.removeHeader("Content-Disposition");
        return next(e);
      }
      // The status line is gone: cut the download short so it is not taken for a complete file.
      log(`Access-log export failed: ${(e as Error)?.stack ?? String(e)}`);
      res.destroy();
    }
  };
  router.get("/access-logs.csv", handler("csv"));
  router.get("/access-logs.ndjson", handler("ndjson"));
  return router;
}
