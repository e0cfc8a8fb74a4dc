// The orphan sweep: files no version row points at — a push whose row never committed
// (a crash between file and row), a version deleted since — are removed once they are
// older than an hour, so an upload still in flight is never touched. Every instance runs
// it hourly; two deleting one orphan is harmless.
import type { Db } from "../../db/client.ts";
import { startPeriodicJob } from "../../lib/periodic-job.ts";
import { describeError, type PackageStorage } from "./types.ts";

export const SWEEP_EVERY_MS = 60 * 60 * 1000;
export const ORPHAN_AGE_MS = 60 * 60 * 1000;
const BATCH = 500;

export type SweepResult = { orphans: number; abandoned: number };

export async function sweepOrphans(db: Db, storage: PackageStorage, now = new Date(), minAgeMs = ORPHAN_AGE_MS): Promise<SweepResult> {
  const cutoff = new Date(now.getTime() - minAgeMs);
  let orphans = 0;
  let batch: string[] = [];
  const flush = async () => {
    const referenced = new Set((await db.packageVersion.findMany({ where: { filePath: { in: batch } }, select: { filePath: true } })).map((r) => r.filePath));
    for (const key of batch) {
      if (referenced.has(key)) continue;
      await storage.delete(key);
      orphans++;
    }
    batch = [];
  };
  for await (const file of storage.list()) {
    if (file.modifiedAt >= cutoff) continue;
    batch.push(file.key);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  const abandoned = await storage.dropAbandoned(cutoff);
  return { orphans, abandoned };
}

export function startOrphanSweep(
  db: Db,
  storage: PackageStorage,
  log: (line: string) => void,
  everyMs = SWEEP_EVERY_MS,
): { stop: () => Promise<void>; runNow: () => Promise<SweepResult | null> } {
  const job = startPeriodicJob(
    async () => {
      const result = await sweepOrphans(db, storage);
      if (result.orphans + result.abandoned > 0)
        log(`Package storage: removed ${result.orphans} files no version points at and ${result.abandoned} unfinished writes, all older than an hour.`);
      return result;
    },
    (e) => log(`Package storage: the orphan sweep failed (${describeError(e)}); it is retried within the hour.`),
    everyMs,
    "soon",
  );
  return { runNow: job.runNow, stop: job.stop };
}
