// An administrator changes a user's scoped key (Admin › API keys): its packages and glob
// and, when asked, a new lifetime from now (docs/authorization.md). Audited and notified
// to the owner in the same transaction, like every other key change.
import { expiresAtFrom, type AdminUpdateScopedKeyOutput } from "@keyhouse/shared";
import type { Db } from "../db/client.ts";
import { AppError, conflict, forbidden } from "../errors.ts";
import { recordAudit } from "../logs/audit.ts";
import { enqueueNotification } from "../notifications/outbox.ts";
import { keyMailFacts, templates } from "../notifications/templates.ts";
import type { Caller } from "../auth/caller.ts";
import { checkOwnedPackages, globList, keyNotFound, ownerOf } from "./lifecycle.ts";
import { keyViewInclude, keyLists, toKeyView, type KeyView } from "./views.ts";

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export async function adminUpdateScopedKey(db: Db, caller: Caller, input: AdminUpdateScopedKeyOutput, now = new Date()): Promise<KeyView> {
  if (!caller.isAdmin || !caller.allKeys) throw forbidden("Only administrators can do this.");
  const row = await db.$transaction(async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { id: input.id }, include: keyViewInclude });
    if (!key) throw keyNotFound(input.id);
    if (key.kind !== "scoped" || key.ownerId === null) {
      throw new AppError(
        "BAD_REQUEST",
        "Only scoped keys have an expiry and packages to change here: system keys are edited with Edit, and legacy keys have full access.",
      );
    }
    if (key.revokedAt) throw conflict("This key is revoked: it can no longer be changed.");
    // The packages must be the owner's, not the administrator's.
    const packages = await checkOwnedPackages(tx, key.ownerId, input.packages);
    const globs = globList(input.glob);
    const expiry =
      input.expiresInDays === undefined
        ? {}
        : // A new lifetime: the expiry notices may go out again.
          {
            expiryDays: input.expiresInDays,
            expiresAt: expiresAtFrom(input.expiresInDays, now),
            notifiedExpiring10At: null,
            notifiedExpiring1At: null,
            notifiedExpiredAt: null,
          };
    const updated = await tx.apiKey.update({
      where: { id: key.id },
      data: { packages: JSON.stringify(packages), globs: JSON.stringify(globs), ...expiry },
      include: keyViewInclude,
    });
    const before = keyLists(key);
    const changed = [
      ...(sameList(before.packages, packages) && sameList(before.globs, globs) ? [] : ["the packages"]),
      ...(input.expiresInDays === undefined ? [] : ["the expiry"]),
    ];
    await recordAudit(tx, caller, "key.updated", updated, {
      by: "administrator",
      packages,
      globs,
      ...(input.expiresInDays === undefined ? {} : { expiresAt: updated.expiresAt?.toISOString() ?? null }),
    });
    if (changed.length > 0) {
      await enqueueNotification(
        tx,
        await ownerOf(tx, updated.ownerId),
        templates.changedByAdmin(keyMailFacts(updated), caller.username, changed.join(" and ")),
        updated.id,
      );
    }
    return updated;
  });
  return toKeyView(row, now);
}
