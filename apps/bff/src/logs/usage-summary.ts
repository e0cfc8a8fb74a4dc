// What each key used, per UTC day (the KeyUsage table), kept up to date with the access-log
// batches and in the same transaction (docs/advisor.md): the writer (writer.ts) computes a
// batch's rows here and each write path — the SQLite worker (lib/sqlite-side-writer.ts),
// the PostgreSQL pool (pg-batch-insert.ts), raw statements through Prisma — runs them with
// the batch's INSERT. Rows only ever add counts (an upsert), so instances writing the same
// day at once never lose each other's counts. Reading a key's window is an index range over
// its rows, never a scan of the log.
import { DAY_MS, usageKindsOf, type KeyUsageReport, type UsageCount, type UsageFact } from "@keyhouse/shared";
import type { Db } from "../db/client.ts";
import type { AccessLogInput } from "./writer.ts";

/** An access-log entry with what the gates decided (http/request-key.ts describeRequestUsage); the facts are not a column. */
export type LoggedEntry = AccessLogInput & { usage?: UsageFact[] | null };

export type UsageRow = { keyId: number; day: string; kind: string; value: string; count: number; firstAt: string; lastAt: string };

/** At most this many distinct values of a capped kind per key and day; past it, an "overflow" row says the list is incomplete. */
export const USAGE_VALUES_PER_DAY = 200;
/**
 * Networks fewer: a key used from many networks (CI runners in a cloud) would otherwise
 * fill its days with them, and the advisor adds at most 50 allowed networks anyway.
 */
export const USAGE_NETWORKS_PER_DAY = 50;
const capOf = (kind: string) => (kind === "network" ? USAGE_NETWORKS_PER_DAY : USAGE_VALUES_PER_DAY);
/** Kinds whose values are few by nature and never capped. */
const UNCAPPED = ["request", "surface", "action", "overflow"];
/** The advisor looks back this far at most (and never past LOG_RETENTION_DAYS). */
export const USAGE_WINDOW_DAYS = 90;

const VALUE_MAX = 300;

/** The summary rows a batch adds, one per key, day, kind and value. */
export function usageRowsOf(batch: readonly LoggedEntry[]): UsageRow[] {
  const rows = new Map<string, UsageRow>();
  const rowOf = (keyId: number, day: string, at: string, kind: string, value: string): UsageRow => {
    const v = value.slice(0, VALUE_MAX);
    const id = `${keyId}\u0000${day}\u0000${kind}\u0000${v}`;
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { keyId, day, kind, value: v, count: 0, firstAt: at, lastAt: at }));
    return row;
  };
  // A feed's clients repeat themselves: the entries of one key, day, outcome, address and
  // decisions add to the same rows, which are looked up once (the kinds of each decision,
  // its network among them, worked out once too).
  const same = new Map<string, UsageRow[]>();
  for (const e of batch) {
    // Only a key that was valid when presented used anything; refusals of a revoked key are not use.
    if (typeof e.keyId !== "number" || e.keyStatus !== "valid") continue;
    const at = (e.at === undefined ? new Date() : new Date(e.at)).toISOString();
    const day = at.slice(0, 10);
    const refused = e.status === 401 || e.status === 403;
    let facts = e.usage ?? [];
    // A request that succeeded without a recorded decision still used its surface and feed.
    if (facts.length === 0 && e.status < 400) facts = [{ surface: e.surface as UsageFact["surface"], feed: e.feed ?? null, action: null, packageId: null }];
    const sig = JSON.stringify([e.keyId, day, refused, e.ip ?? null, facts]);
    let targets = same.get(sig);
    if (!targets) {
      targets = [rowOf(e.keyId, day, at, "request", "all")];
      if (refused) targets.push(rowOf(e.keyId, day, at, "request", "refused"));
      for (const fact of facts) for (const [kind, value] of usageKindsOf(fact, e.ip)) targets.push(rowOf(e.keyId, day, at, kind, value));
      same.set(sig, targets);
    }
    for (const row of targets) {
      row.count++;
      if (at < row.firstAt) row.firstAt = at;
      if (at > row.lastAt) row.lastAt = at;
    }
  }
  return [...rows.values()];
}

