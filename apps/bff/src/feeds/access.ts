// The gate every feed request passes: which feed, which key, and whether that key may
// do this action on this package (the decision itself is @keyhouse/shared's authorize,
// the same function the Native and management APIs use).
import { actingUserIdOf, authorize, MESSAGES, type AccessRequest, type Decision, type CallerUserFacts, type FeedType, type UploadKind } from "@keyhouse/shared";
import type { Request, Response } from "express";
import type { CallerOnFeed } from "../auth/caller.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { acceptedWays, type Surface } from "../http/present-key.ts";
import { clientIp } from "../http/client-ip.ts";
import { oldValueWarning, type KeyVerifier } from "../keys/verify.ts";
import { BatchTtlCache } from "../lib/ttl-cache.ts";
import { describeRequestKey, describeRequestUsage, describeRequestUser, takePresentedKey } from "../http/request-key.ts";
import { continueIfWaiting } from "../http/expect-continue.ts";

export type FeedRow = { id: number; name: string; type: FeedType; anonymousReads: boolean };

export type FeedOperation =
  | { action: "read"; packageId?: string }
  | { action: "push"; packageId: string; existingOwnerIds: number[] | null }
  | { action: "unlist"; packageId: string; ownerIds: number[] };

type UserOnFeed = { id: number; username: string; disabled: boolean; isAdmin: boolean; privileges: CallerUserFacts["privileges"] };

const FEED_LABEL: Record<FeedType, string> = { nuget: "NuGet", npm: "npm", rubygems: "RubyGems" };

export class FeedAccess {
  // Feeds, and users' privileges on them, change rarely: a second of staleness is fine.
  // Entries in use are re-read in the background, and misses together are one query.
  private feeds = new BatchTtlCache<string, FeedRow | null>(
    async (names) => {
      const rows = await this.db.feed.findMany({ where: { name: { in: names } } });
      return new Map(rows.map((row) => [row.name, { id: row.id, name: row.name, type: row.type as FeedType, anonymousReads: row.anonymousReads }]));
    },
    null,
    { ttlMs: 1000, max: 1000 },
  );
  private users = new BatchTtlCache<string, UserOnFeed | null>((keys) => this.loadUsersOnFeeds(keys), null, { ttlMs: 1000, max: 10_000 });

  constructor(
    private readonly db: Db,
    private readonly keys: KeyVerifier,
  ) {}

  async feed(name: string, type: FeedType): Promise<FeedRow> {
    // Feed names are url-safe; anything else (a NUL, say) cannot name a feed and never reaches the database.
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw new AppError("NOT_FOUND", `There is no ${FEED_LABEL[type]} feed named "${name.slice(0, 100)}".`);
    const feed = await this.feeds.get(name);
    if (!feed || feed.type !== type) throw new AppError("NOT_FOUND", `There is no ${FEED_LABEL[type]} feed named "${name}".`);
    return feed;
  }

  private userOnFeed(userId: number, feedId: number): Promise<UserOnFeed | null> {
    return this.users.get(`${userId}:${feedId}`);
  }

  /** Users and their privileges on feeds, for keys "userId:feedId": one query for all of them. */
  private async loadUsersOnFeeds(keys: string[]): Promise<Map<string, UserOnFeed | null>> {
    const pairs = keys.map((k) => k.split(":").map(Number) as [number, number]);
    const users = await this.db.user.findMany({
      where: { id: { in: [...new Set(pairs.map(([u]) => u))] } },
      select: { id: true, username: true, disabled: true, role: true, privileges: { where: { feedId: { in: [...new Set(pairs.map(([, f]) => f))] } } } },
    });
    const byId = new Map(users.map((u) => [u.id, u]));
    const out = new Map<string, UserOnFeed | null>();
    keys.forEach((key, i) => {
      const [userId, feedId] = pairs[i]!;
      const u = byId.get(userId);
      if (!u) {
        out.set(key, null);
        return;
      }
      const p = u.privileges.find((x) => x.feedId === feedId);
      out.set(key, {
        id: u.id,
        username: u.username,
        disabled: u.disabled,
        isAdmin: u.role === "admin",
        privileges: p ? { view: p.canView, add: p.canAdd, unlist: p.canUnlist } : null,
      });
    });
    return out;
  }

