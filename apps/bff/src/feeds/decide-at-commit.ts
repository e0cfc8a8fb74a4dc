// The feed gate decides before the work (a push's file is stored first, bodies are read);
// the world may change before the write commits (docs/authorization.md,
// docs/threat-model.md): another user's first push of the same id may commit, or the key
// may be revoked. Every feed write therefore takes the decision again inside its own
// transaction, with the same function (@keyhouse/shared's authorize), against the key,
// the acting user and the package's owners as committed.
import { actingUserIdOf, authorize, MESSAGES, type AccessRequest } from "@keyhouse/shared";
import type { Db, Tx } from "../db/client.ts";
import { AppError, conflict } from "../errors.ts";
import { toKeyFacts } from "../keys/views.ts";
import { callerUserFacts, findCallerUser } from "../users/caller-user.ts";
import type { FeedRow } from "./access.ts";

export type CommitCheck = {
  feed: Pick<FeedRow, "id" | "name">;
  packageId: string;
  /** The key the gate allowed; null never passes (every write presents a key). */
  keyId: number | null;
  /** "push" also covers moving an npm dist-tag; "unlist" every unlist-scoped change. */
  action: "push" | "unlist";
  /** Whose decision is taken again: the feeds' (the default), or the Native API's unlist and relist. */
  surface?: "feeds" | "native";
};

function requestOf(check: CommitCheck, packageExists: boolean): AccessRequest {
  const feed = check.feed.name;
  if (check.surface === "native") {
    if (check.action !== "unlist") throw new Error("The Native API only unlists and relists.");
    return { surface: "native", feed, action: "unlist", packageId: check.packageId };
  }
  return check.action === "push"
    ? { surface: "feeds", feed, action: "push", packageId: check.packageId, packageExists }
    : { surface: "feeds", feed, action: "unlist", packageId: check.packageId };
}

/** Test-only pause points (services.hooks, empty in production) that make races deterministic. */
export type FeedWriteHooks = {
  /** A push, after its file is stored and before its transaction. */
  beforeVersionCommit?: (info: { feed: string; packageId: string; version: string }) => Promise<void>;
  /** Inside a push's transaction, after its decision and before its writes (PostgreSQL tests: transactions that overlap). */
  afterCommitDecision?: (info: { feed: string; packageId: string; version: string }) => Promise<void>;
  /** A change other than a push, after the gate and before its transaction. */
  beforeChangeCommit?: (info: { feed: string; packageId: string; action: CommitCheck["action"] }) => Promise<void>;
};

export function lostFirstPushRace(feed: string, packageId: string): AppError {
  return conflict(`Package "${packageId}" was just created in feed "${feed}" by another user; your push was not stored.`);
}

/**
 * Locks the key's row (a conditional UPDATE: on PostgreSQL a revocation in flight then
 * commits wholly before this read or after this transaction; SQLite transactions already
 * begin IMMEDIATE), re-reads key, user and package, and answers the acting user and the
 * package as committed; or throws the 403 the gate would, or 409 when a package the gate
 * saw as new appeared under another user meanwhile.
 */
export async function decideAgainAtCommit(tx: Tx, check: CommitCheck, now = new Date()) {
  if (check.keyId === null) throw new AppError("FORBIDDEN", MESSAGES.invalidKey);
  // A write that changes nothing but takes the row lock; not lastUsedAt, whose batched
  // writes (with the address) only ever move it forward and would then skip this use.
  await tx.apiKey.updateMany({ where: { id: check.keyId, revokedAt: null }, data: { revokedAt: null } });
  const row = await tx.apiKey.findUnique({ where: { id: check.keyId } });
  if (!row) throw new AppError("FORBIDDEN", MESSAGES.invalidKey);
  // The allowed networks are a property of this request's address, which the gate already
  // decided on; the decision taken again here is about what may change in flight.
  const key = { ...toKeyFacts(row), networks: null };

  const pkg = await tx.package.findUnique({
    where: { feedId_nameLower: { feedId: check.feed.id, nameLower: check.packageId.toLowerCase() } },
    include: { owners: { select: { userId: true } } },
  });
  const actingId = actingUserIdOf(key);
  const user = actingId === null ? null : await findCallerUser(tx, actingId, check.feed.id);
  const userFacts = callerUserFacts(user, check.feed.id, pkg ? pkg.owners.map((o) => o.userId) : null);
  const decision = authorize(key, requestOf(check, pkg !== null), userFacts, now);
  if (decision.allowed) return { actingUserId: decision.actingUserId, package: pkg };
  // Owners are only ever added, never removed, and the gate checked ownership of a package
  // that existed then: refusing ownership of a push now means the id was created since,
  // by someone else.
  if (decision.reason === "owner" && check.action === "push") throw lostFirstPushRace(check.feed.name, check.packageId);
  throw new AppError("FORBIDDEN", decision.reason === "invalid" ? MESSAGES.invalidKey : decision.message);
}

/** A feed change other than a push (unlist, relist, yank, deprecate, unpublish, dist-tags), decided again where it commits. */
export async function commitChange<T>(db: Db, hooks: FeedWriteHooks, check: CommitCheck, write: (tx: Tx) => Promise<T>): Promise<T> {
  await hooks.beforeChangeCommit?.({ feed: check.feed.name, packageId: check.packageId, action: check.action });
  return db.$transaction(async (tx) => {
    await decideAgainAtCommit(tx, check);
    return write(tx);
  });
}
