// Finding the gem version a file name names (gems/*.gem, quick/Marshal.4.8/*.gemspec.rz),
// after the caller has been allowed to read it. Yanked versions are gone from the feed.
import type { Request, Response } from "express";
import { notFound } from "../../errors.ts";
import type { Services } from "../../services.ts";
import type { FeedRow } from "../access.ts";
import { gemFileCandidates, gemVersionOf } from "../domain/rubygems.ts";

export async function readableGemFile(services: Services, req: Request, res: Response, feed: FeedRow, base: string) {
  const candidates = await gemFileCandidates(services.db, feed, base);
  for (const c of candidates) {
    const version = await gemVersionOf(services.db, c.pkg.id, c.versionKey);
    if (!version) continue;
    await services.feedAccess.check(req, res, feed, { action: "read", packageId: c.pkg.name });
    if (!version.listed) throw notFound(`Version ${version.version} of gem "${c.pkg.name}" was yanked from feed "${feed.name}".`);
    return { pkg: c.pkg, version };
  }
  // Nothing to serve; the caller still has to be allowed to learn that.
  const named = candidates[0];
  await services.feedAccess.check(req, res, feed, named ? { action: "read", packageId: named.pkg.name } : { action: "read" });
  throw notFound(
    named ? `Version ${named.label} of gem "${named.pkg.name}" was not found in feed "${feed.name}".` : `There is no gem "${base}" in feed "${feed.name}".`,
  );
}
