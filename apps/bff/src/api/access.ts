// The gate of the Native API and the API-keys management API (docs/authorization.md, docs/api.md): which key,
// whether it may call this group of endpoints, and who it acts as. The decision itself
// is @keyhouse/shared's authorize, the same function the feeds use.
import { actingUserIdOf, authorize, MESSAGES, type AccessRequest } from "@keyhouse/shared";
import type { Request, Response } from "express";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { clientIp } from "../http/client-ip.ts";
import { acceptedWays } from "../http/present-key.ts";
import { describeRequestKey, describeRequestUsage, describeRequestUser, takePresentedKey } from "../http/request-key.ts";
import type { Caller, CallerOnLogs, KeyCaller } from "../auth/caller.ts";
import { oldValueWarning, type KeyVerifier } from "../keys/verify.ts";
import { callerUserFacts, findCallerUser } from "../users/caller-user.ts";

export type ApiSurface = "native" | "keys";

const API_SURFACE = { kind: "api" } as const;

export class ApiAccess {
  constructor(
    private readonly db: Db,
    private readonly keys: KeyVerifier,
  ) {}

  /** Allows the call or throws the 400/401/403 of docs/authorization.md. */
  async check(req: Request, res: Response, surface: ApiSurface, now = new Date()): Promise<KeyCaller> {
    const presented = takePresentedKey(req, res, API_SURFACE);
    if (!presented) throw new AppError("UNAUTHORIZED", `This request needs an API key. Present it in ${acceptedWays(API_SURFACE)}.`);

    const found = await this.keys.lookup(presented.value);
    describeRequestKey(res, found, now);
    if (found.status !== "found") throw new AppError("FORBIDDEN", MESSAGES.invalidKey);

    const key = found.key.facts;
    const actingId = actingUserIdOf(key);
    const user = actingId === null ? null : await findCallerUser(this.db, actingId);
    // No feed yet: the operations on a feed decide again with its privileges (feeds/catalog.ts).
    const userFacts = callerUserFacts(user, null, null);
    const request: AccessRequest = surface === "native" ? { surface: "native" } : { surface: "keys" };
    const decision = authorize(key, request, userFacts, now, clientIp(req));
    describeRequestUser(res, user && { id: user.id, username: user.username });
    if (!decision.allowed) throw new AppError("FORBIDDEN", decision.reason === "invalid" ? MESSAGES.invalidKey : decision.message);
    describeRequestUsage(res, request);

    this.keys.touch(key.id, clientIp(req), now, req.get("user-agent") ?? null);
    const warning = found.key.oldValueUntil ? oldValueWarning(found.key.oldValueUntil) : decision.warning;
    if (warning) res.setHeader("X-Keyhouse-Warning", warning);
    return {
      keyId: key.id,
      keyName: found.key.row.name,
      user: userFacts && { id: userFacts.id, username: userFacts.username, isAdmin: userFacts.isAdmin },
      apis: key.apis,
      feeds: key.feeds,
      key,
      from: clientIp(req),
      noteUse: (used) => describeRequestUsage(res, used),
    };
  }
}

/** The API key user and administrators may do anything; other users only what their privileges allow. */
export function hasFullControl(caller: KeyCaller): boolean {
  return caller.user === null || caller.user.isAdmin;
}

/** Refuses an impersonated non-administrator with a 403 that names what is missing. */
export function requireFullControl(caller: KeyCaller, what: string): void {
  if (hasFullControl(caller)) return;
  throw new AppError(
    "FORBIDDEN",
    `User "${caller.user!.username}" is not an administrator and cannot ${what}: that needs an administrator or the API key user (a system key with no user).`,
  );
}

/** How the API key user is named in audit events and notices. */
export function apiKeyUserName(caller: KeyCaller): string {
  return `API key user (key "${caller.keyName}")`;
}

/**
 * The caller as the key lifecycle functions see it. Users reach their own keys, and
 * administrators and the API key user every key. The API key user has no user row: its
 * changes are recorded with no actor id (createdById, revokedById and the audit actor
 * are nullable columns) and its name.
 */
export function callerOf(caller: KeyCaller, ip: string | null): Caller {
  if (caller.user) return { id: caller.user.id, username: caller.user.username, ip, isAdmin: caller.user.isAdmin, allKeys: caller.user.isAdmin };
  return { id: null, username: apiKeyUserName(caller), ip, isAdmin: true, allKeys: true };
}

// No user has ID 0 (IDs start at 1), so this matches no entry's owner should it be consulted.
const NO_USER_ID = 0;

/**
 * The caller as the access-log reader sees it: a user reads the entries of the keys they
 * own, an administrator every entry. The API key user reads as an administrator; the
 * reader consults an administrator's ID only to narrow to "mine", never asked for here.
 */
export function callerOnLogsOf(caller: KeyCaller): CallerOnLogs {
  if (caller.user) return { id: caller.user.id, isAdmin: caller.user.isAdmin };
  return { id: NO_USER_ID, isAdmin: true };
}
