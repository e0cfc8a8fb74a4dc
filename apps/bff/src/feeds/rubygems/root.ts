// The feed's root and the endpoints this feed deliberately does not offer.
import type { RequestHandler } from "express";
import type { Services } from "../../services.ts";
import { gemFeed } from "./gem-feed.ts";
import { sendText } from "./text-responses.ts";

/**
 * `gem install --source URL` first asks for URL/; a 2xx makes it use the compact index
 * (info/{gem}, then quick/ and gems/), anything else the legacy Marshal indexes.
 */
export function feedRoot(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await gemFeed(services, req);
    await services.feedAccess.check(req, res, feed, { action: "read" });
    sendText(res, 200, `Keyhouse RubyGems feed "${feed.name}". Push with \`gem push GEM --host URL\`; install with Bundler or \`gem install --source URL\`.`);
  };
}

/** Bundler tries this API only when the compact index is missing; a 404 sends it back there. */
export function noDependencyApi(services: Services): RequestHandler {
  return async (req, res) => {
    await gemFeed(services, req);
    sendText(res, 404, "This feed does not offer the dependency API; clients use the compact index (versions, info/GEM).");
  };
}
