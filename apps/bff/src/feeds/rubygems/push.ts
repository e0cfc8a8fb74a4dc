// POST api/v1/gems: `gem push`. The key is checked before a byte of the body is read
// (every step that does not need the gem); then the .gem streams to a temporary file, its
// name, version and platform come from the gemspec inside, never from the request, and
// the key is checked again against that gem.
import type { RequestHandler } from "express";
import { badRequest } from "../../errors.ts";
import type { Services } from "../../services.ts";
import { readGemFile } from "../formats/gem.ts";
import { withFile } from "../formats/random-access.ts";
import { findPackage, ownerIdsOf, pushVersion } from "../packages.ts";
import { receiveUpload, uploadInfo, uploadTmpDir } from "../upload/receive.ts";
import { gemFeed } from "./gem-feed.ts";
import { gemTitle, gemVersionKey, versionWithPlatform } from "./names.ts";
import { sendSuccess } from "./text-responses.ts";

export function pushGem(services: Services): RequestHandler[] {
  return [
    async (req, res) => {
      const feed = await gemFeed(services, req);
      await services.feedAccess.checkBeforeUpload(req, res, feed, "push");
      const upload = await receiveUpload(req, res, { limitBytes: services.config.maxUploadBytes, tmpDir: uploadTmpDir(services.config) });
      let title: string;
      try {
        if (upload.size === 0) {
          throw badRequest("The request has no gem in its body. Push a file built by `gem build` with `gem push NAME-VERSION.gem --host URL`.");
        }
        res.locals.keyhouseUpload = uploadInfo(req, upload, "application/x-tar (gem)");
        const gem = await withFile(upload.path, (file) => readGemFile(file));
        const existing = await findPackage(services.db, feed.id, gem.name);
        const caller = await services.feedAccess.check(req, res, feed, { action: "push", packageId: gem.name, existingOwnerIds: ownerIdsOf(existing) });
        const name = existing?.name ?? gem.name;
        await pushVersion(
          services.db,
          services.store,
          {
            feed,
            name,
            version: versionWithPlatform(gem.version, gem.platform),
            versionKey: gemVersionKey(gem.version, gem.platform),
            ext: "gem",
            source: { path: upload.path },
            metadata: { ...gem },
            actorId: caller.user?.id ?? null,
            keyId: caller.keyId,
          },
          services.hooks,
        );
        title = gemTitle(name, gem.version, gem.platform);
      } finally {
        // The temporary file is gone before the answer is sent.
        await upload.dispose();
      }
      sendSuccess(res, `Successfully registered gem: ${title}`);
    },
  ];
}
