// Feeds as the Native API sees them: which feeds an acting user can view, and creating
// one. (The feed handlers' own lookups live in feeds/access.ts.)
import { FEED_TYPES, type FeedType } from "@keyhouse/shared";
import type { Db } from "../../db/client.ts";
import { AppError, conflict, notFound } from "../../errors.ts";
import { hasFullControl, type ApiCaller } from "../access.ts";
import { keyAllowsFeed, requireFeedAllowed } from "./restriction.ts";

export const FEED_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const FEED_NAME_RULE = 'must be 1 to 100 letters, digits, ".", "-" or "_", starting with a letter or digit (feed names are part of URLs).';

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002";

/**
 * Feeds the caller may view: every feed for the API key user and administrators, else
 * those with the view privilege; of those, only the key's feeds when it is restricted.
 */
export async function viewableFeeds(db: Db, caller: ApiCaller) {
  const where = hasFullControl(caller) ? {} : { privileges: { some: { userId: caller.user!.id, canView: true } } };
  const feeds = await db.feed.findMany({ where, orderBy: { name: "asc" } });
  return feeds.filter((f) => keyAllowsFeed(caller, f.name));
}

/** One feed by name, refused with a 403 naming the privilege when the caller cannot view it. */
export async function viewableFeed(db: Db, caller: ApiCaller, name: string) {
  // Before the lookup: a restricted key learns nothing about other feeds, not even whether they exist.
  requireFeedAllowed(caller, name);
  const feed = await db.feed.findUnique({ where: { name } });
  if (!feed) throw notFound(`There is no feed named "${name}".`);
  if (!hasFullControl(caller)) {
    const p = await db.feedPrivilege.findUnique({ where: { userId_feedId: { userId: caller.user!.id, feedId: feed.id } } });
    if (!p?.canView) throw new AppError("FORBIDDEN", `User "${caller.user!.username}" does not have the "view" privilege on feed "${name}".`);
  }
  return feed;
}

export async function createFeedNamed(db: Db, input: { name: string; type: FeedType; anonymousReads: boolean }) {
  if (!FEED_NAME.test(input.name)) throw new AppError("BAD_REQUEST", `The feed name ${FEED_NAME_RULE}`);
  if (!FEED_TYPES.includes(input.type)) throw new AppError("BAD_REQUEST", `The feed type must be one of ${FEED_TYPES.join(", ")}.`);
  try {
    return await db.feed.create({ data: { name: input.name, type: input.type, anonymousReads: input.anonymousReads } });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`A feed named "${input.name}" already exists.`);
    throw e;
  }
}
