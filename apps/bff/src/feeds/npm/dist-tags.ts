// `npm dist-tag add` and `rm`: PUT /-/package/{name}/dist-tags/{tag} with the version as a
// JSON string, and DELETE. Moving a tag is a new-version-like change: "push" or "update".
import type { Tx } from "../../db/client.ts";
import { badRequest, notFound } from "../../errors.ts";
import { isValidDistTag } from "../formats/npm.ts";
import { packageNotFound } from "../packages.ts";
import { readJsonBody, SMALL_BODY_LIMIT } from "./body.ts";
import { loadNpmPackage, removeDistTag, setDistTag } from "../domain/npm.ts";
import { commitChange } from "../decide-at-commit.ts";
import { check, sendJson, writing, type NpmContext } from "./context.ts";
import { visibleDistTags, type NpmPackage } from "./packument.ts";

/** The package and the caller's right to tag in it; commit() writes in a transaction that decides again. */
async function packageForTagging(ctx: NpmContext, name: string): Promise<NpmPackage & { commit: (write: (tx: Tx) => Promise<void>) => Promise<void> }> {
  const pkg = await loadNpmPackage(ctx.services.db, ctx.feed.id, name);
  if (!pkg) {
    await check(ctx, { action: "read", packageId: name });
    throw packageNotFound(ctx.feed, name);
  }
  const caller = await check(ctx, { action: "push", packageId: name, existingOwnerIds: pkg.owners.map((o) => o.userId) });
  const decision = { feed: ctx.feed, packageId: pkg.name, keyId: caller.keyId, action: "push" } as const;
  return { ...pkg, commit: (write) => writing(ctx, name, () => commitChange(ctx.services.db, ctx.services.hooks, decision, write)) };
}

export async function putDistTag(ctx: NpmContext, name: string, tag: string): Promise<void> {
  const pkg = await packageForTagging(ctx, name);
  if (!isValidDistTag(tag)) throw badRequest(`"${tag.slice(0, 80)}" is not a valid dist-tag: use URL-safe characters and nothing that reads as a version range.`);
  const body = await readJsonBody(ctx.req, ctx.res, SMALL_BODY_LIMIT);
  if (typeof body !== "string" || body === "") throw badRequest('The request body must be the version as a JSON string, e.g. "1.0.0".');
  const row = pkg.versions.find((v) => v.listed && v.version === body);
  if (!row) throw packageNotFound(ctx.feed, name, body.slice(0, 80));
  await pkg.commit((tx) => setDistTag(tx, pkg.id, tag, row.version));
  const after = await loadNpmPackage(ctx.services.db, ctx.feed.id, name);
  sendJson(ctx.res, 200, { ok: true, id: pkg.name, "dist-tags": after ? visibleDistTags(after) : {} });
}

export async function deleteDistTag(ctx: NpmContext, name: string, tag: string): Promise<void> {
  const pkg = await packageForTagging(ctx, name);
  if (tag === "latest") throw badRequest('The "latest" dist-tag cannot be removed: npm installs it by default. Point it at another version with npm dist-tag add.');
  if (!pkg.distTags.some((t) => t.tag === tag)) throw notFound(`Package "${pkg.name}" has no dist-tag "${tag.slice(0, 80)}".`);
  await pkg.commit((tx) => removeDistTag(tx, pkg.id, tag));
  const after = await loadNpmPackage(ctx.services.db, ctx.feed.id, name);
  sendJson(ctx.res, 200, { ok: true, id: pkg.name, "dist-tags": after ? visibleDistTags(after) : {} });
}
