// Reading the access log in windows of IDs: the grid (newest first, keyset pagination — never OFFSET, so a
// deep page costs what the first one does). Users see only their own keys' entries; administrators see all.
//
// docs/quality-bars.md: any filter, first page or deep page, under 50 ms on the server with
// 1 000 000 entries. A page is found by reading newest first in windows of IDs, each an
// ordered range read of one index (or of the table), so that no single statement can run
// long — better-sqlite3 is synchronous: a long statement stalls every request. Two things
// keep that fast:
//  - bounds: before the first window the ID range is narrowed to where matches can be —
//    below the cursor, within the key's (user's, owner's, method's) first and last entry,
//    and for a time range within the lowest and highest ID logged in it, when reading
//    those from the (at, id) or (ownerId, at) index is worth it (see scanRange);
//  - a budget: a page stops searching after SCAN_BUDGET_MS. A filter that matches little
//    of a large table (a path no entry contains, a status a key never answered) may then
//    answer fewer rows than asked, even none, with `scannedTo` — the time it searched back
//    to — and a cursor to search on from there. Pages stay exact: following the cursors
//    gives every match once, newest first, whatever the budget.
import type { Db } from "../db/client.ts";
import { AT_INDEX, drivingIndex, OWNER_AT_INDEX, type AccessLogQuery } from "./filter-plan.ts";
import { COLUMNS, MAX_ID, TABLE, type AccessLogPage, type AccessLogRow, type Provider } from "./rows.ts";

/** Wall-clock time a page may spend searching, its bounds included: the rest of the 50 ms of docs/quality-bars.md is for a window that overruns and a busy machine. */
export const SCAN_BUDGET_MS = 30;
/** However slow the machine, a page searches at least this many IDs (a few milliseconds' work). */
const MIN_SCAN = 20_000;
/**
 * A time range's exact ID bounds cost reading its whole stretch of the (at, id) index (see
 * scanRange); without them a scan reads the table rows outside the range instead. Read them
 * when the range is small (`cheap` index entries), or when the rows they spare cost more:
 * `rowCost` is a table row read and filtered, in index entries. On SQLite a statement holds
 * up the whole server (better-sqlite3 is synchronous), so not beyond `max` entries: past
 * that the scan goes on within its budget, pages stopping early until it reaches the range.
 */
const TIME_BOUNDS_COST: Record<Provider, { cheap: number; max: number; rowCost: number }> = {
  sqlite: { cheap: 250_000, max: 400_000, rowCost: 5 },
  postgres: { cheap: 150_000, max: Infinity, rowCost: 5 },
};

/** SQL with `?` placeholders, run with PostgreSQL's `$n` where needed. */
export async function run<T>(db: Db, provider: Provider, sql: string, args: unknown[]): Promise<T[]> {
  let n = 0;
  const text = provider === "postgres" ? sql.replace(/\?/g, () => `$${++n}`) : sql;
  // $queryRawUnsafe with parameters: the values are never part of the SQL text.
  return (await db.$queryRawUnsafe(text, ...args)) as T[];
}

/**
 * The same, without parallel workers on PostgreSQL: for one index range read of a few
 * hundred thousand entries, starting the workers costs more than they save (the bound of
 * a 30-day range over 1 000 000 entries: 52 ms with two workers, 18 ms without).
 */