type Provider = "sqlite" | "postgres";

const COLS = `"keyId", "day", "kind", "value", "count", "firstAt", "lastAt"`;
const capped = (kind: string) => !UNCAPPED.includes(kind);

// SQLite: one row a statement (prepared once on the worker), positional parameters repeated.
// The cap: a new value is taken while the key has fewer than USAGE_VALUES_PER_DAY values of
// that kind that day; otherwise the "overflow" row of the kind counts what was left out.
const EXISTS = `EXISTS (SELECT 1 FROM "KeyUsage" WHERE "keyId" = ? AND "day" = ? AND "kind" = ? AND "value" = ?)`;
const COUNT = `(SELECT COUNT(*) FROM "KeyUsage" WHERE "keyId" = ? AND "day" = ? AND "kind" = ?)`;
const SQLITE_MERGE = `ON CONFLICT ("keyId", "day", "kind", "value") DO UPDATE SET "count" = "KeyUsage"."count" + excluded."count", "firstAt" = MIN("KeyUsage"."firstAt", excluded."firstAt"), "lastAt" = MAX("KeyUsage"."lastAt", excluded."lastAt")`;
export const SQLITE_USAGE_SQL = {
  // A row the key already has (all but the first batch of its day): only its counts move, as
  // the upsert below would move them, without the upsert's two look-ups and the overflow
  // statement; the worker runs those only when this changed nothing.
  update: `UPDATE "KeyUsage" SET "count" = "count" + ?, "firstAt" = MIN("firstAt", ?), "lastAt" = MAX("lastAt", ?) WHERE "keyId" = ? AND "day" = ? AND "kind" = ? AND "value" = ?`,
  upsert: `INSERT INTO "KeyUsage" (${COLS}) SELECT ?, ?, ?, ?, ?, ?, ? WHERE ? = 0 OR ${EXISTS} OR ${COUNT} < ? ${SQLITE_MERGE}`,
  overflow: `INSERT INTO "KeyUsage" (${COLS}) SELECT ?, ?, 'overflow', ?, ?, ?, ? WHERE NOT ${EXISTS} AND ${COUNT} >= ? ${SQLITE_MERGE}`,
};

/** SQLite's stored form of a DateTime (as Prisma's adapter writes it), so MIN and MAX compare text correctly. */
const sqliteTime = (iso: string) => iso.replace("Z", "+00:00");

/** The parameters of SQLITE_USAGE_SQL for one row: update, then (if it changed nothing) overflow or null, and upsert. */
export function sqliteUsageParams(r: UsageRow): { update: unknown[]; overflow: unknown[] | null; upsert: unknown[] } {
  const first = sqliteTime(r.firstAt);
  const last = sqliteTime(r.lastAt);
  const where = [r.keyId, r.day, r.kind, r.value, r.keyId, r.day, r.kind];
  return {
    update: [r.count, first, last, r.keyId, r.day, r.kind, r.value],
    overflow: capped(r.kind) ? [r.keyId, r.day, r.kind, r.count, first, last, ...where, capOf(r.kind)] : null,
    upsert: [r.keyId, r.day, r.kind, r.value, r.count, first, last, capped(r.kind) ? 1 : 0, ...where, capOf(r.kind)],
  };
}

