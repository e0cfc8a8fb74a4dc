// A key creates or changes keys with at most its own APIs, feeds and user
// (docs/authorization.md, "A key never grants more than it has"):
//   - APIs: a key with "native" (full control) may give any; any other key only those it has;
//   - feeds: a key restricted to some feeds gives keys restricted to some of them;
//   - user: a key that acts as user U gives keys that act as U, never another user nor
//     the API key user. Only the API key user (a system key with no user) gives any user.
// A key it changes must be one it could have created, so that regenerating a wider key
// cannot hand its new value to a narrower one.
import type { Api } from "@keyhouse/shared";
import type { KeyCaller } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import { feedsText, keyAllowsFeed } from "./feed-restriction.ts";
import type { KeyView } from "./views.ts";

/** What a new or changed key would have. `user` is a user name; empty: the API key user. */
export type KeyGrant = { apis: readonly Api[]; feeds: readonly string[]; user: string | null | undefined };

/** The names of the arguments, to tell the caller what to change: the Native API's or the management API's. */
export type GrantArguments = { feeds: string; user: string };

const forbidden = (message: string) => new AppError("FORBIDDEN", message);

function missingApi(caller: KeyCaller, apis: readonly Api[]): Api | undefined {
  if (caller.apis.includes("native")) return undefined;
  return apis.find((a) => !caller.apis.includes(a));
}

export function requireGrantWithinCaller(caller: KeyCaller, grant: KeyGrant, names: GrantArguments): void {
  const api = missingApi(caller, grant.apis);
  if (api) {
    throw forbidden(`This API key cannot create a key with the "${api}" API: a key can only give the APIs it has itself (${caller.apis.join(", ")}).`);
  }
  if (caller.feeds !== null) {
    const restricted = feedsText(caller.feeds);
    if (grant.feeds.length === 0) {
      const those = caller.feeds.length === 1 ? "that feed" : "some of those feeds";
      throw forbidden(`This API key is restricted to ${restricted}: the key it creates must be restricted to ${those} too (${names.feeds}).`);
    }
    const outside = grant.feeds.find((f) => !keyAllowsFeed(caller, f));
    if (outside !== undefined) throw forbidden(`This API key is restricted to ${restricted} and cannot create a key for feed "${outside}".`);
  }
  if (caller.user) {
    const me = caller.user.username;
    if (!grant.user) {
      throw forbidden(`This API key acts as user "${me}" and cannot create a key that acts as the API key user (no user): set ${names.user} to "${me}".`);
    }
    if (grant.user !== me) throw forbidden(`This API key acts as user "${me}" and cannot create a key that acts as user "${grant.user}".`);
  }
}

/** The user a key acts as: its impersonated user, else (scoped and legacy keys) its owner; null: the API key user. */
function actingUserName(k: KeyView): string | null {
  return k.user?.username ?? (k.kind === "system" ? null : (k.owner?.username ?? null));
}

/**
 * A key restricted to some feeds revokes, deletes and changes only keys restricted to
 * some of them: what it changes stays on its feeds.
 */
export function requireKeyOnCallerFeeds(caller: KeyCaller, k: KeyView): void {
  if (caller.feeds !== null && (k.feeds === null || !k.feeds.every((f) => keyAllowsFeed(caller, f)))) {
    throw forbidden(
      `This API key is restricted to ${feedsText(caller.feeds)} and cannot change key "${k.name}", which is not restricted to ${caller.feeds.length === 1 ? "it" : "them"}.`,
    );
  }
}

export function requireKeyWithinCaller(caller: KeyCaller, k: KeyView): void {
  const api = missingApi(caller, k.apis);
  if (api) throw forbidden(`This API key cannot change key "${k.name}", which has the "${api}" API that this key does not have.`);
  requireKeyOnCallerFeeds(caller, k);
  if (caller.user) {
    const acting = actingUserName(k);
    if (acting !== caller.user.username) {
      const as = acting === null ? "the API key user (no user)" : `user "${acting}"`;
      throw forbidden(`This API key acts as user "${caller.user.username}" and cannot change key "${k.name}", which acts as ${as}.`);
    }
  }
}
