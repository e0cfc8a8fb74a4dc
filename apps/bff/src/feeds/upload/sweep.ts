// Temporary uploads left behind (docs/deployment.md): receiveUpload removes its file on
// every path it controls, but a process that dies mid-upload leaves the file in
// dataDir/uploads. They are removed at start-up and then every hour, by age only:
// several instances may share the data folder, and a file another instance is writing
// right now is young (a write moves its modification time; a request lasts at most the
// server's 5-minute requestTimeout), so an hour-old file belongs to nobody.
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { type PeriodicJob, startPeriodicJob } from "../../lib/periodic-job.ts";

export const STALE_UPLOAD_MS = 60 * 60 * 1000;
export const UPLOAD_SWEEP_EVERY_MS = 60 * 60 * 1000;

/** Removes the files in dir not modified for olderThanMs; returns how many. A missing dir holds none. */
export async function removeStaleUploads(dir: string, olderThanMs = STALE_UPLOAD_MS, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw e;
  }
  let removed = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const s = await stat(file);
      if (!s.isFile() || now - s.mtimeMs < olderThanMs) continue;
      await rm(file, { force: true });
      removed++;
    } catch (e) {
      // Another instance removed it first.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  return removed;
}

/** Sweeps dir now and every everyMs; stop() waits for a sweep under way. */
export function startUploadSweep(dir: string, log: (line: string) => void, everyMs = UPLOAD_SWEEP_EVERY_MS): Pick<PeriodicJob<void>, "stop" | "running"> {
  const job = startPeriodicJob(
    async () => {
      const removed = await removeStaleUploads(dir);
      if (removed > 0) log(`Removed ${removed} temporary upload file${removed === 1 ? "" : "s"} left behind in ${dir}.`);
    },
    (e) => log(`Removing old temporary uploads in ${dir} failed (will retry): ${(e as Error).message.split("\n")[0]}`),
    everyMs,
    "now",
  );
  return { stop: job.stop, running: job.running };
}
