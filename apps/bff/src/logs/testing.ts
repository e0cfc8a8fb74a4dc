// Test helpers for the access log: a real HTTP server whose services (and so whose
// access-log writer) the test holds, a small world of users, feeds and keys, a session
// cookie, and random entries.
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { createFeed, createUser, grantFeed } from "../db/factories.ts";
import { createSession, SESSION_COOKIE } from "../auth/sessions.ts";
import { testProvider } from "../test/database.ts";
import { TEST_PASSWORD } from "../test/server.ts";
import { startServerWithDataDir } from "../test/world.ts";
import type { AccessLogInput } from "./writer.ts";
import { mulberry32 } from "../lib/mulberry32.ts";

export async function startLoggedServer(db: Db, over: Partial<Config> = {}) {
  const server = await startServerWithDataDir(db, { provider: testProvider, ...over }, "logs");
  return {
    ...server,
    /** Everything queued so far is in the database. */
    flush: async () => {
      await server.services.keys.flush();
      await server.services.accessLog.close();
    },
  };
}

/** Users alice and bob (users) and root (an admin), and one feed of each type all three may use. */
export async function createLogWorld(db: Db) {
  const alice = await createUser(db, { username: "alice", password: TEST_PASSWORD });
  const bob = await createUser(db, { username: "bob", password: TEST_PASSWORD });
  const root = await createUser(db, { username: "root", password: TEST_PASSWORD, role: "admin" });
  const feeds = {
    npm: await createFeed(db, { name: "npm", type: "npm" }),
    nuget: await createFeed(db, { name: "nuget", type: "nuget" }),
    rubygems: await createFeed(db, { name: "gems", type: "rubygems" }),
  };
  for (const f of Object.values(feeds)) for (const u of [alice, bob, root]) await grantFeed(db, u.id, f.id);
  return { alice, bob, root, feeds };
}

/** A Cookie header signed in as the user. */
export async function sessionCookie(db: Db, userId: number): Promise<string> {
  const { token } = await createSession(db, userId, { ip: "127.0.0.1", userAgent: "vitest" });
  return `${SESSION_COOKIE}=${token}`;
}

/** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
export function rng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    chance: (p: number) => next() < p,
  };
}

export const METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"] as const;
export const SURFACES = ["feeds", "native", "keys"] as const;
export const STATUSES = [200, 201, 204, 302, 304, 400, 401, 403, 404, 409, 500, 503] as const;
const WORDS = ["Contoso.Core", "left-pad", "rails", "Fabrikam", "@scope/pkg", "index.json", "v3", "search", "Feeds_GetFeeds", "q=Json", "100%", "a_b"];

/** Random entries for `keys` (each with its owner and acting user) around `now`, spread over `spanDays`. */
export function randomEntries(
  r: ReturnType<typeof rng>,
  count: number,
  keys: { id: number | null; ownerId: number | null; user: { id: number; username: string } | null }[],
  now: Date,
  spanDays = 30,
): AccessLogInput[] {
  const out: AccessLogInput[] = [];
  for (let i = 0; i < count; i++) {
    const k = r.pick(keys);
    const path = `/${r.pick(["npm", "nuget", "api/json", "api/api-keys"])}/${r.pick(WORDS)}/${r.pick(WORDS)}${r.chance(0.3) ? `?q=${r.pick(WORDS)}` : ""}`;
    out.push({
      at: new Date(now.getTime() - r.int(0, spanDays * 86_400) * 1000),
      keyId: k.id,
      keyName: k.id ? `key ${k.id}` : null,
      keyHint: k.id ? "khk_ab…yz" : null,
      keyStatus: k.id ? r.pick(["valid", "valid", "valid", "revoked", "expired"]) : r.pick(["unknown", "malformed"]),
      ownerId: k.ownerId,
      userId: k.user?.id ?? null,
      username: k.user?.username ?? null,
      surface: r.pick(SURFACES),
      feed: r.chance(0.5) ? "npm" : null,
      method: r.pick(METHODS),
      path: r.chance(0.5) ? path.toUpperCase() : path,
      status: r.pick(STATUSES),
      durationMs: r.int(0, 50_000) / 100,
      ip: `10.0.${r.int(0, 3)}.${r.int(1, 254)}`,
      userAgent: r.pick(["npm/10.8.2 node/v22.0.0", "NuGet Command Line/6.11", "curl/8.5.0", null]),
      bytesIn: r.int(0, 5000),
      bytesOut: r.int(0, 500_000),
    });
  }
  return out;
}
