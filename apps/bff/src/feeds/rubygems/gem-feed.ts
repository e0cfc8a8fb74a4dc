// The RubyGems feed a request names, and which of its gems the caller may read.
import type { Request, Response } from "express";
import { AppError } from "../../errors.ts";
import type { Services } from "../../services.ts";
import type { FeedRow } from "../access.ts";
import { listedGems } from "../domain/rubygems.ts";

export function gemFeed(services: Services, req: Request): Promise<FeedRow> {
  return services.feedAccess.feed(String(req.params.feed), "rubygems");
}

/**
 * Keeps the packages the caller may read, asking the one access gate per package (its
 * caches make that cheap), so an index never lists a gem outside the key's packages.
 * Throws the 401/403 for a missing or invalid key first, like any other read.
 */
export async function readableOnly<T extends { name: string }>(services: Services, req: Request, res: Response, feed: FeedRow, packages: T[]): Promise<T[]> {
  await services.feedAccess.check(req, res, feed, { action: "read" });
  const readable: T[] = [];
  for (const pkg of packages) {
    try {
      await services.feedAccess.check(req, res, feed, { action: "read", packageId: pkg.name });
      readable.push(pkg);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== "FORBIDDEN") throw e;
    }
  }
  return readable;
}

/** The gems of the request's feed with listed (not yanked) versions that the caller may read. */
export async function readableListedGems(services: Services, req: Request, res: Response) {
  const feed = await gemFeed(services, req);
  const packages = await listedGems(services.db, feed.id);
  return readableOnly(services, req, res, feed, packages);
}
