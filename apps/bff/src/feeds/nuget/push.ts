// PUT api/v2/package (and PUT on the feed root, where nuget.exe 2.x pushes when given
// the root URL). The key is checked before a byte of the body is read (every step that
// does not need the package); then the body streams to a temporary file, the .nupkg names
// its id and version, and the key is checked again against that package.
import type { Request, RequestHandler, Response } from "express";
import { AppError } from "../../errors.ts";
import type { Services } from "../../services.ts";
import { readNupkg } from "../formats/nuget.ts";
import { withFile } from "../formats/random-access.ts";
import { findPackage, ownerIdsOf, pushVersion } from "../packages.ts";
import type { FeedRow } from "../access.ts";
import { receiveUpload, uploadInfo, uploadTmpDir, type ReceivedUpload } from "../upload/receive.ts";
import { nugetFeed, readFormat } from "./context.ts";
import { nuspecFields } from "./metadata.ts";
import { packageFile } from "./upload.ts";
import { displayVersion } from "./versions.ts";

export function pushHandler(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await nugetFeed(services, req);
    await services.feedAccess.checkBeforeUpload(req, res, feed, "push");
    const tmpDir = uploadTmpDir(services.config);
    const upload = await receiveUpload(req, res, { limitBytes: services.config.maxUploadBytes, tmpDir });
    // The temporary files are gone before the answer is sent.
    let pushed: { name: string; version: string };
    try {
      pushed = await pushUpload(services, req, res, feed, upload, tmpDir);
    } finally {
      await upload.dispose();
    }
    res.status(201).json({ id: pushed.name, version: pushed.version, message: `Pushed ${pushed.name} ${pushed.version} to feed "${feed.name}".` });
  };
}

async function pushUpload(services: Services, req: Request, res: Response, feed: FeedRow, upload: ReceivedUpload, tmpDir: string) {
  if (upload.size === 0) {
    throw new AppError("BAD_REQUEST", "The request has no body. Upload the .nupkg as multipart/form-data, as nuget push does.");
  }
  const file = await packageFile(upload, req.get("content-type") ?? "", tmpDir);
  try {
    // The access log names the package itself, not the multipart envelope around it.
    res.locals.keyhouseUpload = uploadInfo(req, file, "application/zip (NuGet package)");
    const nupkg = await withFile(file.path, (f) => readFormat(() => readNupkg(f)));
    const existing = await findPackage(services.db, feed.id, nupkg.id);
    const caller = await services.feedAccess.check(req, res, feed, { action: "push", packageId: nupkg.id, existingOwnerIds: ownerIdsOf(existing) });
    const version = displayVersion(nupkg.version);
    const pushed = await pushVersion(
      services.db,
      services.store,
      {
        feed,
        name: existing?.name ?? nupkg.id,
        version,
        versionKey: nupkg.normalizedVersion,
        ext: "nupkg",
        source: { path: file.path },
        metadata: nuspecFields(nupkg),
        actorId: caller.user?.id ?? null,
        keyId: caller.keyId,
      },
      services.hooks,
    );
    return { name: pushed.package.name, version };
  } finally {
    await file.dispose();
  }
}
