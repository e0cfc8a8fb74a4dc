// PackageBaseAddress/3.0.0: the version list and the downloads restore uses. Unlisted
// versions stay here, as on nuget.org, so builds that pin them keep restoring.
import type { RequestHandler } from "express";
import { AppError } from "../../errors.ts";
import { sendStoredFile, withLocalCopy } from "../storage/send.ts";
import { uploadTmpDir } from "../upload/receive.ts";
import type { Services } from "../../services.ts";
import { readNupkg } from "../formats/nuget.ts";
import { withFile } from "../formats/random-access.ts";
import { packageFileHeaders } from "../package-file-headers.ts";
import { versionKeysOf } from "../domain/nuget.ts";
import { findVersion, packageNotFound } from "../packages.ts";
import { nugetFeed, readablePackage, readFormat } from "./context.ts";
import { sortByVersion, versionKeyOf } from "./versions.ts";

export function versionListHandler(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await nugetFeed(services, req);
    const pkg = await readablePackage(services, req, res, feed);
    const rows = await versionKeysOf(services.db, pkg.id);
    res.setHeader("Cache-Control", "no-store");
    res.json({ versions: sortByVersion(rows).map((r) => r.versionLower) });
  };
}

/** GET {id}/{version}/{id}.{version}.nupkg, and {id}.nuspec (or {id}.{version}.nuspec) beside it. */
export function packageFileHandler(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await nugetFeed(services, req);
    const id = String(req.params.id);
    const version = String(req.params.version);
    const file = String(req.params.file).toLowerCase();
    const stem = `${id}.${version}`.toLowerCase();
    const kind = file === `${stem}.nupkg` ? "nupkg" : file === `${id.toLowerCase()}.nuspec` || file === `${stem}.nuspec` ? "nuspec" : null;
    if (!kind) {
      throw new AppError("NOT_FOUND", `There is no file "${req.params.file}" here: download ${stem}.nupkg or ${id.toLowerCase()}.nuspec.`);
    }
    const pkg = await readablePackage(services, req, res, feed);
    const found = await findVersion(services.db, feed.id, pkg.name, versionKeyOf(version));
    if (!found) throw packageNotFound(feed, pkg.name, version);
    const key = found.version.filePath;
    if (kind === "nuspec") {
      // Only the zip directory and the manifest are read, never the whole package (from a
      // store other than a folder, from a streamed temporary copy).
      const { nuspec } = await withLocalCopy(services.store, key, uploadTmpDir(services.config), services.log, (abs) =>
        withFile(abs, (file) => readFormat(() => readNupkg(file))),
      );
      res
        .set(packageFileHeaders(`${pkg.name}.nuspec`.toLowerCase()))
        .type("application/xml")
        .send(nuspec);
      return;
    }
    const name = `${pkg.name}.${found.version.versionLower}.nupkg`.toLowerCase();
    await sendStoredFile(req, res, services.store, key, {
      ranges: true,
      log: services.log,
      headers: {
        "Content-Type": "application/octet-stream",
        ...packageFileHeaders(name),
        // A version's bytes never change once pushed; private because feeds need a key.
        "Cache-Control": "private, max-age=31536000, immutable",
      },
    });
  };
}
