// A grid filter compiled to SQL conditions, and what can narrow the scan (the driving
// index, a time range). Visibility is part of it: a user's filter is always scoped to the
// entries of their own keys.
import type { StatusClass } from "@keyhouse/shared";
import type { Db } from "../db/client.ts";
import type { CallerOnLogs } from "../auth/caller.ts";
import { MAX_ID, type AccessLogWhere, type Provider } from "./rows.ts";

const STATUS_RANGE: Record<StatusClass, { gte: number; lt: number }> = {
  "2xx": { gte: 200, lt: 300 },
  "3xx": { gte: 300, lt: 400 },
  "4xx": { gte: 400, lt: 500 },
  "5xx": { gte: 500, lt: 600 },
};

/**
 * The indexes ending in id that an equality filter can walk newest first. When several
 * filters have one, the first listed drives (a key is narrower than a user, an owner or a
 * method); the other conditions are checked on the rows it reads.
 */
const DRIVING_INDEXES = [
  ["keyId", "AccessLogEntry_keyId_id_idx"],
  ["userId", "AccessLogEntry_userId_id_idx"],
  ["ownerId", "AccessLogEntry_ownerId_id_idx"],
  ["method", "AccessLogEntry_method_id_idx"],
] as const;
export const AT_INDEX = "AccessLogEntry_at_id_idx";
export const OWNER_AT_INDEX = "AccessLogEntry_ownerId_at_idx";

export type DrivingColumn = (typeof DRIVING_INDEXES)[number][0];

/** A filter compiled to SQL: the conditions (with `?` placeholders) and what can narrow the scan. */
export type AccessLogQuery = {
  provider: Provider;
  conditions: string[];
  args: unknown[];
  /** Equality filters on columns with an (x, id) index. */
  equal: Partial<Record<DrivingColumn, string | number>>;
  from: Date | undefined;
  to: Date | undefined;
};

/** "100%" matches the text "100%": LIKE's wildcards and the escape character taken literally. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, "\\$&")}%`;
}

/**
 * The filters of a caller as SQL, or null when they can match nothing (an unknown user
 * name). The user filter goes through the user's ID, which is indexed. A path matches
 * ignoring case: SQLite's LIKE folds ASCII letters, PostgreSQL's ILIKE all of them.
 */
export async function accessLogQuery(db: Db, caller: CallerOnLogs, f: AccessLogWhere, provider: Provider): Promise<AccessLogQuery | null> {
  const q: AccessLogQuery = { provider, conditions: [], args: [], equal: {}, from: f.from, to: f.to };
  const add = (sql: string, ...args: unknown[]) => {
    q.conditions.push(sql);
    q.args.push(...args);
  };
  const equal = (column: DrivingColumn, value: string | number) => {
    add(`"${column}" = ?`, value);
    q.equal[column] = value;
  };
  if (!caller.isAdmin || f.scope === "mine") equal("ownerId", caller.id);
  if (f.key !== undefined) {
    if (f.key > MAX_ID) return null;
    equal("keyId", f.key);
  }
  if (f.user !== undefined) {
    const user = await db.user.findUnique({ where: { username: f.user }, select: { id: true } });
    if (!user) return null;
    equal("userId", user.id);
  }
  if (f.statusClass) add(`"status" >= ? AND "status" < ?`, STATUS_RANGE[f.statusClass].gte, STATUS_RANGE[f.statusClass].lt);
  if (f.method) equal("method", f.method);
  if (f.path) add(`"path" ${provider === "postgres" ? "ILIKE" : "LIKE"} ? ESCAPE '\\'`, likePattern(f.path));
  if (f.surface) add(`"surface" = ?`, f.surface);
  if (f.from) add(`"at" >= ?`, f.from);
  if (f.to) add(`"at" <= ?`, f.to);
  if (f.from && f.to && f.from.getTime() > f.to.getTime()) return null;
  return q;
}

export function drivingIndex(q: AccessLogQuery): { column: DrivingColumn; index: string; value: string | number } | null {
  for (const [column, index] of DRIVING_INDEXES) {
    const value = q.equal[column];
    if (value !== undefined) return { column, index, value };
  }
  return null;
}
