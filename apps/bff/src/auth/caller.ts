// Who is calling, in the one vocabulary every surface uses (docs/README.md, "Words used
// throughout"): the SPA's sessions (tRPC), the Native and management APIs, the feeds, the
// audit trail and the access log's visibility all speak of a Caller or a part of one.
// What authorize needs about the caller's user is @keyhouse/shared's CallerUserFacts.
import type { AccessRequest, Api, KeyFacts } from "@keyhouse/shared";

/**
 * The user a call acts as: the signed-in user of a session, or the user a key acts as
 * (its impersonated user, else its owner).
 */
export type CallerUser = { id: number; username: string; isAdmin: boolean };

/**
 * Who is calling, as key changes, key reach and audit events see it. Owners reach only
 * their own keys; with `allKeys` (the admin screens, and administrators and the API key
 * user on the APIs) an administrator reaches every key. `id` is null for the API key user
 * (a system key with no user), which acts with every privilege (isAdmin and allKeys) but
 * owns nothing: its changes are recorded with no user id, and it never matches a key's owner.
 */
export type Caller = { id: number | null; username: string; isAdmin: boolean; ip: string | null; allKeys?: boolean };

/** A caller as an audit event records it: also Keyhouse itself, for the changes it makes on its own (expiry notices). */
export type CallerOnRecord = Pick<Caller, "id" | "username" | "ip">;

/** A caller as the access log's visibility sees it: a user reads the entries of the keys they own, an administrator every entry. */
export type CallerOnLogs = Pick<CallerUser, "id" | "isAdmin">;

/**
 * A caller that presented a key, on the Native and management APIs: the user the call acts
 * as, or the API key user (a system key with no user: every privilege) when `user` is null.
 * `apis` and `feeds` are what the key itself has: a call never reaches beyond them
 * (docs/authorization.md), whoever it acts as.
 */
export type KeyCaller = {
  keyId: number;
  keyName: string;
  user: CallerUser | null;
  apis: Api[];
  /** null: every feed. */
  feeds: string[] | null;
  /** The key as the gate decided on it; each feed operation is decided with it again (authorize). */
  key: KeyFacts;
  /** The client address the gate decided on (http/client-ip.ts), for the allowed-networks step. */
  from: string;
  /** Records an allowed feed operation for the key's usage summary (docs/advisor.md). */
  noteUse?: (request: AccessRequest) => void;
};

/**
 * A caller on a feed: the key presented (null: an anonymous read) and the user it acts as,
 * or none for the API key user (`apiKeyUser`) and for an anonymous read.
 */
export type CallerOnFeed = { keyId: number | null; user: Pick<CallerUser, "id" | "username"> | null; apiKeyUser: boolean };
