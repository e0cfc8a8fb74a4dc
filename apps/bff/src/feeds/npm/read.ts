// The npm feed's reads: packuments (full and abbreviated), single versions, tarballs,
// dist-tags, whoami and ping.
import { AppError, notFound } from "../../errors.ts";
import { acceptedWays } from "../../http/present-key.ts";
import { isValidSemver } from "../formats/npm.ts";
import { packageFileHeaders } from "../package-file-headers.ts";
import { packageNotFound } from "../packages.ts";
import { sendStoredFile } from "../storage/send.ts";
import type { CachedPackage } from "./cache.ts";
import { callerName, check, sendJson, type NpmContext } from "./context.ts";
import { listedVersions, versionManifest, visibleDistTags, type NpmPackage } from "./packument.ts";
import { versionFromTarballFile } from "./paths.ts";

const ABBREVIATED_TYPE = "application/vnd.npm.install-v1+json";

/** The package, when it has anything npm may see; otherwise the 404 npm expects. */
async function visiblePackage(ctx: NpmContext, name: string): Promise<CachedPackage & { pkg: NpmPackage }> {
  // npm reads with ?write=true right before it writes back with the _rev it got: never stale.
  if (ctx.req.query.write === "true") ctx.cache.invalidate(ctx.feed.id, name);
  const cached = await ctx.cache.get(ctx.feed.id, name);
  if (!cached.pkg?.versions.some((v) => v.listed)) throw packageNotFound(ctx.feed, name);
  return cached as CachedPackage & { pkg: NpmPackage };
}

function wantsAbbreviated(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => part.trim().toLowerCase().startsWith(ABBREVIATED_TYPE) && !/;\s*q=0(\.0*)?\s*(;|$)/.test(part));
}

export async function getPackument(ctx: NpmContext, name: string): Promise<void> {
  const { req, res } = ctx;
  await check(ctx, { action: "read", packageId: name });
  const abbreviated = wantsAbbreviated(req.get("accept"));
  const { body, etag } = (await visiblePackage(ctx, name)).render(abbreviated, ctx.baseUrl);
  res.setHeader("ETag", etag);
  res.setHeader("Vary", "Accept, Authorization");
  res.setHeader("Cache-Control", "private, no-cache");
  if (
    req
      .get("if-none-match")
      ?.split(/\s*,\s*/)
      .includes(etag)
  ) {
    res.status(304).end();
    return;
  }
  res.status(200).setHeader("Content-Type", abbreviated ? `${ABBREVIATED_TYPE}; charset=utf-8` : "application/json; charset=utf-8");
  res.end(body);
}

/** GET /{name}/{version or tag}: one version's manifest. */
export async function getVersion(ctx: NpmContext, name: string, spec: string): Promise<void> {
  await check(ctx, { action: "read", packageId: name });
  const { pkg } = await visiblePackage(ctx, name);
  const listed = listedVersions(pkg);
  const tags = visibleDistTags(pkg, listed);
  const version = Object.hasOwn(tags, spec) ? tags[spec]! : spec;
  const row = listed.find((v) => v.version === version);
  if (!row) throw packageNotFound(ctx.feed, name, spec);
  ctx.res.setHeader("Cache-Control", "private, no-cache");
  sendJson(ctx.res, 200, versionManifest(pkg, row, ctx.baseUrl));
}

export async function getTarball(ctx: NpmContext, name: string, file: string): Promise<void> {
  const { req, res, services } = ctx;
  await check(ctx, { action: "read", packageId: name });
  const version = versionFromTarballFile(name, file);
  if (!version || !isValidSemver(version))
    throw notFound(`"${file.slice(0, 120)}" is not a tarball of package "${name}" (expected ${name.slice(name.lastIndexOf("/") + 1)}-<version>.tgz).`);
  const { pkg } = await ctx.cache.get(ctx.feed.id, name);
  const row = pkg?.versions.find((v) => v.listed && v.versionLower === version.toLowerCase());
  if (!row) throw packageNotFound(ctx.feed, name, version);
  await sendStoredFile(req, res, services.store, row.filePath, {
    ranges: true,
    log: services.log,
    headers: { "Content-Type": "application/octet-stream", "Cache-Control": "private, max-age=86400", ...packageFileHeaders(file) },
  });
}

export async function getDistTags(ctx: NpmContext, name: string): Promise<void> {
  await check(ctx, { action: "read", packageId: name });
  const { pkg } = await visiblePackage(ctx, name);
  ctx.res.setHeader("Cache-Control", "private, no-cache");
  sendJson(ctx.res, 200, visibleDistTags(pkg));
}

export async function whoami(ctx: NpmContext): Promise<void> {
  const caller = await check(ctx, { action: "read" });
  // A feed open to anonymous reads lets a keyless read through; whoami still needs a key.
  if (caller.keyId === null) {
    throw new AppError("UNAUTHORIZED", `This request needs an API key. Present it in ${acceptedWays({ kind: "feed", feed: "npm", read: true })}.`);
  }
  sendJson(ctx.res, 200, { username: callerName(caller) });
}

export function ping(ctx: NpmContext): void {
  sendJson(ctx.res, 200, {});
}