// PostgreSQL: the whole batch in two statements (unnest of arrays). Each new value of a
// capped kind is numbered within its key and day (r), so the cap holds within a batch too.
const PG_INPUT = `SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamp(3)[], $7::timestamp(3)[]) AS t(k, d, kind, v, c, f, l)`;
const PG_MERGE = `ON CONFLICT ("keyId", "day", "kind", "value") DO UPDATE SET "count" = "KeyUsage"."count" + excluded."count", "firstAt" = LEAST("KeyUsage"."firstAt", excluded."firstAt"), "lastAt" = GREATEST("KeyUsage"."lastAt", excluded."lastAt")`;
const PG_EXISTS = `EXISTS (SELECT 1 FROM "KeyUsage" u WHERE u."keyId" = t.k AND u."day" = t.d AND u."kind" = t.kind AND u."value" = t.v)`;
const PG_COUNT = `(SELECT COUNT(*) FROM "KeyUsage" u WHERE u."keyId" = t.k AND u."day" = t.d AND u."kind" = t.kind)`;
const PG_CAPPED = `x.kind NOT IN (${UNCAPPED.map((k) => `'${k}'`).join(", ")})`;
const PG_CAP = `CASE x.kind WHEN 'network' THEN ${USAGE_NETWORKS_PER_DAY} ELSE ${USAGE_VALUES_PER_DAY} END`;
const PG_RANKED = `SELECT y.*, ROW_NUMBER() OVER (PARTITION BY y.k, y.d, y.kind, y.ex ORDER BY y.v) AS r FROM (SELECT t.*, ${PG_EXISTS} AS ex, ${PG_COUNT} AS n FROM (${PG_INPUT}) t) y`;
export const PG_USAGE_SQL = {
  // Rows the keys already have (all but the first batches of a day): counts added in one
  // statement, answering which input rows it found (1-based); overflow and upsert then run
  // on the others only, as SQLITE_USAGE_SQL.update does on SQLite.
  update: `UPDATE "KeyUsage" u SET "count" = u."count" + t.c, "firstAt" = LEAST(u."firstAt", t.f), "lastAt" = GREATEST(u."lastAt", t.l) FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamp(3)[], $7::timestamp(3)[]) WITH ORDINALITY AS t(k, d, kind, v, c, f, l, i) WHERE u."keyId" = t.k AND u."day" = t.d AND u."kind" = t.kind AND u."value" = t.v RETURNING t.i`,
  // Overflow rows first (several values of a kind fold into one row: summed before the insert).
  overflow: `INSERT INTO "KeyUsage" (${COLS}) SELECT x.k, x.d, 'overflow', x.kind, SUM(x.c)::int, MIN(x.f), MAX(x.l) FROM (${PG_RANKED}) x WHERE ${PG_CAPPED} AND NOT x.ex AND x.n + x.r > ${PG_CAP} GROUP BY x.k, x.d, x.kind ${PG_MERGE}`,
  upsert: `INSERT INTO "KeyUsage" (${COLS}) SELECT x.k, x.d, x.kind, x.v, x.c, x.f, x.l FROM (${PG_RANKED}) x WHERE NOT (${PG_CAPPED}) OR x.ex OR x.n + x.r <= ${PG_CAP} ${PG_MERGE}`,
};

const pgTime = (iso: string) => iso.replace("T", " ").replace("Z", "");

/** The array parameters of PG_USAGE_SQL (both statements take the same). */
export function pgUsageParams(rows: readonly UsageRow[]): unknown[] {
  return [
    rows.map((r) => r.keyId),
    rows.map((r) => r.day),
    rows.map((r) => r.kind),
    rows.map((r) => r.value),
    rows.map((r) => r.count),
    rows.map((r) => pgTime(r.firstAt)),
    rows.map((r) => pgTime(r.lastAt)),
  ];
}

/** The statements that write `rows` through Prisma, to run in the batch's transaction. */
export function prismaUsageStatements(db: Db, provider: Provider, rows: readonly UsageRow[]) {
  if (rows.length === 0) return [];
  if (provider === "postgres") {
    const params = pgUsageParams(rows);
    return [db.$executeRawUnsafe(PG_USAGE_SQL.overflow, ...params), db.$executeRawUnsafe(PG_USAGE_SQL.upsert, ...params)];
  }
  return rows.flatMap((r) => {
    const p = sqliteUsageParams(r);
    return [
      ...(p.overflow ? [db.$executeRawUnsafe(SQLITE_USAGE_SQL.overflow, ...p.overflow)] : []),
      db.$executeRawUnsafe(SQLITE_USAGE_SQL.upsert, ...p.upsert),
    ];
  });
}

