// The keys a Native or management API caller can reach: every key for administrators and
// the API key user, only their own for an impersonated user. Another user's key is
// reported exactly like a missing one.
import type { Db } from "../../db/client.ts";
import { keyNotFound } from "../../keys/lifecycle.ts";
import { listOwnKeys } from "../../keys/lifecycle.ts";
import { keyViewInclude, toKeyView, type KeyView } from "../../keys/views.ts";
import { hasFullControl, type ApiCaller } from "../access.ts";

/** Newest first. */
export async function visibleKeys(db: Db, caller: ApiCaller, now = new Date()): Promise<KeyView[]> {
  if (!hasFullControl(caller)) return listOwnKeys(db, caller.user!.id, now);
  const rows = await db.apiKey.findMany({ include: keyViewInclude, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return rows.map((r) => toKeyView(r, now));
}

export async function visibleKey(db: Db, caller: ApiCaller, id: number, now = new Date()): Promise<KeyView> {
  const row = await db.apiKey.findFirst({ where: { id, ...(hasFullControl(caller) ? {} : { ownerId: caller.user!.id }) }, include: keyViewInclude });
  if (!row) throw keyNotFound(id);
  return toKeyView(row, now);
}
