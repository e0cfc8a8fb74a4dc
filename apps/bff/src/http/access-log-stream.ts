// GET /api/access-logs/stream: the access log's live tail (logs/live-tail.ts) as
// Server-Sent Events for the signed-in user. Session cookie like the exports; it changes
// nothing, and a cross-site page is refused so it cannot read someone's log through
// their cookie (docs/access-logs.md, "Live tail").
import { Router, type Request } from "express";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { LiveTail, parseLastEventId, parseLiveTailFilter, TooManyStreams, type LiveTailEvent } from "../logs/live-tail.ts";
import { sessionOfRequest } from "./session.ts";

/** A comment line now and then keeps proxies from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;

function sameSite(req: Request, config: Config): boolean {
  const site = req.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = req.get("origin");
  if (!origin) return true;
  const own = [`${req.protocol}://${req.get("host")}`];
  if (config.publicUrl) own.push(new URL(config.publicUrl).origin);
  return own.includes(origin);
}

function frame(e: LiveTailEvent): string {
  if (e.type === "entry") return `id: ${e.id}\nevent: entry\ndata: ${JSON.stringify(e.row)}\n\n`;
  if (e.type === "gap") return `id: ${e.id}\nevent: gap\ndata: ${JSON.stringify({ skippedFrom: e.skippedFrom, resumeFrom: e.id })}\n\n`;
  return `retry: 2000\nid: ${e.id}\nevent: ready\ndata: {}\n\n`;
}

export function accessLogStreamRoutes(db: Db, config: Config, log: (line: string) => void, options: { heartbeatMs?: number; pollMs?: number } = {}): Router {
  const tail = new LiveTail(db, config.provider, log, { pollMs: options.pollMs });
  const router = Router();
  router.get("/stream", async (req, res) => {
    if (!sameSite(req, config)) throw new AppError("FORBIDDEN", "The live tail opens only from Keyhouse's own pages.");
    const session = await sessionOfRequest(db, config, req);
    if (!session) throw new AppError("UNAUTHORIZED", "Sign in to follow the access log.");
    const filter = parseLiveTailFilter(req.query as Record<string, unknown>);
    const viewer = { id: session.user.id, isAdmin: session.user.role === "admin" };

    const pending: LiveTailEvent[] = [];
    let send = (e: LiveTailEvent) => void pending.push(e);
    let unsubscribe: () => void;
    try {
      unsubscribe = await tail.subscribe(viewer, filter, parseLastEventId(req.get("last-event-id")), (e) => send(e));
    } catch (e) {
      if (e instanceof TooManyStreams) throw new AppError("TOO_MANY_REQUESTS", e.message);
      throw e;
    }
    res.status(200);
    res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Accel-Buffering", "no"); // nginx: pass events through as they come
    res.flushHeaders();
    // A client that reads too slowly is dropped (it reconnects and resumes by ID) rather
    // than held in memory without bound.
    send = (e) => {
      if (res.destroyed) return;
      if (!res.write(frame(e)) && res.writableLength > 4 * 1024 * 1024) res.destroy();
    };
    for (const e of pending) send(e);
    const heartbeat = setInterval(() => res.destroyed || res.write(`: heartbeat\n\n`), options.heartbeatMs ?? HEARTBEAT_MS);
    res.on("close", () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  return router;
}
