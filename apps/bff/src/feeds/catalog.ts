// Feeds as lists: which feeds a key-authenticated caller can view (decided by
// @keyhouse/shared's authorize, like the feeds' own reads: docs/authorization.md), the
// feeds the SPA offers, and creating one. (The feed handlers' own lookups live in
// feeds/access.ts.)
import { authorize, FEED_TYPES, MESSAGES, type Decision, type FeedType } from "@keyhouse/shared";
import type { KeyCaller } from "../auth/caller.ts";
import type { Db } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { AppError, conflict, notFound } from "../errors.ts";
import { callerUserFacts, findCallerUser, type CallerUserRow } from "../users/caller-user.ts";

export const FEED_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const FEED_NAME_RULE = 'must be 1 to 100 letters, digits, ".", "-" or "_", starting with a letter or digit (feed names are part of URLs).';

/** The 403 of a denial, in authorize's words. */
export function refusal(decision: Extract<Decision, { allowed: false }>): AppError {
  return new AppError("FORBIDDEN", decision.reason === "invalid" ? MESSAGES.invalidKey : decision.message);
}

/** The user the caller acts as, with their privileges (on one feed, or on all); null: the API key user. */
export function callerUserOf(db: Db, caller: KeyCaller, feedId?: number): Promise<CallerUserRow | null> {
  return caller.user ? findCallerUser(db, caller.user.id, feedId) : Promise.resolve(null);
}

/**
 * Feeds the caller may view: every feed for the API key user and administrators, else
 * those with the view privilege; of those, only the key's feeds when it is restricted.
 */
export async function viewableFeeds(db: Db, caller: KeyCaller, now = new Date()) {
  const [feeds, user] = await Promise.all([db.feed.findMany({ orderBy: { name: "asc" } }), callerUserOf(db, caller)]);
  return feeds.filter(
    (f) => authorize(caller.key, { surface: "native", feed: f.name, action: "read" }, callerUserFacts(user, f.id, null), now, caller.from).allowed,
  );
}

/** One feed by name, refused with a 403 naming the privilege when the caller cannot view it. */
export async function viewableFeed(db: Db, caller: KeyCaller, name: string, now = new Date()) {
  const feed = await db.feed.findUnique({ where: { name } });
  const user = feed ? await callerUserOf(db, caller, feed.id) : null;
  const decision = authorize(caller.key, { surface: "native", feed: name, action: "read" }, callerUserFacts(user, feed?.id ?? null, null), now, caller.from);
  // A restricted key learns nothing about other feeds, not even whether they exist.
  if (!decision.allowed && decision.reason === "feed") throw refusal(decision);
  if (!feed) throw notFound(`There is no feed named "${name}".`);
  if (!decision.allowed) throw refusal(decision);
  caller.noteUse?.({ surface: "native", feed: name, action: "read" });
  return feed;
}

/** Every feed's name and type, for the SPA's forms and snippets. */
export function listFeedSummaries(db: Db) {
  return db.feed.findMany({ select: { name: true, type: true }, orderBy: { name: "asc" } });
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