  /**
   * Allows the request or throws the 401/403 of docs/authorization.md. Sets the expiry warning
   * header and records who acted in res.locals for the access log.
   */
  async check(req: Request, res: Response, feed: FeedRow, op: FeedOperation, now = new Date()): Promise<CallerOnFeed> {
    const surface: Surface = { kind: "feed", feed: feed.type, read: op.action === "read" };
    const presented = takePresentedKey(req, res, surface);
    if (!presented) {
      if (op.action === "read" && feed.anonymousReads) return { keyId: null, user: null, apiKeyUser: false };
      throw new AppError("UNAUTHORIZED", `This request needs an API key. Present it in ${acceptedWays(surface)}.`, {
        headers: op.action === "read" ? { "WWW-Authenticate": 'Basic realm="Keyhouse"' } : {},
      });
    }
    const { key, actingId, user, oldValueUntil } = await this.keyOnFeed(res, feed, presented.value, now);
    const owners = op.action === "push" ? op.existingOwnerIds : op.action === "unlist" ? op.ownerIds : null;
    const actor: CallerUserFacts | null = user && { ...user, ownsPackage: owners?.includes(user.id) ?? false };
    const request: AccessRequest =
      op.action === "read"
        ? { surface: "feeds", feed: feed.name, action: "read", ...(op.packageId ? { packageId: op.packageId } : {}) }
        : op.action === "push"
          ? { surface: "feeds", feed: feed.name, action: "push", packageId: op.packageId, packageExists: op.existingOwnerIds !== null }
          : { surface: "feeds", feed: feed.name, action: "unlist", packageId: op.packageId };

    const decision = authorize(key, request, actor, now, clientIp(req));
    describeRequestUser(res, user && { id: user.id, username: user.username });
    if (!decision.allowed) throw refusal(decision);
    describeRequestUsage(res, request);
    this.keys.touch(key.id, clientIp(req), now, req.get("user-agent") ?? null);
    // A replaced value's end comes sooner than any expiry warning's date: it is the one to tell.
    const warning = oldValueUntil ? oldValueWarning(oldValueUntil) : decision.warning;
    if (warning) res.setHeader(feed.type === "nuget" ? "X-NuGet-Warning" : "X-Keyhouse-Warning", warning);
    return { keyId: key.id, user: user && { id: user.id, username: user.username }, apiKeyUser: actingId === null };
  }

  /** The presented key's facts and the user it acts as on the feed; an unknown, revoked or expired key is a 403. */
  private async keyOnFeed(res: Response, feed: FeedRow, value: string, now: Date) {
    const found = await this.keys.lookup(value);
    describeRequestKey(res, found, now);
    if (found.status !== "found") throw new AppError("FORBIDDEN", MESSAGES.invalidKey);
    const key = found.key.facts;
    const actingId = actingUserIdOf(key);
    const user = actingId === null ? null : await this.userOnFeed(actingId, feed.id);
    return { key, actingId, user, oldValueUntil: found.key.oldValueUntil };
  }

  /**
   * The gate before an upload's body (docs/authorization.md, docs/threat-model.md): every
   * step that does not need the package id, decided by the same authorize(). Sets the
   * same res.locals as check() so the access log names the key and user, and throws the
   * same 401/403. A refusal is answered without reading the body: the answer carries
   * Connection: close, so Node closes the socket instead of draining the rest of it.
   * The full check() still follows once the package is known.
   */
  async checkBeforeUpload(req: Request, res: Response, feed: FeedRow, kind: UploadKind, now = new Date()): Promise<void> {
    try {
      await this.decideBeforeUpload(req, res, feed, kind, now);
    } catch (err) {
      if (bodyPending(req)) res.setHeader("Connection", "close");
      throw err;
    }
    // A client that sent `Expect: 100-continue` sends the body only now (http/expect-continue.ts).
    continueIfWaiting(req);
  }

  private async decideBeforeUpload(req: Request, res: Response, feed: FeedRow, kind: UploadKind, now: Date): Promise<void> {
    const surface: Surface = { kind: "feed", feed: feed.type, read: false };
    const presented = takePresentedKey(req, res, surface);
    if (!presented) throw new AppError("UNAUTHORIZED", `This request needs an API key. Present it in ${acceptedWays(surface)}.`);
    const { key, user } = await this.keyOnFeed(res, feed, presented.value, now);
    describeRequestUser(res, user && { id: user.id, username: user.username });
    const decision = authorize(
      key,
      { surface: "feeds", feed: feed.name, action: "upload", upload: kind },
      user && { ...user, ownsPackage: false },
      now,
      clientIp(req),
    );
    if (!decision.allowed) throw refusal(decision);
  }
}

/** The 403 of a refused decision: an invalid key in the one message that tells nothing more. */
function refusal(decision: Extract<Decision, { allowed: false }>): AppError {
  return new AppError("FORBIDDEN", decision.reason === "invalid" ? MESSAGES.invalidKey : decision.message);
}

/** Whether the request may still have body bytes on the wire that nobody has read. */
export function bodyPending(req: Request): boolean {
  if (req.complete) return false;
  const length = req.get("content-length");
  return length === undefined ? req.get("transfer-encoding") !== undefined : length !== "0";
}
