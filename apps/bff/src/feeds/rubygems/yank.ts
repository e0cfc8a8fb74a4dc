// DELETE api/v1/gems/yank: `gem yank`. It sends gem_name, version and platform as a form
// body; query parameters are accepted too. A yanked version leaves the index and can no
// longer be downloaded; its row stays, so the version number is never reused.
import express, { type Request, type RequestHandler } from "express";
import { badRequest } from "../../errors.ts";
import type { Services } from "../../services.ts";
import { commitChange } from "../decide-at-commit.ts";
import { findPackage, ownerIdsOf, setListed } from "../packages.ts";
import { gemFeed } from "./gem-feed.ts";
import { gemVersionOf } from "../domain/rubygems.ts";
import { gemTitle, gemVersionKey, isRubyPlatform } from "./names.ts";
import { sendSuccess, sendText } from "./text-responses.ts";

function param(req: Request, name: string): string | undefined {
  for (const source of [req.body, req.query] as unknown[]) {
    const v = source && typeof source === "object" ? (source as Record<string, unknown>)[name] : undefined;
    if (typeof v === "string" && v.trim()) return v.trim();
  }
  return undefined;
}

export function yankGem(services: Services): RequestHandler[] {
  return [
    express.urlencoded({ extended: false, limit: "16kb" }),
    async (req, res) => {
      const feed = await gemFeed(services, req);
      const name = param(req, "gem_name");
      const version = param(req, "version");
      const platform = param(req, "platform");
      if (!name || !version) throw badRequest("Say which gem version to yank: gem_name and version are required (platform is optional).");

      const pkg = await findPackage(services.db, feed.id, name);
      if (!pkg) {
        await services.feedAccess.check(req, res, feed, { action: "read", packageId: name });
        return sendText(res, 404, `Gem "${name}" was not found in feed "${feed.name}".`);
      }
      const caller = await services.feedAccess.check(req, res, feed, { action: "unlist", packageId: pkg.name, ownerIds: ownerIdsOf(pkg)! });
      const title = gemTitle(pkg.name, version, isRubyPlatform(platform) ? null : platform);
      const versionLower = gemVersionKey(version, platform);
      const row = await gemVersionOf(services.db, pkg.id, versionLower);
      if (!row) return sendText(res, 404, `The version ${title} was not found in feed "${feed.name}".`);
      if (!row.listed) return sendText(res, 422, `The version ${title} has already been yanked.`);
      const check = { feed, packageId: pkg.name, keyId: caller.keyId, action: "unlist" } as const;
      await commitChange(services.db, services.hooks, check, (tx) => setListed(tx, row.id, false));
      sendSuccess(res, `Successfully deleted gem: ${title}`);
    },
  ];
}
