// Access-log bodies are stored once per content (docs/access-logs.md, "Bodies"): feed reads
// answer the same bytes again and again, so an entry names its bodies by SHA-256 (hex) and
// "AccessLogBody" holds each distinct text once. Entries written before this keep their
// bodies in their own requestBody/responseBody columns; readers take either.
//
// Writing: the batch's bodies go in with its entries, in one transaction, inserted only if
// absent. A body this process wrote within RECENT_MS is not sent again (only its hash is):
// an entry naming it was committed since, and retention only deletes bodies no entry names,
// while entries live at least a day (LOG_RETENTION_DAYS >= 1), so it is still there.
// Retention deletes bodies no entry names (purgeOrphanBodies).
import { createHash } from "node:crypto";
import type { Db } from "../db/client.ts";
import type { Provider } from "./rows.ts";

/** [hash, text, size in UTF-8 bytes]: one row of "AccessLogBody". */
export type BodyRow = [string, string, number];

type WithBodies = { requestBody?: string | null; responseBody?: string | null; requestBodyHash?: string | null; responseBodyHash?: string | null };

export const RECENT_MS = 10 * 60 * 1000;
export const RECENT_MAX = 4096;

// Feed reads log the same text again and again (capture.ts hands over the very string it
// logged for the last read of that answer): its hash is kept for the last few texts, so a
// repeated body costs a lookup, not a SHA-256 of up to 64 KiB per entry.
const HASHED_MAX = 32;
const hashed = new Map<string, string>();

export function bodyHash(text: string): string {
  const hit = hashed.get(text);
  if (hit !== undefined) return hit;
  const hash = createHash("sha256").update(text).digest("hex");
  if (hashed.size >= HASHED_MAX) hashed.delete(hashed.keys().next().value!);
  hashed.set(text, hash);
  return hash;
}

/** The hashes of bodies this process committed lately, oldest first (a Map keeps insertion order). */
export class RecentBodies {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = RECENT_MS,
    private readonly max = RECENT_MAX,
  ) {}

  has(hash: string, now: number): boolean {
    const at = this.seen.get(hash);
    return at !== undefined && now - at < this.ttlMs;
  }

  /** After the transaction that wrote (or named) these bodies committed. */
  remember(hashes: Iterable<string>, now: number): void {
    for (const h of hashes) {
      this.seen.delete(h);
      this.seen.set(h, now);
    }
    while (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
  }
}

/**
 * The batch as it is stored: entries with bodies name them by hash (their body columns
 * empty), and the distinct bodies not written lately. `named`: every hash the batch names,
 * to remember once it is committed. Entries without bodies are passed on as they are.
 */
export function contentAddress<T extends WithBodies>(
  batch: readonly T[],
  recent: RecentBodies,
  now: number,
): { rows: T[]; bodies: BodyRow[]; named: Set<string> } {
  const bodies: BodyRow[] = [];
  const named = new Set<string>();
  const add = (text: string): string => {
    const hash = bodyHash(text);
    if (!named.has(hash)) {
      named.add(hash);
      if (!recent.has(hash, now)) bodies.push([hash, text, Buffer.byteLength(text)]);
    }
    return hash;
  };
  const rows = batch.map((e) => {
    if (e.requestBody == null && e.responseBody == null) return e;
    return {
      ...e,
      requestBody: null,
      responseBody: null,
      requestBodyHash: e.requestBody == null ? null : add(e.requestBody),
      responseBodyHash: e.responseBody == null ? null : add(e.responseBody),
    };
  });
  return { rows, bodies, named };
}

/** SQLite: one body, if absent (the writer's transaction holds the write lock, so no purge runs in between). */
export const SQLITE_BODY_SQL = `INSERT OR IGNORE INTO "AccessLogBody" ("hash", "text", "size") VALUES (?, ?, ?)`;

