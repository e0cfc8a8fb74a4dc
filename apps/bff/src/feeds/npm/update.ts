// Writes that are not publishes, as npm 11 sends them. `npm deprecate` PUTs the whole
// packument back with `deprecated` set on some versions; `npm unpublish name@v` PUTs it to
// /{name}/-rev/{rev} without that version, then DELETEs the tarball; `npm unpublish name
// --force` DELETEs /{name}/-rev/{rev}. All of them need the "unlist" scope.
import { badRequest } from "../../errors.ts";
import { packageNotFound } from "../packages.ts";
import { applyVersionChanges, loadNpmPackage, unpublishAll, type VersionChanges } from "../domain/npm.ts";
import { assertRevision, checkDeprecation } from "./changes.ts";
import { packageToChange } from "./package-change.ts";
import { sendJson, type NpmContext } from "./context.ts";
import { listedVersions, revisionOf, type NpmPackage } from "./packument.ts";
import { versionFromTarballFile } from "./paths.ts";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function changesFrom(pkg: NpmPackage, body: Record<string, unknown>, feedName: string): VersionChanges {
  if (typeof body.name === "string" && body.name.toLowerCase() !== pkg.name.toLowerCase()) {
    throw badRequest(`The packument names "${body.name.slice(0, 80)}", not "${pkg.name}".`);
  }
  if (!isObject(body.versions)) throw badRequest("The packument has no versions object.");
  const listed = new Map(listedVersions(pkg).map((v) => [v.version, v]));
  const deprecations = new Map<number, string | null>();
  for (const [version, manifest] of Object.entries(body.versions)) {
    const row = listed.get(version);
    if (!row) {
      throw badRequest(
        `Version ${version.slice(0, 80)} of package "${pkg.name}" is not published in feed "${feedName}"; publish new versions with npm publish.`,
      );
    }
    if (!isObject(manifest)) throw badRequest(`versions["${version}"] must be an object.`);
    const d = manifest.deprecated;
    if (d !== undefined && d !== null && typeof d !== "string") throw badRequest(`versions["${version}"].deprecated must be a string (empty to undeprecate).`);
    const wanted = typeof d === "string" && d !== "" ? checkDeprecation(d) : null;
    if (wanted !== (row.deprecated ?? null)) deprecations.set(row.id, wanted);
  }
  const unpublish = [...listed.values()].filter((v) => !Object.hasOwn(body.versions as object, v.version));
  return { deprecations, unpublish };
}

/**
 * npm removes versions only through PUT /{name}/-rev/{rev}, and never all of them (it
 * DELETEs the package instead); anything else that leaves versions out is a mistake.
 */
function checkRemovals(pkg: NpmPackage, changes: VersionChanges, viaRev: boolean): void {
  if (changes.unpublish.length === 0) return;
  const list =
    changes.unpublish
      .slice(0, 5)
      .map((v) => v.version)
      .join(", ") + (changes.unpublish.length > 5 ? ", …" : "");
  if (!viaRev) throw badRequest(`The packument leaves out version(s) ${list} of package "${pkg.name}". To unpublish, use npm unpublish.`);
  if (changes.unpublish.length === listedVersions(pkg).length) {
    throw badRequest(`The packument leaves out every version of package "${pkg.name}". To unpublish the whole package, use npm unpublish ${pkg.name} --force.`);
  }
}

/** PUT /{name} without attachments, or PUT /{name}/-rev/{rev}. */
export async function updatePackument(ctx: NpmContext, name: string, body: unknown, revInPath?: string): Promise<void> {
  if (!isObject(body)) throw badRequest("The request body must be a JSON object (a packument).");
  const pkg = await packageToChange(ctx, name, "unlist");
  assertRevision(pkg, revInPath);
  assertRevision(pkg, typeof body._rev === "string" ? body._rev : undefined);
  const changes = changesFrom(pkg, body, ctx.feed.name);
  checkRemovals(pkg, changes, revInPath !== undefined);
  await pkg.commit((tx) => applyVersionChanges(tx, pkg, changes));
  const after = await loadNpmPackage(ctx.services.db, ctx.feed.id, name);
  sendJson(ctx.res, 200, { ok: true, id: pkg.name, rev: after ? revisionOf(after) : undefined });
}

/** DELETE /{name}/-rev/{rev}: every version. */
export async function unpublishPackage(ctx: NpmContext, name: string, rev: string): Promise<void> {
  const pkg = await packageToChange(ctx, name, "unlist");
  assertRevision(pkg, rev);
  await pkg.commit((tx) => unpublishAll(tx, pkg));
  sendJson(ctx.res, 200, { ok: true, id: pkg.name });
}

/** DELETE /{name}/-/{file}.tgz/-rev/{rev}: one version (npm sends it after removing the version from the packument). */
export async function unpublishTarball(ctx: NpmContext, name: string, file: string, rev: string): Promise<void> {
  const pkg = await packageToChange(ctx, name, "unlist");
  assertRevision(pkg, rev);
  const version = versionFromTarballFile(name, file);
  const row = version && pkg.versions.find((v) => v.versionLower === version.toLowerCase());
  if (!row) throw packageNotFound(ctx.feed, name, version ?? file.slice(0, 120));
  if (row.listed) await pkg.commit((tx) => applyVersionChanges(tx, pkg, { deprecations: new Map(), unpublish: [row] }));
  sendJson(ctx.res, 200, { ok: true, id: pkg.name });
}
