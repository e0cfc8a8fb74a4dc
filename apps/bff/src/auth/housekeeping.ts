// Deletes sessions that have ended and sign-in counters whose window and lock have passed
// (the leak-report limit's counters, keys/leak-rate-limit.ts, live in the same table and go
// alike), at start-up and then every hour: guesses at made-up user names would otherwise
// leave their counters behind for good. Replaced key values past their overlap go too
// (keys/old-values.ts). Several instances doing it at once is harmless.
import type { Db } from "../db/client.ts";
import { startPeriodicJob } from "../lib/periodic-job.ts";
import { purgeExpiredSessions } from "./sessions.ts";
import { purgeStaleThrottles } from "./throttle.ts";
import { purgeEndedOldValues } from "../keys/old-values.ts";

export const HOUSEKEEPING_EVERY_MS = 60 * 60 * 1000;

export function startAuthHousekeeping(db: Db, log: (line: string) => void, everyMs = HOUSEKEEPING_EVERY_MS): { stop: () => Promise<void> } {
  return startPeriodicJob(
    async () => {
      await purgeExpiredSessions(db);
      await purgeStaleThrottles(db);
      await purgeEndedOldValues(db);
    },
    (e) => log(`Removing ended sessions and old sign-in counters failed (will retry): ${(e as Error).message.split("\n")[0]}`),
    everyMs,
    "now",
  );
}
