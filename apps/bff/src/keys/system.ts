// System keys (ProGet-style), made and edited by administrators: a custom or generated
// value, API groups, an impersonated user, a feed restriction, body logging and an
// optional expiry. The value is hashed like any other and shown once.
import { generateKeyValue, keyHint, type CreateSystemKeyOutput, type UpdateSystemKeyOutput } from "@keyhouse/shared";
import type { Tx } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { AppError, conflict } from "../errors.ts";
import { recordAudit } from "../logs/audit.ts";
import { enqueueNotification } from "../notifications/outbox.ts";
import { keyMailFacts, templates } from "../notifications/templates.ts";
import type { Caller } from "../auth/caller.ts";
import type { KeyDeps } from "./lifecycle.ts";
import { keyNotFound } from "./lifecycle.ts";
import { hashKeyValue } from "./secrets.ts";
import { keyViewInclude, toKeyView, type KeyView } from "./views.ts";

type Fields = Omit<CreateSystemKeyOutput, "keyMode" | "customKey">;

async function resolveUser(tx: Tx, username: string | undefined): Promise<number | null> {
  if (!username) return null;
  const user = await tx.user.findUnique({ where: { username }, select: { id: true } });
  if (!user) throw new AppError("BAD_REQUEST", `There is no user named "${username}" (user names match exactly).`);
  return user.id;
}

async function checkFeeds(tx: Tx, feeds: string[]): Promise<void> {
  if (feeds.length === 0) return;
  const found = await tx.feed.findMany({ where: { name: { in: feeds } }, select: { name: true } });
  const missing = feeds.filter((f) => !found.some((x) => x.name === f));
  if (missing.length) throw new AppError("BAD_REQUEST", `There is no feed named ${missing.map((f) => `"${f}"`).join(", ")}.`);
}

function checkExpiry(expiresAt: Date | null, now: Date): void {
  if (expiresAt && expiresAt <= now) throw new AppError("BAD_REQUEST", "The expiry must be in the future.");
}

async function fieldsData(tx: Tx, f: Fields, now: Date) {
  checkExpiry(f.expiresAt, now);
  await checkFeeds(tx, f.feeds);
  return {
    description: f.description ?? null,
    apis: JSON.stringify(f.apis),
    userId: await resolveUser(tx, f.user),
    feeds: f.feeds.length ? JSON.stringify(f.feeds) : null,
    ...(f.allowedNetworks === undefined ? {} : { allowedNetworks: f.allowedNetworks.length ? JSON.stringify(f.allowedNetworks) : null }),
    logRequestBody: f.logRequestBody,
    logResponseBody: f.logResponseBody,
    expiresAt: f.expiresAt,
  };
}

/**
 * A system key made without a name is called by its description (ProGet has only that),
 * else by its hint. Such a derived name follows the description and hint when they change.
 */
function derivedName(description: string | null | undefined, hint: string): string {
  return description?.slice(0, 64).trimEnd() || `System key ${hint}`;
}

/**
 * A custom value's hint shows only its last 4 characters (docs/presenting-keys.md): its
 * first ones are often a guessable word and, unlike a generated key's fixed prefix, part
 * of the secret. A generated value's hint is its "khk_" prefix and checksum.
 */
export function systemKeyHint(mode: string, value: string): string {
  return mode === "custom" ? `…${value.slice(-4)}` : keyHint(value);
}

function valueFor(mode: string, custom: string | undefined): string | null {
  if (mode === "custom") return custom!;
  if (mode === "generate") return generateKeyValue();
  return null;
}

function duplicateValue(e: unknown): never {
  if (isUniqueViolation(e, "secretHash")) throw conflict("That key value is already in use. Choose another value, or let Keyhouse generate one.");
  if (isUniqueViolation(e)) throw conflict("A key with that name already exists. Choose another name.");
  throw e;
}

