// What every npm handler gets: the services, the feed, and the registry URL as the client
// sees it (tarball URLs in packuments must point back at this server, or npm would send
// its token nowhere, or somewhere else).
import type { Request, Response } from "express";
import { AppError } from "../../errors.ts";
import type { Services } from "../../services.ts";
import type { CallerOnFeed } from "../../auth/caller.ts";
import type { FeedOperation, FeedRow } from "../access.ts";
import type { PackumentCache } from "./cache.ts";

export type NpmContext = {
  services: Services;
  feed: FeedRow;
  /** Ends with "/": "http://host/npm/{feed}/". */
  baseUrl: string;
  req: Request;
  res: Response;
  cache: PackumentCache;
};

/** Runs a write, then drops the package's cached packument whether or not it succeeded. */
export async function writing<T>(ctx: NpmContext, name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } finally {
    ctx.cache.invalidate(ctx.feed.id, name);
  }
}

export function registryBaseUrl(req: Request, services: Services, feed: FeedRow): string {
  const origin = services.config.publicUrl?.replace(/\/+$/, "") || `${req.protocol}://${req.get("host") ?? "localhost"}`;
  return `${origin}/npm/${encodeURIComponent(feed.name)}/`;
}

export function check(ctx: NpmContext, op: FeedOperation): Promise<CallerOnFeed> {
  return ctx.services.feedAccess.check(ctx.req, ctx.res, ctx.feed, op);
}

/** The user name npm shows for the caller (whoami, _npmUser). */
export function callerName(caller: CallerOnFeed): string {
  return caller.user?.username ?? "api-key-user";
}

export function sendJson(res: Response, status: number, body: unknown, contentType = "application/json; charset=utf-8"): void {
  res.status(status).setHeader("Content-Type", contentType);
  res.end(JSON.stringify(body));
}

/**
 * npm replaces the message of a 401 that carries a Basic challenge with a generic
 * "Incorrect or missing password" hint (it never answers challenges itself), so the npm
 * CLI gets the 401 without the challenge and prints the message instead. Browsers and
 * other clients still get WWW-Authenticate.
 */
export function forNpmCli(req: Request, err: unknown): unknown {
  if (err instanceof AppError && err.code === "UNAUTHORIZED" && err.extra.headers?.["WWW-Authenticate"] && /^npm\//.test(req.get("user-agent") ?? "")) {
    const { "WWW-Authenticate": _challenge, ...headers } = err.extra.headers;
    return new AppError("UNAUTHORIZED", err.message, { ...err.extra, headers });
  }
  return err;
}
