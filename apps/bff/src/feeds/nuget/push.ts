// PUT api/v2/package (and PUT on the feed root, where nuget.exe 2.x pushes when given
// the root URL): the .nupkg names its id and version, so the package is read before the
// key is checked against it.
import express, { type RequestHandler } from "express";
import { AppError } from "../../errors.ts";
import { presentedKey } from "../../http/present-key.ts";
import type { Services } from "../../services.ts";
import { readNupkg } from "../formats/nuget.ts";
import { findPackage, ownerIdsOf, pushVersion } from "../packages.ts";
import { nugetFeed, readFormat } from "./context.ts";
import { nuspecFields } from "./metadata.ts";
import { packageBytes } from "./upload.ts";
import { displayVersion } from "./versions.ts";

export const PACKAGE_LIMIT_BYTES = 250 * 1024 * 1024;

const readBody = express.raw({ type: () => true, limit: PACKAGE_LIMIT_BYTES });

export const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `The package is larger than the ${PACKAGE_LIMIT_BYTES / (1024 * 1024)} MB limit.`);

/**
 * Buffers any body up to the limit; nuget push sends multipart, others the raw .nupkg.
 * A declared length over the limit is refused at once: the body parser would first
 * drain the whole upload, and the connection is closed rather than read to its end.
 */
export const packageBody: RequestHandler = (req, res, next) => {
  if (Number(req.get("content-length") ?? 0) > PACKAGE_LIMIT_BYTES) {
    res.setHeader("Connection", "close");
    throw tooLarge();
  }
  readBody(req, res, next);
};

/**
 * Before the body is buffered: an upload without any key is refused at once (with the
 * same 401 FeedAccess gives), so anonymous callers cannot make the server hold 250 MB;
 * Node discards the unread rest of the body.
 */
export function refuseKeylessUpload(services: Services): RequestHandler {
  return async (req, res, next) => {
    const feed = await nugetFeed(services, req);
    if (!presentedKey(req, { kind: "feed", feed: "nuget", read: false })) {
      await services.feedAccess.check(req, res, feed, { action: "push", packageId: "", existingOwnerIds: null });
    }
    next();
  };
}

export function pushHandler(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await nugetFeed(services, req);
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new AppError("BAD_REQUEST", "The request has no body. Upload the .nupkg as multipart/form-data, as nuget push does.");
    }
    const bytes = packageBytes(body, req.get("content-type") ?? "");
    const nupkg = readFormat(() => readNupkg(bytes));
    const existing = await findPackage(services.db, feed.id, nupkg.id);
    const caller = await services.feedAccess.check(req, res, feed, { action: "push", packageId: nupkg.id, existingOwnerIds: ownerIdsOf(existing) });
    const version = displayVersion(nupkg.version);
    const pushed = await pushVersion(services.db, services.store, {
      feed,
      name: existing?.name ?? nupkg.id,
      version,
      versionKey: nupkg.normalizedVersion,
      ext: "nupkg",
      bytes,
      metadata: nuspecFields(nupkg),
      actorId: caller.user?.id ?? null,
      keyId: caller.keyId,
    }, services.hooks);
    res.status(201).json({ id: pushed.package.name, version, message: `Pushed ${pushed.package.name} ${version} to feed "${feed.name}".` });
  };
}
