// NuGet v2 reads under /nuget/{feed}/api/v2/ (docs/feeds.md): the OData paths have
// parentheses and quotes Express route patterns do not express, so one handler reads
// the path and dispatches. Paths it does not know fall through to the feed's 404.
import { Router, type ErrorRequestHandler, type Request, type RequestHandler } from "express";
import { AppError } from "../../../errors.ts";
import type { Services } from "../../../services.ts";
import { collectionHandler, downloadHandler, packageHandler, v2Root, type Collection } from "./handlers.ts";
import { metadataDocument, serviceDocument } from "./atom.ts";
import { ODataError } from "./parse.ts";
import { nugetFeed } from "../context.ts";

const COLLECTIONS: Record<string, Collection> = {
  Packages: "Packages",
  "Packages()": "Packages",
  "Search()": "Search",
  "FindPackagesById()": "FindPackagesById",
  "GetUpdates()": "GetUpdates",
};

/**
 * The service document and $metadata need a key where the feed does: nuget.exe 2.x
 * fetches the service document first, and only a 401 there makes it take the source's
 * credentials from NuGet.Config and keep them for the queries that follow.
 */
function describeHandler(services: Services, body: (root: string) => string): RequestHandler {
  return async (req: Request, res) => {
    const feed = await nugetFeed(services, req);
    await services.feedAccess.check(req, res, feed, { action: "read" });
    res.setHeader("Cache-Control", "no-store");
    res.type("application/xml;charset=utf-8").send(body(v2Root(services, req, feed)));
  };
}

export function nugetV2ReadRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  const service = describeHandler(services, serviceDocument);
  const metadata = describeHandler(services, metadataDocument);
  const download = downloadHandler(services);
  const entity = packageHandler(services);
  const collections = new Map(Object.entries(COLLECTIONS).map(([path, c]) => [path, collectionHandler(services, c)]));

  router.get("/{*path}", (req, res, next) => {
    const raw = req.path.replace(/^\/+/, "");
    let path: string;
    try {
      path = decodeURIComponent(raw);
    } catch {
      throw new AppError("BAD_REQUEST", "The request path is not valid percent-encoded text.");
    }
    if (path === "") return service(req, res, next);
    if (path === "$metadata") return metadata(req, res, next);
    const pkg = /^package\/([^/]+)\/([^/]+)\/?$/.exec(path);
    if (pkg) return download(req, res, next, pkg[1]!, pkg[2]!);
    const key = /^Packages\((.*)\)$/s.exec(path);
    if (key && key[1] !== "") return entity(req, res, next, key[1]!);
    const m = /^([A-Za-z]+(?:\(\))?)(\/\$count)?$/.exec(path);
    const collection = m && Object.hasOwn(COLLECTIONS, m[1]!) ? collections.get(m[1]!) : undefined;
    if (collection) return collection(req, res, next, m![1]!, Boolean(m![2]));
    next();
  });
  const badQuery: ErrorRequestHandler = (err, _req, _res, next) => next(err instanceof ODataError ? new AppError("BAD_REQUEST", err.message) : err);
  router.use(badQuery);
  return router;
}
