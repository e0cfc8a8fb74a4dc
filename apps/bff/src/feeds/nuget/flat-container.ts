// PackageBaseAddress/3.0.0: the version list and the downloads restore uses. Unlisted
// versions stay here, as on nuget.org, so builds that pin them keep restoring.
import { stat } from "node:fs/promises";
import type { NextFunction, RequestHandler, Response } from "express";
import { AppError } from "../../errors.ts";
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
  return async (req, res, next) => {
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
    const abs = services.store.absolute(found.version.filePath);
    if (kind === "nuspec") {
      // Only the zip directory and the manifest are read, never the whole package.
      const exists = await stat(abs).then(
        () => true,
        () => false,
      );
      if (!exists) throw missingFile(services, found.version.filePath);
      const { nuspec } = await withFile(abs, (file) => readFormat(() => readNupkg(file)));
      res.set(packageFileHeaders(`${pkg.name}.nuspec`.toLowerCase())).type("application/xml").send(nuspec);
      return;
    }
    const name = `${pkg.name}.${found.version.versionLower}.nupkg`.toLowerCase();
    sendPackage(services, res, next, abs, name, found.version.filePath);
  };
}

function sendPackage(services: Services, res: Response, next: NextFunction, abs: string, name: string, rel: string) {
  res.sendFile(
    abs,
    {
      dotfiles: "allow",
      cacheControl: false,
      headers: {
        "Content-Type": "application/octet-stream",
        ...packageFileHeaders(name),
        // A version's bytes never change once pushed; private because feeds need a key.
        "Cache-Control": "private, max-age=31536000, immutable",
      },
    },
    (err) => {
      if (!err || res.headersSent || res.destroyed) return;
      // Only a file that is not there is the store's fault; a range past the end (416) is the request's.
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return next(missingFile(services, rel));
      next(err);
    },
  );
}

function missingFile(services: Services, rel: string): AppError {
  services.log(`NuGet: the package file ${rel} is missing from the store`);
  return new AppError("INTERNAL", "The package file is missing on the server. Tell an administrator.");
}
