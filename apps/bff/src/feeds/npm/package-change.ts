// The package an npm write changes (dist-tags: "push"; deprecations and unpublishing:
// "unlist") and the caller's right to change it. A missing package is a 404 only for a
// caller allowed to read; commit() writes in a transaction that decides again
// (decide-at-commit.ts) and drops the cached packument.
import type { Tx } from "../../db/client.ts";
import { commitChange } from "../decide-at-commit.ts";
import { loadNpmPackage, type NpmPackage } from "../domain/npm.ts";
import { packageNotFound } from "../packages.ts";
import { check, writing, type NpmContext } from "./context.ts";

export type ChangingPackage = NpmPackage & { commit: (write: (tx: Tx) => Promise<void>) => Promise<void> };

export async function packageToChange(ctx: NpmContext, name: string, action: "push" | "unlist"): Promise<ChangingPackage> {
  const pkg = await loadNpmPackage(ctx.services.db, ctx.feed.id, name);
  if (!pkg) {
    await check(ctx, { action: "read", packageId: name });
    throw packageNotFound(ctx.feed, name);
  }
  const ownerIds = pkg.owners.map((o) => o.userId);
  const caller = await check(ctx, action === "push" ? { action, packageId: name, existingOwnerIds: ownerIds } : { action, packageId: name, ownerIds });
  const decision = { feed: ctx.feed, packageId: pkg.name, keyId: caller.keyId, action } as const;
  return { ...pkg, commit: (write) => writing(ctx, name, () => commitChange(ctx.services.db, ctx.services.hooks, decision, write)) };
}
