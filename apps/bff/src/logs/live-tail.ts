// The live tail of the access log (docs/access-logs.md, "Live tail"): new entries as they
// are written, by any instance, through the grid's own filter and visibility. One poller
// per server process reads the table by ID and fans out to the streams subscribed to it,
// so a hundred open tails cost one head read a tick, plus one indexed range read per
// stream only when something new was written.
import { ACCESS_LOG_SURFACES, STATUS_CLASSES } from "@keyhouse/shared";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { badRequest } from "../errors.ts";
import { accessLogQuery, type AccessLogQuery } from "./filter-plan.ts";
import type { CallerOnLogs } from "../auth/caller.ts";
import { COLUMNS, MAX_ID, TABLE, type AccessLogRow, type AccessLogWhere, type Provider } from "./rows.ts";
import { run } from "./window-scan.ts";

/** How often the table is read while a stream is open; the writer flushes every 250 ms. */
export const POLL_MS = 250;
/** Rows sent to one stream in one tick; a stream further behind catches up over several ticks. */
export const ROWS_PER_TICK = 200;
/** IDs a resuming stream may be behind before it is told to reload the grid instead ("gap"). */
export const CATCH_UP_MAX_IDS = 10_000;
/**
 * An ID missing below newer visible ones is waited for this long: on PostgreSQL two
 * instances' inserts can commit out of ID order, and a tail that moved past the hole would
 * never send the entry. A hole that stays is a rolled-back insert.
 */
export const HOLE_WAIT_MS = 2_000;
/** Open streams per user on one instance. */
export const STREAMS_PER_USER = 5;

const id = z
  .string()
  .regex(/^\d{1,15}$/, "must be a positive whole number")
  .transform(Number)
  .refine((n) => n > 0, "must be a positive whole number");
const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);
const date = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), "must be a date and time, e.g. 2026-01-31T12:00:00Z")
  .transform((s) => new Date(s));

/**
 * The grid's filters, strictly: the grid forgives a hand-edited URL, but a stream that
 * silently dropped a mistyped filter would show entries its user did not ask for.
 * Empty values mean "no filter", as the grid's inputs send them.
 */
const liveTailFilterSchema = z
  .object({
    key: id.optional(),
    user: text(64).optional(),
    scope: z.enum(["all", "mine"]).default("all"),
    statusClass: z.enum(STATUS_CLASSES).optional(),
    method: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{1,16}$/, "must be an HTTP method such as GET")
      .transform((m) => m.toUpperCase())
      .optional(),
    path: text(200).optional(),
    surface: z.enum(ACCESS_LOG_SURFACES).optional(),
    from: date.optional(),
    to: date.optional(),
    // The grid's paging fields mean nothing to a tail.
    cursor: z.unknown().optional(),
    limit: z.unknown().optional(),
  })
  .strict();

/** The query string as a filter, or a 400 naming the first bad parameter. */
export function parseLiveTailFilter(query: Record<string, unknown>): AccessLogWhere {
  const cleaned = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ""));
  for (const [k, v] of Object.entries(cleaned)) if (typeof v !== "string") throw badRequest(`The filter "${k}" is given more than once; give it once.`);
  const parsed = liveTailFilterSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === "unrecognized_keys")
      throw badRequest(
        `Unknown filter ${issue.keys.map((k) => `"${k}"`).join(", ")}. The filters are key, user, scope, statusClass, method, path, surface, from and to.`,
      );
    throw badRequest(`The filter "${issue.path.join(".")}" ${issue.message.startsWith("must") ? issue.message : `is not valid: ${issue.message}`}.`);
  }
  const { cursor: _c, limit: _l, ...f } = parsed.data;
  return f;
}

/** A Last-Event-ID header as an ID, or undefined when missing or not one of ours. */
export function parseLastEventId(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= MAX_ID ? n : undefined;
}

export type LiveTailRow = Omit<AccessLogRow, "at"> & { at: string };

export type LiveTailEvent =
  /** The stream is open; resume from `id` (the newest ID when it opened). */
  | { type: "ready"; id: number }
  | { type: "entry"; id: number; row: LiveTailRow }
  /** Entries between the resumed ID and `id` were skipped (too many): reload the grid. */
  | { type: "gap"; id: number; skippedFrom: number };

type Subscriber = {
  userId: number;
  /** The caller's filter as SQL; null when it matches nothing (e.g. someone else's key). */
  query: AccessLogQuery | null;
  /** The highest ID this stream has been told about. */
  lastId: number;
  send: (e: LiveTailEvent) => void;
};

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toLiveRow(r: AccessLogRow): LiveTailRow {
  return {
    ...r,
    id: Number(r.id),
    at: new Date(r.at as unknown as string | number | Date).toISOString(),
    keyId: num(r.keyId),
    ownerId: num(r.ownerId),
    userId: num(r.userId),
    status: Number(r.status),
    durationMs: Number(r.durationMs),
    bytesIn: Number(r.bytesIn),
    bytesOut: Number(r.bytesOut),
  };
}

