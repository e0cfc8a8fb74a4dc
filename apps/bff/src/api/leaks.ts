// POST /api/leaks: leak reports from secret scanners, no sign-in (docs/threat-model.md).
// A thin adapter over keys/leaks.ts. It is mounted before /api's body parsers, so the
// rate limit is checked before a byte of the body is read, and the body is read here with
// its own 64 KiB limit.
import express, { type Request, type RequestHandler, type Response, Router } from "express";
import { AppError } from "../errors.ts";
import { clientIp } from "../http/client-ip.ts";
import { parseLeakReports, reportLeaks } from "../keys/leaks.ts";
import type { Services } from "../services.ts";

export const LEAK_BODY_LIMIT_BYTES = 64 * 1024;
const REPORTS_PER_WINDOW = 10;
const WINDOW_MS = 60_000;
const MAX_ADDRESSES = 10_000;

/**
 * Per address and per instance, bounded in memory (at most MAX_ADDRESSES addresses, the
 * oldest window dropped first): N instances allow N times the rate, which still bounds
 * the lookups a flood can cause, and costs the database nothing.
 */
export class LeakRateLimit {
  private windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly clock: () => number = Date.now,
    private readonly perWindow = REPORTS_PER_WINDOW,
  ) {}

  /** Seconds to wait, or 0 when this report may go ahead (and is counted). */
  take(address: string): number {
    const now = this.clock();
    const w = this.windows.get(address);
    if (w && now - w.start < WINDOW_MS) {
      if (w.count >= this.perWindow) return Math.ceil((w.start + WINDOW_MS - now) / 1000);
      w.count++;
      return 0;
    }
    this.windows.delete(address);
    if (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(address, { start: now, count: 1 });
    return 0;
  }
}

export function leakRoutes(services: Services, limit = new LeakRateLimit()): Router {
  /** Both routes: the per-address limit first, then the body read as text and parsed as JSON into req.body. */
  const limitedJsonBody = (notJson: string): RequestHandler[] => [
    (req, _res, next) => {
      const wait = limit.take(clientIp(req));
      if (wait > 0)
        throw new AppError("TOO_MANY_REQUESTS", `Too many leak reports from your address. Try again in ${wait} seconds.`, {
          retryAfterSeconds: wait,
          headers: { "Retry-After": String(wait) },
        });
      next();
    },
    express.text({ type: () => true, limit: LEAK_BODY_LIMIT_BYTES }),
    (req, _res, next) => {
      try {
        req.body = JSON.parse(typeof req.body === "string" ? req.body : "");
      } catch {
        throw new AppError("BAD_REQUEST", notJson);
      }
      next();
    },
  ];
  const router = Router();
  router.post(
    "/",
    ...limitedJsonBody('The body is not JSON. Send a JSON array of {"token", "url", "source"} objects.'),
    async (req: Request, res: Response) => {
      const body: unknown = req.body;
      const reports = parseLeakReports(body);
      const labels = await reportLeaks({ db: services.db, secret: services.config.secret }, reports, clientIp(req));
      // This instance forgets cached keys at once; others within the cache's second (keys/verify.ts).
      if (labels.some((l) => l.label === "true_positive")) services.keys.invalidate();
      res.json(labels);
    },
  );
  // TruffleHog's custom-detector verification (docs/secret-scanning/trufflehog.yaml): it posts
  // {"<detector>": {"<regex name>": ["match", …]}} and counts a 200 as verified. Same limits,
  // same revocation; 200 when a live key was among the matches, else 403.
  router.post(
    "/trufflehog",
    ...limitedJsonBody('The body is not JSON. TruffleHog sends {"<detector>": {"<regex name>": ["match"]}}.'),
    async (req: Request, res: Response) => {
      const body: unknown = req.body;
      const tokens = [
        ...new Set(
          Object.values(body && typeof body === "object" ? body : {}).flatMap((d) => (d && typeof d === "object" ? Object.values(d as object).flat() : [])),
        ),
      ];
      const reports = parseLeakReports(tokens.map((token) => ({ token, url: "(reported by TruffleHog; no location given)", source: "trufflehog" })));
      const labels = await reportLeaks({ db: services.db, secret: services.config.secret }, reports, clientIp(req));
      const found = labels.some((l) => l.label === "true_positive");
      if (found) services.keys.invalidate();
      res.status(found ? 200 : 403).json(labels);
    },
  );
  router.all("/", (req) => {
    throw new AppError("METHOD_NOT_ALLOWED", `Use POST for /api/leaks, not ${req.method}.`);
  });
  return router;
}
