// What Admin › API keys' form offers: the users a system key may act as and the feeds it
// may be restricted to.
import type { Db } from "../db/client.ts";
import { listFeedSummaries } from "../feeds/catalog.ts";

export async function adminKeyOptions(db: Db) {
  return {
    users: await db.user.findMany({ select: { id: true, username: true, displayName: true }, orderBy: { username: "asc" } }),
    feeds: await listFeedSummaries(db),
  };
}
