// Unlist (DELETE) and relist (POST) a version. NuGet never deletes through these
// endpoints: an unlisted version stays downloadable for restores that pin it.
import type { RequestHandler } from "express";
import type { Services } from "../../services.ts";
import { commitChange } from "../decide-at-commit.ts";
import { findPackage, findVersion, ownerIdsOf, packageNotFound, setListed } from "../packages.ts";
import { nugetFeed } from "./context.ts";
import { versionKeyOf } from "./versions.ts";

export function setListedHandler(services: Services, listed: boolean): RequestHandler {
  return async (req, res) => {
    const feed = await nugetFeed(services, req);
    const id = String(req.params.id);
    const version = String(req.params.version);
    const pkg = await findPackage(services.db, feed.id, id);
    if (!pkg) {
      // Nothing to unlist: whoever may read the feed may learn that, nobody else.
      await services.feedAccess.check(req, res, feed, { action: "read", packageId: id });
      throw packageNotFound(feed, id);
    }
    const caller = await services.feedAccess.check(req, res, feed, { action: "unlist", packageId: pkg.name, ownerIds: ownerIdsOf(pkg) ?? [] });
    const found = await findVersion(services.db, feed.id, pkg.name, versionKeyOf(version));
    if (!found) throw packageNotFound(feed, pkg.name, version);
    if (found.version.listed !== listed) {
      const check = { feed, packageId: pkg.name, keyId: caller.keyId, action: "unlist" } as const;
      await commitChange(services.db, services.hooks, check, (tx) => setListed(tx, found.version.id, listed));
    }
    res.status(204).end();
  };
}
