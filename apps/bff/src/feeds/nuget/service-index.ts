// The v3 service index, which tells NuGet clients where each resource lives, and the
// feed root, which nuget.exe 2.x GETs (without its API key) before pushing to it.
import type { Request, RequestHandler } from "express";
import type { Services } from "../../services.ts";
import { findPresentedKey } from "../../http/present-key.ts";
import { feedBaseUrl, nugetFeed } from "./context.ts";

export function serviceIndex(base: string) {
  const resource = (id: string, types: string[], comment: string) => types.map((type) => ({ "@id": id, "@type": type, comment }));
  return {
    version: "3.0.0",
    resources: [
      ...resource(
        `${base}/api/v2/package`,
        ["PackagePublish/2.0.0"],
        "Push with PUT (multipart .nupkg); unlist with DELETE {id}/{version}, relist with POST {id}/{version}.",
      ),
      ...resource(`${base}/v3-flatcontainer/`, ["PackageBaseAddress/3.0.0"], "Version lists and package downloads."),
      ...resource(
        `${base}/v3/registration/`,
        ["RegistrationsBaseUrl", "RegistrationsBaseUrl/3.0.0-beta", "RegistrationsBaseUrl/3.0.0-rc", "RegistrationsBaseUrl/3.6.0"],
        "Package metadata, SemVer 2.0.0 versions included.",
      ),
      ...resource(
        `${base}/v3/search`,
        ["SearchQueryService", "SearchQueryService/3.0.0-beta", "SearchQueryService/3.0.0-rc", "SearchQueryService/3.5.0"],
        "Search by id, title, description and tags.",
      ),
    ],
  };
}

export function serviceIndexHandler(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await nugetFeed(services, req);
    await services.feedAccess.check(req, res, feed, { action: "read" });
    res.setHeader("Cache-Control", "no-store");
    res.json(serviceIndex(feedBaseUrl(services.config, req, feed)));
  };
}

/**
 * nuget.exe 2.x GETs the source URL without its key before it pushes or deletes, and
 * asks for a user name on a 401, which fails a non-interactive push. The root therefore
 * answers without a key: it only names the feed's addresses, which say nothing about its
 * packages. A request that does present a key still has it checked.
 */
export function feedRootHandler(services: Services): RequestHandler {
  return async (req: Request, res) => {
    const feed = await nugetFeed(services, req);
    if (findPresentedKey(req, { kind: "feed", feed: "nuget", read: true })) await services.feedAccess.check(req, res, feed, { action: "read" });
    const base = feedBaseUrl(services.config, req, feed);
    res.setHeader("Cache-Control", "no-store");
    res.json({
      feed: feed.name,
      serviceIndex: `${base}/v3/index.json`,
      push: `${base}/api/v2/package`,
      message: `This is NuGet feed "${feed.name}". Point NuGet clients at ${base}/v3/index.json; nuget.exe 2.x may also push to and delete from this URL.`,
    });
  };
}

/** GET on the push URL: nuget.exe 2.x probes it first; anything but a 401 lets it go on. */
export const pushUrlProbeHandler =
  (services: Services): RequestHandler =>
  async (req, res) => {
    const feed = await nugetFeed(services, req);
    res.setHeader("Allow", "PUT");
    res
      .status(405)
      .json({ error: `Push packages to ${feedBaseUrl(services.config, req, feed)}/api/v2/package with PUT (multipart .nupkg and an X-NuGet-ApiKey header).` });
  };
