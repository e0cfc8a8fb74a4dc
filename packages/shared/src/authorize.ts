import { EXPIRY_WARNING_DAYS, MESSAGES } from "./constants.ts";
import type { Api, KeyKind, Scope } from "./constants.ts";
import { matchesAnyPackage } from "./glob.ts";
import { packageIdsOnFeed } from "./package-entries.ts";
import { daysLeftUntil, isExpired, pluralDays } from "./key-status.ts";
import { addressInNetworks, type CompiledNetworks } from "./networks.ts";

// docs/authorization.md as one pure function. Feeds, the Native API and the management API all
// call it, so the three surfaces cannot disagree about who may do what.

export type KeyFacts = {
  id: number;
  kind: KeyKind;
  revokedAt: Date | null;
  expiresAt: Date | null;
  apis: Api[];
  scopes: Scope[];
  packages: string[];
  globs: string[];
  /** null: every feed. */
  feeds: string[] | null;
  ownerId: number | null;
  /** The impersonated user, if any. */
  userId: number | null;
  /** Allowed networks, compiled when the key is loaded; null or absent: anywhere. */
  networks?: CompiledNetworks | null;
};

export type FeedPrivileges = { view: boolean; add: boolean; unlist: boolean };

/** What authorize needs about the caller's user, the user a call acts as (the caller vocabulary: docs/README.md). */
export type CallerUserFacts = {
  id: number;
  username: string;
  disabled: boolean;
  isAdmin: boolean;
  /** On the feed in question; admins have all. */
  privileges: FeedPrivileges | null;
  /** Of the package in question, when it exists. */
  ownsPackage: boolean;
};

export type AccessRequest =
  | { surface: "feeds"; feed: string; action: "read"; packageId?: string }
  | { surface: "feeds"; feed: string; action: "push"; packageId: string; packageExists: boolean }
  /** Unlist, relist, deprecate, unpublish, yank. */
  | { surface: "feeds"; feed: string; action: "unlist"; packageId: string }
  /**
   * The gate before an upload's body is read (docs/authorization.md): every step that
   * does not need the package id. "push" is a NuGet or RubyGems push; "npm-put" is npm's
   * publish PUT, which may also carry deprecations. The full decision follows once the
   * package is known.
   */
  | { surface: "feeds"; feed: string; action: "upload"; upload: UploadKind }
  | { surface: "native" }
  /**
   * A Native API operation on a feed's packages (docs/authorization.md): after the API
   * step, the feeds' own steps for reading (the "view" privilege) and unlisting (the
   * "unlist" privilege and ownership of the package), so both surfaces decide alike.
   */
  | NativeFeedRequest
  | { surface: "keys" };

export type NativeFeedRequest = { surface: "native"; feed: string; action: "read" } | { surface: "native"; feed: string; action: "unlist"; packageId: string };

export type UploadKind = "push" | "npm-put";

/** The scopes of which at least one may allow some write of each upload kind. */
export const UPLOAD_SCOPES = { push: ["push", "update"], "npm-put": ["push", "update", "unlist"] } as const satisfies Record<UploadKind, readonly Scope[]>;

/** The feed privileges of which at least one each upload kind needs. */
export const UPLOAD_PRIVILEGES = { push: ["add"], "npm-put": ["add", "unlist"] } as const satisfies Record<UploadKind, readonly (keyof FeedPrivileges)[]>;

export type DenyReason = "invalid" | "network" | "api" | "feed" | "scope" | "package" | "privilege" | "owner" | "user-disabled";

export type Decision =
  | {
      allowed: true;
      /** null: the API key user, who has every privilege. */
      actingUserId: number | null;
      /** For the warning header, when the key is about to expire. */
      warning: string | null;
    }
  | { allowed: false; status: 403; reason: DenyReason; message: string };

type FeedRequest = Extract<AccessRequest, { surface: "feeds" }>;
type Denial = Extract<Decision, { allowed: false }>;

function deny(reason: DenyReason, message: string): Denial {
  return { allowed: false, status: 403, reason, message };
}

