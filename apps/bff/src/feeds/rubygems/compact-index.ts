// Bundler's compact index: /versions, /info/{gem} and /names. Yanked versions are left
// out, and a caller only sees the gems its key may read.
import { createHash } from "node:crypto";
import type { RequestHandler } from "express";
import type { Services } from "../../services.ts";
import { compactInfoFile, compactVersionsFile, type CompactInfoVersion } from "../formats/gem.ts";
import { listedGemVersions } from "../domain/rubygems.ts";
import { findPackage } from "../packages.ts";
import { gemFeed, readableListedGems } from "./gem-feed.ts";
import { sendIndexFile } from "./index-response.ts";
import { readStoredGem } from "./stored-gem.ts";
import { sendText } from "./text-responses.ts";

type VersionRow = { version: string; metadata: string };

function infoVersions(name: string, rows: VersionRow[]): CompactInfoVersion[] {
  return rows.flatMap((row) => {
    const gem = readStoredGem(row, name);
    if (!gem.sha256) return []; // without its checksum Bundler would refuse the download anyway
    return [
      {
        number: gem.version,
        platform: gem.platform,
        dependencies: gem.dependencies,
        checksum: gem.sha256,
        requiredRuby: gem.requiredRubyVersion,
        requiredRubygems: gem.requiredRubygemsVersion,
      },
    ];
  });
}

export function versionsFile(services: Services): RequestHandler {
  return async (req, res) => {
    const gems = (await readableListedGems(services, req, res)).map((pkg) => ({ pkg, info: infoVersions(pkg.name, pkg.versions) }));
    const entries = gems
      .filter((g) => g.info.length > 0)
      .map(({ pkg, info }) => ({
        name: pkg.name,
        versions: info.map((v) => ({ number: v.number, platform: v.platform })),
        infoChecksum: createHash("md5").update(compactInfoFile(info)).digest("hex"),
      }));
    // The newest push dates the file, so an unchanged feed keeps one body and one ETag.
    const newest = gems.flatMap((g) => g.pkg.versions.map((v) => v.createdAt.getTime())).reduce((a, b) => Math.max(a, b), 0);
    sendIndexFile(req, res, compactVersionsFile(entries, new Date(newest)));
  };
}

export function namesFile(services: Services): RequestHandler {
  return async (req, res) => {
    const gems = await readableListedGems(services, req, res);
    sendIndexFile(req, res, `---\n${gems.map((g) => `${g.name}\n`).join("")}`);
  };
}

export function infoFile(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await gemFeed(services, req);
    const name = String(req.params.gem);
    await services.feedAccess.check(req, res, feed, { action: "read", packageId: name });
    const pkg = await findPackage(services.db, feed.id, name);
    const rows = pkg ? await listedGemVersions(services.db, pkg.id) : [];
    const info = infoVersions(name, rows);
    if (!pkg || info.length === 0) return sendText(res, 404, `Gem "${name}" was not found in feed "${feed.name}".`);
    sendIndexFile(req, res, compactInfoFile(info));
  };
}
