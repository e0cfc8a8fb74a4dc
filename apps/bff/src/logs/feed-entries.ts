// The newest access-log entries of requests to some feeds, for a key restricted to those
// feeds (docs/authorization.md, docs/access-logs.md). The grid's reader (query.ts) has no
// feed filter; these answers are small (the Native API's at most 1000 rows), read newest
// first by ID.
import type { Db } from "../db/client.ts";
import type { CallerOnLogs } from "../auth/caller.ts";
import type { AccessLogRow } from "./rows.ts";

export function newestEntriesOnFeeds(db: Db, caller: CallerOnLogs, feeds: string[], keyId: number | undefined, count: number): Promise<AccessLogRow[]> {
  return db.accessLogEntry.findMany({
    where: { feed: { in: feeds }, ...(caller.isAdmin ? {} : { ownerId: caller.id }), ...(keyId === undefined ? {} : { keyId }) },
    orderBy: { id: "desc" },
    take: count,
    // Every column but the bodies, which can be 64 KiB each.
    omit: { requestBody: true, responseBody: true, requestBodyHash: true, responseBodyHash: true },
  });
}
