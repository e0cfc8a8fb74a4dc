// Admin › API keys: every key of every kind, filtered, sorted and paged on the server.
import { EXPIRY_WARNING_DAYS, DAY_MS, type AdminKeyListInput } from "@keyhouse/shared";
import type { Db, Prisma } from "../db/client.ts";
import { keyViewInclude, toKeyView, type KeyView } from "./views.ts";

function statusWhere(status: AdminKeyListInput["status"], now: Date): Prisma.ApiKeyWhereInput {
  const soon = new Date(now.getTime() + EXPIRY_WARNING_DAYS * DAY_MS);
  switch (status) {
    case undefined:
      return {};
    case "revoked":
      return { revokedAt: { not: null } };
    case "legacy":
      return { kind: "legacy", revokedAt: null };
    case "expired":
      return { revokedAt: null, expiresAt: { lte: now } };
    case "expiring":
      return { revokedAt: null, expiresAt: { gt: now, lte: soon } };
    case "active":
      return { revokedAt: null, kind: { not: "legacy" }, OR: [{ expiresAt: null }, { expiresAt: { gt: soon } }] };
  }
}

const ORDER: Record<AdminKeyListInput["sort"], (dir: "asc" | "desc") => Prisma.ApiKeyOrderByWithRelationInput[]> = {
  created: (dir) => [{ createdAt: dir }, { id: dir }],
  name: (dir) => [{ name: dir }, { id: dir }],
  expires: (dir) => [{ expiresAt: { sort: dir, nulls: "last" } }, { id: dir }],
  lastUsed: (dir) => [{ lastUsedAt: { sort: dir, nulls: "last" } }, { id: dir }],
};

export async function listAllKeys(db: Db, f: AdminKeyListInput, provider: "sqlite" | "postgres", now = new Date()): Promise<{ rows: KeyView[]; total: number; page: number; pageSize: number }> {
  // SQLite's LIKE already ignores ASCII case; PostgreSQL needs to be asked.
  const insensitive = provider === "postgres" ? { mode: "insensitive" as const } : {};
  const and: Prisma.ApiKeyWhereInput[] = [statusWhere(f.status, now)];
  if (f.kind) and.push({ kind: f.kind });
  if (f.owner) and.push({ owner: { username: f.owner } });
  if (f.user) and.push({ user: { username: f.user } });
  if (f.api) and.push({ apis: { contains: `"${f.api}"` } });
  if (f.feed) and.push({ OR: [{ feeds: null }, { feeds: { contains: JSON.stringify(f.feed) } }] });
  if (f.text) {
    and.push({
      OR: [{ name: { contains: f.text, ...insensitive } }, { description: { contains: f.text, ...insensitive } }, { hint: { contains: f.text, ...insensitive } }],
    });
  }
  const where: Prisma.ApiKeyWhereInput = { AND: and };
  const [total, rows] = await Promise.all([
    db.apiKey.count({ where }),
    db.apiKey.findMany({ where, include: keyViewInclude, orderBy: ORDER[f.sort](f.dir), skip: (f.page - 1) * f.pageSize, take: f.pageSize }),
  ]);
  return { rows: rows.map((r) => toKeyView(r, now)), total, page: f.page, pageSize: f.pageSize };
}
