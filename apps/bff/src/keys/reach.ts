// Which keys a caller can reach (docs/authorization.md), for the SPA's procedures, the
// Native API and the management API alike: an owner reaches only their own keys; an
// administrator on the admin screens, and administrators and the API key user on the
// APIs, reach every key. A key out of reach is reported exactly like a missing one.
import type { Db, Tx } from "../db/client.ts";
import { notFound, type AppError } from "../errors.ts";
import type { Caller } from "../auth/caller.ts";
import { keyViewInclude, toKeyView, type KeyRow, type KeyView } from "./views.ts";

export function keyNotFound(id: number): AppError {
  return notFound(`No API key with ID ${id} was found.`);
}

/** The owner condition a caller's key lookups need; null when it can reach no key. */
export function reachOf(caller: Caller): { ownerId?: number } | null {
  if (caller.allKeys && caller.isAdmin) return {};
  // `ownerId: null` would match every ownerless system key: a caller without a user owns none.
  return caller.id === null ? null : { ownerId: caller.id };
}

/** The keys in the caller's reach, newest first. */
export async function reachableKeys(db: Db, caller: Caller, now = new Date()): Promise<KeyView[]> {
  const reach = reachOf(caller);
  if (!reach) return [];
  const rows = await db.apiKey.findMany({ where: reach, include: keyViewInclude, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return rows.map((r) => toKeyView(r, now));
}

/** One key in the caller's reach, or the 404 of a missing key. */
export async function findReachableKey(db: Db | Tx, caller: Caller, id: number): Promise<KeyRow> {
  const reach = reachOf(caller);
  const row = reach && (await db.apiKey.findFirst({ where: { id, ...reach }, include: keyViewInclude }));
  if (!row) throw keyNotFound(id);
  return row;
}

export async function reachableKey(db: Db, caller: Caller, id: number, now = new Date()): Promise<KeyView> {
  return toKeyView(await findReachableKey(db, caller, id), now);
}