/** prisma/schema.prisma's covering index of KeyUsage, (keyId, kind, value, day, count, firstAt, lastAt). */
const COVERING_INDEX = "KeyUsage_keyId_kind_value_day_count_firstAt_lastAt_idx";

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** The window the advisor reads: 90 days, or fewer when the log keeps fewer (LOG_RETENTION_DAYS). */
export function usageWindowDays(retentionDays: number): number {
  return Math.max(1, Math.min(USAGE_WINDOW_DAYS, Math.floor(retentionDays)));
}

/** A key's use over the last `windowDays` days (today included), from its summary rows. */
export async function readKeyUsage(db: Db, keyId: number, windowDays: number, now = new Date()): Promise<KeyUsageReport> {
  return (await readKeysUsage(db, [keyId], windowDays, now)).get(keyId)!;
}

/** Several keys' use at once (the admin grid): one grouped read per thousand keys. */
export async function readKeysUsage(db: Db, keyIds: readonly number[], windowDays: number, now = new Date()): Promise<Map<number, KeyUsageReport>> {
  const since = dayOf(new Date(now.getTime() - (windowDays - 1) * DAY_MS));
  const byKey = new Map<number, { kind: string; value: string; count: number; firstAt: Date; lastAt: Date }[]>(keyIds.map((id) => [id, []]));
  // Raw SQL: the busiest key has thousands of rows in 90 days, and Prisma's groupBy costs
  // several times the query itself to hand them over (bench:logs). On SQLite the covering
  // index is named: without planner statistics (no ANALYZE) it would group through the
  // primary key with a sort, 7 ms or more instead of 2.
  const pg = (db as unknown as { _activeProvider?: unknown })._activeProvider === "postgresql";
  for (let i = 0; i < keyIds.length; i += 1000) {
    const ids = keyIds.slice(i, i + 1000);
    const marks = ids.map((_, j) => (pg ? `$${j + 2}` : "?")).join(", ");
    const rows = await db.$queryRawUnsafe<
      { keyId: number; kind: string; value: string; count: number | bigint; firstAt: Date | string; lastAt: Date | string }[]
    >(
      `SELECT "keyId", "kind", "value", SUM("count") AS "count", MIN("firstAt") AS "firstAt", MAX("lastAt") AS "lastAt" FROM "KeyUsage"${pg ? "" : ` INDEXED BY "${COVERING_INDEX}"`} WHERE "day" >= ${pg ? "$1" : "?"} AND "keyId" IN (${marks}) GROUP BY "keyId", "kind", "value"`,
      since,
      ...ids,
    );
    for (const r of rows)
      byKey.get(Number(r.keyId))?.push({ kind: r.kind, value: r.value, count: Number(r.count), firstAt: new Date(r.firstAt), lastAt: new Date(r.lastAt) });
  }
  return new Map([...byKey].map(([id, rows]) => [id, reportOf(rows, windowDays, since)]));
}

function reportOf(rows: { kind: string; value: string; count: number; firstAt: Date; lastAt: Date }[], windowDays: number, since: string): KeyUsageReport {
  const of = (kind: string): UsageCount[] =>
    rows
      .filter((r) => r.kind === kind)
      .map((r) => ({ value: r.value, count: r.count, firstAt: r.firstAt.toISOString(), lastAt: r.lastAt.toISOString() }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  const all = of("request").find((r) => r.value === "all");
  return {
    windowDays,
    since,
    firstUsedAt: all?.firstAt ?? null,
    lastUsedAt: all?.lastAt ?? null,
    requests: all?.count ?? 0,
    refused: of("request").find((r) => r.value === "refused")?.count ?? 0,
    surfaces: of("surface"),
    feeds: of("feed"),
    actions: of("action"),
    packages: of("package"),
    networks: of("network"),
    incomplete: of("overflow").map((r) => r.value),
  };
}

/** Retention: summary days older than `olderThanDays` go with the entries they summed up. */
export async function purgeOldUsage(db: Db, olderThanDays: number, now = new Date()): Promise<number> {
  const cutoff = dayOf(new Date(now.getTime() - olderThanDays * DAY_MS));
  const { count } = await db.keyUsage.deleteMany({ where: { day: { lt: cutoff } } });
  return count;
}
