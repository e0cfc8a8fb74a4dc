// Factories for users, feeds, packages and keys. The demo seed, the tests and the
// Playwright demos all build their data with these, so there is one way to make a row.
import { randomUUID } from "node:crypto";
import type { FeedType, Role } from "@keyhouse/shared";
import { generateKeyValue, keyHint } from "@keyhouse/shared";
import type { Tx } from "./client.ts";
import { hashPassword } from "../auth/passwords.ts";
import { hashKeyValue } from "../keys/secrets.ts";

export async function createUser(db: Tx, input: { username: string; password: string; role?: Role; displayName?: string; email?: string; disabled?: boolean }) {
  return db.user.create({
    data: {
      username: input.username,
      displayName: input.displayName ?? input.username[0]!.toUpperCase() + input.username.slice(1),
      email: input.email ?? `${input.username}@example.com`,
      passwordHash: await hashPassword(input.password),
      role: input.role ?? "user",
      disabled: input.disabled ?? false,
    },
  });
}

export function createFeed(db: Tx, input: { name: string; type: FeedType; anonymousReads?: boolean }) {
  return db.feed.create({ data: { name: input.name, type: input.type, anonymousReads: input.anonymousReads ?? false } });
}

export function grantFeed(db: Tx, userId: number, feedId: number, p: { view?: boolean; add?: boolean; unlist?: boolean } = {}) {
  const data = { canView: p.view ?? true, canAdd: p.add ?? true, canUnlist: p.unlist ?? true };
  return db.feedPrivilege.upsert({ where: { userId_feedId: { userId, feedId } }, create: { userId, feedId, ...data }, update: data });
}

export function createPackage(db: Tx, input: { feedId: number; name: string; ownerIds: number[] }) {
  return db.package.create({
    data: {
      feedId: input.feedId,
      name: input.name,
      nameLower: input.name.toLowerCase(),
      owners: { create: input.ownerIds.map((userId) => ({ userId })) },
    },
  });
}

/** A legacy full-access key (a GUID, as NuGet.org's were). Returns the row and the one-time value. */
export async function createLegacyKey(db: Tx, secret: string, input: { ownerId: number; name?: string; value?: string }) {
  const value = input.value ?? randomUUID();
  const key = await db.apiKey.create({
    data: {
      kind: "legacy",
      name: input.name ?? "Legacy API key",
      ownerId: input.ownerId,
      apis: JSON.stringify(["feeds"]),
      scopes: JSON.stringify(["push", "update", "unlist"]),
      secretHash: hashKeyValue(value, secret),
      hint: keyHint(value),
      createdById: input.ownerId,
    },
  });
  return { key, value };
}

/**
 * Any kind of key with the given settings, for tests and demos. Answers the row and the
 * one-time value (generated unless `value` is given, e.g. a custom system key).
 */
export async function createApiKey(
  db: Tx,
  secret: string,
  input: {
    kind?: "scoped" | "system" | "legacy";
    name?: string;
    ownerId?: number | null;
    userId?: number | null;
    apis?: string[];
    scopes?: string[];
    packages?: string[];
    globs?: string[];
    feeds?: string[] | null;
    expiresAt?: Date | null;
    revokedAt?: Date | null;
    logRequestBody?: boolean;
    logResponseBody?: boolean;
    value?: string;
  },
) {
  const kind = input.kind ?? "scoped";
  const value = input.value ?? (kind === "legacy" ? randomUUID() : generateKeyValue());
  const key = await db.apiKey.create({
    data: {
      kind,
      name: input.name ?? `${kind} key ${randomUUID().slice(0, 8)}`,
      ownerId: input.ownerId ?? null,
      userId: input.userId ?? null,
      apis: JSON.stringify(input.apis ?? ["feeds"]),
      scopes: JSON.stringify(input.scopes ?? (kind === "scoped" ? ["push"] : ["push", "update", "unlist"])),
      packages: JSON.stringify(input.packages ?? []),
      globs: JSON.stringify(input.globs ?? (kind === "scoped" && !input.packages ? ["*"] : [])),
      feeds: input.feeds ? JSON.stringify(input.feeds) : null,
      expiresAt: input.expiresAt === undefined ? (kind === "legacy" ? null : new Date(Date.now() + 365 * 86_400_000)) : input.expiresAt,
      expiryDays: kind === "scoped" ? 365 : null,
      revokedAt: input.revokedAt ?? null,
      logRequestBody: input.logRequestBody ?? false,
      logResponseBody: input.logResponseBody ?? false,
      secretHash: hashKeyValue(value, secret),
      hint: keyHint(value),
      createdById: input.ownerId ?? null,
    },
  });
  return { key, value };
}
