// Admin › API keys: every key of every kind, filtered, sorted and paged on the server.
import { EXPIRY_WARNING_DAYS, DAY_MS, type AdminKeyListInput } from "@keyhouse/shared";
import type { Db, Prisma } from "../db/client.ts";
import { adviceForKeys } from "./advisor.ts";
import { keyViewInclude, toKeyView, type KeyRow, type KeyView } from "./views.ts";

function statusWhere(status: AdminKeyListInput["status"], now: Date): Prisma.ApiKeyWhereInput {
  const soon = new Date(now.getTime() + EXPIRY_WARNING_DAYS * DAY_MS);
  switch (status) {
    case undefined:
      return {};
    case "revoked":
      return { revokedAt: { not: null } };
    // The classes match keyStatus exactly: Revoked wins, then Expired (whatever the kind),
    // then a live legacy key is "Full access (legacy)" even when it has an expiry near.
    case "legacy":
      return { kind: "legacy", revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
    case "expired":
      return { revokedAt: null, expiresAt: { lte: now } };
    case "expiring":
      return { revokedAt: null, kind: { not: "legacy" }, expiresAt: { gt: now, lte: soon } };
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

/**
 * Prisma's `contains` is a LIKE and does not escape its operand. PostgreSQL's LIKE takes
 * "\" as its escape character, so there a typed "%" or "_" is matched literally. SQLite's
 * LIKE has no escape character: there they still match any text (a wider result, never a
 * narrower one).
 */
function literal(text: string, provider: "sqlite" | "postgres"): string {
  return provider === "postgres" ? text.replace(/[\\%_]/g, "\\$&") : text;
}

export async function listAllKeys(
  db: Db,
  f: AdminKeyListInput,
  provider: "sqlite" | "postgres",
  now = new Date(),
  retentionDays = 90,
): Promise<{ rows: AdminKeyRow[]; total: number; page: number; pageSize: number }> {
  // SQLite's LIKE already ignores ASCII case; PostgreSQL needs to be asked.
  const insensitive = provider === "postgres" ? { mode: "insensitive" as const } : {};
  const and: Prisma.ApiKeyWhereInput[] = [statusWhere(f.status, now)];
  if (f.kind) and.push({ kind: f.kind });
  if (f.owner) and.push({ owner: { username: f.owner } });
  if (f.user) and.push({ user: { username: f.user } });
  if (f.api) and.push({ apis: { contains: `"${f.api}"` } });
  if (f.feed) and.push({ OR: [{ feeds: null }, { feeds: { contains: literal(JSON.stringify(f.feed), provider) } }] });
  if (f.text) {
    const text = literal(f.text, provider);
    and.push({
      OR: [{ name: { contains: text, ...insensitive } }, { description: { contains: text, ...insensitive } }, { hint: { contains: text, ...insensitive } }],
    });
  }
  const where: Prisma.ApiKeyWhereInput = { AND: and };
  if (f.broader) return broaderThanUsed(db, where, f, retentionDays, now);
  const [total, rows] = await Promise.all([
    db.apiKey.count({ where }),
    db.apiKey.findMany({ where, include: keyViewInclude, orderBy: ORDER[f.sort](f.dir), skip: (f.page - 1) * f.pageSize, take: f.pageSize }),
  ]);
  return { rows: await withUnusedRights(db, rows, retentionDays, now), total, page: f.page, pageSize: f.pageSize };
}

export type AdminKeyRow = KeyView & { unusedRights: string[] };

/** Each key with the rights it did not use in the window (the grid's "Unused rights"); none for a revoked key. */
async function withUnusedRights(db: Db, rows: KeyRow[], retentionDays: number, now: Date): Promise<AdminKeyRow[]> {
  const advice = await adviceForKeys(
    db,
    rows.filter((r) => !r.revokedAt),
    retentionDays,
    now,
  );
  return rows.map((r) => ({ ...toKeyView(r, now), unusedRights: advice.get(r.id)?.advice.unusedRights ?? [] }));
}

/**
 * "Broader than used": the advice needs each key's summary, so the filter reads the rights
 * of every key the other filters keep (in the grid's order), keeps the live ones with
 * unused rights, and pages those.
 */
async function broaderThanUsed(db: Db, where: Prisma.ApiKeyWhereInput, f: AdminKeyListInput, retentionDays: number, now: Date) {
  const candidates = await db.apiKey.findMany({
    where: { AND: [where, { revokedAt: null }] },
    select: { id: true, kind: true, apis: true, scopes: true, packages: true, globs: true, feeds: true, allowedNetworks: true },
    orderBy: ORDER[f.sort](f.dir),
  });
  const advice = await adviceForKeys(db, candidates, retentionDays, now);
  const ids = candidates.filter((k) => (advice.get(k.id)?.advice.unusedRights.length ?? 0) > 0).map((k) => k.id);
  const pageIds = ids.slice((f.page - 1) * f.pageSize, f.page * f.pageSize);
  const rows = await db.apiKey.findMany({ where: { id: { in: pageIds } }, include: keyViewInclude });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ordered = pageIds.map((id) => byId.get(id)!).filter(Boolean);
  return {
    rows: ordered.map((r) => ({ ...toKeyView(r, now), unusedRights: advice.get(r.id)!.advice.unusedRights })),
    total: ids.length,
    page: f.page,
    pageSize: f.pageSize,
  };
}