/**
 * PostgreSQL: the bodies, if absent. DO UPDATE … WHERE false updates nothing but locks a
 * body that is there until the entries naming it commit, so a purge running at the same
 * time (purgeOrphanBodies, which skips locked bodies) cannot delete it under them;
 * DO NOTHING would not lock it.
 */
export function pgBodySql(rows: number): string {
  let n = 0;
  const values = Array.from({ length: rows }, () => `($${++n}, $${++n}, $${++n}::integer)`).join(", ");
  return `INSERT INTO "AccessLogBody" ("hash", "text", "size") VALUES ${values} ON CONFLICT ("hash") DO UPDATE SET "size" = EXCLUDED."size" WHERE false`;
}

/** Bodies per PostgreSQL statement (three parameters each, at most 65 535). */
export const PG_BODIES_PER_STATEMENT = 1000;

/** The entry with its bodies' texts in requestBody/responseBody, and without the hash columns. */
export async function withBodyTexts<T extends WithBodies>(
  db: Db,
  row: T,
): Promise<Omit<T, "requestBodyHash" | "responseBodyHash"> & { requestBody: string | null; responseBody: string | null }> {
  const { requestBodyHash, responseBodyHash, ...rest } = row;
  const hashes = [requestBodyHash, responseBodyHash].filter((h): h is string => !!h);
  const texts = new Map<string, string>();
  if (hashes.length > 0) {
    for (const b of await db.accessLogBody.findMany({ where: { hash: { in: hashes } }, select: { hash: true, text: true } })) texts.set(b.hash, b.text);
  }
  const text = (hash: string | null | undefined, legacy: string | null | undefined) => (hash ? (texts.get(hash) ?? null) : (legacy ?? null));
  return { ...rest, requestBody: text(requestBodyHash, row.requestBody), responseBody: text(responseBodyHash, row.responseBody) };
}

export const BODY_PURGE_BATCH = 1000;

/**
 * Deletes the bodies no entry names, `batchSize` bodies looked at a time (in hash order, so
 * each is looked at once per run). PostgreSQL: the bodies of a batch are locked first
 * (skipping those a writer holds: it is naming them), and whether an entry names them is
 * asked in the next statement, which sees every entry committed before the locks.
 */
export async function purgeOrphanBodies(db: Db, batchSize = BODY_PURGE_BATCH): Promise<number> {
  const provider: Provider = (db as unknown as { _activeProvider?: unknown })._activeProvider === "postgresql" ? "postgres" : "sqlite";
  const unnamed = `NOT EXISTS (SELECT 1 FROM "AccessLogEntry" e WHERE e."requestBodyHash" = "AccessLogBody"."hash") AND NOT EXISTS (SELECT 1 FROM "AccessLogEntry" e WHERE e."responseBodyHash" = "AccessLogBody"."hash")`;
  let after = "";
  let deleted = 0;
  for (;;) {
    const page = await db.accessLogBody.findMany({ where: { hash: { gt: after } }, select: { hash: true }, orderBy: { hash: "asc" }, take: batchSize });
    if (page.length === 0) break;
    const hashes = page.map((b) => b.hash);
    after = hashes[hashes.length - 1]!;
    if (provider === "postgres") {
      deleted += await db.$transaction(async (tx) => {
        const locked = await tx.$queryRawUnsafe<{ hash: string }[]>(
          `SELECT "hash" FROM "AccessLogBody" WHERE "hash" = ANY($1::text[]) FOR UPDATE SKIP LOCKED`,
          hashes,
        );
        if (locked.length === 0) return 0;
        return tx.$executeRawUnsafe(
          `DELETE FROM "AccessLogBody" WHERE "hash" = ANY($1::text[]) AND ${unnamed}`,
          locked.map((l) => l.hash),
        );
      });
    } else {
      deleted += await db.$executeRawUnsafe(`DELETE FROM "AccessLogBody" WHERE "hash" IN (${hashes.map(() => "?").join(", ")}) AND ${unnamed}`, ...hashes);
    }
    if (page.length < batchSize) break;
    await new Promise((r) => setImmediate(r));
  }
  return deleted;
}
