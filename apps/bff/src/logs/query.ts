// Reading the access log: the grid (newest first, keyset pagination — never OFFSET, so a
// deep page costs what the first one does), one entry with its bodies, and the batches
// the exports stream. Users see only their own keys' entries; administrators see all.
import type { AccessLogFilter, StatusClass } from "@keyhouse/shared";
import { z } from "zod";
import type { Db, Prisma } from "../db/client.ts";
import { AppError } from "../errors.ts";

export type LogViewer = { id: number; isAdmin: boolean };
export type Provider = "sqlite" | "postgres";

/** The filters without the paging fields, as the exports take them. */
export type AccessLogWhere = Omit<AccessLogFilter, "cursor" | "limit">;

export const accessLogRowSchema = z.object({
  id: z.number(),
  at: z.date(),
  keyId: z.number().nullable(),
  keyName: z.string().nullable(),
  keyHint: z.string().nullable(),
  keyStatus: z.string(),
  ownerId: z.number().nullable(),
  userId: z.number().nullable(),
  username: z.string().nullable(),
  surface: z.string(),
  feed: z.string().nullable(),
  method: z.string(),
  path: z.string(),
  status: z.number(),
  durationMs: z.number(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  bytesIn: z.number(),
  bytesOut: z.number(),
});
export type AccessLogRow = z.infer<typeof accessLogRowSchema>;

export const accessLogEntrySchema = accessLogRowSchema.extend({ requestBody: z.string().nullable(), responseBody: z.string().nullable() });
export type AccessLogEntryView = z.infer<typeof accessLogEntrySchema>;

/** Every column but the bodies, which can be 64 KiB each. */
export const ROW_SELECT = {
  id: true,
  at: true,
  keyId: true,
  keyName: true,
  keyHint: true,
  keyStatus: true,
  ownerId: true,
  userId: true,
  username: true,
  surface: true,
  feed: true,
  method: true,
  path: true,
  status: true,
  durationMs: true,
  ip: true,
  userAgent: true,
  bytesIn: true,
  bytesOut: true,
} as const satisfies Prisma.AccessLogEntrySelect;

const STATUS_RANGE: Record<StatusClass, { gte: number; lt: number }> = {
  "2xx": { gte: 200, lt: 300 },
  "3xx": { gte: 300, lt: 400 },
  "4xx": { gte: 400, lt: 500 },
  "5xx": { gte: 500, lt: 600 },
};

/**
 * Prisma's `contains` is a LIKE and does not escape its operand. PostgreSQL's LIKE takes
 * "\" as its escape character, so there a typed "%" or "_" is matched literally. SQLite's
 * LIKE has no escape character, so there they still match any text; such entries are
 * dropped afterwards by matchesPath (see below).
 */
function likeLiteral(text: string, provider: Provider): string {
  return provider === "postgres" ? text.replace(/[\\%_]/g, "\\$&") : text;
}

/** The exact "path contains, ignoring ASCII case" test, for SQLite's LIKE wildcards. */
function matchesPath(path: string, needle: string): boolean {
  return path.toLowerCase().includes(needle.toLowerCase());
}

const hasWildcard = (text: string) => /[%_]/.test(text);

/**
 * The WHERE clause for a viewer and filters, or null when it can match nothing (an
 * unknown user name). The user filter goes through the user's ID, which is indexed.
 * A status class is a range with no index of its own (see prisma/schema.prisma): read
 * newest first, a page of it is found at once.
 */
export async function accessLogWhere(db: Db, viewer: LogViewer, f: AccessLogWhere, provider: Provider): Promise<Prisma.AccessLogEntryWhereInput | null> {
  const and: Prisma.AccessLogEntryWhereInput[] = [];
  if (!viewer.isAdmin || f.scope === "mine") and.push({ ownerId: viewer.id });
  if (f.key !== undefined) and.push({ keyId: f.key });
  if (f.user !== undefined) {
    const user = await db.user.findUnique({ where: { username: f.user }, select: { id: true } });
    if (!user) return null;
    and.push({ userId: user.id });
  }
  if (f.statusClass) and.push({ status: STATUS_RANGE[f.statusClass] });
  if (f.method) and.push({ method: f.method });
  if (f.path) {
    // SQLite's LIKE already ignores ASCII case; PostgreSQL needs to be asked.
    and.push({ path: { contains: likeLiteral(f.path, provider), ...(provider === "postgres" ? { mode: "insensitive" as const } : {}) } });
  }
  if (f.surface) and.push({ surface: f.surface });
  if (f.from || f.to) and.push({ at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } });
  return { AND: and };
}

/**
 * Entries older than `before` (an ID), newest first, at most `take` of them, already
 * filtered. On SQLite a path filter with "%" or "_" may let extra rows through LIKE;
 * they are removed here and the batch refilled, so callers always see exact results.
 */
export async function accessLogBatch(
  db: Db,
  where: Prisma.AccessLogEntryWhereInput,
  before: number | undefined,
  take: number,
  pathNeedle: string | undefined,
  provider: Provider,
): Promise<AccessLogRow[]> {
  const exactCheck = pathNeedle !== undefined && provider === "sqlite" && hasWildcard(pathNeedle);
  const fetch = exactCheck ? Math.max(take, 200) : take;
  const out: AccessLogRow[] = [];
  let cursor = before;
  for (;;) {
    const rows = await db.accessLogEntry.findMany({
      where: cursor === undefined ? where : { AND: [where, { id: { lt: cursor } }] },
      select: ROW_SELECT,
      orderBy: { id: "desc" },
      take: fetch,
    });
    for (const r of rows) {
      if (out.length < take && (!exactCheck || matchesPath(r.path, pathNeedle))) out.push(r);
    }
    if (!exactCheck || out.length >= take || rows.length < fetch) return out;
    cursor = rows[rows.length - 1]!.id;
  }
}

/** One page of the grid: newest first, without bodies; nextCursor is null on the last page. */
export async function listAccessLogs(db: Db, viewer: LogViewer, f: AccessLogFilter, provider: Provider): Promise<{ rows: AccessLogRow[]; nextCursor: number | null }> {
  const where = await accessLogWhere(db, viewer, f, provider);
  if (!where) return { rows: [], nextCursor: null };
  // One extra row tells whether there is a next page without a COUNT.
  const rows = await accessLogBatch(db, where, f.cursor, f.limit + 1, f.path, provider);
  const more = rows.length > f.limit;
  const page = more ? rows.slice(0, f.limit) : rows;
  return { rows: page, nextCursor: more ? page[page.length - 1]!.id : null };
}

/** One entry with its bodies. Someone else's entry is "not found", as a missing one is. */
export async function getAccessLogEntry(db: Db, viewer: LogViewer, id: number): Promise<AccessLogEntryView> {
  const row = await db.accessLogEntry.findFirst({ where: viewer.isAdmin ? { id } : { id, ownerId: viewer.id } });
  if (!row) throw new AppError("NOT_FOUND", `There is no access-log entry ${id}${viewer.isAdmin ? "" : " for your keys"}. It may have been purged.`);
  return row;
}
