// The Express app: one origin for the SPA, tRPC, the APIs and the feeds.
import { existsSync } from "node:fs";
import path from "node:path";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type ErrorRequestHandler, type Request } from "express";
import helmet from "helmet";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { databaseAnswers } from "../db/health.ts";
import { csrfTokenMatches } from "../auth/sessions.ts";
import { AppError } from "../errors.ts";
import { appRouter } from "../trpc/router.ts";
import type { Context } from "../trpc/init.ts";
import { BODY_LIMIT_BYTES, describeBytes } from "./limits.ts";
import { clientIp } from "./client-ip.ts";
import { errorReply } from "./error-reply.ts";
import { createServices, type Services } from "../services.ts";
import { accessLogCapture } from "../logs/capture.ts";
import { nugetRoutes } from "../feeds/nuget/routes.ts";
import { npmRoutes } from "../feeds/npm/routes.ts";
import { rubygemsRoutes } from "../feeds/rubygems/routes.ts";
import { apiRoutes } from "../api/routes.ts";
import { leakRoutes } from "../api/leaks.ts";
import { accessLogExportRoutes } from "./exports.ts";
import { accessLogStreamRoutes } from "./access-log-stream.ts";
import { sessionOfRequest } from "./session.ts";

export type AppDeps = { db: Db; config: Config; log?: (line: string) => void; services?: Services };

export function createApp({ db, config, log = (l) => console.error(l), services = createServices(db, config, log) }: AppDeps) {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  app.set("etag", false);

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          "default-src": ["'self'"],
          "script-src": ["'self'"],
          "style-src": ["'self'"],
          "img-src": ["'self'", "data:"],
          "connect-src": ["'self'"],
          "font-src": ["'self'"],
          "object-src": ["'none'"],
          "base-uri": ["'self'"],
          "form-action": ["'self'"],
          "frame-ancestors": ["'none'"],
        },
      },
      // Over plain http on localhost an HSTS header would only confuse browsers.
      strictTransportSecurity: config.publicUrl?.startsWith("https://") ? undefined : false,
    }),
  );

  app.get("/healthz", async (_req, res) => {
    if (await databaseAnswers(db)) {
      res.json({ status: "ok", accessLog: services.accessLog.stats() });
    } else {
      res.status(503).json({ status: "unavailable", error: "The database is not answering." });
    }
  });

  app.use(
    "/trpc",
    createExpressMiddleware({
      router: appRouter,
      maxBodySize: BODY_LIMIT_BYTES,
      createContext: async ({ req, res }): Promise<Context> => {
        const session = await sessionOfRequest(db, config, req);
        return { db, config, services, session, ip: clientIp(req), userAgent: req.get("user-agent"), req, res, csrfOk: csrfOk(req, session?.csrfToken) };
      },
      onError({ error, path: procedure }) {
        if (error.code === "INTERNAL_SERVER_ERROR") log(`tRPC ${procedure ?? "?"} failed: ${error.cause?.stack ?? error.stack}`);
      },
    }),
  );

  // Access-log exports (CSV, NDJSON), signed in with the session cookie.
  app.use("/exports", accessLogExportRoutes(db, config, log));
  // The access log's live tail (Server-Sent Events), signed in with the session cookie.
  app.use("/api/access-logs", accessLogStreamRoutes(db, config, log));

  app.use(["/nuget", "/npm", "/rubygems"], accessLogCapture(services.accessLog, "feeds"));
  app.use("/api/json", accessLogCapture(services.accessLog, "native"));
  app.use("/api/api-keys", accessLogCapture(services.accessLog, "keys"));

  app.use("/nuget/:feed", nugetRoutes(services));
  app.use("/npm/:feed", npmRoutes(services));
  app.use("/rubygems/:feed", rubygemsRoutes(services));

  // Before the body parsers: its rate limit is checked before the body is read (api/leaks.ts).
  app.use("/api/leaks", leakRoutes(services));
  app.use("/api", express.json({ limit: BODY_LIMIT_BYTES }), express.urlencoded({ extended: false, limit: BODY_LIMIT_BYTES }));
  app.use("/api", apiRoutes(services));

  app.all("/api/{*rest}", (req) => {
    throw new AppError(
      "NOT_FOUND",
      `There is no API endpoint at ${req.method} ${req.path}. The Native API is at /api/json/{Method} and the key-management API at /api/api-keys/; both are described at /api/openapi.json.`,
    );
  });

  const webDist = config.webDist;
  if (existsSync(path.join(webDist, "index.html"))) {
    app.use(express.static(webDist, { index: false, maxAge: "1h", immutable: false }));
    // Client-side routes: every other GET that accepts HTML gets the SPA.
    app.get("/{*rest}", (req, res, next) => {
      if (!req.accepts("html")) return next();
      res.setHeader("Cache-Control", "no-store");
      res.sendFile(path.join(webDist, "index.html"));
    });
  }

  app.use((req, res) => {
    res.status(404).json({ error: `Nothing is served at ${req.method} ${req.path}.` });
  });

  app.use(errorHandler(log));
  return app;
}

/** A mutation must prove it came from our own pages: the session's token, or before sign-in any token plus a same-origin Origin. */
function csrfOk(req: Request, expected: string | undefined): boolean {
  const given = req.get("x-csrf-token");
  if (expected) return csrfTokenMatches(expected, given);
  if (!given) return false;
  const origin = req.get("origin");
  return !origin || origin === `${req.protocol}://${req.get("host")}`;
}

function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, message } = errorReply(err, res, {
      tooLarge: () => `The request body is larger than the ${describeBytes(BODY_LIMIT_BYTES)} limit.`,
      notJson: "The request body is not valid JSON.",
      failed: () => log(`${req.method} ${req.path} failed: ${(err as Error)?.stack ?? String(err)}`),
    });
    if (res.headersSent) return res.end();
    res.status(status).json({ error: message });
  };
}
