// POST /api/leaks: leak reports from secret scanners, no sign-in (docs/threat-model.md).
// A thin adapter over keys/leaks.ts and keys/leak-rate-limit.ts. It is mounted before
// /api's body parsers, so the rate limit (in the database, shared by every instance) is
// checked before a byte of the body is read, and the body is read here with its own
// 64 KiB limit.
import express, { type Request, type RequestHandler, type Response, Router } from "express";
import { AppError } from "../errors.ts";
import { clientIp } from "../http/client-ip.ts";
import { takeLeakReport } from "../keys/leak-rate-limit.ts";
import { parseLeakReports, reportLeaks } from "../keys/leaks.ts";
import type { Services } from "../services.ts";

export const LEAK_BODY_LIMIT_BYTES = 64 * 1024;

export function leakRoutes(services: Services): Router {
  /** Both routes: the per-address limit first (shared by every instance), then the body read as text and parsed as JSON into req.body. */
  const limitedJsonBody = (notJson: string): RequestHandler[] => [
    async (req, _res, next) => {
      const wait = await takeLeakReport(services.db, clientIp(req));
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
      const reports = parseLeakReports(tokens.map((token) => ({ token, url: "", source: "TruffleHog" })));
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
