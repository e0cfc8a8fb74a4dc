// Access-log retention (docs/access-logs.md): entries older than LOG_RETENTION_DAYS are deleted,
// at start-up and then every hour. The deletes go in small batches — a range of IDs at a
// time, never more than about two batches' worth of rows — so neither database holds a long write lock and SQLite's WAL stays small while
// requests keep being logged. Several instances purging at once is harmless.
// A key's last use (lastUsedAt/lastUsedIp) lives on the key, not in the log: it stays.
// Bodies are stored once per content (bodies.ts): after the entries, the job deletes the
// bodies no entry names, in batches too.
import { DAY_MS } from "@keyhouse/shared";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { startPeriodicJob } from "../lib/periodic-job.ts";
import { purgeOldUsage } from "./usage-summary.ts";
import { purgeOrphanBodies } from "./bodies.ts";

export const PURGE_BATCH = 5000;
export const PURGE_EVERY_MS = 60 * 60 * 1000;

export type PurgeResult = { deleted: number; batches: number };

/** Deletes the entries older than `olderThanDays` days before `now`, `batchSize` at a time. */
export async function purgeOldEntries(db: Db, olderThanDays: number, now = new Date(), batchSize = PURGE_BATCH): Promise<PurgeResult> {
  const cutoff = new Date(now.getTime() - olderThanDays * DAY_MS);
  let deleted = 0;
  let batches = 0;
  for (;;) {
    // The oldest entries, through the (at, id) index. IDs follow time closely, so their
    // IDs usually form a dense range: delete by that range (the time condition stays, so
    // an entry inside it that is not old enough is kept). Should a clock jump have
    // scattered them, the range could hold far more rows: then delete exactly these IDs.
    const oldest = await db.accessLogEntry.findMany({
      where: { at: { lt: cutoff } },
      select: { id: true },
      orderBy: [{ at: "asc" }, { id: "asc" }],
      take: batchSize,
    });
    if (oldest.length === 0) break;
    let lo = oldest[0]!.id;
    let hi = lo;
    for (const { id } of oldest) {
      if (id < lo) lo = id;
      if (id > hi) hi = id;
    }
    const ids = hi - lo < 2 * batchSize ? { gte: lo, lte: hi } : { in: oldest.map((o) => o.id) };
    const { count } = await db.accessLogEntry.deleteMany({ where: { id: ids, at: { lt: cutoff } } });
    deleted += count;
    batches++;
    if (oldest.length < batchSize) break;
    // Let requests (and their log writes) in between batches.
    await new Promise((r) => setImmediate(r));
  }
  return { deleted, batches };
}

export type RetentionJob = { stop: () => Promise<void>; runNow: () => Promise<PurgeResult | null> };

/** Purges now and every hour; timers are unref'd so they never hold the process open. */
export function startRetentionJob(db: Db, config: Pick<Config, "logRetentionDays">, log: (line: string) => void, everyMs = PURGE_EVERY_MS): RetentionJob {
  const job = startPeriodicJob(
    async () => {
      const result = await purgeOldEntries(db, config.logRetentionDays, new Date());
      if (result.deleted > 0) log(`Access log: purged ${result.deleted} entries older than ${config.logRetentionDays} days.`);
      // The keys' usage summary keeps the same window (usage-summary.ts).
      await purgeOldUsage(db, config.logRetentionDays, new Date());
      // Then the bodies no entry names any more (bodies.ts); shared ones stay.
      const bodies = await purgeOrphanBodies(db);
      if (bodies > 0) log(`Access log: purged ${bodies} bodies no entry names.`);
      return result;
    },
    (e) => log(`Access log: the retention purge failed (${(e as Error)?.message?.split("\n")[0] ?? String(e)}); it is retried within the hour.`),
    everyMs,
    "soon",
  );
  return { runNow: job.runNow, stop: job.stop };
}