/** Legacy keys act as their owner; a system key with no user is the API key user (null). */
export function actingUserIdOf(key: KeyFacts): number | null {
  return key.userId ?? (key.kind === "system" ? null : key.ownerId);
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function checkFeedRestriction(key: KeyFacts, feed: string): Denial | null {
  if (key.feeds === null || key.feeds.some((f) => sameName(f, feed))) return null;
  return deny("feed", `This API key is restricted to other feeds and cannot be used on feed "${feed}".`);
}

function checkSurface(key: KeyFacts, req: AccessRequest): Denial | null {
  switch (req.surface) {
    case "feeds":
      if (key.kind === "legacy") return null;
      if (!key.apis.includes("feeds")) return deny("api", "This API key cannot call the feeds API.");
      return checkFeedRestriction(key, req.feed);
    case "native":
      if (!key.apis.includes("native")) return deny("api", "This API key cannot call the Native API.");
      // Every kind of key, legacy ones included: the Native API has no legacy exception.
      return "feed" in req ? checkFeedRestriction(key, req.feed) : null;
    case "keys":
      return key.apis.includes("keys") || key.apis.includes("native")
        ? null
        : deny("api", 'This API key cannot call the API-keys management API: it needs the "keys" or "native" API.');
  }
}

function checkScope(key: KeyFacts, req: FeedRequest): Denial | null {
  if (key.kind !== "scoped") return null;
  const has = (scope: Scope) => key.scopes.includes(scope);
  switch (req.action) {
    case "read":
      return null;
    case "push":
      if (!req.packageExists) {
        return has("push") ? null : deny("scope", 'This API key does not have the "push" scope, which is needed to push a new package ID.');
      }
      return has("push") || has("update") ? null : deny("scope", 'This API key cannot push new versions: it needs the "push" or "update" scope.');
    case "unlist":
      return has("unlist") ? null : deny("scope", 'This API key does not have the "unlist" scope.');
    case "upload":
      if (UPLOAD_SCOPES[req.upload].some(has)) return null;
      return req.upload === "push"
        ? deny("scope", 'This API key cannot push packages: it needs the "push" or "update" scope.')
        : deny("scope", 'This API key cannot publish or change packages: it needs the "push", "update" or "unlist" scope.');
  }
}

function checkPackage(key: KeyFacts, req: FeedRequest): Denial | null {
  if (key.kind !== "scoped" || req.action === "upload" || req.packageId === undefined) return null;
  // Explicit packages count on their own feed only; globs on any feed the key may use.
  return matchesAnyPackage(req.packageId, packageIdsOnFeed(key.packages, req.feed), key.globs)
    ? null
    : deny("package", `This API key is not allowed for package "${req.packageId}".`);
}

const PRIVILEGE_FOR = { read: "view", push: "add", unlist: "unlist" } as const satisfies Record<Exclude<FeedRequest["action"], "upload">, keyof FeedPrivileges>;

/** What the privilege and ownership steps look at: a feed operation of either surface, but an upload. */
type PackageOperation = { feed: string; action: keyof typeof PRIVILEGE_FOR; packageId?: string; touchesExistingPackage: boolean };

function packageOperationOf(req: AccessRequest): PackageOperation | null {
  if (req.surface === "keys" || !("feed" in req) || req.action === "upload") return null;
  const touchesExistingPackage = req.action === "unlist" || (req.action === "push" && req.packageExists);
  return { feed: req.feed, action: req.action, packageId: "packageId" in req ? req.packageId : undefined, touchesExistingPackage };
}

function checkActingUser(actingUserId: number, req: AccessRequest, user: CallerUserFacts | null): Denial | null {
  // The caller looked up the wrong user, or the key's user is gone: never fall back to anyone else.
  if (user === null || user.id !== actingUserId) {
    return deny("privilege", "The user this API key acts as does not exist.");
  }
  if (user.disabled) return deny("user-disabled", `User "${user.username}" is disabled.`);
  if (user.isAdmin) return null;

  if (req.surface === "feeds" && req.action === "upload") {
    const needed = UPLOAD_PRIVILEGES[req.upload];
    if (needed.some((p) => user.privileges?.[p])) return null;
    const names = needed.map((p) => `"${p}"`).join(" or ");
    return deny("privilege", `User "${user.username}" does not have the ${names} privilege on feed "${req.feed}".`);
  }
  const op = packageOperationOf(req);
  if (op === null) return null;
  const privilege = PRIVILEGE_FOR[op.action];
  if (!user.privileges?.[privilege]) {
    return deny("privilege", `User "${user.username}" does not have the "${privilege}" privilege on feed "${op.feed}".`);
  }
  if (op.touchesExistingPackage && !user.ownsPackage) {
    return deny("owner", `User "${user.username}" is not an owner of package "${op.packageId}".`);
  }
  return null;
}

function expiryWarning(expiresAt: Date | null, now: Date): string | null {
  if (expiresAt === null) return null;
  const days = daysLeftUntil(expiresAt, now);
  if (days > EXPIRY_WARNING_DAYS) return null;
  const date = expiresAt.toISOString().slice(0, 10);
  return `This API key expires in ${pluralDays(days)}, on ${date}. Create a new key before then.`;
}

/**
 * Steps in the order of docs/authorization.md; the first failing step decides the answer.
 * `from` is the client address the gate computed (http/client-ip.ts); a key with allowed
 * networks is refused when it is missing, so a surface that forgets it fails closed.
 */
export function authorize(key: KeyFacts, req: AccessRequest, user: CallerUserFacts | null, now: Date, from?: string | null): Decision {
  if (key.revokedAt !== null || isExpired(key.expiresAt, now)) return deny("invalid", MESSAGES.invalidKey);
  if (key.networks && key.networks.count > 0 && !(from && addressInNetworks(from, key.networks))) {
    return deny("network", `This API key cannot be used from ${from || "an unknown address"}.`);
  }

  const denial = checkSurface(key, req) ?? (req.surface === "feeds" ? (checkScope(key, req) ?? checkPackage(key, req)) : null);
  if (denial) return denial;

  const actingUserId = actingUserIdOf(key);
  if (actingUserId !== null) {
    const userDenial = checkActingUser(actingUserId, req, user);
    if (userDenial) return userDenial;
  } else if (key.kind !== "system") {
    // Only a system key may be the API key user; an ownerless scoped or legacy key
    // (its owner deleted) must not silently gain every privilege.
    return deny("privilege", "This API key has no user to act as.");
  }
  return { allowed: true, actingUserId, warning: expiryWarning(key.expiresAt, now) };
}
