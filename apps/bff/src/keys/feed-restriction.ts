// A key's feed restriction on the Native API (docs/authorization.md): a key restricted to
// some feeds sees and changes only those feeds, whoever it acts as, and cannot make what
// would reach past them (feeds, users). Feed names compare ignoring case, as on the feeds.
import type { KeyCaller } from "../auth/caller.ts";
import { AppError } from "../errors.ts";

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** `feed "a"` or `feeds "a", "b"`, for messages. */
export function feedsText(feeds: readonly string[]): string {
  return `${feeds.length === 1 ? "feed" : "feeds"} ${feeds.map((f) => `"${f}"`).join(", ")}`;
}

/** For what a key gives or changes (key-bounds.ts); a feed operation's restriction step is authorize's. */
export function keyAllowsFeed(caller: KeyCaller, name: string): boolean {
  return caller.feeds === null || caller.feeds.some((f) => sameName(f, name));
}

/** Refuses a restricted key what would reach beyond its feeds, e.g. "create feeds". */
export function requireNoFeedRestriction(caller: KeyCaller, what: string): void {
  if (caller.feeds !== null) throw new AppError("FORBIDDEN", `This API key is restricted to ${feedsText(caller.feeds)} and cannot ${what}.`);
}
