// What a package owner does to their keys: create, edit packages, regenerate, revoke,
// delete, revoke all legacy keys. Each change writes its audit event and its notice in
// the same transaction. A key that is not the caller's is reported exactly like a key
// that does not exist.
import {
  type OldValueOverlapHours,
  type UpdateKeyNetworksOutput,
  boundPackageEntry,
  expiresAtFrom,
  generateKeyValue,
  keyHint,
  parsePackageEntry,
  type CreateKeyOutput,
  type UpdateKeyPackagesOutput,
} from "@keyhouse/shared";
import type { Db, Tx } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { AppError, conflict } from "../errors.ts";
import type { Caller } from "../auth/caller.ts";
import { recordAudit } from "../logs/audit.ts";
import { enqueueNotification } from "../notifications/outbox.ts";
import { keyMailFacts, templates } from "../notifications/templates.ts";
import { findReachableKey, keyNotFound } from "./reach.ts";
import { hashKeyValue } from "./secrets.ts";
import { keyViewInclude, toKeyView, type KeyRow, type KeyView } from "./views.ts";

// Kept here too for the key functions that import it with the lifecycle's.
export { keyNotFound };

const findKeyFor = findReachableKey;

/** The caller's user ID, for what only a user can have: scoped keys and owned packages. */
function ownerIdOf(caller: Caller, what: string): number {
  if (caller.id !== null) return caller.id;
  throw new AppError("BAD_REQUEST", `The API key user (a system key with no user) owns no packages and cannot ${what}. Use a key that acts as a user.`);
}

export async function ownerOf(tx: Tx, ownerId: number | null) {
  return ownerId === null ? null : tx.user.findUnique({ where: { id: ownerId }, select: { id: true, email: true } });
}

/** The packages a user owns, for the wizard's checklist. */
export async function listOwnedPackages(db: Db, userId: number) {
  const rows = await db.package.findMany({
    where: { owners: { some: { userId } } },
    select: { id: true, name: true, feed: { select: { name: true, type: true } } },
    orderBy: [{ nameLower: "asc" }],
  });
  return rows.map((r) => ({ id: r.id, name: r.name, feed: r.feed.name, feedType: r.feed.type }));
}

/**
 * Explicit packages must be packages the owner owns, and are bound to their feed
 * (docs/authorization.md): answers "feed/id" entries, ids as first pushed. An id alone
 * stands for that id on each feed where the owner owns it (the wizard lists a name once
 * with all its feeds); "feed/id" for that feed only.
 */
export async function checkOwnedPackages(tx: Tx, ownerId: number, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const wanted = names.map((name) => ({ name, ...parsePackageEntry(name) }));
  const lower = [...new Set(wanted.map((w) => w.id.toLowerCase()))];
  const owned = await tx.package.findMany({
    where: { nameLower: { in: lower }, owners: { some: { userId: ownerId } } },
    select: { name: true, nameLower: true, feed: { select: { name: true } } },
    orderBy: [{ feed: { name: "asc" } }],
  });
  const entries = new Set<string>();
  const missing: string[] = [];
  for (const w of wanted) {
    const matches = owned.filter((p) => p.nameLower === w.id.toLowerCase() && (w.feed === null || p.feed.name.toLowerCase() === w.feed.toLowerCase()));
    if (matches.length === 0) missing.push(w.name);
    for (const p of matches) entries.add(boundPackageEntry(p.feed.name, p.name));
  }
  if (missing.length) {
    throw new AppError(
      "BAD_REQUEST",
      `You do not own ${missing.length === 1 ? "the package" : "these packages"}: ${missing.map((n) => `"${n}"`).join(", ")}. Choose from the packages you own, or use a glob pattern.`,
    );
  }
  return [...entries];
}

export function globList(glob: string | undefined): string[] {
  return glob ? [glob] : [];
}

/** What key changes need: the database and the pepper the key hashes are made with. */
export type KeyDeps = { db: Db; secret: string };