export class TooManyStreams extends Error {}

export class LiveTail {
  private readonly subscribers = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** Every ID up to here is visible (or given up on): what streams may be sent up to. */
  private settled: number | undefined;
  /** The first missing ID above `settled` and when it was first seen missing. */
  private hole: { id: number; since: number } | undefined;

  constructor(
    private readonly db: Db,
    private readonly provider: Provider,
    private readonly log: (line: string) => void = () => {},
    private readonly options: { pollMs?: number; now?: () => number } = {},
  ) {}

  /**
   * Opens a tail for a caller: returns an unsubscribe function. `lastEventId` resumes
   * after that entry; without it the tail starts at the newest entry.
   */
  async subscribe(caller: CallerOnLogs, filter: AccessLogWhere, lastEventId: number | undefined, send: (e: LiveTailEvent) => void): Promise<() => void> {
    let open = 0;
    for (const s of this.subscribers) if (s.userId === caller.id) open++;
    if (open >= STREAMS_PER_USER)
      throw new TooManyStreams(`You already have ${STREAMS_PER_USER} live tails open. Close one (another tab or window) and try again.`);
    const query = await accessLogQuery(this.db, caller, filter, this.provider);
    const head = await this.head();
    const sub: Subscriber = { userId: caller.id, query, lastId: head, send };
    if (lastEventId === undefined || lastEventId > head) {
      send({ type: "ready", id: head });
    } else if (head - lastEventId > CATCH_UP_MAX_IDS) {
      send({ type: "gap", id: head, skippedFrom: lastEventId });
    } else {
      sub.lastId = lastEventId;
      send({ type: "ready", id: lastEventId });
    }
    this.subscribers.add(sub);
    this.start();
    return () => {
      this.subscribers.delete(sub);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** The highest ID every stream may be sent up to (see HOLE_WAIT_MS). */
  private async head(): Promise<number> {
    if (this.settled === undefined) {
      const [r] = await run<{ id: unknown }>(this.db, this.provider, `SELECT MAX("id") AS "id" FROM ${TABLE}`, []);
      this.settled = Number(r?.id ?? 0);
    }
    return this.settled;
  }

  private start() {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.ticking) return; // a slow database: skip a tick rather than pile them up
      this.ticking = this.tick()
        .catch((e) => this.log(`Access-log live tail: ${(e as Error)?.stack ?? String(e)}`))
        .finally(() => (this.ticking = undefined));
    }, this.options.pollMs ?? POLL_MS);
    this.timer.unref();
  }

  private stop() {
    clearInterval(this.timer);
    this.timer = undefined;
    // Read the head afresh next time: while nobody watched, nothing tracked it.
    this.settled = undefined;
    this.hole = undefined;
  }

  /** One poll: move the settled head over the newly visible IDs, then serve each stream. */
  async tick(): Promise<void> {
    const from = await this.head();
    const ids = (
      await run<{ id: unknown }>(this.db, this.provider, `SELECT "id" FROM ${TABLE} WHERE "id" > ? ORDER BY "id" LIMIT ?`, [from, CATCH_UP_MAX_IDS])
    ).map((r) => Number(r.id));
    let settled = from;
    const now = (this.options.now ?? Date.now)();
    for (const next of ids) {
      if (next === settled + 1) {
        settled = next;
        continue;
      }
      // A hole at settled + 1: wait for it, unless it has been missing too long.
      if (this.hole?.id !== settled + 1) this.hole = { id: settled + 1, since: now };
      if (now - this.hole.since < HOLE_WAIT_MS) break;
      settled = next;
    }
    if (settled !== from) this.settled = settled;
    if (this.hole && this.hole.id <= settled) this.hole = undefined;

    for (const sub of [...this.subscribers]) {
      if (!this.subscribers.has(sub) || sub.lastId >= settled) continue;
      if (!sub.query) {
        sub.lastId = settled;
        continue;
      }
      const where = [...sub.query.conditions, `"id" > ? AND "id" <= ?`].join(" AND ");
      const rows = await run<AccessLogRow>(this.db, this.provider, `SELECT ${COLUMNS} FROM ${TABLE} WHERE ${where} ORDER BY "id" LIMIT ?`, [
        ...sub.query.args,
        sub.lastId,
        settled,
        ROWS_PER_TICK,
      ]);
      if (!this.subscribers.has(sub)) continue;
      for (const r of rows) {
        const row = toLiveRow(r);
        sub.lastId = row.id;
        sub.send({ type: "entry", id: row.id, row });
      }
      if (rows.length < ROWS_PER_TICK) sub.lastId = settled;
    }
  }
}
