// The feed gate decides before a push's file is stored; the world may change before the
// version row commits (docs/authorization.md, docs/threat-model.md): another user's first
// push of the same id may commit, or the key may be revoked. This takes the decision again
// inside the writing transaction, with the same function (@keyhouse/shared's authorize),
// against the key, the acting user and the package's owners as committed.
import { actingUserIdOf, authorize, MESSAGES, type ActingUserFacts } from "@keyhouse/shared";
import type { Tx } from "../db/client.ts";
import { AppError, conflict } from "../errors.ts";
import { toKeyFacts } from "../keys/views.ts";
import type { FeedRow } from "./access.ts";

export type CommitCheck = {
  feed: FeedRow;
  packageId: string;
  /** The key the gate allowed; null never passes (every write presents a key). */
  keyId: number | null;
  /** Owners of the package as this transaction sees it; null when it does not exist. */
  ownerIds: number[] | null;
};

export function lostFirstPushRace(feed: string, packageId: string): AppError {
  return conflict(`Package "${packageId}" was just created in feed "${feed}" by another user; your push was not stored.`);
}

/**
 * Locks the key's row (a conditional UPDATE: on PostgreSQL a revocation in flight then
 * commits wholly before this read or after this transaction; SQLite transactions already
 * begin IMMEDIATE), re-reads key and user, and answers the acting user id, or throws the
 * same 403 the gate would, or 409 when the package appeared under another user meanwhile.
 */
export async function decidePushAgain(tx: Tx, check: CommitCheck, now = new Date()): Promise<number | null> {
  if (check.keyId === null) throw new AppError("FORBIDDEN", MESSAGES.invalidKey);
  await tx.apiKey.updateMany({ where: { id: check.keyId, revokedAt: null }, data: { lastUsedAt: now } });
  const row = await tx.apiKey.findUnique({ where: { id: check.keyId } });
  if (!row) throw new AppError("FORBIDDEN", MESSAGES.invalidKey);
  const key = toKeyFacts(row);

  const actingId = actingUserIdOf(key);
  const user =
    actingId === null
      ? null
      : await tx.user.findUnique({
          where: { id: actingId },
          select: { id: true, username: true, disabled: true, role: true, privileges: { where: { feedId: check.feed.id } } },
        });
  const privilege = user?.privileges[0];
  const actor: ActingUserFacts | null = user && {
    id: user.id,
    username: user.username,
    disabled: user.disabled,
    isAdmin: user.role === "admin",
    privileges: privilege ? { view: privilege.canView, add: privilege.canAdd, unlist: privilege.canUnlist } : null,
    ownsPackage: check.ownerIds?.includes(user.id) ?? false,
  };
  const decision = authorize(
    key,
    { surface: "feeds", feed: check.feed.name, action: "push", packageId: check.packageId, packageExists: check.ownerIds !== null },
    actor,
    now,
  );
  if (decision.allowed) return decision.actingUserId;
  // Owners are only ever added, never removed, and the gate checked ownership of a package
  // that existed then: refusing ownership now means the id was created since, by someone else.
  if (decision.reason === "owner") throw lostFirstPushRace(check.feed.name, check.packageId);
  throw new AppError("FORBIDDEN", decision.reason === "invalid" ? MESSAGES.invalidKey : decision.message);
}