export async function createScopedKey(
  { db, secret }: KeyDeps,
  caller: Caller,
  input: Omit<CreateKeyOutput, "allowedNetworks"> & { allowedNetworks?: string[] },
  now = new Date(),
): Promise<{ key: KeyView; value: string }> {
  const ownerId = ownerIdOf(caller, "own a scoped key");
  const value = generateKeyValue();
  try {
    const row = await db.$transaction(async (tx) => {
      const packages = await checkOwnedPackages(tx, ownerId, input.packages);
      const created = await tx.apiKey.create({
        data: {
          kind: "scoped",
          name: input.name,
          ownerId,
          apis: JSON.stringify(["feeds"]),
          scopes: JSON.stringify(input.scopes),
          packages: JSON.stringify(packages),
          globs: JSON.stringify(globList(input.glob)),
          allowedNetworks: input.allowedNetworks?.length ? JSON.stringify(input.allowedNetworks) : null,
          expiryDays: input.expiresInDays,
          expiresAt: expiresAtFrom(input.expiresInDays, now),
          secretHash: hashKeyValue(value, secret),
          hint: keyHint(value),
          createdAt: now,
          createdById: caller.id,
        },
        include: keyViewInclude,
      });
      await recordAudit(tx, caller, "key.created", created, {
        scopes: input.scopes,
        packages,
        globs: globList(input.glob),
        expiresInDays: input.expiresInDays,
      });
      await enqueueNotification(tx, await ownerOf(tx, created.ownerId), templates.created(keyMailFacts(created), caller.username), created.id);
      return created;
    });
    return { key: toKeyView(row, now), value };
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`You already have a key named "${input.name}". Choose another name.`);
    throw e;
  }
}

export async function updateKeyPackages(db: Db, caller: Caller, input: UpdateKeyPackagesOutput, now = new Date()): Promise<KeyView> {
  const row = await db.$transaction(async (tx) => {
    const key = await findKeyFor(tx, caller, input.id);
    if (key.kind !== "scoped")
      throw new AppError(
        "BAD_REQUEST",
        "Only scoped keys have packages to edit: legacy keys have full access, and system keys are edited under Admin › API keys.",
      );
    if (key.revokedAt) throw conflict("This key is revoked: its packages can no longer be changed.");
    // The packages must be the key owner's, also when an admin edits them.
    const packages = await checkOwnedPackages(tx, key.ownerId ?? ownerIdOf(caller, "choose packages for a key without an owner"), input.packages);
    const updated = await tx.apiKey.update({
      where: { id: key.id },
      data: { packages: JSON.stringify(packages), globs: JSON.stringify(globList(input.glob)) },
      include: keyViewInclude,
    });
    await recordAudit(tx, caller, "key.updated", updated, { packages, globs: globList(input.glob) });
    return updated;
  });
  return toKeyView(row, now);
}

/** Edit › "Allowed networks" (docs/authorization.md): the owner or an admin; empty lifts the restriction. */
export async function updateKeyNetworks(db: Db, caller: Caller, input: UpdateKeyNetworksOutput, now = new Date()): Promise<KeyView> {
  const row = await db.$transaction(async (tx) => {
    const key = await findKeyFor(tx, caller, input.id);
    if (key.kind !== "scoped") throw new AppError("BAD_REQUEST", "Only scoped keys are edited here; system keys are edited under Admin › API keys.");
    if (key.revokedAt) throw conflict("This key is revoked: its networks can no longer be changed.");
    const allowedNetworks = input.allowedNetworks.length ? JSON.stringify(input.allowedNetworks) : null;
    const updated = await tx.apiKey.update({ where: { id: key.id }, data: { allowedNetworks }, include: keyViewInclude });
    await recordAudit(tx, caller, "key.updated", updated, { allowedNetworks: input.allowedNetworks });
    return updated;
  });
  return toKeyView(row, now);
}

/** Turns the key's new-network alerts (keys/new-networks.ts) on or off; any key the caller may edit. */
export async function updateKeyAlerts(db: Db, caller: Caller, input: { id: number; alertNewNetworks: boolean }, now = new Date()): Promise<KeyView> {
  const row = await db.$transaction(async (tx) => {
    const key = await findKeyFor(tx, caller, input.id);
    if (key.revokedAt) throw conflict("This key is revoked: it can no longer be used, so there is nothing to alert about.");
    const updated = await tx.apiKey.update({ where: { id: key.id }, data: { alertNewNetworks: input.alertNewNetworks }, include: keyViewInclude });
    await recordAudit(tx, caller, "key.updated", updated, { alertNewNetworks: input.alertNewNetworks });
    return updated;
  });
  return toKeyView(row, now);
}

/**
 * A new value for the key. keepOldValueHours > 0 keeps the replaced value working until then
 * (rotation with overlap, docs/presenting-keys.md) through its own hash row; older overlaps
 * of the key keep their own ends.
 */