/** Answers the key and, once, its value. */
export async function createSystemKey(
  { db, secret }: KeyDeps,
  caller: Caller,
  input: CreateSystemKeyOutput,
  now = new Date(),
): Promise<{ key: KeyView; value: string }> {
  const value = valueFor(input.keyMode, input.customKey)!;
  const hint = systemKeyHint(input.keyMode, value);
  try {
    const row = await db.$transaction(async (tx) => {
      const data = await fieldsData(tx, input, now);
      const created = await tx.apiKey.create({
        data: {
          kind: "system",
          name: input.name ?? derivedName(input.description, hint),
          ownerId: null,
          scopes: JSON.stringify(["push", "update", "unlist"]),
          ...data,
          secretHash: hashKeyValue(value, secret),
          hint,
          createdAt: now,
          createdById: caller.id,
        },
        include: keyViewInclude,
      });
      await recordAudit(tx, caller, "key.created", created, {
        kind: "system",
        apis: input.apis,
        user: input.user ?? null,
        feeds: input.feeds,
        custom: input.keyMode === "custom",
      });
      return created;
    });
    return { key: toKeyView(row, now), value };
  } catch (e) {
    duplicateValue(e);
  }
}

/** Edits a system key; a new value (generated or custom) is answered once. */
export async function updateSystemKey(
  { db, secret }: KeyDeps,
  caller: Caller,
  input: UpdateSystemKeyOutput,
  now = new Date(),
): Promise<{ key: KeyView; value: string | null }> {
  const value = valueFor(input.keyMode, input.customKey);
  try {
    const row = await db.$transaction(async (tx) => {
      const key = await tx.apiKey.findUnique({ where: { id: input.id } });
      if (!key) throw keyNotFound(input.id);
      if (key.kind !== "system")
        throw new AppError(
          "BAD_REQUEST",
          "Only system keys are edited here. Scoped and legacy keys are managed by their owners under Account › API keys; you can revoke or delete them.",
        );
      // A new value for a revoked key could never be used: say so rather than hand it out.
      if (key.revokedAt) throw conflict("This key is revoked and can no longer be edited. Create a new system key instead.");
      const data = await fieldsData(tx, input, now);
      const hint = value ? systemKeyHint(input.keyMode, value) : key.hint;
      const name = input.name ?? (key.name === derivedName(key.description, key.hint) ? derivedName(data.description, hint) : key.name);
      const expiryChanged = (data.expiresAt?.getTime() ?? null) !== (key.expiresAt?.getTime() ?? null);
      // Rotation with overlap (docs/presenting-keys.md): the replaced value keeps working until then.
      const oldValueUntil = value && input.keepOldValueHours ? new Date(now.getTime() + input.keepOldValueHours * 3_600_000) : null;
      if (oldValueUntil) await tx.apiKeyOldSecret.create({ data: { keyId: key.id, secretHash: key.secretHash, expiresAt: oldValueUntil } });
      const updated = await tx.apiKey.update({
        where: { id: key.id },
        data: {
          ...data,
          name,
          ...(value ? { secretHash: hashKeyValue(value, secret), hint, regeneratedAt: now } : {}),
          // A new expiry deserves its own warnings.
          ...(expiryChanged ? { notifiedExpiring10At: null, notifiedExpiring1At: null, notifiedExpiredAt: null } : {}),
        },
        include: keyViewInclude,
      });
      await recordAudit(tx, caller, value ? "key.regenerated" : "key.updated", updated, {
        apis: input.apis,
        user: input.user ?? null,
        feeds: input.feeds,
        newValue: Boolean(value),
        ...(oldValueUntil ? { oldValueUntil: oldValueUntil.toISOString() } : {}),
      });
      if (value)
        await enqueueNotification(
          tx,
          updated.ownerId ? await tx.user.findUnique({ where: { id: updated.ownerId }, select: { id: true, email: true } }) : null,
          templates.regenerated(keyMailFacts(updated), caller.username, oldValueUntil),
          updated.id,
        );
      return updated;
    });
    return { key: toKeyView(row, now), value };
  } catch (e) {
    duplicateValue(e);
  }
}
