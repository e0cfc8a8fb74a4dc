// GET /exports/access-logs.csv and .ndjson: the access-log export (logs/export.ts) as a
// download for the signed-in user, written as the client reads it (a full socket buffer
// waits for 'drain').
import { once } from "node:events";
import type { Writable } from "node:stream";
import { accessLogFilterSchema } from "@keyhouse/shared";
import { Router, type RequestHandler } from "express";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { exportAccessLog, EXPORT_FORMATS, type ExportFormat } from "../logs/export.ts";
import { sessionOfRequest } from "./session.ts";

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

export function accessLogExportRoutes(db: Db, config: Config, log: (line: string) => void): Router {
  const router = Router();
  const handler =
    (name: ExportFormat): RequestHandler =>
    async (req, res) => {
      const session = await sessionOfRequest(db, config, req);
      if (!session) throw new AppError("UNAUTHORIZED", "Sign in to export the access log.");
      const viewer = { id: session.user.id, isAdmin: session.user.role === "admin" };
      const chunks = await exportAccessLog(db, viewer, accessLogFilterSchema.parse(req.query), config.provider, name);

      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      res.status(200);
      res.setHeader("Content-Type", EXPORT_FORMATS[name].type);
      res.setHeader("Content-Disposition", `attachment; filename="keyhouse-access-log-${stamp}.${name}"`);
      res.setHeader("Cache-Control", "no-store");
      try {
        for await (const chunk of chunks) if (!(await writeChunk(res, chunk))) return;
        res.end();
      } catch (e) {
        if (!res.headersSent) {
          res.removeHeader("Content-Disposition");
          throw e;
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
