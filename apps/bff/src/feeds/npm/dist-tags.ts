// `npm dist-tag add` and `rm`: PUT /-/package/{name}/dist-tags/{tag} with the version as a
// JSON string, and DELETE. Moving a tag is a new-version-like change: "push" or "update".
import { badRequest, notFound } from "../../errors.ts";
import { isValidDistTag } from "../formats/npm.ts";
import { packageNotFound } from "../packages.ts";
import { readJsonBody, SMALL_BODY_LIMIT } from "./body.ts";
import { loadNpmPackage, removeDistTag, setDistTag } from "../domain/npm.ts";
import { packageToChange } from "./package-change.ts";
import { sendJson, type NpmContext } from "./context.ts";
import { visibleDistTags } from "./packument.ts";

export async function putDistTag(ctx: NpmContext, name: string, tag: string): Promise<void> {
  const pkg = await packageToChange(ctx, name, "push");
  if (!isValidDistTag(tag))
    throw badRequest(`"${tag.slice(0, 80)}" is not a valid dist-tag: use URL-safe characters and nothing that reads as a version range.`);
  const body = await readJsonBody(ctx.req, ctx.res, SMALL_BODY_LIMIT);
  if (typeof body !== "string" || body === "") throw badRequest('The request body must be the version as a JSON string, e.g. "1.0.0".');
  const row = pkg.versions.find((v) => v.listed && v.version === body);
  if (!row) throw packageNotFound(ctx.feed, name, body.slice(0, 80));
  await pkg.commit((tx) => setDistTag(tx, pkg.id, tag, row.version));
  const after = await loadNpmPackage(ctx.services.db, ctx.feed.id, name);
  sendJson(ctx.res, 200, { ok: true, id: pkg.name, "dist-tags": after ? visibleDistTags(after) : {} });
}

export async function deleteDistTag(ctx: NpmContext, name: string, tag: string): Promise<void> {
  const pkg = await packageToChange(ctx, name, "push");
  if (tag === "latest")
    throw badRequest('The "latest" dist-tag cannot be removed: npm installs it by default. Point it at another version with npm dist-tag add.');
  if (!pkg.distTags.some((t) => t.tag === tag)) throw notFound(`Package "${pkg.name}" has no dist-tag "${tag.slice(0, 80)}".`);
  await pkg.commit((tx) => removeDistTag(tx, pkg.id, tag));
  const after = await loadNpmPackage(ctx.services.db, ctx.feed.id, name);
  sendJson(ctx.res, 200, { ok: true, id: pkg.name, "dist-tags": after ? visibleDistTags(after) : {} });
}