export async function regenerateKey(
  { db, secret }: KeyDeps,
  caller: Caller,
  id: number,
  now = new Date(),
  keepOldValueHours: OldValueOverlapHours = 0,
): Promise<{ key: KeyView; value: string }> {
  const value = generateKeyValue();
  const oldValueUntil = keepOldValueHours > 0 ? new Date(now.getTime() + keepOldValueHours * 3_600_000) : null;
  const row = await db.$transaction(async (tx) => {
    const key = await findKeyFor(tx, caller, id);
    if (key.kind === "legacy")
      throw new AppError("BAD_REQUEST", "Legacy keys cannot be regenerated. Create a new scoped key instead, then revoke the legacy key.");
    if (key.revokedAt) throw conflict("This key is revoked and cannot be regenerated. Create a new key instead.");
    if (oldValueUntil) await tx.apiKeyOldSecret.create({ data: { keyId: key.id, secretHash: key.secretHash, expiresAt: oldValueUntil } });
    const updated = await tx.apiKey.update({
      where: { id: key.id },
      data: {
        secretHash: hashKeyValue(value, secret),
        hint: keyHint(value),
        regeneratedAt: now,
        expiresAt: key.expiryDays ? expiresAtFrom(key.expiryDays, now) : key.expiresAt,
        notifiedExpiring10At: null,
        notifiedExpiring1At: null,
        notifiedExpiredAt: null,
      },
      include: keyViewInclude,
    });
    await recordAudit(tx, caller, "key.regenerated", updated, {
      expiresAt: updated.expiresAt?.toISOString() ?? null,
      oldValueUntil: oldValueUntil?.toISOString() ?? null,
    });
    await enqueueNotification(tx, await ownerOf(tx, updated.ownerId), templates.regenerated(keyMailFacts(updated), caller.username, oldValueUntil), updated.id);
    return updated;
  });
  return { key: toKeyView(row, now), value };
}

export async function revokeKey(db: Db, caller: Caller, id: number, reason: string | undefined, now = new Date()): Promise<KeyView> {
  const row = await db.$transaction(async (tx) => {
    const key = await findKeyFor(tx, caller, id);
    if (key.revokedAt) throw conflict("This key is already revoked.");
    return revokeInTx(tx, caller, key, reason, now);
  });
  return toKeyView(row, now);
}

async function revokeInTx(tx: Tx, caller: Caller, key: KeyRow, givenReason: string | undefined, now: Date): Promise<KeyRow> {
  // A blank reason is no reason: stored as null, not as "".
  const reason = givenReason?.trim() || null;
  // The revokedAt guard makes two concurrent revocations write one event, not two.
  const { count } = await tx.apiKey.updateMany({
    where: { id: key.id, revokedAt: null },
    data: { revokedAt: now, revokedById: caller.id, revokedReason: reason },
  });
  if (count === 0) throw conflict("This key is already revoked.");
  // Revoking ends every value of the key at once, replaced ones still in their overlap too.
  await tx.apiKeyOldSecret.deleteMany({ where: { keyId: key.id } });
  const updated = await tx.apiKey.findUniqueOrThrow({ where: { id: key.id }, include: keyViewInclude });
  await recordAudit(tx, caller, "key.revoked", updated, { reason });
  await enqueueNotification(tx, await ownerOf(tx, updated.ownerId), templates.revoked(keyMailFacts(updated), caller.username), updated.id);
  return updated;
}

export async function deleteKey(db: Db, caller: Caller, id: number): Promise<void> {
  await db.$transaction(async (tx) => {
    const key = await findKeyFor(tx, caller, id);
    // The foreign key cascades too; said here so both values end in this transaction whatever the database's settings.
    await tx.apiKeyOldSecret.deleteMany({ where: { keyId: key.id } });
    await tx.apiKey.delete({ where: { id: key.id } });
    await recordAudit(tx, caller, "key.deleted", key, { kind: key.kind });
    await enqueueNotification(tx, await ownerOf(tx, key.ownerId), templates.deleted(keyMailFacts(key), caller.username), null);
  });
}

/** Revokes every active legacy key of the caller. Answers how many were revoked. */
export async function revokeAllLegacyKeys(db: Db, caller: Caller, now = new Date()): Promise<number> {
  // The API key user owns no keys, legacy ones included.
  if (caller.id === null) return 0;
  const ownerId = caller.id;
  return db.$transaction(async (tx) => {
    const keys = await tx.apiKey.findMany({ where: { ownerId, kind: "legacy", revokedAt: null }, include: keyViewInclude });
    for (const key of keys) await revokeInTx(tx, caller, key, "Revoked with all legacy keys", now);
    return keys.length;
  });
}
