// What every NuGet handler starts from: the feed named in the path, the public address
// its documents point clients at, and format errors turned into the 400s clients show.
import type { Request, Response } from "express";
import type { Config } from "../../config.ts";
import { AppError } from "../../errors.ts";
import type { Services } from "../../services.ts";
import type { FeedRow } from "../access.ts";
import { FormatError } from "../formats/nuget.ts";
import { findPackage, packageNotFound } from "../packages.ts";

export function nugetFeed(services: Services, req: Request): Promise<FeedRow> {
  return services.feedAccess.feed(String(req.params.feed ?? ""), "nuget");
}

/**
 * The feed's root URL as clients must see it: PUBLIC_URL when set (behind a proxy the
 * request's own host may be an internal one), else the origin the request came to.
 */
export function feedBaseUrl(config: Config, req: Request, feed: FeedRow): string {
  const origin = config.publicUrl ?? `${req.protocol}://${req.get("host") ?? "localhost"}`;
  return `${origin}/nuget/${encodeURIComponent(feed.name)}`;
}

/** Runs a format reader; its FormatError becomes a 400 whose message names the problem. */
export function readFormat<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof FormatError) throw new AppError("BAD_REQUEST", err.message);
    throw err;
  }
}

/** The package named in the path, once the key may read it; 404 when the feed has no such id. */
export async function readablePackage(services: Services, req: Request, res: Response, feed: FeedRow) {
  const id = String(req.params.id);
  await services.feedAccess.check(req, res, feed, { action: "read", packageId: id });
  const pkg = await findPackage(services.db, feed.id, id);
  if (!pkg) throw packageNotFound(feed, id);
  return pkg;
}