export async function runSerial<T>(db: Db, provider: Provider, sql: string, args: unknown[]): Promise<T[]> {
  if (provider !== "postgres") return run<T>(db, provider, sql, args);
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  const [, rows] = await db.$transaction([db.$executeRawUnsafe("SET LOCAL max_parallel_workers_per_gather = 0"), db.$queryRawUnsafe(text, ...args)]);
  return rows as T[];
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** SQLite: read through this index (or none: the table, by ID). PostgreSQL plans by its statistics. */
function hint(provider: Provider, index: string | null): string {
  if (provider === "postgres") return "";
  return index ? ` INDEXED BY "${index}"` : " NOT INDEXED";
}

/**
 * The IDs a match can have below the cursor: [lo, hi], both inclusive, or null when there
 * is none. Two index lookups: the first and last entry of the driving index's value (or of
 * the table).
 */
async function idBounds(db: Db, q: AccessLogQuery, cursor: number | undefined): Promise<[number, number] | null> {
  const drive = drivingIndex(q);
  const by = drive ? `${hint(q.provider, drive.index)} WHERE "${drive.column}" = ?` : ` WHERE 1 = 1`;
  const args: unknown[] = drive ? [drive.value, drive.value] : [];
  let below = "";
  if (cursor !== undefined && cursor <= MAX_ID) {
    below = ` AND "id" < ?`;
    args.push(cursor);
  }
  const [r] = await run<{ lo: unknown; hi: unknown }>(
    db,
    q.provider,
    `SELECT (SELECT MIN("id") FROM ${TABLE}${by}) AS "lo", (SELECT MAX("id") FROM ${TABLE}${by}${below}) AS "hi"`,
    args,
  );
  const lo = num(r?.lo);
  const hi = num(r?.hi);
  return lo === null || hi === null || hi < lo ? null : [lo, hi];
}

/**
 * The IDs a scan still has to read, newest first: [lo, hi]. A time range narrows them to
 * the lowest and highest ID logged in it — exactly: IDs follow time only roughly, as an
 * entry is written when its request ends. The index orders by time, so the lowest or
 * highest ID of a range is found only by reading the range's whole stretch of it (an
 * owner's own entries: of the (ownerId, at) index, only theirs). Two index lookups first
 * estimate the range's size and where it lies (the IDs of its first and last entry), and
 * a bound is read only when it saves reading more than it costs (TIME_BOUNDS_COST):
 *  - the upper bound at once, when the scan would otherwise read the entries newer than
 *    the range before its first match;
 *  - the lower bound only when the scan is about to pass the range's estimated start
 *    (`low`), so that the last page stops there instead of reading all older entries.
 */
type ScanRange = { lo: number; hi: number; lowAt?: number; low?: (hi: number) => Promise<number | null> };

export async function scanRange(db: Db, q: AccessLogQuery, cursor: number | undefined, options: PageOptions): Promise<ScanRange | null> {
  const ids = await idBounds(db, q, cursor);
  if (!ids || (!q.from && !q.to)) return ids && { lo: ids[0], hi: ids[1] };
  const [lo, hi] = ids;
  const time: string[] = [];
  const timeArgs: unknown[] = [];
  if (q.from) time.push(`"at" >= ?`), timeArgs.push(q.from);
  if (q.to) time.push(`"at" <= ?`), timeArgs.push(q.to);
  const owner = q.equal.ownerId;
  const index = owner === undefined ? AT_INDEX : OWNER_AT_INDEX;
  const where = [...(owner === undefined ? [] : [`"ownerId" = ?`]), ...time].join(" AND ");
  const whereArgs = [...(owner === undefined ? [] : [owner]), ...timeArgs];

  // The first and last entry of the range (by time): an estimate of where its IDs lie.
  const first = q.from
    ? `(SELECT "id" FROM ${TABLE}${hint(q.provider, index)} WHERE ${owner === undefined ? "" : `"ownerId" = ? AND `}"at" >= ? ORDER BY ${owner === undefined ? "" : `"ownerId", `}"at", "id" LIMIT 1)`
    : "NULL";
  const last = q.to
    ? `(SELECT "id" FROM ${TABLE}${hint(q.provider, index)} WHERE ${owner === undefined ? "" : `"ownerId" = ? AND `}"at" <= ? ORDER BY ${owner === undefined ? "" : `"ownerId" DESC, `}"at" DESC, "id" DESC LIMIT 1)`
    : "NULL";
  const estimateArgs = [...(q.from ? [...(owner === undefined ? [] : [owner]), q.from] : []), ...(q.to ? [...(owner === undefined ? [] : [owner]), q.to] : [])];
  const [e] = await run<{ first: unknown; last: unknown }>(db, q.provider, `SELECT ${first} AS "first", ${last} AS "last"`, estimateArgs);
  const firstId = q.from ? num(e?.first) : lo;
  const lastId = q.to ? num(e?.last) : hi;
  // No entry at or after `from` (or at or before `to`), anywhere: nothing can match.
  if (firstId === null || lastId === null) return null;

  // An owner's entries in a range are few next to everyone's: always worth reading. For
  // everyone's, reading the bounds costs the range's size in index entries; not reading
  // them, `outside` table rows (TIME_BOUNDS_COST.rowCost index entries each).
  const cost = TIME_BOUNDS_COST[q.provider];
  const size = Math.max(0, lastId - firstId);
  const cheap = options.timeBoundsCheap ?? cost.cheap;
  const worth = (outside: number) => owner !== undefined || size <= cheap || (size <= cost.max && size < cost.rowCost * outside);
  // PostgreSQL would answer MIN or MAX by walking the primary key from one end until a row
  // in the range turns up (half the table for a range mid-history); "+ 0" makes it read
  // the range's index entries instead (SQLite reads the index it is given). The condition
  // on IDs only when the cursor or a filter's index narrowed [lo, hi]: it costs a quarter
  // more per entry read.
  const narrowed = cursor !== undefined || drivingIndex(q) !== null;
  const bound = async (fn: "MIN" | "MAX", from: number, to: number) => {
    const [b] = await runSerial<{ id: unknown }>(
      db,
      q.provider,
      `SELECT ${fn}(${q.provider === "postgres" ? `"id" + 0` : `"id"`}) AS "id" FROM ${TABLE}${hint(q.provider, index)} WHERE ${where}${narrowed ? ` AND "id" BETWEEN ? AND ?` : ""}`,
      [...whereArgs, ...(narrowed ? [from, to] : [])],
    );
    return num(b?.id);
  };

  const range: ScanRange = { lo, hi };
  // Upper: the cursor is above the range's end, or below its start (then everything left
  // is older than the range, and the bound says whether any of it is in the range at all).
  const below = hi < firstId;
  if (q.to || below) {
    const outside = below ? hi - lo : hi - Math.max(lastId, lo);
    if (outside > 0 && worth(outside)) {
      const top = await bound("MAX", lo, hi);
      if (top === null) return null;
      range.hi = top;
    }
  }
  if (q.from && firstId > lo && worth(firstId - lo)) {
    range.lowAt = firstId;
    range.low = (top) => bound("MIN", lo, top);
  }
  return range;
}

/** The matches with IDs in [lo, hi], newest first, at most `take`: one ordered range read. */
export function windowRows(db: Db, q: AccessLogQuery, lo: number, hi: number, take: number): Promise<AccessLogRow[]> {
  const drive = drivingIndex(q);
  const where = [...q.conditions, `"id" BETWEEN ? AND ?`].join(" AND ");
  return run<AccessLogRow>(
    db,
    q.provider,
    `SELECT ${COLUMNS} FROM ${TABLE}${hint(q.provider, drive?.index ?? null)} WHERE ${where} ORDER BY "id" DESC LIMIT ?`,
    [...q.args, lo, hi, take],
  );
}

/**
 * The next window, [from, hi] of at most `span` IDs, or null when the range is read. When
 * the window would pass a time range's estimated start, its exact lower bound is read first.
 */
export async function nextWindow(range: ScanRange, span: number): Promise<[number, number] | null> {
  if (range.low && range.hi - span + 1 < range.lowAt!) {
    const low = await range.low(range.hi);
    range.low = undefined;
    if (low === null) return null; // nothing of the range at or below hi
    range.lo = Math.max(range.lo, low);
  }
  if (range.hi < range.lo) return null;
  return [Math.max(range.lo, range.hi - span + 1), range.hi];
}

export type PageOptions = {
  /** Wall-clock milliseconds a page may spend searching (SCAN_BUDGET_MS); Infinity for full pages, as the exports want. */
  budgetMs?: number;
  /** At most this many windows a page (tests: a budget that does not depend on the clock). */
  maxWindows?: number;
  /** The first window's size in IDs (default: eight pages' worth). */
  firstWindow?: number;
  /** Tests: read a time range's bounds whenever its estimated size is below this (TIME_BOUNDS_COST), else only when they save much more. */
  timeBoundsCheap?: number;
};

/**
 * The next window's size: scaled so that it should take about `targetMs`, at most eight
 * times the last (a window costs more than its share when it reads pages the last did not
 * have in memory).
 */
export function nextSpan(span: number, tookMs: number, targetMs: number): number {
  return Math.max(1, Math.round(span * Math.min(8, Math.max(0.5, targetMs / Math.max(tookMs, 0.05)))));
}

/**
 * Up to `limit` matches older than `cursor` (an ID), newest first. Reads windows of IDs
 * from the newest down; each window is sized from how long the last one took, so that
 * cheap windows (a key's index, dense matches) grow fast, up to eightfold, and a page
 * that finds little ends near its budget.
 */
export async function findAccessLogPage(
  db: Db,
  q: AccessLogQuery,
  cursor: number | undefined,
  limit: number,
  options: PageOptions = {},
): Promise<AccessLogPage> {
  const started = performance.now();
  const budget = options.budgetMs ?? SCAN_BUDGET_MS;
  const maxWindows = options.maxWindows ?? Infinity;
  const need = limit + 1; // one extra row tells whether there is a next page, without a COUNT
  const done = (rows: AccessLogRow[]): AccessLogPage => ({ rows, nextCursor: null, scannedTo: null });

  const range = await scanRange(db, q, cursor, options);
  if (!range) return done([]);
  const top = range.hi;
  const rows: AccessLogRow[] = [];
  let span = Math.max(1, options.firstWindow ?? need * 8);
  for (let windows = 1; ; windows++) {
    const window = await nextWindow(range, span);
    if (!window) return done(rows);
    const [from, hi] = window;
    const t0 = performance.now();
    rows.push(...(await windowRows(db, q, from, hi, need - rows.length)));
    const took = performance.now() - t0;
    if (rows.length >= need) {
      const page = rows.slice(0, limit);
      return { rows: page, nextCursor: page[page.length - 1]!.id, scannedTo: null };
    }
    range.hi = from - 1;
    if (range.hi < range.lo) return done(rows);
    const left = budget - (performance.now() - started);
    const scanned = top - range.hi;
    if (windows >= maxWindows || (left <= 0 && scanned >= MIN_SCAN)) return { rows, nextCursor: from, scannedTo: await timeOf(db, q.provider, from) };
    // Aim to end the next window by half of what is left (older rows may not be in memory
    // yet); on a busy machine, still search at least MIN_SCAN IDs a page.
    span = left <= 0 ? MIN_SCAN - scanned : nextSpan(span, took, left * 0.5);
  }
}

/** The time of the entry at or just above an ID: how far back a page has searched. */
async function timeOf(db: Db, provider: Provider, id: number): Promise<Date> {
  const [r] = await run<{ at: Date }>(db, provider, `SELECT "at" FROM ${TABLE} WHERE "id" >= ? ORDER BY "id" LIMIT 1`, [id]);
  return r ? new Date(r.at) : new Date();
}
