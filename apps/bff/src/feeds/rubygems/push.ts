// POST api/v1/gems: `gem push`. The body is the .gem itself; its name, version and
// platform come from the gemspec inside, never from the request.
import express, { type RequestHandler } from "express";
import { AppError, badRequest } from "../../errors.ts";
import { describeBytes } from "../../http/limits.ts";
import type { Services } from "../../services.ts";
import { readGem } from "../formats/gem.ts";
import { findPackage, ownerIdsOf, pushVersion } from "../packages.ts";
import { gemFeed } from "./gem-feed.ts";
import { gemTitle, gemVersionKey, versionWithPlatform } from "./names.ts";
import { GEM_BODY_LIMIT_BYTES, sendSuccess } from "./text-responses.ts";

export function pushGem(services: Services): RequestHandler[] {
  return [
    // Refused up front rather than after reading 250 MB that will be thrown away.
    (req, _res, next) => {
      const declared = Number(req.get("content-length"));
      if (declared > GEM_BODY_LIMIT_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `The request body is larger than the ${describeBytes(GEM_BODY_LIMIT_BYTES)} limit.`);
      next();
    },
    express.raw({ type: () => true, limit: GEM_BODY_LIMIT_BYTES }),
    async (req, res) => {
      const feed = await gemFeed(services, req);
      const bytes: unknown = req.body;
      if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
        throw badRequest("The request has no gem in its body. Push a file built by `gem build` with `gem push NAME-VERSION.gem --host URL`.");
      }
      const gem = readGem(bytes);
      const existing = await findPackage(services.db, feed.id, gem.name);
      const caller = await services.feedAccess.check(req, res, feed, { action: "push", packageId: gem.name, existingOwnerIds: ownerIdsOf(existing) });
      const name = existing?.name ?? gem.name;
      await pushVersion(services.db, services.store, {
        feed,
        name,
        version: versionWithPlatform(gem.version, gem.platform),
        versionKey: gemVersionKey(gem.version, gem.platform),
        ext: "gem",
        bytes,
        metadata: { ...gem },
        actorId: caller.user?.id ?? null,
        keyId: caller.keyId,
      }, services.hooks);
      sendSuccess(res, `Successfully registered gem: ${gemTitle(name, gem.version, gem.platform)}`);
    },
  ];
}
